"""`GallinaroRotterNetwork`: the network in which homeostatic structural plasticity forms cell assemblies.

Gallinaro & Rotter (2018, Sci Rep 8:3754) and Gallinaro, Gašparović & Rotter (2022, PLoS Comput Biol
18:e1009836) used a Brunel-type network of ``iaf_psc_delta`` neurons in which only the synapses between
excitatory neurons are plastic. Inhibition is static and strong (g = 8 to 12 times the excitatory
weight), every neuron receives 15 kHz of Poisson input, and excitatory neurons grow axonal and dendritic
elements along *linear* growth curves whose set point ``eps`` is a firing rate: ``beta_Ca = 1 / tau_Ca``
makes Ca equal to the rate in spikes per ms.

The parameters below follow the authors' public scripts (NEST 2.20): the reduced network of
``associtive_properties.py`` (juliavg/assembly-structural-plasticity, 2018) and the full-size network of
``python-simulation/fig2_network_simulation.py`` and ``fig3_*.py`` (juliavg/engram_structural_plasticity,
2022). Units NEST 2 counted in simulation steps are given here in ms (their update interval of
``int(100 / dt)`` steps is 100 ms).

`size` picks one of the two networks (`SIZES`); any parameter given explicitly wins over the size's value.
"""

from dataclasses import replace

from .. import validation as check
from ..engine import import_nest
from ..errors import ConfigurationError
from .builder import PlasticNetwork
from .sizes import Sized
from .specs import Input, PlasticSynapse, Population, StaticPathway
from .static import StaticNetwork

#: What each size sets (parameters left at None take these values). "measure": `measure_target_rate`.
SIZES = {
    # associtive_properties.py (2018): 400 E + 100 I, g = 12, tau_Ca 1 s, target measured.
    "reduced": {
        "number_excitatory_neurons": 400,
        "number_inhibitory_neurons": 100,
        "relative_inhibition": 12.0,
        "tau_ca": 1_000.0,
        "target_rate": "measure",
        "t_sim": 20_000.0,
        "record_interval": 1_000.0,
    },
    # engram_structural_plasticity (2022): 10 000 E + 2 500 I, g = 8, tau_Ca 10 s, target 8 Hz.
    "full": {
        "number_excitatory_neurons": 10_000,
        "number_inhibitory_neurons": 2_500,
        "relative_inhibition": 8.0,
        "tau_ca": 10_000.0,
        "target_rate": 8.0,
        "t_sim": 500_000.0,
        "record_interval": 10_000.0,
    },
}

#: The parameters the static reference network depends on.
MEASUREMENT_PARAMETERS = (
    "number_excitatory_neurons",
    "number_inhibitory_neurons",
    "relative_inhibition",
    "connection_probability",
    "neuron_model",
    "model_params",
    "tau_ca",
    "psp_amplitude",
    "delay",
    "input_rate",
    "dt",
    "rng_seed",
    "target_measurement_time",
    "target_measurement_transient",
)

#: Value of `target_rate` that asks for the rate of the static reference network.
MEASURE = "measure"


