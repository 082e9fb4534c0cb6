"""`PlasticNetwork`: the builder every network of the package is a configuration of.

A network with homeostatic structural plasticity in NEST is built in the same steps whatever its
populations: set up the kernel and the plastic synapse models, create the populations with their
synaptic elements, connect the static pathways, connect the external input, enable structural
plasticity and simulate while recording. `PlasticNetwork` does those steps; a configuration says
*what* to build by returning data from four methods:

* `population_specs` -> ``{name: Population}`` (size, neuron model and parameters, synaptic elements
  with their growth curves, any NEST type per element);
* `plastic_synapses` -> ``{model name: PlasticSynapse}`` (weight, delay, element pair, autapses);
* `static_pathways` -> ``[StaticPathway]`` (connected once, never changed by plasticity);
* `input_spec` -> `Input` (Poisson rate, weight and delay of every neuron's external input).

`StructuralPlasticityExample` (NEST's example) and `GallinaroRotterNetwork` (the assembly network of
Gallinaro & Rotter 2018) are two such configurations; experiments add groups and phases on top of any
of them (see `structural_plasticity.experiments`).

Every public class attribute is a parameter: pass it by keyword or set it in a subclass. Unknown
keywords raise `ConfigurationError`; every instance deep-copies its values.
"""

import copy
import signal
import threading
import time
from contextlib import contextmanager

import numpy as np

from . import validation as check
from .activity import population_statistics
from .engine import import_nest, local_nodes
from .errors import ConfigurationError
from .parallel import Communicator, check_launch
from .provenance import provenance
from .recording import Recorder
from .results import Results

#: How the recorded mean Ca is read (see `PlasticNetwork.ca_readout`).
CA_READOUTS = ("spikes", "state")

#: Growth curves NEST 3.10 implements (``growth_curve`` key of a synaptic element).
GROWTH_CURVES = ("gaussian", "linear", "sigmoid")

#: Keys every growth-curve dictionary must have.
REQUIRED_GROWTH_CURVE_KEYS = ("growth_curve", "growth_rate", "eps")


