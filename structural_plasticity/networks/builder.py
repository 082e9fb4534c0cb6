"""`PlasticNetwork`: the builder every network of the package is a configuration of.

A network with homeostatic structural plasticity in NEST is built in the same steps whatever its
populations: set up the kernel and the plastic synapse models, create the populations with their
synaptic elements, connect the static pathways, connect the external input, enable structural
plasticity and simulate while recording. `PlasticNetwork` does those steps; a configuration says
*what* to build by returning data from four methods:

* `population_specs` -> ``{name: Population}`` (size, neuron model and parameters, synaptic elements
  with their growth curves);
* `plastic_synapses` -> ``{model name: PlasticSynapse}`` (weight, delay, element pair, autapses);
* `static_pathways` -> ``[StaticPathway]`` (connected once, never changed by plasticity);
* `input_spec` -> `Input` (Poisson rate, weight and delay of every neuron's external input).

The four answers are asked for once per build and kept as a `specs.Structure` (`structure`). The build
is a list of steps (`build_steps`: kernel, neurons, static pathways, input); a run from a saved network
has a list of its own (`restore_steps`). Both are methods a subclass may override or extend. The run
loop (`simulate`, `advance`, stop requests) is the mixin `running.Running`, the recording of each sample
(`record`, `start_recording`) the mixin `readout.Sampling`.

Every public class attribute is a parameter (`parameters.Parameterised`): pass it by keyword or set it in
a subclass. `check_parameters` checks them on construction and again before NEST is touched: first every
value (`validate_values`), then `validate` (subclasses add their checks there), which ends with the
checks of `checks`: the run's settings, the structure, the limits that keep NEST from crashing or hanging,
and the files the run reads or writes. No file is read on construction: a saved network to start from is
read and checked by `load_initial_network`, when the network is built (or earlier, by the command line).
"""

import dataclasses
import time

import numpy as np

from ..engine import import_nest, local_nodes, nest_rejections
from ..files import POSITIONS_NPZ
from ..parallel import Communicator, check_launch
from ..provenance import provenance
from ..recording import NeuronRecordings, Recorder
from ..results import Results
from . import checks, placement, state
from .parameters import Parameterised
from .readout import Sampling
from .running import Running
from .specs import Structure
from .updates import UPDATES

#: How the recorded mean Ca is read (see `PlasticNetwork.ca_readout`).
CA_READOUTS = checks.CA_READOUTS


