"""Interventions on a group: the part the lesion and stimulation protocols share, the population they act on.

`InterventionProtocol` draws its groups from one population of the network, `group_population`, by
default the excitatory one. The protocol does not know that population's name: it asks the network
configuration (``EXCITATORY_POPULATION``), and a configuration that names none has its excitatory
population first, as every configuration of this package does.
"""

from ..errors import ConfigurationError
from .base import Experiment


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

    def validate(self):
        """Check the parameters of `Experiment`, then that `group_population` names a population."""
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
