"""`StaticNetwork`: a network given as data (populations, static pathways, input), without plasticity.

Useful as a reference: the activity of a network whose plastic pathways are replaced by static ones
(`GallinaroRotterNetwork.measure_target_rate` measures its target rate in one).
"""

from .builder import PlasticNetwork


class StaticNetwork(PlasticNetwork):
    """A network whose populations, pathways and input are parameters instead of methods.

    Its populations should have no synaptic elements: nothing in it is plastic.

    Parameters
    ----------
    population_table : dict of str to Population
        The populations, in order.
    pathway_table : list of StaticPathway
        The static pathways.
    external_input : Input or None
        The Poisson input of every neuron.
    **parameters
        Any other parameter of `PlasticNetwork` (``dt``, ``rng_seed``, ``t_sim``, ``record_interval``).
    """

    population_table = None  # {name: Population}; required
    pathway_table = ()  # [StaticPathway]
    external_input = None  # Input or None

    def population_specs(self):
        """Return the `population_table` parameter."""
        return dict(self.population_table or {})

    def static_pathways(self):
        """Return the `pathway_table` parameter."""
        return list(self.pathway_table)

    def input_spec(self):
        """Return the `external_input` parameter."""
        return self.external_input