class PlasticNetwork(Parameterised, NeuronRecordings, Sampling, Running):
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
    threads = 1  # threads per process; more than 1 needs structural_update="package" (or use MPI processes)

    # === Structural plasticity and recording ==========================================================
    # Who does the structural update: "nest" (NEST's own, one thread per process; bit-exact with NEST's
    # example) or "package" (the package, between Simulate calls, with NEST's rules; NEST then runs on
    # `threads` threads). See structural_plasticity.networks.updates and docs/structural-update.md.
    structural_update = "nest"
    update_interval = 100.0  # how often synaptic elements and synapses are updated (ms)
    record_interval = 1000.0  # how often the package records the network (ms)
    # "spikes": Ca of every neuron at the sample time, rebuilt from recorded spikes (O(spikes)).
    # "state": NEST's stored Ca, read as NEST's example reads it (O(neurons) status reads).
    # Both give the same values to rounding (NEST updates its stored Ca at the end of each Simulate).
    ca_readout = "spikes"

    # === Saved networks (see structural_plasticity.networks.state and docs/network-state.md) ==========
    initial_network = None  # NPZ file of a saved network to start from instead of no synapses (path)
    save_network_path = None  # NPZ file to save the network to, at the end of the run or at save_network_at (path)
    save_network_at = None  # simulated time at which to save the network instead of at the end (ms, from 0 of growth)
    snapshot_every = None  # keep the list of plastic synapses every this many ms (connectivity.npz); None: never

    def __init__(self, **parameters):
        self.time_offset_ms = 0.0  # simulated time of the saved network the run starts from (ms)
        self._network_file = None  # the checked file of `initial_network`, read by `load_initial_network`
        self._structure = None  # the structure of the current build (`structure`)
        self.updater = None  # who does the structural update in the current build (`updates`)
        self.positions = {}  # positions (µm) of the placed populations, {name: (size, 2) array}, after a build
        self.snapshots = None  # connectivity.Snapshots, with `snapshot_every`, after `start_recording`
        self.take_parameters(parameters)
        self.check_parameters()
        self.nodes = {}
        self.noise = None
        self.comm = None
        self.recorder = Recorder()
        self.results = Results()
        self.static_connections = {}
        self._stop_requested = None
        self._started = None
        self._restore_started = None

    # ------------------------------------------------------------------------------------------------
    # Parameters
    # ------------------------------------------------------------------------------------------------
    def check_parameters(self):
        """Check everything that needs no simulator: `validate_values` first, then `validate`.

        Called on construction and again by `prepare_simulation`, so values changed on an instance after
        construction (or set by a subclass, a keyword or ``--set``) are all checked the same way. Not meant
        to be overridden: subclasses extend `validate`.

        Raises
        ------
        ConfigurationError
        """
        self.validate_values()
        self.validate()

    def validate(self):
        """Check the parameters that need no simulator; raise `ConfigurationError` naming the fix.

        Subclasses check their own parameters and call ``super().validate()``. This ends with the checks of
        `checks` on what the configuration describes: the run's settings, the structure, the limits that
        keep NEST responsive, and the paths of the files the run reads or writes (paths only; the saved
        network itself is read by `load_initial_network`).
        """
        for name, value in checks.run_settings(self).items():
            setattr(self, name, value)
        structure = Structure.of(self)
        checks.structure(structure, type(self).__name__)
        checks.update_supports(structure, self.structural_update)
        self.check_recordings(structure)  # recordings of single neurons (recording.NeuronRecordings)
        checks.limits(structure, self.dt, self.update_interval)  # before any file: absurd values are refused first
        for name, value in checks.network_files(self).items():
            setattr(self, name, value)
        if self.initial_network is None:
            self._network_file = None
            if self.save_network_at is not None:
                checks.save_time(self.save_network_at, 0.0, self.t_sim, self.record_interval)

    def load_initial_network(self):
        """Read and check the saved network of `initial_network` (once per path); return it, or None.

        The file must fit this network's structure (`checks.saved_network_fits`), and `save_network_at` must
        be a sample time of a run that starts at the file's time. Called by `prepare_simulation`; the
        command line calls it before it opens the output folder, so that a bad file writes nothing.

        Returns
        -------
        state.NetworkFile or None
        """
        if self.initial_network is None:
            self._network_file = None
            return None
        if self._network_file is None or str(self._network_file.path) != str(self.initial_network):
            self._network_file = state.load_network(self.initial_network)
        saved = self._network_file
        where = f"the network in {saved.path} does not fit {type(self).__name__}"
        checks.saved_network_fits(saved.layout(), self.structure, where)
        state.check_restorable(saved, self.dt)  # its delays against this resolution, as delays given by keyword
        if self.save_network_at is not None:
            checks.save_time(self.save_network_at, saved.time_ms, self.t_sim, self.record_interval)
        return saved

    @property
    def network_file(self):
        """state.NetworkFile or None: the saved network of `initial_network`, once read and checked."""
        return self._network_file

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

    def sheet_spec(self):
        """Return the 2D sheet (`plasticity.space.Sheet`) the placed populations sit on, or None for none."""
        return None

    @property
    def structure(self):
        """specs.Structure: what the four methods above return, kept for the current build.

        Derived afresh (and not kept) before `prepare_simulation` has run, so that it follows the
        parameters until the network is built.
        """
        return self._structure if self._structure is not None else Structure.of(self)

    # ------------------------------------------------------------------------------------------------
    # Derived quantities
    # ------------------------------------------------------------------------------------------------
    @property
    def target_ca(self):
        """dict: target Ca of each population with one, ``{name: eps}`` (see `Population.target`)."""
        return dict(self.structure.target_ca)

    @property
    def ca_per_hz(self):
        """float: mean Ca of a neuron firing steadily at 1 Hz (``beta_Ca * tau_Ca / 1000``) in the first population.

        NEST's defaults (``beta_Ca`` 0.001, ``tau_Ca`` 10 000 ms) apply where the parameters do not set them.
        """
        params = next(iter(self.structure.populations.values())).params
        return params.get("beta_Ca", 0.001) * params.get("tau_Ca", 10_000.0) / 1000.0

    def presynaptic_populations(self, synapse_model):
        """Return the names of the populations with the pre-synaptic element of `synapse_model`."""
        return list(self.structure.senders[synapse_model])

    def postsynaptic_populations(self, synapse_model):
        """Return the names of the populations with the post-synaptic element of `synapse_model`."""
        return list(self.structure.receivers[synapse_model])

    def plastic_pathways(self):
        """Return the plastic pathways as ``{(source, target): [synapse models]}`` in population order."""
        return {pair: list(models) for pair, models in self.structure.plastic_pathways.items()}

    # ------------------------------------------------------------------------------------------------
    # Building: a list of steps
    # ------------------------------------------------------------------------------------------------
    def build_steps(self):
        """Return the steps `build` runs for a network that grows from no synapses, in order.

        Override to add, replace or reorder steps. For NEST's example the order of NEST calls these steps
        make is the order of NEST's own example (tests/test_fidelity.py checks the results bit for bit).
        """
        return [
            self.prepare_simulation,
            self.place_neurons,
            self.create_nodes,
            self.connect_static,
            self.connect_external_input,
        ]

    def restore_steps(self):
        """Return the steps `build` runs instead of `build_steps` for a run from `initial_network`, in order."""
        return [
            self.prepare_simulation,
            self.place_neurons,
            self.create_nodes,
            self.restore_synapses,
            self.connect_external_input,
            self.restore_input,
        ]

    def build(self):
        """Build the network without simulating: every step of `build_steps` (or `restore_steps`)."""
        for step in self.build_steps() if self.initial_network is None else self.restore_steps():
            step()

    def prepare_simulation(self):
        """Reset NEST and set the kernel: resolution, seed, update interval and the synapse models.

        All kernel set-up sits here. `nest.ResetKernel` also resets threads and seed, so both are set
        after it. Every value is checked again first (`check_parameters`), and the structure is kept for
        this build (`structure`), so nothing changed since construction reaches NEST unchecked; what NEST
        still refuses becomes a `ConfigurationError`.
        """
        self._structure = None  # a new build: its checks and the structure follow the parameters as they are now
        self.check_parameters()
        self._structure = Structure.of(self)
        saved = self.load_initial_network()
        self.time_offset_ms = 0.0 if saved is None else saved.time_ms
        structure = self._structure
        nest = import_nest()
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        checks.models_exist(nest, {name: pop.model for name, pop in structure.populations.items()})
        self.comm = Communicator(nest)
        check_launch(nest)
        self.updater = UPDATES[self.structural_update](self)
        with nest_rejections(
            "the kernel settings and synapse models",
            "check dt, rng_seed, update_interval and the weights and delays of the synapses",
        ):
            nest.local_num_threads = self.threads
            nest.resolution = self.dt
            nest.rng_seed = self.rng_seed
            self.updater.configure_kernel(nest)
            for model, syn in structure.synapses.items():
                nest.CopyModel(syn.base_model, model, {"weight": syn.weight, "delay": syn.delay})
            for pathway in structure.pathways:
                nest.CopyModel(pathway.base_model, pathway.name, {"weight": pathway.weight, "delay": pathway.delay})
            self.updater.register_synapses(nest)
        self.nodes = {}
        self.noise = None
        self.recorder = Recorder()
        self.static_connections = {}
        self.results = Results(metadata=provenance(self, nest))

    def create_nodes(self):
        """Create every population of the structure with its parameters and synaptic elements."""
        self.nodes = {name: self._create_population(name, pop) for name, pop in self.structure.populations.items()}

    def _create_population(self, name, pop):
        nest = import_nest()
        checks.neuron_parameters(name, pop, nest.GetDefaults(pop.model))
        params = self.updater.neuron_params(pop)
        # NEST reports bad growth-curve types as bare IndexError/NESTError, a huge size as MemoryError.
        with nest_rejections(
            f"{pop.size} {pop.model} neurons of population {name!r} with their parameters and growth curves",
            "check the neuron parameters and the growth-curve dicts (growth_curve must be e.g. 'gaussian')",
        ):
            nodes = nest.Create(pop.model, pop.size, params=params)
        # NEST silently ignores unknown keys inside synaptic elements: compare with what it stored.
        local = local_nodes(nodes)
        if len(local):
            self.updater.check_created(pop, local[0])
        return nodes

    def place_neurons(self):
        """Give every placed population its positions (µm): from its `Placement`, or from the saved network.

        They are kept in `positions` and saved with the results (``positions.npz``) and in network files.
        """
        saved = self._network_file if self.initial_network is not None else None
        if saved is not None and saved.positions() and self.structure.spatial:
            self.positions = {name: self.structure.sheet.check_positions(xy) for name, xy in saved.positions().items()}
        else:
            self.positions = placement.positions(self.structure, self.rng_seed)
        if self.positions:
            self.results.attachments[POSITIONS_NPZ] = self.position_arrays
            self.results.metadata["sheet"] = dataclasses.asdict(self.structure.sheet)

    def position_arrays(self):
        """Return the positions as arrays for ``positions.npz``: node id, population index, x and y (µm)."""
        names = [name for name in self.structure.populations if name in self.positions]
        ids = np.concatenate([state.node_ids(self.nodes[name]) for name in names])
        xy = np.concatenate([self.positions[name] for name in names])
        index = np.concatenate([np.full(len(self.positions[name]), k) for k, name in enumerate(names)])
        return {"node_id": ids, "population": index, "x": xy[:, 0], "y": xy[:, 1], "population_names": np.array(names)}

    def connect_static(self):
        """Connect every pathway of the structure once; its synapses are never touched by plasticity.

        The number of synapses of each pathway (summed over MPI ranks) is kept in
        ``metadata["static_connections"]``.
        """
        nest = import_nest()
        for pathway in self.structure.pathways:
            with nest_rejections(f"the static pathway {pathway.name}", "check its connection rule (conn_spec)"):
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
        spec = self.structure.input
        if spec is None:
            return
        nest = import_nest()
        with nest_rejections("the external input", "check its rate, weight and delay"):
            self.noise = nest.Create("poisson_generator", params={"rate": spec.rate})
            syn_spec = {"weight": spec.weight, "delay": spec.delay}
            for nodes in self.nodes.values():
                nest.Connect(self.noise, nodes, "all_to_all", syn_spec)

    def restore_synapses(self):
        """Instead of `connect_static`: connect the synapses of `initial_network` and set its neuron state.

        Static synapses, Ca and V_m by `state`; plastic synapses and synaptic elements by the structural
        update (`updates`). Recorded times continue from the saved time (`time_offset_ms`); NEST's own
        clock restarts at 0.
        """
        nest = import_nest()
        saved = self._network_file
        state.check_models_exist(saved, nest)
        self._restore_started = time.perf_counter()
        state.check_node_ids(saved, self.nodes)
        self.static_connections = state.connect_static(saved, self.structure)
        info = self.updater.restore(saved, self.nodes)
        state.set_neuron_state(saved, self.nodes, self.comm.size)
        if self.static_connections:
            self.results.metadata["static_connections"] = dict(self.static_connections)
        self.results.metadata["initial_network"] = {
            **saved.summary(),
            "changed_parameters": saved.changed_parameters(self.parameters()),
            **info,
        }

    def restore_input(self):
        """After `connect_external_input`: give the input connections their saved weights (`state.restore_input_weights`)."""
        meta = self.results.metadata["initial_network"]
        meta["input_weights_restored"] = state.restore_input_weights(
            self._network_file, self.noise, self.structure.input
        )
        meta["restore_wall_s"] = time.perf_counter() - self._restore_started
