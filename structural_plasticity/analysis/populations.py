"""The populations and groups of saved results, and the names under which they are shown.

Nothing here knows a population's name: the populations are read from the recorded series
(``mean_ca_<name>``), the groups and the population each was drawn from from ``metadata["groups"]``, the
targets from ``metadata["target_ca"]``. Only the names shown for NEST's example's populations are fixed
(``"e"`` is shown as "excitatory" or "E", ``"i"`` as "inhibitory" or "I"); other names are shown as they are.
"""

#: Names shown for the populations of NEST's example (and every E/I configuration); others show as they are.
POPULATION_LABELS = {"e": "excitatory", "i": "inhibitory"}
POPULATION_LETTERS = {"e": "E", "i": "I"}


def population_label(name):
    """Return the name shown for population `name` in text: ``"excitatory"`` for ``"e"``, `name` itself for others."""
    return POPULATION_LABELS.get(name, name)


def population_letter(name):
    """Return the short name of population `name`, as in ``E→I``: ``"E"`` for ``"e"``, `name` itself for others."""
    return POPULATION_LETTERS.get(name, name)


def group_names(results):
    """Return the names of the groups of an experiment's results, in the order they were declared.

    `results` is a `Results` or a merged ensemble point (whose metadata lists the group names only).
    """
    return [group if isinstance(group, str) else group["name"] for group in results.metadata.get("groups", [])]


def group_sizes(results):
    """Return the number of neurons of each group, ``{name: size}``."""
    groups = results.metadata.get("groups", [])
    return {group["name"]: group["size"] for group in groups if isinstance(group, dict) and "size" in group}


def _series_names(source):
    """Return the recorded series of a `Results`, or of a merged point (``<series>_mean`` in its ``series``)."""
    if hasattr(source, "names"):
        return source.names
    return [name[: -len("_mean")] for name in source.series if name.endswith("_mean")]


def population_names(results):
    """Return the names of the network's populations in `results`, in the order they were recorded.

    A population is a name with a ``mean_ca_<name>`` series that is not a group, followed by any other
    name with a target in ``metadata["target_ca"]``.

    Parameters
    ----------
    results : Results or MergedPoint

    Returns
    -------
    list of str
        E.g. ``["e", "i"]`` for NEST's example.
    """
    groups = set(group_names(results))
    recorded = [name[len("mean_ca_") :] for name in _series_names(results) if name.startswith("mean_ca_")]
    names = [name for name in recorded if name not in groups]
    names += [name for name in results.metadata.get("target_ca", {}) if name not in names and name not in groups]
    return names


def group_population(results, group):
    """Return the population `group` was drawn from, as ``metadata["groups"]`` records it (``"population"``).

    Results written before groups recorded their population get the first population with a target,
    the excitatory one of every configuration of this package.

    Parameters
    ----------
    results : Results
    group : str
        Name of a group, e.g. ``"lesioned"``.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        If the results have no such group, or no population to draw it from.
    """
    entries = [g for g in results.metadata.get("groups", []) if isinstance(g, dict)]
    entry = next((g for g in entries if g["name"] == group), None)
    if entry is None:
        known = ", ".join(repr(g["name"]) for g in entries) or "none"
        raise KeyError(f"the results have no group {group!r}; their groups are {known}")
    if entry.get("population"):
        return entry["population"]
    targets = results.metadata.get("target_ca", {})
    for name in population_names(results):
        if name in targets:
            return name
    raise KeyError(f"the results record no population of group {group!r} and no population with a target")


def groups_population(results):
    """Return the population of the first (intervention) group of `results`, or without groups the first
    population with a target; None if there is neither."""
    groups = group_names(results)
    if groups:
        return group_population(results, groups[0])
    targets = results.metadata.get("target_ca", {})
    return next((name for name in population_names(results) if name in targets), None)


def other_populations(results, population):
    """Return the populations of `results` other than `population`, in recording order."""
    return [name for name in population_names(results) if name != population]
