"""Groups and phases: the machinery shared by the lesion and stimulation experiments.

`Experiment` adds two things to any network configuration (a `PlasticNetwork`):

* **Groups.** A subclass returns named neuron groups from `define_groups` (they may overlap the E and
  I populations and each other). Each group gets the series of a population (``mean_ca_<group>``,
  ``std_ca_<group>``, ``rate_<group>``), and the synapses between groups and populations are counted
  as ``connections_<source>_<target>`` (for example ``connections_intact_lesioned``). Groups named in
  `element_groups` also get the mean number of synaptic elements per neuron (``elements_den_ex_<group>``)
  and of connected ones (``connected_den_ex_<group>``). Every count is a sum over MPI ranks.
* **Phases.** `phases` returns a list of `Phase` (name, duration, action run at its start).
  `run_protocol` (called by `simulate` inside one `running` block) runs them in order;
  ``metadata["phases"]`` keeps each phase's start and end, and the ``phase`` series holds the index of
  the phase each sample belongs to. ``t_sim`` is the sum of the phase durations and cannot be set
  separately.

Connection counts between groups use ``nest.GetConnections(source=A, target=B, synapse_model=m)``,
whose cost grows with the sizes of A and B; `PathwayCounter` derives every count it can from cheaper
ones (a group and its complement in a population) and skips synapse models a source cannot send.
"""

import re
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .. import validation as check
from ..engine import local_nodes
from ..errors import ConfigurationError
from ..networks.builder import PlasticNetwork
from ..networks.counting import PathwayCounter

#: Name of the phase that grows the network from no synapses; skipped when starting from a saved network.
GROWTH_PHASE = "growth"
_GROUP_NAME = re.compile(r"^[a-z][a-z0-9]*$")


@dataclass
class Phase:
    """One phase of a protocol.

    Parameters
    ----------
    name : str
        Short name (used in metadata and figures), e.g. ``"growth"``.
    duration : float
        Simulated time of the phase (ms); a whole multiple of ``record_interval``.
    action : callable, optional
        Called without arguments at the start of the phase, before any of its time is simulated
        (e.g. a bound method that removes or raises an input).
    """

    name: str
    duration: float
    action: Optional[Callable[[], None]] = None