class PlasticNetwork:
    """A NEST network with homeostatic structural plasticity, built from the data its methods return.

    Subclasses override `population_specs`, `plastic_synapses`, `static_pathways` and `input_spec`
    (and add their parameters as class attributes); see the module docstring.

    Parameters
    ----------
    **parameters
        Values for any of the parameters listed by `parameter_names`.

    Attributes
    ----------
    nodes : dict of str to nest.NodeCollection
        The populations, after `create_nodes`.
    noise : nest.NodeCollection
        The Poisson generator of the external input, after `connect_external_input`.
    recorder : Recorder
        The spike recorder and the activity rebuilt from it.
    results : Results
        Everything recorded so far.
    """

    # === Simulation ===================================================================================
    t_sim = 200_000.0  # simulated (biological) time (ms)
    dt = 0.1  # resolution of the simulation (ms)
    rng_seed = 12345  # seed of NEST's random number generators (1 to 2**32 - 1)
    threads = 1  # threads per process; NEST's structural plasticity needs 1 (use MPI processes instead)

    # === Structural plasticity and recording ==========================================================
    update_interval = 100.0  # how often NEST updates synaptic elements and synapses (ms)
    record_interval = 1000.0  # how often the package records the network (ms)
    # "spikes": Ca of every neuron at the sample time, rebuilt from recorded spikes (O(spikes)).
    # "state": NEST's stored Ca, read as NEST's example reads it (O(neurons) status reads).
    # Both give the same values to rounding (NEST updates its stored Ca at the end of each Simulate).
    ca_readout = "spikes"

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
        self.nodes = {}
        self.noise = None
        self.comm = None
        self.recorder = Recorder()
        self.results = Results()
        self.static_connections = {}
        self._stop_requested = None
        self._started = None

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

        Called on construction and again by `prepare_simulation`, so values changed on an instance after
        construction are checked too. Subclasses check their own parameters and call ``super().validate()``.
        The structure the parameters describe (populations, synapses, pathways) is checked by
        `validate_structure`, also before NEST is touched.
        """
        self.dt = check.positive_time("dt", self.dt)
        self.t_sim = check.positive_time("t_sim", self.t_sim)
        self.update_interval = check.positive_time("update_interval", self.update_interval)
        self.record_interval = check.positive_time("record_interval", self.record_interval)
        check.multiple_of("update_interval", self.update_interval, "the resolution dt", self.dt)
        check.multiple_of("record_interval", self.record_interval, "the resolution dt", self.dt)
        check.multiple_of("t_sim", self.t_sim, "record_interval", self.record_interval)
        self.threads = check.count("threads", self.threads)
        if self.threads > 1:
            raise ConfigurationError(
                f"threads={self.threads}: NEST's structural plasticity cannot use more than one thread; "
                "run on several MPI processes instead (mpirun -n N python -m structural_plasticity)"
            )
        self.rng_seed = check.count("rng_seed", self.rng_seed)
        if self.rng_seed >= 2**32:
            raise ConfigurationError(f"rng_seed must be between 1 and {2**32 - 1}, got {self.rng_seed}")
        check.choice("ca_readout", self.ca_readout, CA_READOUTS)
        self.validate_structure()

    def validate_structure(self):
        """Check what `population_specs`, `plastic_synapses`, `static_pathways` and `input_spec` return."""
        populations = self.population_specs()
        if not populations:
            raise ConfigurationError(f"{type(self).__name__}.population_specs() returned no population")
        for name, pop in populations.items():
            check.count(f"size of population {name!r}", pop.size)
            if not isinstance(pop.model, str):
                raise ConfigurationError(
                    f"neuron model of population {name!r} must be a NEST model name, got {pop.model!r}"
                )
            if not isinstance(pop.params, dict):
                raise ConfigurationError(f"neuron parameters of population {name!r} must be a dict, got {pop.params!r}")
            for element, curve in pop.elements.items():
                check_growth_curve(f"growth curve of {element} in population {name!r}", curve)
        elements = {e for pop in populations.values() for e in pop.elements}
        for model, syn in self.plastic_synapses().items():
            check.finite_number(f"weight of {model}", syn.weight, "")
            check.positive_time(f"delay of {model}", syn.delay)
            for role, element in (("pre_element", syn.pre_element), ("post_element", syn.post_element)):
                if element not in elements:
                    raise ConfigurationError(
                        f"{role} {element!r} of plastic synapse {model} is an element of no population; "
                        f"the populations have {', '.join(sorted(elements)) or 'no elements'}"
                    )
        for pathway in self.static_pathways():
            for end in (pathway.source, pathway.target):
                if end not in populations:
                    raise ConfigurationError(
                        f"static pathway {pathway.name} names population {end!r}; "
                        f"the populations are {', '.join(populations)}"
                    )
            check.finite_number(f"weight of {pathway.name}", pathway.weight, "")
            check.positive_time(f"delay of {pathway.name}", pathway.delay)
        spec = self.input_spec()
        if spec is not None:
            check.non_negative_number("input rate", spec.rate, "Hz")
            check.finite_number("input weight", spec.weight, "")
            check.positive_time("input delay", spec.delay)

    # ------------------------------------------------------------------------------------------------
    # What to build (override in configurations)
    # ------------------------------------------------------------------------------------------------
    def population_specs(self):
        """Return the populations to create, in order, ``{name: Population}``.

        Names are short lower-case words (``"e"``, ``"i"``); they name the recorded series
        (``mean_ca_<name>``, ``connections_<source><target>``).
        """
        raise NotImplementedError(f"{type(self).__name__} must define population_specs()")

    def plastic_synapses(self):
        """Return the synapse models structural plasticity creates, ``{model name: PlasticSynapse}``."""
        return {}

    def static_pathways(self):
        """Return the static pathways, connected once after the populations, as a list of `StaticPathway`."""
        return []

    def input_spec(self):
        """Return the external Poisson input of every neuron as an `Input`, or None for no input."""
        return None

    # ------------------------------------------------------------------------------------------------
    # Derived quantities
    # ------------------------------------------------------------------------------------------------
    @property
    def target_ca(self):
        """dict: target Ca of each population with one, ``{name: eps}`` (see `Population.target`)."""
        targets = {name: pop.target() for name, pop in self.population_specs().items()}
        return {name: value for name, value in targets.items() if value is not None}

    @property
    def ca_per_hz(self):
        """float: mean Ca of a neuron firing steadily at 1 Hz (``beta_Ca * tau_Ca / 1000``) in the first population.

        NEST's defaults (``beta_Ca`` 0.001, ``tau_Ca`` 10 000 ms) apply where the parameters do not set them.
        """
        params = next(iter(self.population_specs().values())).params
        return params.get("beta_Ca", 0.001) * params.get("tau_Ca", 10_000.0) / 1000.0

    def presynaptic_populations(self, synapse_model):
        """Return the names of the populations with the pre-synaptic element of `synapse_model`."""
        element = self.plastic_synapses()[synapse_model].pre_element
        return [name for name, pop in self.population_specs().items() if element in pop.elements]

    def postsynaptic_populations(self, synapse_model):
        """Return the names of the populations with the post-synaptic element of `synapse_model`."""
        element = self.plastic_synapses()[synapse_model].post_element
        return [name for name, pop in self.population_specs().items() if element in pop.elements]

    # ------------------------------------------------------------------------------------------------
    # The phases of a run
    # ------------------------------------------------------------------------------------------------
    def prepare_simulation(self):
        """Reset NEST and set the kernel: resolution, seed, update interval and the synapse models.

        All kernel set-up sits here. `nest.ResetKernel` also resets threads and seed, so both are set
        after it.
        """
        self.validate()
        nest = import_nest()
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        for name, pop in self.population_specs().items():
            if pop.model not in nest.node_models:
                close = [m for m in nest.node_models if m.startswith(pop.model.split("_")[0])][:6]
                raise ConfigurationError(
                    f"unknown neuron model {pop.model!r} (population {name!r}); NEST has e.g. "
                    f"{', '.join(close) or 'iaf_psc_alpha'} (see nest.node_models)"
                )
        self.comm = Communicator(nest)
        check_launch(nest)
        nest.local_num_threads = self.threads
        nest.resolution = self.dt
        nest.rng_seed = self.rng_seed
        nest.structural_plasticity_update_interval = self.update_interval
        plastic = self.plastic_synapses()
        for model, syn in plastic.items():
            nest.CopyModel(syn.base_model, model, {"weight": syn.weight, "delay": syn.delay})
        for pathway in self.static_pathways():
            nest.CopyModel(pathway.base_model, pathway.name, {"weight": pathway.weight, "delay": pathway.delay})
        nest.structural_plasticity_synapses = {
            model: {
                "synapse_model": model,
                "pre_synaptic_element": syn.pre_element,
                "post_synaptic_element": syn.post_element,
                "allow_autapses": bool(syn.allow_autapses),
            }
            for model, syn in plastic.items()
        }
        self.nodes = {}
        self.noise = None
        self.recorder = Recorder()
        self.static_connections = {}
        self.results = Results(metadata=provenance(self, nest))

    def create_nodes(self):
        """Create every population of `population_specs` with its parameters and synaptic elements."""
        self.nodes = {name: self._create_population(name, pop) for name, pop in self.population_specs().items()}

    def _create_population(self, name, pop):
        nest = import_nest()
        defaults = nest.GetDefaults(pop.model)
        if pop.elements and "synaptic_elements" not in defaults:
            raise ConfigurationError(
                f"neuron model {pop.model!r} (population {name!r}) has no synaptic elements, so it cannot take "
                "part in structural plasticity; use e.g. iaf_psc_alpha"
            )
        unknown = sorted(set(pop.params) - set(defaults))
        if unknown:
            raise ConfigurationError(
                f"the neuron parameters of population {name!r} include {', '.join(map(repr, unknown))}, which "
                f"{pop.model} does not have; remove or rename them (see nest.GetDefaults({pop.model!r}))"
            )
        params = dict(pop.params, synaptic_elements=pop.elements) if pop.elements else dict(pop.params)
        try:
            nodes = nest.Create(pop.model, pop.size, params=params)
        except Exception as exc:  # NEST reports bad growth-curve types as bare IndexError/NESTError
            raise ConfigurationError(
                f"NEST rejected the neuron or growth-curve parameters of population {name!r} "
                f"({type(exc).__name__}: {exc}); check the neuron parameters and the growth-curve dicts"
            ) from exc
        # NEST silently ignores unknown keys inside synaptic elements: compare with what it stored.
        local = local_nodes(nodes)
        if len(local) and pop.elements:
            stored = local[0].get("synaptic_elements")
            for element, curve in pop.elements.items():
                unknown = sorted(set(curve) - set(stored[element]))
                if unknown:
                    raise ConfigurationError(
                        f"growth curve of {element} has unknown key{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(map(repr, unknown))}; NEST knows {', '.join(sorted(stored[element]))}"
                    )
        return nodes

    def connect_static(self):
        """Connect every pathway of `static_pathways` once; its synapses are never touched by plasticity.

        The number of synapses of each pathway (summed over MPI ranks) is kept in
        ``metadata["static_connections"]``.
        """
        nest = import_nest()
        for pathway in self.static_pathways():
            nest.Connect(
                self.nodes[pathway.source],
                self.nodes[pathway.target],
                dict(pathway.conn_spec),
                {"synapse_model": pathway.name},
            )
            local = len(nest.GetConnections(synapse_model=pathway.name))
            self.static_connections[pathway.name] = int(round(self.comm.sum([local])[0]))
        if self.static_connections:
            self.results.metadata["static_connections"] = dict(self.static_connections)

    def connect_external_input(self):
        """Give every neuron the same Poisson generator as input (independent spike trains per target)."""
        spec = self.input_spec()
        if spec is None:
            return
        nest = import_nest()
        self.noise = nest.Create("poisson_generator", params={"rate": spec.rate})
        syn_spec = {"weight": spec.weight, "delay": spec.delay}
        for nodes in self.nodes.values():
            nest.Connect(self.noise, nodes, "all_to_all", syn_spec)

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

    def build(self):
        """Build the network without simulating: `prepare_simulation`, `create_nodes`, `connect_static`,
        `connect_external_input`."""
        self.prepare_simulation()
        self.create_nodes()
        self.connect_static()
        self.connect_external_input()

    def run(self, callback=None):
        """Build the network (`build`) and `simulate` it.

        Returns
        -------
        Results
        """
        self.build()
        return self.simulate(callback=callback)

    # ------------------------------------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------------------------------------
    def populations(self):
        """Return the populations whose activity is recorded, ``{name: NodeCollection}``.

        Subclasses may add groups (they may overlap the populations); each gets a `PopulationActivity`.
        """
        return dict(self.nodes)

    def start_recording(self):
        """Create the spike recorder and read the initial Ca of every local neuron.

        Called by `simulate` after all nodes exist, so that the recorder does not shift node ids of
        the network (they match NEST's example).
        """
        everyone = None
        for nodes in self.nodes.values():
            everyone = nodes if everyone is None else everyone + nodes
        self.recorder.start(everyone, self.populations())

    @property
    def spike_recorder(self):
        """nest.NodeCollection: the recorder's spike recorder (None before `start_recording`)."""
        return self.recorder.spike_recorder

    def record(self):
        """Take one sample: read the spikes since the last sample, then record time, Ca, rates and connections."""
        t = self.recorder.sample()
        self.results.append(time=t / 1000.0)
        self.record_ca()
        self.record_connectivity()

    def _population_sums(self, name):
        """Return ``[n, sum Ca, sum Ca², spikes]`` of population `name` on this rank."""
        sums = self.recorder.activity[name].sums()
        if self.ca_readout == "state":
            local = local_nodes(self.populations()[name])
            ca = np.atleast_1d(np.asarray(local.get("Ca"), dtype=float)) if len(local) else np.empty(0)
            sums[1:3] = [ca.sum(), np.dot(ca, ca)]
        return sums

    def record_ca(self):
        """Record mean and spread of Ca, and the firing rate, of every recorded population."""
        for name in self.recorder.activity:
            sums = self.comm.sum(self._population_sums(name))
            mean, std, rate = population_statistics(sums, self.recorder.interval_ms)
            self.results.append(**{f"mean_ca_{name}": mean, f"std_ca_{name}": std, f"rate_{name}": rate})

    def plastic_pathways(self):
        """Return the plastic pathways as ``{(source, target): [synapse models]}`` in population order."""
        pathways = {}
        for model in self.plastic_synapses():
            for source in self.presynaptic_populations(model):
                for target in self.postsynaptic_populations(model):
                    pathways.setdefault((source, target), []).append(model)
        order = list(self.population_specs())
        return dict(sorted(pathways.items(), key=lambda item: (order.index(item[0][0]), order.index(item[0][1]))))

    def record_connectivity(self):
        """Record the synapses of each plastic pathway (``connections_<source><target>``) and per source
        population (``total_connections_<source>``), summed over MPI ranks.

        Counts come from ``nest.GetConnections`` (O(connections) inside NEST, no per-neuron status
        dictionaries). A synapse model whose pre-synaptic element only one population has is counted by
        target alone, which is the cheaper query.
        """
        nest = import_nest()
        pathways = self.plastic_pathways()
        local = []
        for (source, target), models in pathways.items():
            n = 0
            for model in models:
                if len(self.presynaptic_populations(model)) == 1:
                    n += len(nest.GetConnections(target=self.nodes[target], synapse_model=model))
                else:
                    n += len(
                        nest.GetConnections(source=self.nodes[source], target=self.nodes[target], synapse_model=model)
                    )
            local.append(n)
        counts = [int(round(x)) for x in self.comm.sum(local)] if local else []
        values = {f"connections_{s}{t}": n for (s, t), n in zip(pathways, counts)}
        for source in dict.fromkeys(s for s, _ in pathways):
            values[f"total_connections_{source}"] = sum(n for (s, _), n in zip(pathways, counts) if s == source)
        self.results.append(**values)

    # ------------------------------------------------------------------------------------------------
    # Stopping
    # ------------------------------------------------------------------------------------------------
    @contextmanager
    def _stop_on_signals(self):
        """Turn SIGINT into a request to stop after the current interval (main thread only).

        NEST replaces Python's SIGINT handler when it is imported and swallows Ctrl-C during
        `nest.Simulate`; a Python handler installed here restores the user's Ctrl-C for the run and is
        removed afterwards, leaving the process as it was.
        """
        self._stop_requested = None
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def request_stop(signum, frame):
            self._stop_requested = signal.Signals(signum).name

        previous = signal.signal(signal.SIGINT, request_stop)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    @property
    def stop_reason(self):
        """str or None: why the last `simulate` was asked to stop (e.g. ``"SIGINT"``), None if it was not."""
        return self._stop_requested

    def request_stop(self, reason="request"):
        """Ask a running `simulate` to stop after the current interval (e.g. from a SIGTERM handler)."""
        self._stop_requested = reason


def check_growth_curve(name, curve):
    """Raise `ConfigurationError` unless `curve` is a growth-curve dict NEST can take.

    Parameters
    ----------
    name : str
        What the curve is, for the message (e.g. ``"growth curve of Den_ex in population 'e'"``).
    curve : dict
        ``growth_curve`` (one of `GROWTH_CURVES`), ``growth_rate`` (elements/ms), ``eps`` and the curve's
        other keys (``eta`` for gaussian, ``psi`` for sigmoid, ``z``, ``continuous``, ``tau_vacant``).
    """
    if not isinstance(curve, dict):
        raise ConfigurationError(f"{name} must be a dict (growth_curve, growth_rate, eps, ...), got {curve!r}")
    missing = [key for key in REQUIRED_GROWTH_CURVE_KEYS if key not in curve]
    if missing:
        raise ConfigurationError(f"{name} lacks {', '.join(map(repr, missing))}; add it to the dict")
    if curve["growth_curve"] not in GROWTH_CURVES:
        raise ConfigurationError(
            f"{name}: growth_curve must be one of {', '.join(map(repr, GROWTH_CURVES))}, got {curve['growth_curve']!r}"
        )
