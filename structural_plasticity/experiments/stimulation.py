"""Stimulation: raise the external input of a group of neurons for a while, then restore it.

Gallinaro & Rotter (2018, Sci Rep 8:3754) showed that homeostatic structural plasticity forms a cell
assembly when a group of neurons is stimulated: during the stimulus the group's neurons fire above
their set point and retract synaptic elements; when it ends they fire below it and grow elements all at
the same time, so their free elements pair preferentially with each other, and the connectivity within
the group ends above its level before the stimulus.

`StimulusProtocol` holds what every stimulation protocol shares (the groups, the extra input, the
growth and stimulation phases); its subclasses say which phases follow the stimulus:
`StimulationProtocol` one ``recovery`` phase, `AssemblyProtocol` (module `assembly`) an ``after`` and a
``decay`` phase as in Gallinaro & Rotter's scripts. None names a network; `catalog` runs
`StimulationProtocol` on NEST's example (`StimulationExperiment`).
"""

from ..engine import import_nest
from ..validation import input_rate, non_negative_number
from .base import Phase
from .intervention import InterventionProtocol


class StimulusProtocol(InterventionProtocol):
    """Grow a network, stimulate a group of its excitatory neurons, then run the phases after the stimulus.

    A protocol for any network with an external input (`input_spec`); the groups are drawn from
    `group_population`, the excitatory population by default (`InterventionProtocol`). Subclasses return the phases after the stimulus from `post_stimulus_phases`
    as ``[(name, duration in ms), ...]``; the first of them starts with `stimulus_off`.

    Phases: ``growth``, ``stimulation`` (the ``stimulated`` group receives extra Poisson input at
    ``stimulus_increase`` times the input rate), then those of `post_stimulus_phases`. The other
    neurons of the population form the ``rest`` group.

    The extra input is a second ``poisson_generator`` created with rate 0 next to the background one and
    connected to the stimulated group with the input's weight; the phases set its rate. Since the sum of
    independent Poisson trains is a Poisson train, the group then receives Poisson input at
    ``(1 + stimulus_increase)`` times the input rate. A generator at rate 0 sends nothing and draws no random
    numbers, so the growth phase is identical to a run of the plain network with the same seed.
    """

    # === Protocol =====================================================================================
    growth_duration = 150_000.0  # growth from no synapses until settled, before the stimulus (ms)
    stimulation_duration = 100_000.0  # time with the extra input on (ms)
    stimulus_increase = 0.1  # extra input of the stimulated group, as a fraction of the input rate (0.1: +10 %)
    element_groups = ("stimulated",)  # read the synaptic elements of the stimulated group each sample

    def __init__(self, **parameters):
        self.stimulus = None
        super().__init__(**parameters)

    def validate(self):
        """Check the stimulation's own parameters, then those of `InterventionProtocol`."""
        self.stimulus_increase = non_negative_number(
            "stimulus_increase", self.stimulus_increase, "(fraction of the input rate)"
        )
        super().validate()
        spec = self.input_spec()
        if spec is not None:  # the stimulated group's input: the rate bound of `validation` applies to it too
            input_rate(
                "the input rate x (1 + stimulus_increase), the stimulated input",
                spec.rate * (1 + self.stimulus_increase),
            )

    def post_stimulus_phases(self):
        """Return the phases after the stimulus as ``[(name, duration in ms), ...]``; at least one."""
        raise NotImplementedError(f"{type(self).__name__} must define post_stimulus_phases()")

    def define_groups(self):
        """Return ``stimulated`` (`group_fraction` of the population acted on, see `pick_group`) and ``rest``
        (the rest of it)."""
        stimulated, rest = self.pick_from_population()
        return {"stimulated": stimulated, "rest": rest}

    def connect_external_input(self):
        """Connect the background input, then a silent extra generator onto the stimulated group."""
        super().connect_external_input()
        nest = import_nest()
        spec = self.input_spec()
        self.stimulus = nest.Create("poisson_generator", params={"rate": 0.0})
        nest.Connect(
            self.stimulus, self.groups["stimulated"], "all_to_all", {"weight": spec.weight, "delay": spec.delay}
        )

    def phases(self):
        """Return ``growth``, ``stimulation`` (starts `stimulus_on`) and the `post_stimulus_phases`.

        The first phase after the stimulus starts with `stimulus_off`.
        """
        phases = [
            Phase("growth", self.growth_duration),
            Phase("stimulation", self.stimulation_duration, self.stimulus_on),
        ]
        for index, (name, duration) in enumerate(self.post_stimulus_phases()):
            phases.append(Phase(name, duration, self.stimulus_off if index == 0 else None))
        return phases

    def stimulus_on(self):
        """Set the extra generator to ``stimulus_increase`` times the input rate."""
        self._set_stimulus(self.stimulus_increase * self.input_spec().rate)

    def stimulus_off(self):
        """Silence the extra generator."""
        self._set_stimulus(0.0)

    def _set_stimulus(self, rate):
        self.stimulus.rate = rate
        self.results.metadata.setdefault("stimulus", []).append(
            {"time_s": self.now_ms() / 1000.0, "rate_hz": float(rate)}
        )


class StimulationProtocol(StimulusProtocol):
    """Grow a network, stimulate a group of its excitatory neurons, then record the return to baseline.

    `StimulationExperiment` runs it on NEST's example. Three phases: ``growth``, ``stimulation`` and
    ``recovery`` (the extra input is off again); see `StimulusProtocol`.

    Parameters
    ----------
    **parameters
        Any parameter of `parameter_names`, e.g. ``stimulus_increase``, ``stimulation_duration``.
    """

    recovery_duration = 150_000.0  # time recorded after the stimulus (ms)
    t_sim = (
        StimulusProtocol.growth_duration + StimulusProtocol.stimulation_duration + recovery_duration
    )  # (ms) always the sum of the phases

    def post_stimulus_phases(self):
        """Return one phase, ``recovery`` (`recovery_duration`)."""
        return [("recovery", self.recovery_duration)]
