"""The structural update done by the package between ``nest.Simulate`` calls, so that NEST can run on threads.

NEST 3.10 refuses structural plasticity with more than one thread (``sp_manager.cpp``). With
``structural_update="package"`` NEST keeps only the neuron dynamics (on every thread, and on every MPI
process) and the package does the rest with NEST's own rules, in numpy (`structural_plasticity.plasticity`):

1. After every ``Simulate`` call, every local neuron's elements and Ca are brought up to date from the
   spikes of the call, exactly as NEST integrates them at spikes and at the end of ``Simulate``
   (`plasticity.elements.ElementState`).
2. Every `update_interval` ms of NEST's clock (where NEST would update: at t = 0 and at each multiple),
   for each plastic synapse model in turn: synapses go where pre-synaptic elements were lost (uniformly
   among the neuron's synapses of the model, onto partners whose post-synaptic element count is not 0),
   then where post-synaptic elements were lost, then the vacant elements are paired (NEST's global
   shuffle, `plasticity.pairing.pair_uniform`, autapses as the model allows, multapses allowed); at the
   end the vacant elements of every neuron decay by ``tau_vacant``.
3. NEST is told what changed with one call per synapse model for the deleted synapses and one ``Connect``
   for the new ones; each MPI rank changes the synapses onto its own neurons. Every choice is made from the
   same global numbers with the same random generator on every rank, so all ranks agree without further
   messages (vacant elements are summed over ranks, which is all the communication an update needs). A
   deleted synapse is silenced (its weight set to 0), not disconnected: NEST 3.10 crashes at random in
   ``Simulate`` after ``Disconnect`` calls between ``Simulate`` calls (measured: ``ButzLesionExperiment`` on
   one process at 59 s in 3 of 3 seeds; 2 of 10 runs of 10 s, 100 neurons, on 2 MPI ranks; none silenced;
   NEST issue #3489; ``scripts/nest_mpi_threads_disconnect.py``). Silent synapses cost spike deliveries but
   change nothing; the package's own lists, counts, snapshots and network files hold only the living ones.

The package holds the elements and the list of plastic synapses (`plasticity.synapses.PlasticSynapses`);
NEST's neurons have no synaptic elements at all. What differs from NEST's own update: the random numbers
(numpy's generator seeded from ``rng_seed``, not NEST's), and so which partners pair, never the rules.
"""

import time

import numpy as np

from ..engine import import_nest, local_nodes
from ..errors import ConfigurationError
from ..plasticity.elements import ElementState, GrowthCurve
from ..plasticity.pairing import pair_by_distance, pair_uniform
from ..plasticity.synapses import PlasticSynapses
from . import state

#: Mixed into the seed of the package's random generator, so that its stream is not the one of
#: `Experiment.pick_group` (``default_rng(rng_seed)``).
RNG_STREAM = 0x5EED5

#: Where an update's wall time goes (``metadata["structural_update"]["time_s"]``).
PHASES = ("integrate", "delete", "pair", "nest_disconnect", "nest_connect", "simulate")


