"""`StructuralPlasticityExample`: NEST's structural plasticity example as a configurable class.

A network of excitatory and inhibitory neurons starts without recurrent synapses. Driven by Poisson
input, each neuron grows and retracts synaptic elements (axonal boutons ``Axon_ex``/``Axon_in`` and
dendritic spines ``Den_ex``/``Den_in``) along gaussian growth curves of its calcium trace, and NEST
pairs free elements into synapses until each population's mean Ca sits at its target
(Butz & van Ooyen 2013, PLoS Comput Biol 9(10) e1003259).

The public names follow NEST's example (``StructralPlasticityExample``), so code written for it keeps
working. Two defaults differ from the copy shipped with NEST 3.10, on purpose:

* ``update_interval`` is 100 ms. The original example set 1000, which NEST 2 counted in simulation steps
  (1000 x 0.1 ms); NEST 3 counts milliseconds, and with 10 000 ms the network does not settle in 200 s.
* ``neuron_model`` is ``iaf_psc_alpha`` and ``model_params`` are NEST's defaults of that model, written
  out. NEST's example declares ``iaf_psc_exp`` with other parameters but never applies them (it always
  creates ``iaf_psc_alpha`` with defaults); applied, those parameters give a network that never fires.
  Here every parameter is applied.
"""

import copy
import sys
import time
from contextlib import contextmanager

import numpy as np

from . import __version__
from . import validation as check
from .activity import PopulationActivity, SpikeSorter, population_statistics
from .engine import import_nest, local_nodes, nest_rejections
from .errors import ConfigurationError
from .interrupts import stop_requests
from .parallel import Communicator, check_launch
from .results import Results

#: Keys every growth-curve dictionary must have.
REQUIRED_GROWTH_CURVE_KEYS = ("growth_curve", "growth_rate", "eps")

#: The four growth-curve parameters (class attributes), one per kind of synaptic element and population.
GROWTH_CURVE_NAMES = ("growth_curve_e_e", "growth_curve_e_i", "growth_curve_i_e", "growth_curve_i_i")

#: How the recorded mean Ca is read (see `StructuralPlasticityExample.ca_readout`).
CA_READOUTS = ("spikes", "state")


