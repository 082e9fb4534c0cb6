"""The state of a run's groups when it started from a saved network: what "before" means without a growth phase.

A protocol started from a saved network (``--from-network``) skips its growth phase, so no sample shows the
groups before the intervention. The network file does: `group_values_at_start` reads it again (found by
the path the results record in ``metadata["initial_network"]``, and only if its checksum is the one recorded)
and returns the values the growth phase's last samples would have given, under the series' names: mean Ca,
grown and connected elements per neuron, and plastic synapses between groups and populations.
"""

from pathlib import Path

import numpy as np

from ..errors import ConfigurationError
from ..networks.state import load_network


def saved_network_of(results):
    """Return the `state.NetworkFile` the run of `results` started from, or None (no file, moved, or changed)."""
    info = results.metadata.get("initial_network") or {}
    path = info.get("path")
    if not path or not Path(path).is_file():
        return None
    try:
        saved = load_network(path)
    except ConfigurationError:
        return None
    if info.get("sha256") and saved.meta.get("sha256") != info["sha256"]:
        return None  # another network than the one the run started from
    return saved


def group_values_at_start(results):
    """Return the groups' values in the network the run started from, ``{series name: value}`` ({} without one).

    Names as the recorded series: ``mean_ca_<group>``, ``elements_<element>_<group>`` and
    ``connected_<element>_<group>`` (per neuron), ``connections_<source>_<target>`` (plastic synapses, between
    groups and populations, as `Experiment.record_group_connectivity` counts them).
    """
    saved = saved_network_of(results)
    groups = {g["name"]: np.asarray(g["node_ids"]) for g in results.metadata.get("groups") or () if "node_ids" in g}
    if saved is None or not groups:
        return {}
    a, meta = saved.arrays, saved.meta
    ids = a["neuron_id"]
    sets = {p["name"]: saved.population_ids(p["name"]) for p in meta["populations"]}
    sets.update(groups)
    values = {}
    columns = list(meta["element_names"])
    for name, members in groups.items():
        rows = np.isin(ids, members)
        values[f"mean_ca_{name}"] = float(np.mean(a["neuron_Ca"][rows]))
        for k, element in enumerate(columns):
            z, connected = a["element_z"][rows, k], a["element_z_connected"][rows, k]
            if np.isfinite(z).all():
                values[f"elements_{element.lower()}_{name}"] = float(np.mean(z))
                values[f"connected_{element.lower()}_{name}"] = float(np.mean(connected))
    plastic = np.isin(a["synapse_model"], [meta["synapse_models"].index(m) for m in meta["plastic_synapses"]])
    source, target = a["synapse_source"][plastic], a["synapse_target"][plastic]
    for s, s_ids in sets.items():
        from_s = np.isin(source, s_ids)
        for t, t_ids in sets.items():
            if s in groups or t in groups:
                values[f"connections_{s}_{t}"] = int(np.count_nonzero(from_s & np.isin(target, t_ids)))
    return values
