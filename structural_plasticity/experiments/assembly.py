"""Assembly formation as published: Gallinaro & Rotter's protocol on their network.

Gallinaro & Rotter (2018, Sci Rep 8:3754) and Gallinaro, Gašparović & Rotter (2022, PLoS Comput Biol
18:e1009836, Fig 4) grow a network with plastic E→E synapses to its set point, give 10 % of its
excitatory neurons 10 % more input for a while, and follow the connection probability within and
between the stimulated group (S) and the rest (R): during the stimulus S fires above its set point
and loses synapses; after it S fires below its set point, grows elements together with the rest of S,
and S→S ends above its level before the stimulus, for far longer than the stimulus lasted.

`AssemblyProtocol` is that protocol (phases ``growth``, ``stimulation``, ``after``, ``decay``) for any
network whose synapses within the population acted on (the excitatory one by default) are plastic; it
names no network: `catalog.AssemblyExperiment` runs it on `GallinaroRotterNetwork` with the durations of
the reduced (2018) or full-size (2022) study.
"""

from functools import partial

import numpy as np

from ..analysis.assembly import BLOCKS, block_series
from ..engine import import_nest
from .stimulation import StimulusProtocol

#: Snapshots of the synapses within the population (E→E), taken at the start of these phases: ``{phase: snapshot name}``.
SNAPSHOT_AT = {"stimulation": "before", "after": "stimulus_end", "decay": "after"}


def possible_pairs(n_source, n_target, same):
    """Return the number of ordered neuron pairs of a block: ``n_source * n_target``, without autapses if `same`."""
    return n_source * n_target - (n_source if same else 0)


