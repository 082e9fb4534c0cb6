"""Who does the structural update: NEST itself, or the package between ``nest.Simulate`` calls.

The structural update grows and retracts every neuron's synaptic elements from its calcium trace,
deletes synapses where elements were lost and pairs free elements into new synapses. NEST 3.10 does it
inside its kernel and then refuses more than one thread; the package can do it itself between
``Simulate`` calls, so that NEST runs the neuron dynamics on every thread (`package_update`). Both are
one small interface, which the builder calls at fixed points of a build and a run and never looks past:

==========================  =========================================================================
``configure_kernel(nest)``  kernel settings of the update, after resolution and seed
``register_synapses(nest)`` after the plastic synapse models are copied
``neuron_params(pop)``      the parameters a population is created with
``check_created(pop, n)``   checks of a created population (``n``: one local neuron)
``restore(saved, nodes)``   the plastic synapses and elements of a saved network
``start()``                 when the run starts
``simulate(duration)``      simulate ``duration`` ms, updating on the way
``element_table(local)``    every element's state of the local neurons (`state.ELEMENT_KEYS`)
==========================  =========================================================================

`NestUpdate` is the default: NEST's own update, exactly as NEST's example uses it (the order of NEST
calls, and so the results, are those of NEST's example).
"""

import numpy as np

from ..engine import import_nest, local_nodes
from ..errors import ConfigurationError
from . import checks, counting, state
from .package_update import PackageUpdate

#: The numbers kept per neuron and element (NEST's names), in the order of the network files.
ELEMENT_KEYS = state.ELEMENT_KEYS


class NestUpdate:
    """NEST's own structural update: NEST grows the elements and pairs synapses, on one thread per process.

    Parameters
    ----------
    network : PlasticNetwork
        The network it updates (its `update_interval`, `structure` and `nodes` are read).
    """

    name = "nest"

    def __init__(self, network):
        self.network = network

    def configure_kernel(self, nest):
        """Set NEST's update interval."""
        nest.structural_plasticity_update_interval = self.network.update_interval

    def register_synapses(self, nest):
        """Tell NEST which synapse models its structural plasticity creates, with their elements."""
        nest.structural_plasticity_synapses = {
            model: {
                "synapse_model": model,
                "pre_synaptic_element": syn.pre_element,
                "post_synaptic_element": syn.post_element,
                "allow_autapses": bool(syn.allow_autapses),
            }
            for model, syn in self.network.structure.synapses.items()
        }

    def neuron_params(self, pop):
        """Return the parameters of `pop`'s neurons: its own, with its synaptic elements for NEST to grow."""
        return dict(pop.params, synaptic_elements=pop.elements) if pop.elements else dict(pop.params)

    def check_created(self, pop, neuron):
        """Refuse growth-curve keys NEST did not store (it ignores unknown ones); `neuron` is one local neuron."""
        if pop.elements:
            checks.stored_elements(pop.elements, neuron.get("synaptic_elements"))

    def restore(self, saved, nodes):
        """Connect the saved plastic synapses so that NEST counts their elements, and set every element's z.

        Returns
        -------
        dict
            ``connect_calls``: the number of ``nest.Connect`` calls (see `state.connect_counted`).
        """
        n_calls = state.connect_counted(saved, self.network.structure)
        state.set_elements(saved, nodes, self.network.comm.size)
        return {"connect_calls": n_calls}

    def start(self):
        """Enable NEST's structural plasticity."""
        import_nest().EnableStructuralPlasticity()
        self.network.results.metadata["structural_update"] = {"engine": self.name}

    def simulate(self, duration):
        """Simulate `duration` ms; NEST updates every `update_interval` on its own."""
        import_nest().Simulate(duration)

    def set_growth_curve(self, nodes, element, curve):
        """Let `element` of the neurons `nodes` follow `curve` (a NEST growth-curve dict) from now on; z is kept."""
        values = {key: value for key, value in curve.items() if key != "z"}
        local = local_nodes(nodes)
        if len(local):
            local.set({"synaptic_elements_param": {element: values}})

    def pathway_counts(self, structure, nodes):
        """Return this rank's number of plastic synapses of every plastic pathway, counted by NEST."""
        return counting.pathway_counts(structure, nodes)

    def local_pairs(self, model):
        """Return (sources, targets) NEST ids of the synapses of `model` onto this rank's neurons, from NEST."""
        conns = import_nest().GetConnections(synapse_model=model)
        if not len(conns):
            return np.empty(0, np.int64), np.empty(0, np.int64)
        values = conns.get(["source", "target"])
        return np.atleast_1d(values["source"]).astype(np.int64), np.atleast_1d(values["target"]).astype(np.int64)

    def take_changes(self):
        """Refuse: NEST's own update does not say which synapses it formed and deleted."""
        raise ConfigurationError(
            "NEST's structural update does not report the synapses it forms and deletes; "
            "use structural_update='package' (--structural-update package)"
        )

    def element_table(self, local, status=None):
        """Return every element's numbers for the neurons `local` (a NodeCollection), read from NEST.

        Parameters
        ----------
        local : nest.NodeCollection
        status : list of dict, optional
            Each neuron's ``synaptic_elements``, if already read (one status read per neuron costs ~13 µs).

        Returns
        -------
        dict
            ``{key: (neurons, elements) array}`` for every key of `ELEMENT_KEYS` (NaN where a neuron lacks the
            element) and ``"growth_curve"`` (``""`` where it lacks it), elements in `Structure.element_names`.
        """
        elements = self.network.structure.element_names
        if status is None:
            status = local.get("synaptic_elements") if len(local) else []
            status = [status] if isinstance(status, dict) else list(status)
        table = {key: np.full((len(status), len(elements)), np.nan) for key in ELEMENT_KEYS}
        table["growth_curve"] = np.full((len(status), len(elements)), "", dtype="U16")
        for i, stored in enumerate(status):
            for j, element in enumerate(elements):
                values = (stored or {}).get(element)
                if values is None:
                    continue
                for key in ELEMENT_KEYS:
                    table[key][i, j] = state.number_or_nan(values.get(key))
                table["growth_curve"][i, j] = str(values.get("growth_curve", ""))
        return table


#: The structural updates by the name of the `structural_update` parameter.
UPDATES = {"nest": NestUpdate, "package": PackageUpdate}
