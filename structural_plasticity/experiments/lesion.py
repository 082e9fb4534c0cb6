"""Deafferentation: remove the external input of a group of neurons after the network has grown.

Butz & van Ooyen (2013) built the model to explain how cortex rewires after a focal retinal lesion:
neurons in the lesion projection zone lose their input, their activity and calcium drop, and homeostatic
structural plasticity then grows new synapses onto them from intact neurons until their activity
returns toward its set point.

`LesionProtocol` names no network; `catalog` runs it on NEST's example (`LesionExperiment`) and on
`ButzNetwork` (`ButzLesionExperiment`).
"""

import numpy as np

from ..engine import import_nest
from ..errors import ConfigurationError
from .base import Phase
from .intervention import InterventionProtocol


class LesionProtocol(InterventionProtocol):
    """Grow a network, then deafferent a group of its excitatory neurons and record how it rewires.

    A protocol for any network with an external input (`input_spec`); the groups are drawn from
    `group_population`, the excitatory population by default (`InterventionProtocol`).
    `LesionExperiment` runs it on NEST's example, `ButzLesionExperiment` on `ButzNetwork` (a growth
    curve per element).

    Two phases: ``growth`` (the network grows from no synapses to its set point), then ``recovery``,
    at whose start the weight of the external Poisson input onto the ``lesioned`` group is set to
    ``lesion_input_kept`` times the input weight (0 by default: complete deafferentation). The other
    neurons of the population form the ``intact`` group. The synaptic elements of both groups are recorded
    every sample, and each lesioned neuron's Ca at the lesion and at the end is kept in
    ``metadata["lesion"]``.

    The input is removed by setting the weights of the generator-to-group connections, found with
    ``nest.GetConnections(source=noise, target=lesioned)``, rather than with ``nest.Disconnect``:
    NEST 3.10 keeps connections from devices such as ``poisson_generator`` apart from those between
    neurons, and ``nest.Disconnect`` of them raises ``InexistentConnection``. With zero weight the
    generator's spikes still reach the group but move no membrane; since nothing in NEST's random
    streams changes, the growth phase is identical to a run of the plain network with the same seed.

    Parameters
    ----------
    **parameters
        Any parameter of `parameter_names`, e.g. ``growth_duration``, ``recovery_duration``,
        ``group_fraction``.
    """

    # === Protocol =====================================================================================
    growth_duration = 150_000.0  # growth from no synapses until settled, before the lesion (ms)
    recovery_duration = 250_000.0  # time recorded after the lesion (ms)
    lesion_input_kept = 0.0  # fraction of its external input weight the lesioned group keeps (0: none)
    element_groups = ("lesioned", "intact")  # read the synaptic elements of both groups each sample
    t_sim = growth_duration + recovery_duration  # (ms) always the sum of the phase durations

    def validate(self):
        """Check the lesion's own parameters, then those of `InterventionProtocol`."""
        kept = self.lesion_input_kept
        if isinstance(kept, bool) or not isinstance(kept, (int, float)) or not 0 <= kept < 1:
            raise ConfigurationError(f"lesion_input_kept must be a number from 0 to below 1, got {kept!r}")
        super().validate()

    def define_groups(self):
        """Return ``lesioned`` (`group_fraction` of the population acted on, see `pick_group`) and ``intact``
        (the rest of it)."""
        lesioned, intact = self.pick_from_population()
        return {"lesioned": lesioned, "intact": intact}

    def phases(self):
        """Return ``growth``, then ``recovery`` which starts with `lesion`."""
        return [Phase("growth", self.growth_duration), Phase("recovery", self.recovery_duration, self.lesion)]

    def lesion(self):
        """Scale the external input of the lesioned group to ``lesion_input_kept`` of its weight."""
        nest = import_nest()
        connections = nest.GetConnections(source=self.noise, target=self.groups["lesioned"])
        weight = self.input_spec().weight * self.lesion_input_kept
        if len(connections):
            connections.set(weight=weight)
        changed = int(round(self.comm.sum([len(connections)])[0]))
        self.results.metadata["lesion"] = {
            "time_s": self.now_ms() / 1000.0,
            "input_connections_changed": changed,
            "input_weight_pA": weight,
            "ca_lesioned_before": self.lesioned_ca(),
        }

    def run_protocol(self, callback=None):
        """Run the phases (`Experiment.run_protocol`), then keep each lesioned neuron's final Ca in the metadata.

        ``metadata["lesion"]`` holds ``ca_lesioned_before`` (at the lesion) and ``ca_lesioned_end`` (at the
        end of the run), one value per lesioned neuron in the order of the group's node ids, so that one
        can tell whether a group mean below target means every neuron partly recovered or some recovered
        and others did not.
        """
        super().run_protocol(callback=callback)
        if "lesion" in self.results.metadata:
            self.results.metadata["lesion"]["ca_lesioned_end"] = self.lesioned_ca()

    def lesioned_ca(self):
        """Return the Ca of every lesioned neuron at the last sample, in node-id order (gathered over MPI ranks).

        Returns
        -------
        list of float
        """
        ids = np.asarray(self.groups["lesioned"].tolist(), dtype=np.int64)
        activity = self.recorder.activity["lesioned"]
        values = np.zeros(len(ids))
        values[np.searchsorted(ids, activity.node_ids)] = activity.ca  # each rank fills its own neurons
        return [float(x) for x in self.comm.sum(values)]
