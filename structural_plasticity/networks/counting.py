"""Counting plastic synapses: per pathway between populations, and between groups, with as few NEST queries as possible.

Between populations (`pathway_counts`, the ``connections_<source><target>`` series of every run): a
synapse model that only one population sends is counted by target alone (the cheapest query), and one
that connects a single pair of populations by NEST's ``num_connections`` of the model (O(1)).

Between groups (`PathwayCounter`, the ``connections_<source>_<target>`` series of experiments):

``nest.GetConnections(source=A, target=B, synapse_model=m)`` costs O(connections) inside NEST, and
more the larger A and B are (measured on 800 + 200 neurons with 2 500 synapses: 0.05-0.1 ms for a
group of 80 neurons, up to 17 ms between two groups of 720). Most counts an experiment records follow
from cheaper ones, because its groups usually split a population in two (``lesioned`` and ``intact``
are the excitatory population): if ``G`` and ``C`` are disjoint and together form population ``P``,

    count(X -> C) = count(X -> P) - count(X -> G)        count(C -> X) = count(P -> X) - count(G -> X)

so only queries that involve the smaller group, and population-to-population counts (which NEST
answers by target alone when one population sends the synapse model), reach NEST. Every count is
exact and local to this MPI rank; the sums over ranks follow, since the identities are linear.
"""

import numpy as np

from ..engine import import_nest


def pathway_counts(structure, nodes):
    """Return this rank's number of plastic synapses of every plastic pathway, ``{(source, target): n}``.

    Parameters
    ----------
    structure : specs.Structure
    nodes : dict of str to nest.NodeCollection
        The populations.
    """
    nest = import_nest()
    counts = {}
    for (source, target), models in structure.plastic_pathways.items():
        n = 0
        for model in models:
            senders, receivers = structure.senders[model], structure.receivers[model]
            if len(senders) == 1 and len(receivers) == 1:
                n += nest.GetDefaults(model, "num_connections")  # this rank's synapses of the model
            elif len(senders) == 1:
                n += len(nest.GetConnections(target=nodes[target], synapse_model=model))
            else:
                n += len(nest.GetConnections(source=nodes[source], target=nodes[target], synapse_model=model))
        counts[(source, target)] = n
    return counts


class PathwayCounter:
    """Counts of plastic synapses between named node sets; `reset` before each sample.

    Parameters
    ----------
    structure : specs.Structure
        The network's structure (populations, plastic synapse models).
    node_sets : dict of str to nest.NodeCollection
        Populations and groups by name (populations first, as in ``network.populations()``).
    pairs_of : callable, optional
        ``pairs_of(model) -> (sources, targets)``: the node ids of this rank's synapses of `model`, when they are
        known without asking NEST (the package's structural update, `package_update.PackageUpdate.local_pairs`).
    """

    def __init__(self, structure, node_sets, pairs_of=None):
        self.nodes = node_sets
        self.specs = structure.populations
        self.synapses = structure.synapses
        self.senders = structure.senders
        self.populations = list(structure.populations)
        ids = {name: set(nodes.tolist()) for name, nodes in node_sets.items()}
        # The population each group lies in (None when it spans several), and its complement in it.
        self.home = {name: name if name in self.populations else None for name in node_sets}
        self.complement = {}
        for name in node_sets:
            if name in self.populations:
                continue
            for pop in self.populations:
                if ids[name] <= ids[pop]:
                    self.home[name] = pop
            pop = self.home[name]
            for other in node_sets:
                if other != name and self.home.get(other) == pop and pop is not None:
                    if not ids[name] & ids[other] and ids[name] | ids[other] == ids[pop]:
                        self.complement[name] = other
        self.size = {name: len(ids[name]) for name in node_sets}
        self._memo = {}
        self._nest = None
        # The package's structural update knows its synapses: counting them needs no NEST query.
        self.pairs_of = pairs_of
        self._members = {}

    def _member(self, name):
        """Return a boolean lookup by node id of the neurons of node set `name`."""
        if name not in self._members:
            ids = np.asarray(self.nodes[name].tolist(), dtype=np.int64)
            size = max(int(max(nodes.tolist()[-1] for nodes in self.nodes.values())) + 1, 1)
            member = np.zeros(size, dtype=bool)
            member[ids] = True
            self._members[name] = member
        return self._members[name]

    def reset(self):
        """Forget the counts of the last sample (call before counting a new one)."""
        self._memo = {}

    def _elements(self, name):
        """Return the synaptic elements the neurons of `name` have (of its population; all if it spans several)."""
        if self.home[name] is not None:
            return set(self.specs[self.home[name]].elements)
        return {e for pop in self.specs.values() for e in pop.elements}

    def models(self, source, target):
        """Return the plastic synapse models that can connect `source` to `target` (from the element names)."""
        src, tgt = self._elements(source), self._elements(target)
        return [m for m, syn in self.synapses.items() if syn.pre_element in src and syn.post_element in tgt]

    def count(self, source, target):
        """Return the local number of plastic synapses from `source` to `target` (all models)."""
        return sum(self._count(source, target, model) for model in self.models(source, target))

    def _count(self, source, target, model):
        key = (source, target, model)
        if key not in self._memo:
            self._memo[key] = self._derive(source, target, model)
        return self._memo[key]

    def _larger_half(self, name):
        """Return the complement of `name` if `name` is the larger of the two halves of its population, else None."""
        other = self.complement.get(name)
        if other is not None and (self.size[name], name) > (self.size[other], other):
            return other
        return None

    def _derive(self, source, target, model):
        other = self._larger_half(target)
        if other is not None:
            return self._count(source, self.home[target], model) - self._count(source, other, model)
        other = self._larger_half(source)
        if other is not None:
            return self._count(self.home[source], target, model) - self._count(other, target, model)
        return self._query(source, target, model)

    def _query(self, source, target, model):
        if self.pairs_of is not None:
            pre, post = self.pairs_of(model)
            return int(np.count_nonzero(self._member(source)[pre] & self._member(target)[post]))
        if self._nest is None:
            self._nest = import_nest()
        if source in self.populations and self.senders[model] == [source]:
            # Only this population sends the model: counting by target alone is exact and cheaper.
            return len(self._nest.GetConnections(target=self.nodes[target], synapse_model=model))
        return len(self._nest.GetConnections(source=self.nodes[source], target=self.nodes[target], synapse_model=model))