class AssemblyProtocol(StimulusProtocol):
    """Grow, stimulate a group, then follow its connectivity right after the stimulus and during a long decay.

    Phases ``growth``, ``stimulation`` (the ``stimulated`` group gets `stimulus_increase` more input),
    ``after`` and ``decay`` (the input is back to baseline in both; two phases so that figures and tables
    can tell the formation of the assembly from its slow decay).

    The groups are drawn from `group_population`, the excitatory population ``p`` by default, whose
    synapses within it (E→E) are the plastic ones. Besides what every `Experiment` records, each sample
    holds the connection probability of every block of that connectivity, ``prob_<source>_<target>`` for
    source and target in ``stimulated`` and ``rest`` (synapses in the block divided by the ordered pairs of
    distinct neurons), and ``prob_<p>_<p>`` for the whole population (``prob_e_e``); group connections are
    counted for these four blocks only (``connections_stimulated_rest`` etc., see
    `record_group_connectivity`). At the start of ``stimulation``, ``after`` and ``decay`` the synapses
    within the population are kept as source and target id arrays in ``results.arrays``
    (``synapses_<name>_source``/``_target`` for ``before``, ``stimulus_end`` and ``after``; see
    `snapshot_synapses`), so that connectivity matrices can be drawn from saved results.

    The stimulated group is the first `group_fraction` of the population by default
    (``group_selection="first"``), as in the authors' scripts; in a network without topology this is as
    good as a random choice.

    Parameters
    ----------
    **parameters
        Any parameter of `parameter_names`.
    """

    # === Protocol (defaults: the reduced study of 2018) ==============================================
    growth_duration = 20_000.0  # growth from no E→E synapses to the set point (ms)
    stimulation_duration = 20_000.0  # time with the extra input on (ms)
    after_duration = 20_000.0  # first phase after the stimulus, in which the assembly forms (ms)
    decay_duration = 40_000.0  # second phase after the stimulus, in which it decays (ms)
    group_selection = "first"  # the stimulated group: the first group_fraction of the population by id
    t_sim = 100_000.0  # (ms) always the sum of the phases

    def post_stimulus_phases(self):
        """Return ``after`` (`after_duration`) and ``decay`` (`decay_duration`)."""
        return [("after", self.after_duration), ("decay", self.decay_duration)]

    def phases(self):
        """Return the phases of `StimulusProtocol`; the starts of three of them also take a snapshot (`SNAPSHOT_AT`)."""
        phases = super().phases()
        for phase in phases:
            if phase.name in SNAPSHOT_AT:
                phase.action = _chain(partial(self.snapshot_synapses, SNAPSHOT_AT[phase.name]), phase.action)
        return phases

    # ------------------------------------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------------------------------------
    def connection_pairs(self):
        """Return the four blocks of `BLOCKS`: only synapses within the population (E→E) are plastic, so only
        they are counted by group."""
        return list(BLOCKS)

    def record_group_connectivity(self):
        """Record ``connections_<source>_<target>`` of the four blocks from three queries and the population's total.

        S→S, S→E and E→S (E the population acted on) are counted with ``nest.GetConnections`` (each about a
        tenth of the E→E synapses or less); S→R, R→S and R→R follow from them and the E→E total
        (``connections_ee``), recorded just before by `PlasticNetwork.record_connectivity`. Counting R→R
        directly would build a collection of 80 % of all synapses every sample (8 million at full size,
        seconds of CPU).
        """
        nest = import_nest()
        population = self.population_acted_on()
        s, e = self.groups["stimulated"], self.nodes[population]
        models = self.plastic_pathways().get((population, population), [])  # the synapse models from E to E
        local = [
            sum(len(nest.GetConnections(source=a, target=b, synapse_model=m)) for m in models)
            for a, b in ((s, s), (s, e), (e, s))
        ]
        ss, s_out, s_in = (int(round(x)) for x in self.comm.sum(local))
        ee = int(self.results[f"connections_{population}{population}"][-1])
        self.results.append(
            connections_stimulated_stimulated=ss,
            connections_stimulated_rest=s_out - ss,
            connections_rest_stimulated=s_in - ss,
            connections_rest_rest=ee - s_out - s_in + ss,
        )

    def record(self):
        """Take one sample as `Experiment` does, then record the block probabilities."""
        super().record()
        self.record_block_probabilities()

    def record_block_probabilities(self):
        """Record ``prob_<source>_<target>`` of every block, and ``prob_<p>_<p>`` of the population ``p`` acted on,
        from this sample's synapse counts."""
        sizes = {name: len(nodes) for name, nodes in self.groups.items()}
        values = {}
        for source, target in BLOCKS:
            synapses = self.results[f"connections_{source}_{target}"][-1]
            values[block_series(source, target)] = synapses / possible_pairs(
                sizes[source], sizes[target], source == target
            )
        population = self.population_acted_on()
        n = len(self.nodes[population])
        synapses = self.results[f"connections_{population}{population}"][-1]
        values[block_series(population, population)] = synapses / possible_pairs(n, n, True)
        self.results.append(**values)

    def snapshot_synapses(self, name):
        """Keep the synapses within the population acted on (E→E) now, as ``synapses_<name>_source`` and
        ``synapses_<name>_target`` arrays.

        The arrays (NEST node ids, one entry per synapse) go to ``results.arrays`` on rank 0, gathered from
        all MPI ranks; ``metadata["snapshots"]`` lists each snapshot's name, time and number of synapses.
        Reading the ids costs about 16 µs per synapse (``SynapseCollection.get``): 0.3 s for the reduced
        network, about 3 minutes for the full-size one.

        Parameters
        ----------
        name : str
            Name of the snapshot, e.g. ``"before"``.
        """
        nest = import_nest()
        population = self.population_acted_on()
        e = self.nodes[population]
        sources, targets = [], []
        for model in self.plastic_pathways().get((population, population), []):
            conns = nest.GetConnections(source=e, target=e, synapse_model=model)
            if len(conns):
                status = conns.get(["source", "target"])
                sources.append(np.atleast_1d(status["source"]))
                targets.append(np.atleast_1d(status["target"]))
        local_sources = np.concatenate(sources).astype(np.int64) if sources else np.empty(0, np.int64)
        local_targets = np.concatenate(targets).astype(np.int64) if targets else np.empty(0, np.int64)
        all_sources, all_targets = self.comm.gather_arrays(local_sources), self.comm.gather_arrays(local_targets)
        if all_sources is not None:
            self.results.arrays[f"synapses_{name}_source"] = all_sources
            self.results.arrays[f"synapses_{name}_target"] = all_targets
        total = int(round(self.comm.sum([len(local_sources)])[0]))
        self.results.metadata.setdefault("snapshots", []).append(
            {"name": name, "time_s": float(nest.biological_time) / 1000.0, "synapses": total}
        )


def _chain(*actions):
    """Return one action that runs `actions` in order (None entries are skipped)."""
    actions = [action for action in actions if action is not None]

    def run():
        for action in actions:
            action()

    return run
