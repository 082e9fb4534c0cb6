"""What a network is made of, as data: populations, plastic synapses, static pathways and input.

A network class (`PlasticNetwork` and its configurations) describes its structure by returning these
small records from four methods (`population_specs`, `plastic_synapses`, `static_pathways`,
`input_spec`); the builder turns them into NEST calls. NEST's example and Gallinaro & Rotter's assembly
network differ only in what they return, not in how they are built.

`Structure` holds the four answers of one network together with what follows from them (which
populations send and receive each plastic synapse model, the plastic pathways, the targets). The
builder derives it once per build (`PlasticNetwork.structure`), so that the read-out of every sample
never asks the configuration again.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

from ..plasticity.space import Sheet


@dataclass
class Placement:
    """Where the neurons of a population sit on the network's sheet (µm): a grid, or positions given.

    Parameters
    ----------
    rows, columns : int, optional
        A grid: neuron ``i`` (in node-id order) in row ``i // columns`` and column ``i % columns``, at the
        centre of its square, ``((column + 0.5) * spacing, (row + 0.5) * spacing)`` (as Sinha et al. 2021
        number theirs); ``rows * columns`` must be the population's size.
    spacing : float, optional
        Distance between neighbouring grid points (µm).
    jitter : float
        Half-width of a uniform displacement of each coordinate (µm), at most ``spacing / 2``; drawn from
        ``numpy.random.default_rng`` seeded by the network's ``rng_seed``.
    positions : sequence of (x, y), optional
        Positions of the neurons instead of a grid (µm, one row per neuron, in node-id order).
    """

    rows: Optional[int] = None
    columns: Optional[int] = None
    spacing: Optional[float] = None
    jitter: float = 0.0
    positions: Optional[list] = None


@dataclass
class Population:
    """A population of identical neurons.

    Parameters
    ----------
    size : int
        Number of neurons.
    model : str
        NEST neuron model, e.g. ``"iaf_psc_alpha"``.
    params : dict
        Neuron parameters applied to every neuron (NEST names and units), e.g. ``{"tau_Ca": 10000.0}``.
    elements : dict of str to dict
        Synaptic elements, ``{element name: growth curve}``; the growth curve is a NEST dict with at least
        ``growth_curve`` (``"gaussian"``, ``"linear"``, ``"sigmoid"``), ``growth_rate`` (elements/ms) and
        ``eps``. Empty for a population without structural plasticity (e.g. static inhibitory neurons).
    target_ca : float, optional
        The population's homeostatic target of Ca (plot lines, summaries, settling times). By default the
        ``eps`` shared by all its elements; None when it has no elements or their ``eps`` differ.
    placement : Placement, optional
        Where its neurons sit on the network's sheet (`Structure.sheet`); None: nowhere (no distances).
    """

    size: int
    model: str
    params: dict = field(default_factory=dict)
    elements: dict = field(default_factory=dict)
    target_ca: Optional[float] = None
    placement: Optional[Placement] = None

    def target(self):
        """Return `target_ca`, or the ``eps`` common to all elements, or None."""
        if self.target_ca is not None:
            return float(self.target_ca)
        eps = {float(curve["eps"]) for curve in self.elements.values() if curve.get("eps") is not None}
        return eps.pop() if len(eps) == 1 else None


@dataclass
class PlasticSynapse:
    """A synapse model that NEST's structural plasticity creates and deletes.

    NEST pairs a free ``pre_element`` of any neuron with a free ``post_element`` of any neuron, so a
    plastic synapse connects every population that has the pre-synaptic element to every population that
    has the post-synaptic one.

    Parameters
    ----------
    weight : float
        Synaptic weight (pA for current-based models, mV for ``iaf_psc_delta``).
    delay : float
        Synaptic delay (ms).
    pre_element, post_element : str
        Names of the axonal and dendritic synaptic elements it binds, e.g. ``"Axon_ex"``, ``"Den_ex"``.
    allow_autapses : bool
        Whether a neuron may connect to itself.
    base_model : str
        NEST synapse model the plastic model is copied from.
    sigma : float, optional
        Width of the Gaussian kernel ``exp(-d**2 / sigma**2)`` of the distance d (µm) with which a free
        pre-synaptic element picks a free post-synaptic one (the package's structural update, on a sheet);
        None: partners regardless of distance, as NEST pairs them.
    cutoff : float, optional
        Largest distance of a new synapse (µm); None: where the kernel falls below 1e-6 (3.72 sigma).
    """

    weight: float
    delay: float
    pre_element: str
    post_element: str
    allow_autapses: bool = True
    base_model: str = "static_synapse"
    sigma: Optional[float] = None
    cutoff: Optional[float] = None


@dataclass
class StaticPathway:
    """Synapses connected once, before the simulation, that structural plasticity never changes.

    Parameters
    ----------
    source, target : str
        Population names.
    conn_spec : dict
        NEST connection rule, e.g. ``{"rule": "fixed_indegree", "indegree": 40}``.
    weight : float
        Synaptic weight.
    delay : float
        Synaptic delay (ms).
    base_model : str
        NEST synapse model the pathway's own model (named ``static_<source><target>``) is copied from.
    """

    source: str
    target: str
    conn_spec: dict
    weight: float
    delay: float
    base_model: str = "static_synapse"

    @property
    def name(self):
        """str: the pathway's name and NEST synapse model, ``static_<source><target>``."""
        return f"static_{self.source}{self.target}"


@dataclass
class Input:
    """Independent Poisson input to every neuron of the network.

    Parameters
    ----------
    rate : float
        Rate of each neuron's Poisson train (Hz).
    weight : float
        Weight of each input spike.
    delay : float
        Delay (ms).
    """

    rate: float
    weight: float
    delay: float


@dataclass(frozen=True)
class Structure:
    """The structure of one network: its populations, plastic synapses, static pathways and input.

    Derived values (`senders`, `receivers`, `plastic_pathways`, `target_ca`, ...) are computed on first
    use and kept: a `Structure` is never changed after it is made.

    Parameters
    ----------
    populations : dict of str to Population
        In creation order.
    synapses : dict of str to PlasticSynapse
        The plastic synapse models by name.
    pathways : tuple of StaticPathway
    input : Input or None
    sheet : plasticity.space.Sheet or None
        The 2D sheet the populations with a `Placement` sit on (`PlasticNetwork.sheet_spec`).
    """

    populations: dict
    synapses: dict
    pathways: tuple = ()
    input: Optional[Input] = None
    sheet: Optional[Sheet] = None

    @classmethod
    def of(cls, network):
        """Return the structure `network`'s methods describe (each called once)."""
        return cls(
            dict(network.population_specs()),
            dict(network.plastic_synapses()),
            tuple(network.static_pathways()),
            network.input_spec(),
            network.sheet_spec(),
        )

    @property
    def spatial(self):
        """bool: whether the populations sit on a sheet (some population has a `Placement`)."""
        return any(pop.placement is not None for pop in self.populations.values())

    @cached_property
    def element_names(self):
        """list of str: every synaptic element any population has, sorted."""
        return sorted({element for pop in self.populations.values() for element in pop.elements})

    @cached_property
    def senders(self):
        """dict: ``{synapse model: [populations with its pre-synaptic element]}``, in population order."""
        return {
            model: [name for name, pop in self.populations.items() if syn.pre_element in pop.elements]
            for model, syn in self.synapses.items()
        }

    @cached_property
    def receivers(self):
        """dict: ``{synapse model: [populations with its post-synaptic element]}``, in population order."""
        return {
            model: [name for name, pop in self.populations.items() if syn.post_element in pop.elements]
            for model, syn in self.synapses.items()
        }

    @cached_property
    def plastic_pathways(self):
        """dict: ``{(source, target): [synapse models]}`` for every pair a plastic model can connect, in population order."""
        pathways = {}
        for model in self.synapses:
            for source in self.senders[model]:
                for target in self.receivers[model]:
                    pathways.setdefault((source, target), []).append(model)
        order = list(self.populations)
        return dict(sorted(pathways.items(), key=lambda item: (order.index(item[0][0]), order.index(item[0][1]))))

    @cached_property
    def target_ca(self):
        """dict: target Ca of each population that has one, ``{name: eps}`` (see `Population.target`)."""
        targets = {name: pop.target() for name, pop in self.populations.items()}
        return {name: value for name, value in targets.items() if value is not None}

    @property
    def n_neurons(self):
        """int: neurons of all populations."""
        return sum(pop.size for pop in self.populations.values())
