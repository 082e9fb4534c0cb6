"""``--from-network FILE``: the structure of the run comes from the file, unless the command line says otherwise.

A saved network records the parameters it was grown with. Of those, the ones that shape the structure
(population sizes, neuron models, ``--size`` of the assembly network, ...) must agree with the model that
continues it, so a user should not have to repeat them: `adopt_saved_structure` takes each parameter the
file records that the command line did not give and that changes the model's structure (populations, their
sizes, models and elements, plastic synapses, static pathways) from the file. Parameters that leave the
structure alone (weights, growth curves, input) keep the model's defaults: that is branching with changed
parameters. What the command line gave wins; only a real conflict (a given value the file contradicts)
stops the run, with one line that says which option to leave out.

A protocol started from a saved network skips its growth phase, so no sample shows the groups before the
intervention; the file does. `group_values_at_start` reads it again (found by the path the results record
in ``metadata["initial_network"]``, and only if its checksum is the one recorded) and returns what the
growth phase's last samples would have given, for the lesion table's "before" rows
(`analysis.recovery.recovery_measures`' ``start``).
"""

import os
from pathlib import Path

import numpy as np

from ..errors import ConfigurationError
from ..files import jsonable
from ..networks import checks
from ..networks.state import load_network

#: Parameters never taken from the file: they say how this run goes, not what the network is.
NOT_TAKEN = (
    "initial_network",
    "t_sim",
    "save_network_path",
    "save_network_at",
    "snapshot_every",
    "recordings",
    "record_neurons",
)


def layout(structure):
    """Return what `checks.saved_network_fits` compares, as comparable data, of a `specs.Structure`."""
    return (
        tuple((name, p.size, p.model, tuple(sorted(p.elements))) for name, p in structure.populations.items()),
        tuple(sorted((m, s.pre_element, s.post_element) for m, s in structure.synapses.items())),
        tuple((p.name, p.source, p.target) for p in structure.pathways),
    )


def adopt_saved_structure(model, parameters, rows=()):
    """Return `parameters` with the structural parameters of the saved network of ``initial_network`` added.

    Parameters
    ----------
    model : type
        The class to run.
    parameters : dict
        What the command line set (class units).
    rows : sequence of options.Option
        The sub-command's rows, to name the options of a conflict.

    Returns
    -------
    dict
        `parameters` and, for each parameter the file records that they lack and that changes the model's
        structure, the file's value.

    Raises
    ------
    ConfigurationError
        If the file cannot be read, or what the command line gave contradicts it (one line naming the
        difference and the option to leave out).
    """
    path = parameters.get("initial_network")
    if not isinstance(path, (str, os.PathLike)):
        return parameters  # none, or not a path: the class refuses it in one line
    saved = load_network(path)
    where = f"the network in {saved.path} does not fit {model.__name__}"
    recorded = saved.meta.get("parameters") or {}
    current = model(**parameters)
    adopted = {}
    for name in model.parameter_names():
        if name in parameters or name in NOT_TAKEN or name not in recorded:
            continue
        if jsonable(getattr(current, name)) == recorded[name]:
            continue
        try:
            trial = model(**parameters, **adopted, **{name: recorded[name]})
        except ConfigurationError:
            continue  # a value this model cannot take: not the file's to give
        if layout(trial.structure) != layout(current.structure):
            adopted[name], current = recorded[name], trial
    try:
        checks.saved_network_fits(saved.layout(), current.structure, where)
    except ConfigurationError as exc:
        flags = {row.parameter: row.flag for row in rows}
        conflicts = [
            flags.get(name, f"--set {name}")
            for name in parameters
            if name not in NOT_TAKEN and name in recorded and _changes_structure(model, parameters, name, recorded)
        ]
        hint = f"; leave out {', '.join(conflicts)} to take the file's value" if conflicts else ""
        raise ConfigurationError(f"{exc}{hint}") from None
    return {**parameters, **adopted}


def _changes_structure(model, parameters, name, recorded):
    """Whether the file's value of parameter `name`, instead of the given one, changes the model's structure."""
    try:
        trial = model(**{**parameters, name: recorded[name]})
    except ConfigurationError:
        return False
    return layout(trial.structure) != layout(model(**parameters).structure)


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