class Experiment(PlasticNetwork):
    """A network whose run is a protocol of phases, recording named neuron groups.

    Subclasses override `define_groups` (return ``{name: NodeCollection}``) and `phases` (return a list
    of `Phase`). Group names are lower-case words without underscores (they become parts of series
    names) other than the population names.

    `Experiment` and the protocols built on it say nothing about the network: a concrete experiment
    combines a protocol with a network configuration, e.g. ``class LesionExperiment(LesionProtocol,
    StructuralPlasticityExample)`` (`experiments.catalog`). Protocols act on the population their
    ``group_population`` parameter names (by default the configuration's ``EXCITATORY_POPULATION``, see
    `intervention.InterventionProtocol`) and find the external input in the structure.

    Attributes
    ----------
    groups : dict of str to nest.NodeCollection
        The groups, after `create_nodes`.
    """

    # === Groups =======================================================================================
    element_groups = ()  # names of groups whose synaptic elements are read each sample (13 µs per neuron)

    def __init__(self, **parameters):
        self.groups = {}
        self._elements_cache = {}
        self._counter = None
        self._phase_index = -1
        super().__init__(**parameters)
        derived = self.t_sim
        if "t_sim" in parameters and abs(float(parameters["t_sim"]) - derived) > 1e-9 * derived:
            raise ConfigurationError(
                f"t_sim of {type(self).__name__} is the sum of its phase durations ({derived:g} ms); "
                f"set the durations of the phases instead of t_sim={parameters['t_sim']!r}"
            )

    # ------------------------------------------------------------------------------------------------
    # Parameters
    # ------------------------------------------------------------------------------------------------
    def validate(self):
        """Check the parameters, then set ``t_sim`` to the sum of the phase durations."""
        if isinstance(self.element_groups, str):
            raise ConfigurationError(
                f"element_groups must be a list of group names, got the string {self.element_groups!r}; "
                f"write [{self.element_groups!r}]"
            )
        if not isinstance(self.element_groups, (list, tuple)):
            raise ConfigurationError(f"element_groups must be a list of group names, got {self.element_groups!r}")
        self.element_groups = tuple(self.element_groups)
        durations = [check.positive_time(f"duration of phase {p.name!r}", p.duration) for p in self.protocol()]
        # t_sim follows the phases; it is checked by the base class like any other run length.
        self.t_sim = float(sum(durations))
        super().validate()
        for phase in self.protocol():
            check.multiple_of(
                f"duration of phase {phase.name!r}", phase.duration, "record_interval", self.record_interval
            )

    # ------------------------------------------------------------------------------------------------
    # Hooks for subclasses
    # ------------------------------------------------------------------------------------------------
    def define_groups(self):
        """Return the named neuron groups to record, ``{name: NodeCollection}``; none by default."""
        return {}

    def phases(self):
        """Return the protocol as a list of `Phase`; by default one growth phase of ``t_sim``."""
        return [Phase("growth", self.t_sim)]

    def protocol(self):
        """Return the phases this run simulates: `phases`, without the ``growth`` phase when the run starts
        from a grown network (`initial_network`)."""
        phases = self.phases()
        if self.initial_network is not None:
            phases = [phase for phase in phases if phase.name != GROWTH_PHASE]
        return phases

    # ------------------------------------------------------------------------------------------------
    # The phases of a run
    # ------------------------------------------------------------------------------------------------
    def create_nodes(self):
        """Create the populations, then the groups of `define_groups` (checked and kept in metadata)."""
        super().create_nodes()
        groups = dict(self.define_groups())
        for name in groups:
            if name in self.nodes or not _GROUP_NAME.match(name):
                raise ConfigurationError(
                    f"group name {name!r} is not allowed: use a lower-case word of letters and digits "
                    f"(no underscores) other than the population names {', '.join(map(repr, self.nodes))}"
                )
        unknown = [name for name in self.element_groups if name not in groups]
        if unknown:
            raise ConfigurationError(
                f"element_groups names unknown group{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
                f"the groups of {type(self).__name__} are {', '.join(map(repr, groups)) or 'none'}"
            )
        self.groups = groups
        self._elements_cache = {}
        self._counter = None
        # A list, not a dict, so that the declared order survives JSON files written with sorted keys.
        self.results.metadata["groups"] = [
            {"name": name, "size": len(nodes), "node_ids": nodes.tolist()} for name, nodes in groups.items()
        ]

    def run_protocol(self, callback=None):
        """Run the phases in order, each starting with its action; called by `simulate` inside `running`.

        ``metadata["phases"]`` records each phase's start and end (s), also when the run stops early.

        Parameters
        ----------
        callback : callable, optional
            Called as ``callback(self)`` after each sample.
        """
        log = self.results.metadata.setdefault("phases", [])
        for index, phase in enumerate(self.protocol()):
            self._phase_index = index
            entry = {
                "name": phase.name,
                "start_s": self.now_ms() / 1000.0,
                "end_s": None,
                "duration_s": phase.duration / 1000.0,
            }
            log.append(entry)
            if phase.action is not None:
                phase.action()
            self.advance(phase.duration, callback=callback)
            entry["end_s"] = self.now_ms() / 1000.0

    # ------------------------------------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------------------------------------
    def populations(self):
        """Return the E and I populations and the groups, ``{name: NodeCollection}``."""
        return {**super().populations(), **self.groups}

    def record(self):
        """Take one sample as the base class does, then record the phase index and the group connectivity."""
        super().record()
        self.results.append(phase=self._phase_index)
        self.record_group_connectivity()
        self.record_group_elements()

    def connection_pairs(self):
        """Return the ordered ``(source, target)`` name pairs whose synapses are counted.

        Every pair of groups and populations except population to population (those are the
        ``connections_ee`` ... series of `PlasticNetwork.record_connectivity`).
        """
        names = [*self.nodes, *self.groups]
        return [(s, t) for s in names for t in names if not (s in self.nodes and t in self.nodes)]

    def record_group_connectivity(self):
        """Record ``connections_<source>_<target>`` for every pair of `connection_pairs`, summed over ranks.

        Counts that follow from others (a group and its complement in a population) are derived instead of
        queried; see `PathwayCounter`.
        """
        if self._counter is None:
            pairs_of = self.updater.local_pairs if self.updater.name == "package" else None
            self._counter = PathwayCounter(self.structure, self.populations(), pairs_of)
        self._counter.reset()
        pairs = self.connection_pairs()
        local = [self._counter.count(s, t) for s, t in pairs]
        totals = self.comm.sum(local) if local else []
        self.results.append(**{f"connections_{s}_{t}": int(round(n)) for (s, t), n in zip(pairs, totals)})

    def record_group_elements(self):
        """Record, for each group of `element_groups`, the mean number of synaptic elements per neuron.

        ``elements_<element>_<group>`` is the mean of NEST's ``z`` (grown elements, a real number) and
        ``connected_<element>_<group>`` the mean of ``z_connected`` (elements bound in synapses).
        """
        columns = self.structure.element_names
        for name in self.element_groups:
            local = local_nodes(self.groups[name])
            elements = sorted(self._element_names(name))
            sums = np.zeros(1 + 2 * len(elements))
            if len(local):
                table = self.updater.element_table(local)  # NEST's status, or the package's own elements
                sums[0] = len(local)
                for k, element in enumerate(elements):
                    sums[1 + 2 * k] = table["z"][:, columns.index(element)].sum()
                    sums[2 + 2 * k] = table["z_connected"][:, columns.index(element)].sum()
            totals = self.comm.sum(sums)
            n = totals[0]
            values = {}
            for k, element in enumerate(elements):
                key = element.lower()
                values[f"elements_{key}_{name}"] = totals[1 + 2 * k] / n if n else np.nan
                values[f"connected_{key}_{name}"] = totals[2 + 2 * k] / n if n else np.nan
            self.results.append(**values)

    def _element_names(self, group):
        """Return the synaptic element names a group's neurons all have (the same on every rank)."""
        if group not in self._elements_cache:
            ids = set(self.groups[group].tolist())
            specs = self.structure.populations
            shared = None
            for name, nodes in self.nodes.items():
                if ids & set(nodes.tolist()):
                    elements = set(specs[name].elements)
                    shared = elements if shared is None else shared & elements
            self._elements_cache[group] = sorted(shared or ())
        return self._elements_cache[group]