class StructuralPlasticityExample:
    """Butz & van Ooyen's homeostatic structural plasticity in a NEST network of E and I neurons.

    Every public class attribute below is a parameter. Change parameters by keyword
    (``StructuralPlasticityExample(t_sim=20_000.0)``) or by subclassing
    (``class Longer(StructuralPlasticityExample): t_sim = 400_000.0``); a subclass's own public class
    attributes become parameters too. Unknown keyword names raise `ConfigurationError`. Each instance
    gets deep copies of the defaults, so instances never share dictionaries.

    Parameters
    ----------
    **parameters
        Values for any of the parameters listed by `parameter_names`.

    Attributes
    ----------
    nodes_e, nodes_i : nest.NodeCollection
        The excitatory and inhibitory neurons (after `create_nodes`).
    results : Results
        Everything recorded so far (``results.mean_ca_e``, ``results.connections_ei``, ...).
    mean_ca_e, mean_ca_i, total_connections_e, total_connections_i : numpy.ndarray
        The series NEST's example records, one value per `record_interval`.

    Examples
    --------
    >>> example = StructuralPlasticityExample(t_sim=20_000.0)   # doctest: +SKIP
    >>> results = example.run()                                 # doctest: +SKIP
    >>> fig = example.plot_data()                               # doctest: +SKIP
    """

    # === Simulation ===================================================================================
    t_sim = 200_000.0  # simulated (biological) time (ms)
    dt = 0.1  # resolution of the simulation (ms)
    rng_seed = 12345  # seed of NEST's random number generators (1 to 2**32 - 1)
    threads = 1  # threads per process; NEST's structural plasticity needs 1 (use MPI processes instead)

    # === Network ======================================================================================
    number_excitatory_neurons = 800  # size of the excitatory population
    number_inhibitory_neurons = 200  # size of the inhibitory population
    neuron_model = "iaf_psc_alpha"  # NEST model of every neuron (must support synaptic elements)
    model_params = {  # applied to every neuron; NEST's defaults of iaf_psc_alpha
        "C_m": 250.0,  # membrane capacitance (pF)
        "tau_m": 10.0,  # membrane time constant (ms)
        "t_ref": 2.0,  # absolute refractory period (ms)
        "E_L": -70.0,  # resting membrane potential (mV)
        "V_th": -55.0,  # spike threshold (mV)
        "V_reset": -70.0,  # reset potential (mV)
        "tau_syn_ex": 2.0,  # rise time of the excitatory synaptic alpha function (ms)
        "tau_syn_in": 2.0,  # rise time of the inhibitory synaptic alpha function (ms)
        "I_e": 0.0,  # constant input current (pA)
        "beta_Ca": 0.001,  # increase of the calcium trace per spike
        "tau_Ca": 10_000.0,  # decay time constant of the calcium trace (ms)
    }

    # === Structural plasticity ========================================================================
    update_interval = 100.0  # how often NEST updates synaptic elements and synapses (ms)
    record_interval = 1000.0  # how often the package records the network (ms)
    # Growth curves: dict per synaptic element; growth_rate in elements/ms, eta and eps in units of Ca.
    growth_curve_e_e = {  # excitatory elements (Axon_ex, Den_ex) of excitatory neurons
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.0,  # Ca below which elements retract
        "eps": 0.05,  # target Ca: 5 Hz with beta_Ca 0.001 and tau_Ca 10 s
    }
    growth_curve_e_i = {  # inhibitory dendritic elements (Den_in) of excitatory neurons
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.0,
        "eps": 0.05,
    }
    growth_curve_i_e = {  # excitatory dendritic elements (Den_ex) of inhibitory neurons
        "growth_curve": "gaussian",
        "growth_rate": 0.0004,  # (elements/ms)
        "continuous": False,
        "eta": 0.0,
        "eps": 0.2,  # target Ca: 20 Hz with beta_Ca 0.001 and tau_Ca 10 s
    }
    growth_curve_i_i = {  # inhibitory elements (Axon_in, Den_in) of inhibitory neurons
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.0,
        "eps": 0.2,
    }

    # === Synapses and input ===========================================================================
    psc_e = 585.0  # weight of excitatory synapses (pA); a PSP of about 7.6 mV in iaf_psc_alpha
    psc_i = -585.0  # weight of inhibitory synapses (pA)
    psc_ext = 6.2  # weight of the external Poisson input (pA)
    bg_rate = 10_000.0  # rate of the external Poisson input of each neuron (Hz)
    delay = 1.0  # delay of every synapse, recurrent and external (ms)

    # === Recording ====================================================================================
    # "spikes": Ca of every neuron at the sample time, rebuilt from recorded spikes (O(spikes)).
    # "state": NEST's stored Ca, read exactly as NEST's example reads it (O(neurons) status reads).
    # Both give the same values to rounding (NEST updates its stored Ca at the end of each Simulate);
    # "state" reproduces NEST's example bit for bit (python -m structural_plasticity compare).
    ca_readout = "spikes"

    #: Names of the synapse models that structural plasticity creates.
    SYNAPSE_E = "synapse_ex"
    SYNAPSE_I = "synapse_in"

    def __init__(self, **parameters):
        known = self.parameter_names()
        unknown = sorted(set(parameters) - set(known))
        if unknown:
            raise ConfigurationError(
                f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                f"for {type(self).__name__}; known parameters are: {', '.join(known)}"
            )
        for name in known:
            # Deep copies: a dict changed on one instance must never change the class or another instance.
            value = parameters[name] if name in parameters else getattr(type(self), name)
            setattr(self, name, copy.deepcopy(value))
        self.validate()
        self.nodes_e = None
        self.nodes_i = None
        self.noise = None
        self.spike_recorder = None
        self.comm = None
        self.results = Results()
        self._activity = None
        self._sorter = None
        self._stop_requested = None

    # ------------------------------------------------------------------------------------------------
    # Parameters
    # ------------------------------------------------------------------------------------------------
    @classmethod
    def parameter_names(cls):
        """Return the names of all parameters: public, non-callable class attributes of the class and its bases.

        Returns
        -------
        list of str
        """
        names = []
        for klass in reversed(cls.__mro__[:-1]):  # base classes first, `object` excluded
            for name, value in vars(klass).items():
                if name.startswith("_") or name.isupper() or name in names:
                    continue
                if callable(value) or isinstance(value, (property, classmethod, staticmethod)):
                    continue
                names.append(name)
        return names

    def parameters(self):
        """Return a deep copy of all parameter values of this instance as a dict."""
        return {name: copy.deepcopy(getattr(self, name)) for name in self.parameter_names()}

    def validate(self):
        """Check the parameters that need no simulator; raise `ConfigurationError` naming the fix.

        Called on construction and again by `prepare_simulation`, so values changed on an instance
        after construction are checked too. Checks that need NEST (model names, model parameters,
        growth-curve keys) happen in `prepare_simulation` and `create_nodes`.
        """
        # Every value, inside dicts too, against the kind of its default: no NaN or inf ever reaches NEST.
        check.parameter_values(self.parameters(), check.declared_defaults(type(self), self.parameter_names()))
        self.dt = check.resolution("dt", self.dt)
        self.t_sim = check.positive_time("t_sim", self.t_sim)
        self.update_interval = check.positive_time("update_interval", self.update_interval)
        self.record_interval = check.positive_time("record_interval", self.record_interval)
        check.multiple_of("update_interval", self.update_interval, "the resolution dt", self.dt)
        check.multiple_of("record_interval", self.record_interval, "the resolution dt", self.dt)
        check.multiple_of("t_sim", self.t_sim, "record_interval", self.record_interval)
        self.number_excitatory_neurons = check.count("number_excitatory_neurons", self.number_excitatory_neurons)
        self.number_inhibitory_neurons = check.count("number_inhibitory_neurons", self.number_inhibitory_neurons)
        self.threads = check.count("threads", self.threads)
        if self.threads > 1:
            raise ConfigurationError(
                f"threads={self.threads}: NEST's structural plasticity cannot use more than one thread; "
                "run on several MPI processes instead (mpirun -n N python -m structural_plasticity)"
            )
        self.rng_seed = check.count("rng_seed", self.rng_seed)
        if self.rng_seed >= 2**32:
            raise ConfigurationError(f"rng_seed must be between 1 and {2**32 - 1}, got {self.rng_seed}")
        self.bg_rate = check.non_negative_number("bg_rate", self.bg_rate, "Hz")
        self.delay = check.positive_time("delay", self.delay)
        for name in ("psc_e", "psc_i", "psc_ext"):
            setattr(self, name, check.finite_number(name, getattr(self, name), "pA"))
        check.choice("ca_readout", self.ca_readout, CA_READOUTS)
        if not isinstance(self.neuron_model, str):
            raise ConfigurationError(f"neuron_model must be a NEST model name, got {self.neuron_model!r}")
        if not isinstance(self.model_params, dict):
            raise ConfigurationError(f"model_params must be a dict of neuron parameters, got {self.model_params!r}")
        for name in GROWTH_CURVE_NAMES:
            curve = getattr(self, name)
            if not isinstance(curve, dict):
                raise ConfigurationError(f"{name} must be a dict (growth_curve, growth_rate, eps, ...), got {curve!r}")
            missing = [key for key in REQUIRED_GROWTH_CURVE_KEYS if key not in curve]
            if missing:
                raise ConfigurationError(f"{name} lacks {', '.join(map(repr, missing))}; add it to the dict")
        check.bounds(self.parameters(), GROWTH_CURVE_NAMES)  # limits that keep NEST responsive (validation.py)

    @classmethod
    def growth_curves_scaled(cls, factor):
        """Return the four growth-curve parameters with every growth rate multiplied by `factor`.

        Faster growth forms synapses within seconds instead of tens of seconds, which is what short
        tests and demonstrations need: ``StructuralPlasticityExample(**StructuralPlasticityExample.
        growth_curves_scaled(20), t_sim=4000.0)``. A factor of 0 switches growth off.

        Parameters
        ----------
        factor : float
            Multiplier of ``growth_rate`` (elements/ms) of each curve; the other keys are kept.

        Returns
        -------
        dict
            ``{"growth_curve_e_e": {...}, "growth_curve_e_i": {...}, "growth_curve_i_e": {...},
            "growth_curve_i_i": {...}}``, new dicts, ready to pass as keywords.
        """
        return {
            name: dict(getattr(cls, name), growth_rate=getattr(cls, name)["growth_rate"] * factor)
            for name in GROWTH_CURVE_NAMES
        }

    @property
    def target_ca(self):
        """dict: target mean Ca (``eps``) of each population, ``{"e": ..., "i": ...}``."""
        return {"e": self.growth_curve_e_e["eps"], "i": self.growth_curve_i_e["eps"]}

    @property
    def ca_per_hz(self):
        """float: mean Ca of a neuron firing steadily at 1 Hz (``beta_Ca * tau_Ca / 1000``)."""
        return self.model_params.get("beta_Ca", 0.001) * self.model_params.get("tau_Ca", 10_000.0) / 1000.0

    # ------------------------------------------------------------------------------------------------
    # The phases of a run
    # ------------------------------------------------------------------------------------------------
    def prepare_simulation(self):
        """Reset NEST and set the kernel: resolution, seed, update interval and plastic synapse models.

        All kernel set-up sits here. `nest.ResetKernel` also resets threads and seed, so both are set
        after it.
        """
        self.validate()
        nest = import_nest()
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        if self.neuron_model not in nest.node_models:
            close = [m for m in nest.node_models if m.startswith(self.neuron_model.split("_")[0])][:6]
            raise ConfigurationError(
                f"unknown neuron_model {self.neuron_model!r}; NEST has e.g. {', '.join(close) or 'iaf_psc_alpha'} "
                "(see nest.node_models)"
            )
        self.comm = Communicator(nest)
        check_launch(nest)
        with nest_rejections("the kernel settings", "check dt, rng_seed, update_interval, psc_e, psc_i and delay"):
            nest.local_num_threads = self.threads
            nest.resolution = self.dt
            nest.rng_seed = self.rng_seed
            nest.structural_plasticity_update_interval = self.update_interval
            nest.CopyModel("static_synapse", self.SYNAPSE_E, {"weight": self.psc_e, "delay": self.delay})
            nest.CopyModel("static_synapse", self.SYNAPSE_I, {"weight": self.psc_i, "delay": self.delay})
            nest.structural_plasticity_synapses = {
                self.SYNAPSE_E: {
                    "synapse_model": self.SYNAPSE_E,
                    "pre_synaptic_element": "Axon_ex",
                    "post_synaptic_element": "Den_ex",
                },
                self.SYNAPSE_I: {
                    "synapse_model": self.SYNAPSE_I,
                    "pre_synaptic_element": "Axon_in",
                    "post_synaptic_element": "Den_in",
                },
            }
        self.nodes_e = self.nodes_i = self.noise = self.spike_recorder = None
        self.results = Results(metadata=self._provenance(nest))

    def synaptic_elements_e(self):
        """Return the synaptic elements of excitatory neurons: ``{element name: growth curve}``."""
        return {"Den_ex": self.growth_curve_e_e, "Den_in": self.growth_curve_e_i, "Axon_ex": self.growth_curve_e_e}

    def synaptic_elements_i(self):
        """Return the synaptic elements of inhibitory neurons: ``{element name: growth curve}``."""
        return {"Den_ex": self.growth_curve_i_e, "Den_in": self.growth_curve_i_i, "Axon_in": self.growth_curve_i_i}

    def create_nodes(self):
        """Create the excitatory and inhibitory populations with `model_params` and their synaptic elements."""
        nest = import_nest()
        defaults = nest.GetDefaults(self.neuron_model)
        if "synaptic_elements" not in defaults:
            raise ConfigurationError(
                f"neuron_model {self.neuron_model!r} has no synaptic elements, so it cannot take part in "
                "structural plasticity; use e.g. iaf_psc_alpha"
            )
        unknown = sorted(set(self.model_params) - set(defaults))
        if unknown:
            raise ConfigurationError(
                f"model_params has {', '.join(map(repr, unknown))}, which {self.neuron_model} does not have; "
                "remove or rename them (see nest.GetDefaults(neuron_model))"
            )
        self.nodes_e = self._create_population(self.number_excitatory_neurons, self.synaptic_elements_e())
        self.nodes_i = self._create_population(self.number_inhibitory_neurons, self.synaptic_elements_i())

    def _create_population(self, n, elements):
        nest = import_nest()
        # NEST reports bad growth-curve types as bare IndexError/NESTError, a huge n as MemoryError.
        with nest_rejections(
            f"{n} {self.neuron_model} neurons with model_params and growth curves",
            "check model_params and the growth_curve dicts (growth_curve must be e.g. 'gaussian')",
        ):
            nodes = nest.Create(self.neuron_model, n, params=dict(self.model_params, synaptic_elements=elements))
        # NEST silently ignores unknown keys inside synaptic elements: compare with what it stored.
        local = local_nodes(nodes)
        if len(local):
            stored = local[0].get("synaptic_elements")
            for element, curve in elements.items():
                unknown = sorted(set(curve) - set(stored[element]))
                if unknown:
                    raise ConfigurationError(
                        f"growth curve of {element} has unknown key{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(map(repr, unknown))}; NEST knows {', '.join(sorted(stored[element]))}"
                    )
        return nodes

    def connect_external_input(self):
        """Give every neuron the same Poisson generator as input (independent spike trains per target)."""
        nest = import_nest()
        self.noise = nest.Create("poisson_generator", params={"rate": self.bg_rate})
        syn_spec = {"weight": self.psc_ext, "delay": self.delay}
        nest.Connect(self.noise, self.nodes_e, "all_to_all", syn_spec)
        nest.Connect(self.noise, self.nodes_i, "all_to_all", syn_spec)

    def simulate(self, callback=None):
        """Enable structural plasticity and simulate `t_sim`, recording every `record_interval`.

        SIGINT (Ctrl-C) during the run stops it after the current interval; what was recorded stays in
        `results`, marked incomplete, and `KeyboardInterrupt` is raised.

        Parameters
        ----------
        callback : callable, optional
            Called as ``callback(self)`` after each sample (progress bars, checkpoints).

        Returns
        -------
        Results
        """
        nest = import_nest()
        nest.EnableStructuralPlasticity()
        self.start_recording()
        with self.running():
            self.run_protocol(callback=callback)
        return self.results

    def run_protocol(self, callback=None):
        """Simulate the run, inside `running`: all of `t_sim` at once here.

        Protocols with phases (interventions between them) override this and call `advance` per phase.

        Parameters
        ----------
        callback : callable, optional
            Called as ``callback(self)`` after each sample.
        """
        self.advance(self.t_sim, callback=callback)

    @contextmanager
    def running(self):
        """Mark the results as running, then completed, interrupted or failed; keep the wall time.

        `simulate` wraps `run_protocol` in it, so a protocol of several phases is one run.
        """
        nest = import_nest()
        meta = self.results.metadata
        meta.update(completed=False, status="running")
        self._started = time.perf_counter()
        try:
            with self._stop_on_signals():
                yield
        except KeyboardInterrupt:
            meta["status"] = "interrupted"
            raise
        except BaseException as exc:
            meta["status"] = f"failed: {type(exc).__name__}: {exc}"
            raise
        finally:
            meta["wall_time_s"] = time.perf_counter() - self._started
            meta["simulated_time_ms"] = float(nest.biological_time)
        meta.update(completed=True, status="completed")

    def advance(self, duration, callback=None):
        """Simulate `duration` ms in steps of `record_interval`, recording after each step.

        Must run inside `running` after `start_recording`. Stops with `KeyboardInterrupt` after the
        current step when a stop was requested (SIGINT, SIGTERM via `request_stop`) on any MPI rank.

        Parameters
        ----------
        duration : float
            Simulated time (ms); a whole multiple of `record_interval`.
        callback : callable, optional
            Called as ``callback(self)`` after each sample.
        """
        nest = import_nest()
        n_samples = check.multiple_of("duration", duration, "record_interval", self.record_interval)
        for _ in range(n_samples):
            nest.Simulate(self.record_interval)
            self.record()
            self.results.metadata["wall_time_s"] = time.perf_counter() - self._started
            if callback is not None:
                callback(self)
            # A collective check, so that all ranks stop at the same step and none waits forever.
            if self.comm.any(self._stop_requested is not None):
                raise KeyboardInterrupt(f"stopped by {self._stop_requested or 'a signal on another rank'}")

    def run(self, callback=None):
        """Run all phases: `prepare_simulation`, `create_nodes`, `connect_external_input`, `simulate`.

        Returns
        -------
        Results
        """
        self.prepare_simulation()
        self.create_nodes()
        self.connect_external_input()
        return self.simulate(callback=callback)

    # ------------------------------------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------------------------------------
    def populations(self):
        """Return the populations whose activity is recorded, ``{name: NodeCollection}``.

        Subclasses may add groups (they may overlap the populations); each gets a `PopulationActivity`.
        """
        return {"e": self.nodes_e, "i": self.nodes_i}

    def start_recording(self):
        """Create the spike recorder and read the initial Ca of every local neuron.

        Called by `simulate` after all nodes exist, so that the recorder does not shift node ids of
        the network (they match NEST's example).
        """
        nest = import_nest()
        self.spike_recorder = nest.Create("spike_recorder")
        everyone = self.nodes_e + self.nodes_i
        # NEST keeps a separate connection block (1024 slots) for every neuron connected to a device:
        # 32 kB per neuron with static_synapse, 16 kB with the compact static_synapse_hpc (same events).
        compact = "static_synapse_hpc" if "static_synapse_hpc" in nest.synapse_models else "static_synapse"
        nest.Connect(everyone, self.spike_recorder, syn_spec={"synapse_model": compact})
        t0 = float(nest.biological_time)
        activity = {}
        for name, nodes in self.populations().items():
            local = local_nodes(nodes)
            if len(local):
                status = local.get(["Ca", "beta_Ca", "tau_Ca"], output="")
                ids = np.asarray(local.tolist())
                ca, beta, tau = (np.atleast_1d(status[key]) for key in ("Ca", "beta_Ca", "tau_Ca"))
            else:
                ids, ca, beta, tau = (np.empty(0),) * 4
            activity[name] = PopulationActivity(ids, ca, beta, tau, t0)
        self._activity = activity
        self._sorter = SpikeSorter(activity)
        self._last_sample_ms = t0

    def record(self):
        """Take one sample: read the spikes since the last sample, then record time, Ca, rates and connections."""
        nest = import_nest()
        t = float(nest.biological_time)
        events = self.spike_recorder.get("events")
        self.spike_recorder.n_events = 0  # keep memory flat: each spike is read once
        self._sorter.advance(events["senders"], events["times"], t)
        self._interval_ms = t - self._last_sample_ms
        self._last_sample_ms = t
        self.results.append(time=t / 1000.0)
        self.record_ca()
        self.record_connectivity()

    def _population_sums(self, name):
        """Return ``[n, sum Ca, sum Ca², spikes]`` of population `name` on this rank."""
        sums = self._activity[name].sums()
        if self.ca_readout == "state":
            local = local_nodes(self.populations()[name])
            ca = np.atleast_1d(np.asarray(local.get("Ca"), dtype=float)) if len(local) else np.empty(0)
            sums[1:3] = [ca.sum(), np.dot(ca, ca)]
        return sums

    def record_ca(self):
        """Record mean and spread of Ca, and the firing rate, of every recorded population."""
        for name in self._activity:
            mean, std, rate = population_statistics(self.comm.sum(self._population_sums(name)), self._interval_ms)
            self.results.append(**{f"mean_ca_{name}": mean, f"std_ca_{name}": std, f"rate_{name}": rate})

    def record_connectivity(self):
        """Record the synapses of each pathway (E→E, E→I, I→E, I→I) and the totals of NEST's example.

        Counts come from ``nest.GetConnections`` by target population and synapse model, which costs
        O(connections) inside NEST and no per-neuron status dictionaries.
        """
        nest = import_nest()
        local = [
            len(nest.GetConnections(target=target, synapse_model=model))
            for model in (self.SYNAPSE_E, self.SYNAPSE_I)
            for target in (self.nodes_e, self.nodes_i)
        ]
        ee, ei, ie, ii = (int(round(x)) for x in self.comm.sum(local))
        self.results.append(
            connections_ee=ee,
            connections_ei=ei,
            connections_ie=ie,
            connections_ii=ii,
            total_connections_e=ee + ei,
            total_connections_i=ie + ii,
        )

    # The series of NEST's example, as arrays.
    mean_ca_e = property(lambda self: self.results["mean_ca_e"] if "mean_ca_e" in self.results else np.empty(0))
    mean_ca_i = property(lambda self: self.results["mean_ca_i"] if "mean_ca_i" in self.results else np.empty(0))
    total_connections_e = property(
        lambda self: self.results["total_connections_e"] if "total_connections_e" in self.results else np.empty(0)
    )
    total_connections_i = property(
        lambda self: self.results["total_connections_i"] if "total_connections_i" in self.results else np.empty(0)
    )

    # ------------------------------------------------------------------------------------------------
    # Output
    # ------------------------------------------------------------------------------------------------
    def plot_data(self, ax=None):
        """Plot mean Ca of each population with its target, and the connections on a second axis.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw the Ca into; a new figure is made when omitted.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from .plotting import plot_ca_and_connections  # noqa: PLC0415  (matplotlib only when plotting)

        return plot_ca_and_connections(self.results, ax=ax)

    def _provenance(self, nest):
        """Return the metadata every result carries: parameters, seed, versions, processes."""
        import platform  # noqa: PLC0415

        return {
            "model": f"{type(self).__module__}.{type(self).__qualname__}",
            "parameters": self.parameters(),
            "rng_seed": self.rng_seed,
            "target_ca": self.target_ca,
            "ca_per_hz": self.ca_per_hz,
            "versions": {
                "structural_plasticity": __version__,
                "nest": nest.__version__,
                "python": platform.python_version(),
                "numpy": np.__version__,
            },
            "n_processes": self.comm.size,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": list(sys.argv),
            "completed": False,
            "status": "prepared",
        }

    @contextmanager
    def _stop_on_signals(self):
        """Turn SIGINT and SIGTERM into a request to stop after the current interval (main thread only).

        A second signal before the interval ends stops the process at once (see `interrupts`); the
        previous handlers are restored afterwards, leaving the process as it was.
        """
        self._stop_requested = None
        with stop_requests(self.request_stop):
            yield

    @property
    def stop_reason(self):
        """str or None: why the last `simulate` was asked to stop (e.g. ``"SIGINT"``), None if it was not."""
        return self._stop_requested

    def request_stop(self, reason="request"):
        """Ask a running `simulate` to stop after the current interval (e.g. from a SIGTERM handler)."""
        self._stop_requested = reason


#: The spelling of NEST's own example, kept so that code written for it keeps working.
StructralPlasticityExample = StructuralPlasticityExample