class PackageUpdate:
    """The structural update done by the package (see the module docstring); one per build.

    Parameters
    ----------
    network : PlasticNetwork
        The network it updates (its structure, nodes, recorder, communicator and parameters are read).

    Attributes
    ----------
    elements : plasticity.elements.ElementState
        The synaptic elements and Ca of this rank's neurons (after `start`).
    synapses : dict of str to plasticity.synapses.PlasticSynapses
        Every plastic synapse of each model, over the global neuron index (the same on every rank).
    """

    name = "package"

    def __init__(self, network):
        self.network = network
        self.elements = None
        self.synapses = {}
        self.rng = np.random.default_rng([RNG_STREAM, int(network.rng_seed)])
        self.ids = None  # NEST node id of each global neuron index (sorted)
        self.local = None  # global indices of this rank's neurons
        self.is_local = None
        self.positions = None  # (x, y) of every neuron by global index (0 where a population has none), µm
        self.stats = {"updates": 0, "created": 0, "deleted": 0, "silent": 0, "time_s": dict.fromkeys(PHASES, 0.0)}
        self._changes = []  # (formed sources, formed targets, deleted sources, deleted targets) per update, global
        self.silence = True  # delete by weight 0, not Disconnect (see the module docstring); tests may switch it
        self._saved = None

    # ------------------------------------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------------------------------------
    def configure_kernel(self, nest):
        """Nothing: NEST's own structural plasticity stays off, so NEST may use several threads."""

    def register_synapses(self, nest):
        """Nothing: the plastic synapse models are plain copies, connected and disconnected by the package."""

    def neuron_params(self, pop):
        """Return the population's neuron parameters without synaptic elements (the package holds them)."""
        return dict(pop.params)

    def check_created(self, pop, neuron):
        """Check the growth curves the package will integrate (NEST never sees them): keys and values."""
        for element, curve in pop.elements.items():
            GrowthCurve.from_nest(curve)

    def restore(self, saved, nodes):
        """Connect the saved plastic synapses (array-style, one ``Connect`` per model) and keep the file's elements.

        Returns
        -------
        dict
            ``connect_calls``.
        """
        nest = import_nest()
        calls = 0
        for model in self.network.structure.synapses:
            source, target, weight, delay = saved.synapses(model)
            if len(source):
                nest.Connect(source, target, "one_to_one", {"synapse_model": model, "weight": weight, "delay": delay})
                calls += 1
        self._saved = saved
        return {"connect_calls": calls}

    # ------------------------------------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------------------------------------
    def start(self):
        """Set up the element state of this rank's neurons and the list of plastic synapses (from a saved network)."""
        nest = import_nest()
        network = self.network
        structure = network.structure
        self.ids = np.concatenate([state.node_ids(network.nodes[name]) for name in structure.populations])
        if np.any(np.diff(self.ids) <= 0):
            raise ConfigurationError("the populations' node ids are not increasing; create them one after another")
        everyone = None
        for nodes in network.nodes.values():
            everyone = nodes if everyone is None else everyone + nodes
        local = everyone if network.comm.size == 1 else local_nodes(everyone)
        local_ids = state.node_ids(local) if network.comm.size == 1 else np.asarray(local.tolist(), dtype=np.int64)
        self.local = np.searchsorted(self.ids, local_ids)
        self.is_local = np.zeros(len(self.ids), dtype=bool)
        self.is_local[self.local] = True
        status = local.get(["Ca", "tau_Ca", "beta_Ca"], output="") if len(local) else {}
        population = np.repeat(np.arange(len(structure.populations)), [len(nodes) for nodes in network.nodes.values()])
        specs = list(structure.populations.values())
        elements = {
            name: [specs[p].elements.get(name) for p in population[self.local]] for name in structure.element_names
        }
        self.elements = ElementState(
            local_ids,
            elements,
            network.dt,
            tau_Ca=np.atleast_1d(status.get("tau_Ca", 10_000.0)),
            beta_Ca=np.atleast_1d(status.get("beta_Ca", 0.001)),
            Ca=np.atleast_1d(status.get("Ca", 0.0)),
            time=float(nest.biological_time),
        )
        self.synapses = {model: PlasticSynapses(len(self.ids)) for model in structure.synapses}
        if network.positions:
            self.positions = np.concatenate(
                [network.positions.get(name, np.zeros((len(network.nodes[name]), 2))) for name in structure.populations]
            )
        if self._saved is not None:
            self._take_saved(self._saved)
        network.results.metadata["structural_update"] = self.summary()

    def _take_saved(self, saved):
        """Give the element state the saved z and bound elements, and the synapse list the saved synapses."""
        rows = np.searchsorted(saved.arrays["neuron_id"], self.ids[self.local])
        names = saved.meta["element_names"]
        for name in self.elements.names:
            j = names.index(name)
            has = self.elements.has[name]
            self.elements.z[name] = np.where(has, saved.arrays["element_z"][rows, j], 0.0)
            connected = np.nan_to_num(saved.arrays["element_z_connected"][rows, j])
            self.elements.connected[name] = np.where(has, connected, 0).astype(np.int64)
        for model in self.synapses:
            source, target = saved.synapses(model)[:2]
            self.synapses[model].add(np.searchsorted(self.ids, source), np.searchsorted(self.ids, target))

    def simulate(self, duration):
        """Simulate `duration` ms in ``Simulate`` calls that end at every update time, updating at each.

        An update happens before simulating from a time that is a multiple of `update_interval` on NEST's
        clock, as NEST's own update happens at the start of such a time slice.
        """
        nest = import_nest()
        network = self.network
        interval, h = network.update_interval, network.dt
        t = float(nest.biological_time)
        end = t + duration
        clock = self.stats["time_s"]
        while t < end - h / 2:
            steps = t / interval
            if abs(steps - round(steps)) * interval < h / 2:
                self.update()
            step_end = min((np.floor(t / interval + h / (2 * interval)) + 1) * interval, end)
            started = time.perf_counter()
            nest.Simulate(round((step_end - t) / h) * h)
            clock["simulate"] += time.perf_counter() - started
            started = time.perf_counter()
            senders, times = network.recorder.collect()
            t = float(nest.biological_time)
            self.elements.advance(senders, times, t)
            clock["integrate"] += time.perf_counter() - started
        network.results.metadata["structural_update"] = self.summary()

    def update(self):
        """One structural update at the current time: deletions, pairing and vacant decay for every model, then NEST."""
        clock = self.stats["time_s"]
        changes = {}
        for model, syn in self.network.structure.synapses.items():
            started = time.perf_counter()
            table = self.synapses[model]
            pre, post = syn.pre_element, syn.post_element
            gone = [self._delete(table, pre, post, "pre"), self._delete(table, pre, post, "post")]
            lost_source = np.concatenate([g.sources for g in gone])
            lost_target = np.concatenate([g.targets for g in gone])
            clock["delete"] += time.perf_counter() - started
            started = time.perf_counter()
            vacant_pre, vacant_post = self._vacant(pre), self._vacant(post)
            pre_ids, post_ids = np.flatnonzero(vacant_pre > 0), np.flatnonzero(vacant_post > 0)
            if syn.sigma is None:
                source, target = pair_uniform(
                    pre_ids, vacant_pre[pre_ids], post_ids, vacant_post[post_ids], self.rng, bool(syn.allow_autapses)
                )
            else:
                source, target = pair_by_distance(
                    pre_ids,
                    vacant_pre[pre_ids],
                    post_ids,
                    vacant_post[post_ids],
                    self.positions,
                    self.network.structure.sheet,
                    syn.sigma,
                    self.rng,
                    allow_autapses=bool(syn.allow_autapses),
                    cutoff=syn.cutoff,
                )
            table.add(source, target)
            self._bind(pre, source, +1)
            self._bind(post, target, +1)
            clock["pair"] += time.perf_counter() - started
            changes[model] = (lost_source, lost_target, source, target)
            self._changes.append((source, target, lost_source, lost_target))
        self.elements.decay_vacant()
        self._tell_nest(changes)
        self.stats["updates"] += 1

    def _vacant(self, element):
        """Return the vacant elements (``floor(z) - connected``) of `element` of every neuron, summed over ranks."""
        vacant = np.zeros(len(self.ids))
        vacant[self.local] = self.elements.vacant(element)
        return np.rint(self.network.comm.sum(vacant)).astype(np.int64)

    def _delete(self, table, pre, post, side):
        """Choose and remove the synapses NEST's update deletes where the `side` element was lost."""
        element = pre if side == "pre" else post
        deficit = np.maximum(-self._vacant(element), 0)
        if not deficit.any():
            return table.choose_deletions(deficit, side, self.rng)  # empty, and draws no random number
        eligible = None
        if side == "pre":
            # NEST's get_targets skips targets whose post-synaptic element reads 0 (floor(z) unless continuous).
            counts = np.zeros(len(self.ids))
            counts[self.local] = self.elements.value(post) != 0
            eligible = self.network.comm.sum(counts) > 0
        gone = table.choose_deletions(deficit, side, self.rng, eligible_partner=eligible)
        self._bind(pre, gone.sources, -1)
        self._bind(post, gone.targets, -1)
        return gone

    def _bind(self, element, neurons, sign):
        """Connect (+1) or disconnect (-1) one `element` per entry of `neurons` (global indices) on this rank."""
        mine = neurons[self.is_local[neurons]]
        if len(mine):
            rows = np.searchsorted(self.local, mine)
            (self.elements.connect if sign > 0 else self.elements.disconnect)(element, rows)

    def _tell_nest(self, changes):
        """Disconnect and connect in NEST what the update changed: one call of each per synapse model.

        First every synapse to delete is looked up (``GetConnections``, while NEST's connections are still those
        of the last ``Simulate``), then all are disconnected, then the new ones connected. Every rank makes the
        same calls in the same order: a ``GetConnections`` after a change rebuilds NEST's connection tables,
        which takes all ranks (NEST issue #1957; a hang otherwise, measured on 2 ranks).
        """
        nest = import_nest()
        clock = self.stats["time_s"]
        started = time.perf_counter()
        doomed = {
            model: self._find(nest, model, lost_source, lost_target)
            for model, (lost_source, lost_target, _, _) in changes.items()
            if len(lost_source)
        }
        for model, synapses in doomed.items():
            if self.silence:
                if len(synapses):
                    synapses.set(weight=0.0)
                self.stats["silent"] += len(changes[model][0])
            else:
                nest.Disconnect(synapses)
            self.stats["deleted"] += len(changes[model][0])
        clock["nest_disconnect"] += time.perf_counter() - started
        started = time.perf_counter()
        for model, (_, _, source, target) in changes.items():
            if len(source):
                syn = self.network.structure.synapses[model]
                n = len(source)
                weights, delays = np.full(n, float(syn.weight)), np.full(n, float(syn.delay))
                nest.Connect(
                    self.ids[source],
                    self.ids[target],
                    "one_to_one",
                    {"synapse_model": model, "weight": weights, "delay": delays},
                )
                self.stats["created"] += n
        clock["nest_connect"] += time.perf_counter() - started

    def _find(self, nest, model, source, target):
        """Return NEST's synapses of `model` onto this rank's neurons, one per (source, target) pair (global indices).

        Every rank asks NEST the same question (all pairs), so that the ranks stay in step; each keeps its own.
        """
        conns = nest.GetConnections(
            source=nest.NodeCollection(np.unique(self.ids[source]).tolist()),
            target=nest.NodeCollection(np.unique(self.ids[target]).tolist()),
            synapse_model=model,
        )
        mine = self.is_local[target]
        if not mine.any():
            return nest.SynapseCollection([])
        base = self.ids[-1] + 1
        wanted_key = self.ids[source[mine]] * base + self.ids[target[mine]]
        found = conns.get(["source", "target", "weight"]) if len(conns) else {"source": [], "target": [], "weight": []}
        found_key = np.atleast_1d(found["source"]).astype(np.int64) * base + np.atleast_1d(found["target"])
        found_key[np.atleast_1d(found["weight"]) == 0.0] = -1  # silenced ones are not there any more
        order = np.argsort(found_key, kind="stable")
        keys, counts = np.unique(wanted_key, return_counts=True)
        first = np.searchsorted(found_key[order], keys)
        picks = np.repeat(first, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
        if np.any(picks >= len(order)) or np.any(
            found_key[order][np.minimum(picks, len(order) - 1)] != np.repeat(keys, counts)
        ):
            raise RuntimeError(f"the package's list of {model} synapses and NEST's disagree; please report this")
        return nest.SynapseCollection([conns._datum[i] for i in order[picks].tolist()])

    def set_growth_curve(self, nodes, element, curve):
        """Let `element` of the neurons `nodes` follow `curve` (a NEST growth-curve dict) from now on; z is kept."""
        ids = state.node_ids(nodes)
        rows = np.searchsorted(self.elements.node_ids, ids[np.isin(ids, self.elements.node_ids)])
        self.elements.set_curve(element, rows, curve)

    def take_changes(self):
        """Return the synapses formed and deleted since the last call (all models), as NEST node ids.

        Returns
        -------
        formed, deleted : tuple of (sources, targets) numpy.ndarray
        """
        parts = self._changes or [(np.empty(0, np.int64),) * 4]
        self._changes = []
        formed = tuple(self.ids[np.concatenate([p[k] for p in parts]).astype(np.int64)] for k in (0, 1))
        deleted = tuple(self.ids[np.concatenate([p[k] for p in parts]).astype(np.int64)] for k in (2, 3))
        return formed, deleted

    # ------------------------------------------------------------------------------------------------
    # Read-outs
    # ------------------------------------------------------------------------------------------------
    def local_pairs(self, model):
        """Return (sources, targets) NEST ids of the living synapses of `model` onto this rank's neurons."""
        table = self.synapses[model]
        mine = self.is_local[table.targets]
        return self.ids[table.sources[mine]], self.ids[table.targets[mine]]

    def pathway_counts(self, structure, nodes):
        """Return this rank's number of plastic synapses of every plastic pathway (`counting.pathway_counts`)."""
        population = np.repeat(np.arange(len(structure.populations)), [len(nodes[n]) for n in structure.populations])
        names = list(structure.populations)
        counts = {}
        for (source, target), models in structure.plastic_pathways.items():
            n = 0
            for model in models:
                table = self.synapses[model]
                mine = self.is_local[table.targets]
                s, t = population[table.sources[mine]], population[table.targets[mine]]
                n += int(np.count_nonzero((s == names.index(source)) & (t == names.index(target))))
            counts[(source, target)] = n
        return counts

    def element_table(self, local, status=None):
        """Return every element's numbers for the neurons `local` (a NodeCollection of this rank's), from the package.

        Returns
        -------
        dict
            ``{key: (neurons, elements) array}`` as `updates.NestUpdate.element_table`.
        """
        ids = state.node_ids(local) if len(local) else np.empty(0, np.int64)
        rows = np.searchsorted(self.elements.node_ids, ids)
        arrays = self.elements.to_arrays()
        names = list(arrays["element_names"])
        columns = [names.index(e) for e in self.network.structure.element_names]
        table = {key: arrays[f"element_{key}"][np.ix_(rows, columns)] for key in state.ELEMENT_KEYS}
        table["growth_curve"] = arrays["element_growth_curve"][np.ix_(rows, columns)]
        return table

    def summary(self):
        """Return what the results' metadata keeps of the update (counts and where the time went)."""
        return {
            "engine": self.name,
            "updates": self.stats["updates"],
            "synapses_created": self.stats["created"],
            "synapses_deleted": self.stats["deleted"],
            "synapses_silent_in_nest": self.stats["silent"],
            "time_s": dict(self.stats["time_s"]),
        }