class GallinaroRotterNetwork(Sized, PlasticNetwork):
    """E and I neurons with plastic E→E synapses and static inhibition (Gallinaro & Rotter 2018, 2022).

    * Populations ``e`` and ``i`` of ``iaf_psc_delta`` neurons; only ``e`` has synaptic elements
      (``Axon_exc``, ``Den_exc``), both along the same linear growth curve.
    * Plastic: ``synapse_ee`` from ``Axon_exc`` to ``Den_exc`` (weight `psp_amplitude`), no autapses.
    * Static, connected once: E→I with in-degree ``connection_probability * N_E`` (weight J),
      I→E and I→I with in-degree ``connection_probability * N_I`` (weight ``-relative_inhibition * J``).
    * Input: independent Poisson trains of `input_rate` and weight J to every neuron.

    The growth curves' set point ``eps`` is the target rate in spikes/ms. With ``target_rate="measure"``
    (the reduced network's default) it is the excitatory rate of the same network with every E→E synapse
    static at in-degree ``connection_probability * N_E``, measured by `measure_target_rate` before the
    network is built (as the authors' script does), so that the plastic network grows to that connectivity.

    Parameters
    ----------
    **parameters
        Values for any of the parameters listed by `parameter_names`; those left at None come from `size`.

    Attributes
    ----------
    measured_target_rate : float or None
        The rate (Hz) `measure_target_rate` found, None before it ran.
    """

    size = "reduced"  # "reduced" (400 E + 100 I, 2018) or "full" (10 000 E + 2 500 I, 2022); see SIZES

    # === Simulation (None: from size) =================================================================
    t_sim = None  # simulated time (ms); reduced 20 000, full 500 000
    record_interval = None  # how often the network is recorded (ms); reduced 1 000, full 10 000

    # === Network (None: from size) ====================================================================
    number_excitatory_neurons = None  # N_E; reduced 400, full 10 000
    number_inhibitory_neurons = None  # N_I; reduced 100, full 2 500
    relative_inhibition = None  # g: inhibitory weight is -g * psp_amplitude; reduced 12, full 8
    connection_probability = 0.1  # in-degree of static pathways as a fraction of the source population
    neuron_model = "iaf_psc_delta"  # NEST model of every neuron (must support synaptic elements)
    model_params = {  # applied to every neuron (beta_Ca and tau_Ca come from tau_ca)
        "C_m": 250.0,  # membrane capacitance (pF)
        "tau_m": 20.0,  # membrane time constant (ms)
        "t_ref": 2.0,  # absolute refractory period (ms)
        "E_L": 0.0,  # resting membrane potential (mV)
        "V_th": 20.0,  # spike threshold (mV)
        "V_reset": 10.0,  # reset potential (mV)
        "V_m": 0.0,  # initial membrane potential (mV)
    }
    tau_ca = None  # time constant of the calcium trace (ms); beta_Ca = 1 / tau_ca; reduced 1 000, full 10 000

    # === Synapses and input ===========================================================================
    psp_amplitude = 0.1  # J: jump of the membrane potential per excitatory spike (mV), E→E, E→I and input
    delay = 1.0  # delay of every synapse, recurrent and external (ms)
    input_rate = 15_000.0  # rate of the Poisson input of each neuron (Hz): 1.5 x the threshold rate

    # === Structural plasticity ========================================================================
    # Target firing rate of E neurons (Hz), the set point eps = target_rate / 1000 spikes/ms of both
    # growth curves; "measure": the rate of the static reference network (measure_target_rate).
    target_rate = None  # reduced "measure", full 8.0
    growth_rate_factor = 0.5  # growth_rate = growth_rate_factor * eps (elements/ms), both elements
    initial_elements = 1.0  # z of Axon_exc and Den_exc at the start (elements)
    target_measurement_time = 10_000.0  # simulated time of the static reference network (ms)
    target_measurement_transient = 2_000.0  # initial part of it whose spikes are not counted (ms)

    #: The population protocols act on by default (the excitatory one).
    EXCITATORY_POPULATION = "e"
    #: Name of the plastic E→E synapse model.
    SYNAPSE_E = "synapse_ee"
    #: The growth curve of both elements (Gallinaro & Rotter use the linear one, integer elements).
    GROWTH_CURVE = "linear"
    #: Sizes and their parameter values; subclasses (experiments) add their own keys.
    SIZES = SIZES

    def __init__(self, **parameters):
        self.measured_target_rate = None
        self._measured_for = None
        super().__init__(**parameters)

    # ------------------------------------------------------------------------------------------------
    # Parameters
    # ------------------------------------------------------------------------------------------------
    def validate(self):
        """Check the network's own parameters, then the generic ones and the structure (`PlasticNetwork`)."""
        check.choice("size", self.size, tuple(type(self).SIZES))
        self.number_excitatory_neurons = check.count("number_excitatory_neurons", self.number_excitatory_neurons, 2)
        self.number_inhibitory_neurons = check.count("number_inhibitory_neurons", self.number_inhibitory_neurons)
        self.relative_inhibition = check.non_negative_number("relative_inhibition", self.relative_inhibition, "")
        p = self.connection_probability
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= 1:
            raise ConfigurationError(f"connection_probability must be a number in (0, 1], got {p!r}")
        for name, n in (("N_E", self.number_excitatory_neurons), ("N_I", self.number_inhibitory_neurons)):
            if round(p * n) < 1:
                raise ConfigurationError(
                    f"connection_probability={p:g} of {name}={n} gives an in-degree of 0; "
                    "use more neurons or a larger probability"
                )
        if not isinstance(self.neuron_model, str):
            raise ConfigurationError(f"neuron_model must be a NEST model name, got {self.neuron_model!r}")
        if not isinstance(self.model_params, dict):
            raise ConfigurationError(f"model_params must be a dict of neuron parameters, got {self.model_params!r}")
        clash = sorted({"tau_Ca", "beta_Ca"} & set(self.model_params))
        if clash:
            raise ConfigurationError(
                f"model_params sets {', '.join(clash)}; set tau_ca instead (beta_Ca is 1 / tau_ca)"
            )
        self.tau_ca = check.positive_time("tau_ca", self.tau_ca)
        self.psp_amplitude = check.finite_number("psp_amplitude", self.psp_amplitude, "mV")
        self.delay = check.positive_time("delay", self.delay)
        self.input_rate = check.non_negative_number("input_rate", self.input_rate, "Hz")
        if self.target_rate != MEASURE:
            if isinstance(self.target_rate, str):
                raise ConfigurationError(f"target_rate must be a rate in Hz or {MEASURE!r}, got {self.target_rate!r}")
            self.target_rate = check.positive_time("target_rate", self.target_rate, "Hz")
        self.growth_rate_factor = check.positive_time("growth_rate_factor", self.growth_rate_factor, "(x eps)")
        self.initial_elements = check.non_negative_number("initial_elements", self.initial_elements, "elements")
        self.target_measurement_time = check.positive_time("target_measurement_time", self.target_measurement_time)
        self.target_measurement_transient = check.non_negative_number(
            "target_measurement_transient", self.target_measurement_transient, "ms"
        )
        if self.target_measurement_transient >= self.target_measurement_time:
            raise ConfigurationError(
                f"target_measurement_transient ({self.target_measurement_transient:g} ms) must be shorter than "
                f"target_measurement_time ({self.target_measurement_time:g} ms)"
            )
        super().validate()
        for name in ("target_measurement_time", "target_measurement_transient"):
            if getattr(self, name) > 0:
                check.multiple_of(name, getattr(self, name), "the resolution dt", self.dt)

    # ------------------------------------------------------------------------------------------------
    # Derived quantities
    # ------------------------------------------------------------------------------------------------
    def indegree(self, source):
        """Return the in-degree of static pathways from population `source` (``"e"`` or ``"i"``), rounded."""
        n = self.number_excitatory_neurons if source == "e" else self.number_inhibitory_neurons
        return int(round(self.connection_probability * n))

    @property
    def target_rate_hz(self):
        """float or None: the target rate in use (Hz): `target_rate`, or the measured one, or None before measuring."""
        if self.target_rate == MEASURE:
            return self.measured_target_rate if self._measured_for == self._measurement_key() else None
        return float(self.target_rate)

    def growth_curve(self):
        """Return the growth curve of both elements of E neurons (eps and growth_rate None before the target is known)."""
        rate = self.target_rate_hz
        eps = None if rate is None else rate / 1000.0  # spikes/ms, the unit of Ca
        return {
            "growth_curve": self.GROWTH_CURVE,
            "growth_rate": None if eps is None else self.growth_rate_factor * eps,  # (elements/ms)
            "eps": eps,
            "z": self.initial_elements,
            "continuous": False,  # only whole elements form synapses, as in the authors' scripts
        }

    # ------------------------------------------------------------------------------------------------
    # The structure
    # ------------------------------------------------------------------------------------------------
    def population_specs(self):
        """Return ``e`` (with ``Axon_exc`` and ``Den_exc``) and ``i`` (no elements), same neuron parameters."""
        params = dict(self.model_params, tau_Ca=self.tau_ca, beta_Ca=1.0 / self.tau_ca)
        curve = self.growth_curve()
        return {
            "e": Population(
                self.number_excitatory_neurons,
                self.neuron_model,
                params,
                {"Axon_exc": curve, "Den_exc": dict(curve)},
                target_ca=curve["eps"],
            ),
            "i": Population(self.number_inhibitory_neurons, self.neuron_model, dict(params)),
        }

    def plastic_synapses(self):
        """Return `SYNAPSE_E`: ``Axon_exc`` to ``Den_exc``, weight `psp_amplitude`, no autapses."""
        return {self.SYNAPSE_E: PlasticSynapse(self.psp_amplitude, self.delay, "Axon_exc", "Den_exc", False)}

    def static_pathways(self):
        """Return E→I (weight J) and I→E, I→I (weight -g J), each with a fixed in-degree (see `indegree`).

        NEST's defaults of ``fixed_indegree`` allow autapses and multapses, as NEST 2's did.
        """
        j, inhibitory = self.psp_amplitude, -self.relative_inhibition * self.psp_amplitude
        from_e = {"rule": "fixed_indegree", "indegree": self.indegree("e")}
        from_i = {"rule": "fixed_indegree", "indegree": self.indegree("i")}
        return [
            StaticPathway("e", "i", from_e, j, self.delay),
            StaticPathway("i", "e", from_i, inhibitory, self.delay),
            StaticPathway("i", "i", dict(from_i), inhibitory, self.delay),
        ]

    def input_spec(self):
        """Return the Poisson input of every neuron: `input_rate` with weight `psp_amplitude`."""
        return Input(self.input_rate, self.psp_amplitude, self.delay)

    # ------------------------------------------------------------------------------------------------
    # The target rate
    # ------------------------------------------------------------------------------------------------
    def static_reference(self):
        """Return the static reference network: this one with E→E static at in-degree ``connection_probability * N_E``.

        Same populations (without synaptic elements), static pathways, input, resolution and seed; it
        records E and I every `target_measurement_time` minus `target_measurement_transient`.

        Returns
        -------
        StaticNetwork
        """
        populations = {name: replace(pop, elements={}, target_ca=None) for name, pop in self.population_specs().items()}
        ee = StaticPathway(
            "e", "e", {"rule": "fixed_indegree", "indegree": self.indegree("e")}, self.psp_amplitude, self.delay
        )
        window = self.target_measurement_time - self.target_measurement_transient
        return StaticNetwork(
            population_table=populations,
            pathway_table=[ee, *self.static_pathways()],
            external_input=self.input_spec(),
            dt=self.dt,
            rng_seed=self.rng_seed,
            t_sim=window,
            record_interval=window,
        )

    def measure_target_rate(self):
        """Measure the excitatory rate of `static_reference` and keep it as the target rate.

        As in Gallinaro & Rotter's script: simulate `target_measurement_time` and count the E spikes after
        `target_measurement_transient`. Resets NEST's kernel (call it before building the network;
        `prepare_simulation` does when ``target_rate="measure"``).

        Returns
        -------
        float
            The rate (Hz), also kept in `measured_target_rate`.
        """
        reference = self.static_reference()
        reference.build()
        nest = import_nest()
        if self.target_measurement_transient > 0:
            nest.Simulate(self.target_measurement_transient)
        reference.start_recording()
        with reference.running():
            reference.advance(reference.t_sim)
        rate = float(reference.results["rate_e"][-1])
        if not rate > 0:
            raise ConfigurationError(
                "the static reference network is silent, so it gives no target rate; raise input_rate or "
                "give target_rate in Hz"
            )
        self.measured_target_rate = rate
        self._measured_for = self._measurement_key()
        return rate

    def _measurement_key(self):
        """The parameters the measured rate depends on (changing one of them invalidates the measurement)."""
        return repr([(name, getattr(self, name)) for name in MEASUREMENT_PARAMETERS])

    # ------------------------------------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------------------------------------
    def prepare_simulation(self):
        """Measure the target rate if needed (`measure_target_rate`), then set up the kernel as usual.

        ``metadata["target_rate"]`` records the rate in use, whether it was measured, and how.
        """
        self.validate()
        measured = self.target_rate == MEASURE
        if measured and self.target_rate_hz is None:
            self.measure_target_rate()
        super().prepare_simulation()
        info = {"rate_hz": self.target_rate_hz, "eps_spikes_per_ms": self.target_rate_hz / 1000.0, "measured": measured}
        if measured:
            info.update(
                method="E rate of the network with every E->E synapse static at in-degree "
                f"{self.indegree('e')} (connection_probability {self.connection_probability:g})",
                simulated_ms=self.target_measurement_time,
                counted_from_ms=self.target_measurement_transient,
                rng_seed=self.rng_seed,
            )
        self.results.metadata["target_rate"] = info
