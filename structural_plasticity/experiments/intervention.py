"""Interventions on a group: the part the lesion and stimulation protocols share, the population they act on.

`InterventionProtocol` draws its groups from one population of the network, `group_population`, by
default the excitatory one. The protocol does not know that population's name: it asks the network
configuration (``EXCITATORY_POPULATION``), and a configuration that names none has its excitatory
population first, as every configuration of this package does.
"""

import numpy as np

from .. import validation as check
from ..engine import import_nest
from ..errors import ConfigurationError
from .base import Experiment

#: How an intervention group is picked from its population (see `InterventionProtocol.group_selection`).
GROUP_SELECTIONS = ("random", "first")


class InterventionProtocol(Experiment):
    """A protocol that acts on a group of neurons drawn from one population of the network.

    `pick_from_population` returns the group (`group_fraction` of the population, chosen as
    `group_selection` says) and the rest of the population. Each group's entry of ``metadata["groups"]``
    records the population its neurons belong to (``"population"``), so that the analysis of saved results
    finds the group's target and pathways without knowing population names.

    Parameters
    ----------
    **parameters
        Any parameter of `parameter_names`.
    """

    group_population = None  # population the groups are drawn from (None: the network's excitatory population)
    group_fraction = 0.1  # fraction of that population in the intervention group (0 to 1)
    # "random": a sample drawn by numpy.random.default_rng(rng_seed), reproducible and spread over ids;
    # "first": the first k neurons (lowest node ids).
    group_selection = "random"

    def validate(self):
        """Check the group's parameters and those of `Experiment`, then that `group_population` names a population."""
        fraction = self.group_fraction
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
            raise ConfigurationError(f"group_fraction must be a number between 0 and 1 (exclusive), got {fraction!r}")
        check.choice("group_selection", self.group_selection, GROUP_SELECTIONS)
        super().validate()
        names = list(self.population_specs())
        if self.group_population is not None and (
            not isinstance(self.group_population, str) or self.group_population not in names
        ):
            raise ConfigurationError(
                f"group_population must be the name of a population of {type(self).__name__} "
                f"({', '.join(map(repr, names))}) or None for the excitatory one, got {self.group_population!r}"
            )

    def population_acted_on(self):
        """Return the name of the population the groups are drawn from.

        `group_population`, or when it is None the network's excitatory population: the configuration's
        ``EXCITATORY_POPULATION``, or its first population if it names none.
        """
        if self.group_population is not None:
            return self.group_population
        return getattr(self, "EXCITATORY_POPULATION", next(iter(self.population_specs())))

    def pick_from_population(self):
        """Return ``(group, rest)``: `pick_group` of the population acted on, and the rest of it."""
        return self.pick_group(self.nodes[self.population_acted_on()])

    def create_nodes(self):
        """Create the populations and groups (`Experiment.create_nodes`), then note each group's population."""
        super().create_nodes()
        members = {name: set(nodes.tolist()) for name, nodes in self.nodes.items()}
        for entry in self.results.metadata["groups"]:
            ids = set(entry["node_ids"])
            home = next((name for name, population in members.items() if ids <= population), None)
            if home is not None:
                entry["population"] = home

    def pick_group(self, nodes, fraction=None):
        """Return `fraction` of `nodes` (default `group_fraction`), chosen as `group_selection` says.

        The random choice uses ``numpy.random.default_rng(rng_seed)``, not NEST's generators, so
        picking a group never changes the simulated network, and every MPI rank picks the same group.

        Parameters
        ----------
        nodes : nest.NodeCollection
        fraction : float, optional

        Returns
        -------
        group, rest : nest.NodeCollection
            The chosen neurons and the others, both sorted by node id.
        """
        nest = import_nest()
        fraction = self.group_fraction if fraction is None else fraction
        ids = np.asarray(nodes.tolist(), dtype=np.int64)
        k = int(round(fraction * len(ids)))
        if not 0 < k < len(ids):
            raise ConfigurationError(
                f"group_fraction={fraction:g} of {len(ids)} neurons gives {k} neurons; choose a fraction that "
                "leaves at least one neuron in the group and one outside it"
            )
        if self.group_selection == "first":
            chosen = ids[:k]
        else:
            chosen = np.sort(np.random.default_rng(self.rng_seed).choice(ids, size=k, replace=False))
        rest = np.setdiff1d(ids, chosen)
        return nest.NodeCollection(chosen.tolist()), nest.NodeCollection(rest.tolist())
