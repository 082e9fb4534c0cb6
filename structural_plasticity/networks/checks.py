"""Checks of a network before NEST sees it, each failing with one line that names the fix.

What `PlasticNetwork.validate` runs, in order: the settings of a run (`run_settings`), the structure the
configuration describes (`structure`: every value walked, sizes, models, elements, pathways), the limits
that keep NEST from crashing or hanging (`limits`), and the files a run reads or writes
(`network_files`). With NEST at hand: one model check (`models_exist`, for a configuration and for a
saved network alike) and the neuron parameters and growth-curve keys NEST stores (`neuron_parameters`,
`stored_elements`). `saved_network_fits` compares a saved network with the structure it is restored into.

The functions return the values they normalise (a time moved onto NEST's tic, a whole number given as
float); they never change the network.
"""

import os
import warnings

from .. import validation as check
from ..errors import ConfigurationError, PerformanceWarning
from . import placement

#: How the recorded mean Ca is read (see `PlasticNetwork.ca_readout`).
CA_READOUTS = ("spikes", "state")

#: Who does the structural update (`PlasticNetwork.structural_update`; the classes are in `updates`).
STRUCTURAL_UPDATES = ("nest", "package")

#: Growth curves NEST 3.10 implements (``growth_curve`` key of a synaptic element).
GROWTH_CURVES = ("gaussian", "linear", "sigmoid")

#: Keys every growth-curve dictionary must have.
REQUIRED_GROWTH_CURVE_KEYS = ("growth_curve", "growth_rate", "eps")


def growth_curve(name, curve, update_interval=None):
    """Raise `ConfigurationError` unless `curve` is a growth-curve dict NEST can take.

    The one check of a growth curve: its keys and kind, and with `update_interval` also its numbers
    (`validation.growth_curve`: rate, target, width, elements per update).

    Parameters
    ----------
    name : str
        What the curve is, for the message (e.g. ``"growth curve of Den_ex in population 'e'"``).
    curve : dict
        ``growth_curve`` (one of `GROWTH_CURVES`), ``growth_rate`` (elements/ms), ``eps`` and the curve's
        other keys (``eta`` for gaussian, ``psi`` for sigmoid, ``z``, ``continuous``, ``tau_vacant``).
    update_interval : float, optional
        The structural plasticity update interval (ms); the numbers are checked only when it is given.
    """
    if not isinstance(curve, dict):
        raise ConfigurationError(f"{name} must be a dict (growth_curve, growth_rate, eps, ...), got {curve!r}")
    missing = [key for key in REQUIRED_GROWTH_CURVE_KEYS if key not in curve]
    if missing:
        raise ConfigurationError(f"{name} lacks {', '.join(map(repr, missing))}; add it to the dict")
    if curve["growth_curve"] not in GROWTH_CURVES:
        raise ConfigurationError(
            f"{name}: growth_curve must be one of {', '.join(map(repr, GROWTH_CURVES))}, got {curve['growth_curve']!r}"
        )
    if update_interval is not None:
        check.growth_curve(name, curve, update_interval)


def run_settings(network):
    """Check the settings every run has; return the normalised values by parameter name.

    Resolution, run length, update and record intervals (multiples of the resolution, the run a
    multiple of the record interval), who does the structural update, threads (more than one only with
    the package's update; more than this machine's cores is a `PerformanceWarning`), seed and `ca_readout`.
    """
    values = {"dt": check.resolution("dt", network.dt)}
    for name in ("t_sim", "update_interval", "record_interval"):
        values[name] = check.positive_time(name, getattr(network, name))
    check.multiple_of("update_interval", values["update_interval"], "the resolution dt", values["dt"])
    check.multiple_of("record_interval", values["record_interval"], "the resolution dt", values["dt"])
    check.multiple_of("t_sim", values["t_sim"], "record_interval", values["record_interval"])
    values["structural_update"] = check.choice("structural_update", network.structural_update, STRUCTURAL_UPDATES)
    values["threads"] = check.count("threads", network.threads)
    if values["threads"] > 1 and values["structural_update"] == "nest":
        raise ConfigurationError(
            f"threads={values['threads']}: NEST's structural plasticity cannot use more than one thread; "
            "let the package do the structural update (structural_update='package', --structural-update "
            "package), which runs NEST on every thread, or run on several MPI processes "
            "(mpirun -n N python -m structural_plasticity)"
        )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if values["threads"] > cores:
        warnings.warn(
            f"threads={values['threads']} is more than the {cores} cores of this machine; the run will be slower, "
            f"not faster, than with threads={cores}",
            PerformanceWarning,
            stacklevel=2,
        )
    values["rng_seed"] = check.count("rng_seed", network.rng_seed)
    if values["rng_seed"] >= 2**32:
        raise ConfigurationError(f"rng_seed must be between 1 and {2**32 - 1}, got {values['rng_seed']}")
    check.choice("ca_readout", network.ca_readout, CA_READOUTS)
    return values


def structure(structure, owner):
    """Check what a configuration's four methods return (a `specs.Structure`); `owner` names the class."""
    populations = structure.populations
    if not populations:
        raise ConfigurationError(f"{owner}.population_specs() returned no population")
    # The structure's own values too: a configuration may write numbers into its specs, not only parameters.
    check.parameter_values(_values(structure), {})
    for name, pop in populations.items():
        check.count(f"size of population {name!r}", pop.size)
        if not isinstance(pop.model, str):
            raise ConfigurationError(
                f"neuron model of population {name!r} must be a NEST model name, got {pop.model!r}"
            )
        if not isinstance(pop.params, dict):
            raise ConfigurationError(f"neuron parameters of population {name!r} must be a dict, got {pop.params!r}")
        for element, curve in pop.elements.items():
            growth_curve(f"growth curve of {element} in population {name!r}", curve)
    elements = structure.element_names
    for model, syn in structure.synapses.items():
        check.finite_number(f"weight of {model}", syn.weight, "")
        check.positive_time(f"delay of {model}", syn.delay)
        for role, element in (("pre_element", syn.pre_element), ("post_element", syn.post_element)):
            if element not in elements:
                raise ConfigurationError(
                    f"{role} {element!r} of plastic synapse {model} is an element of no population; "
                    f"the populations have {', '.join(elements) or 'no elements'}"
                )
    for pathway in structure.pathways:
        for end in (pathway.source, pathway.target):
            if end not in populations:
                raise ConfigurationError(
                    f"static pathway {pathway.name} names population {end!r}; the populations are {', '.join(populations)}"
                )
        check.finite_number(f"weight of {pathway.name}", pathway.weight, "")
        check.positive_time(f"delay of {pathway.name}", pathway.delay)
    spec = structure.input
    if spec is not None:
        check.non_negative_number("input rate", spec.rate, "Hz")
        check.finite_number("input weight", spec.weight, "")
        check.positive_time("input delay", spec.delay)
    placement.check(structure)


def update_supports(structure, structural_update):
    """Refuse what only the package's structural update can do (pairing by distance) with NEST's."""
    if structural_update == "package":
        return
    spatial = [model for model, syn in structure.synapses.items() if syn.sigma is not None]
    if spatial:
        raise ConfigurationError(
            f"plastic synapse {spatial[0]} pairs partners by distance, which NEST's structural update cannot do; "
            "let the package do it: structural_update='package' (--structural-update package)"
        )


def _values(structure):
    """Return every value of the structure by what it is (for the walk of `validation.parameter_values`)."""
    values = {}
    for name, pop in structure.populations.items():
        values[f"neuron parameters of population {name!r}"] = pop.params
        for element, curve in pop.elements.items() if isinstance(pop.elements, dict) else ():
            values[f"growth curve of {element} in population {name!r}"] = curve
    for model, syn in structure.synapses.items():
        values[f"plastic synapse {model}"] = {"weight": syn.weight, "delay": syn.delay}
    for pathway in structure.pathways:
        values[f"static pathway {pathway.name}"] = {
            "conn_spec": pathway.conn_spec,
            "weight": pathway.weight,
            "delay": pathway.delay,
        }
    spec = structure.input
    if spec is not None:
        values["input"] = {"rate": spec.rate, "weight": spec.weight, "delay": spec.delay}
    return values


def limits(structure, dt, update_interval):
    """Apply the limits of `validation` to what would be built, whatever the configuration.

    Each limit keeps NEST from crashing or hanging (the reasons are at the constants of `validation`):
    the input rate, every growth curve of every population (growth per update, ``z``, ``eps``, curve
    width), every population's calcium trace against the resolution, every delay (plastic synapses,
    static pathways, input) against the resolution, and the memory of all populations together. Run
    after `structure`, so the specs are known to be well formed.
    """
    spec = structure.input
    if spec is not None:
        check.input_rate("the input rate", spec.rate)
    for name, pop in structure.populations.items():
        check.calcium(f"neuron parameters of population {name!r}", pop.params, dt)
        for element, curve in pop.elements.items():
            growth_curve(f"growth curve of {element} in population {name!r}", curve, update_interval)
    delays = {f"delay of {model}": syn.delay for model, syn in structure.synapses.items()}
    delays.update({f"delay of {pathway.name}": pathway.delay for pathway in structure.pathways})
    if spec is not None:
        delays["delay of the input"] = spec.delay
    for what, value in delays.items():
        check.delay(what, value, dt)
    longest = max(delays.values(), default=0.0)
    check.network_memory(structure.n_neurons, longest / dt)


def network_files(network):
    """Check the parameters that name files (`initial_network`, `save_network_path`) and `snapshot_every`.

    Paths are checked as paths only: no file is read here (`PlasticNetwork.load_initial_network` reads
    and checks the saved network). Returns the normalised values by parameter name.
    """
    values = {}
    for name in ("initial_network", "save_network_path"):
        value = getattr(network, name)
        if value is not None and not isinstance(value, (str, os.PathLike)):
            raise ConfigurationError(f"{name} must be a file path or None, got {value!r}")
        values[name] = os.fspath(value) if isinstance(value, os.PathLike) else value
    if values["save_network_path"] is not None:
        check.output_file_path("save_network_path", values["save_network_path"])  # empty, a folder's name, too long
        if os.path.isdir(values["save_network_path"]):
            raise ConfigurationError(f"save_network_path {values['save_network_path']} is a folder; give a file name")
    if network.snapshot_every is not None:
        values["snapshot_every"] = check.positive_time("snapshot_every", network.snapshot_every)
        check.multiple_of("snapshot_every", values["snapshot_every"], "record_interval", network.record_interval)
    if network.save_network_at is not None:
        values["save_network_at"] = check.positive_time("save_network_at", network.save_network_at)
        if values["save_network_path"] is None:
            raise ConfigurationError("save_network_at needs save_network_path, the file to save the network to")
    return values


def save_time(save_network_at, offset, t_sim, record_interval):
    """Raise `ConfigurationError` unless `save_network_at` (ms) is a sample time of a run from `offset` (ms)."""
    end = offset + t_sim
    steps = (save_network_at - offset) / record_interval
    if (
        not offset < save_network_at <= end + 1e-9
        or round(steps) < 1
        or abs(steps - round(steps)) > 1e-9 * max(1.0, steps)
    ):
        raise ConfigurationError(
            f"save_network_at ({save_network_at:g} ms) must be a sample time of this run: a multiple of "
            f"record_interval ({record_interval:g} ms) after {offset:g} ms and at most {end:g} ms"
        )


# ----------------------------------------------------------------------------------------------------
# With NEST at hand
# ----------------------------------------------------------------------------------------------------
def models_exist(nest, neuron_models, synapse_models=(), source=None):
    """Raise `ConfigurationError` if a neuron or synapse model does not exist in this NEST.

    The one model check, for a configuration and for a saved network alike.

    Parameters
    ----------
    nest : module
    neuron_models : dict of str to str
        ``{population name: neuron model}``.
    synapse_models : iterable of str
        NEST synapse models the network copies its own from.
    source : str or path-like, optional
        The saved network the models come from; the message then says to install the module.
    """
    for population, model in neuron_models.items():
        if model in nest.node_models:
            continue
        if source is not None:
            raise ConfigurationError(
                f"the network in {source} uses neuron model {model!r}, which this NEST ({nest.__version__}) "
                "does not have; install the module that provides it"
            )
        close = [m for m in nest.node_models if m.startswith(model.split("_")[0])][:6]
        raise ConfigurationError(
            f"unknown neuron model {model!r} (population {population!r}); NEST has e.g. "
            f"{', '.join(close) or 'iaf_psc_alpha'} (see nest.node_models)"
        )
    for base in synapse_models:
        if base not in nest.synapse_models:
            where = f"the network in {source} uses" if source is not None else "the network uses"
            raise ConfigurationError(
                f"{where} synapse model {base!r}, which this NEST ({nest.__version__}) does not have; "
                "install the module that provides it"
            )


def neuron_parameters(name, pop, defaults):
    """Raise `ConfigurationError` unless NEST's model of population `name` takes its parameters and elements.

    Parameters
    ----------
    name : str
    pop : specs.Population
    defaults : dict
        ``nest.GetDefaults(pop.model)``.
    """
    if pop.elements and "synaptic_elements" not in defaults:
        raise ConfigurationError(
            f"neuron model {pop.model!r} (population {name!r}) has no synaptic elements, so it cannot take "
            "part in structural plasticity; use e.g. iaf_psc_alpha"
        )
    unknown = sorted(set(pop.params) - set(defaults))
    if unknown:
        raise ConfigurationError(
            f"the neuron parameters of population {name!r} include {', '.join(map(repr, unknown))}, which "
            f"{pop.model} does not have; remove or rename them (see nest.GetDefaults({pop.model!r}))"
        )


def stored_elements(elements, stored):
    """Raise `ConfigurationError` if a growth curve has keys NEST did not store (NEST ignores unknown keys).

    Parameters
    ----------
    elements : dict of str to dict
        The growth curves given, ``{element: curve}``.
    stored : dict of str to dict
        NEST's ``synaptic_elements`` of one neuron, created with them.
    """
    for element, curve in elements.items():
        unknown = sorted(set(curve) - set(stored[element]))
        if unknown:
            raise ConfigurationError(
                f"growth curve of {element} has unknown key{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(map(repr, unknown))}; NEST knows {', '.join(sorted(stored[element]))}"
            )


# ----------------------------------------------------------------------------------------------------
# A saved network against the network it is restored into
# ----------------------------------------------------------------------------------------------------
def saved_network_fits(layout, structure, where):
    """Raise `ConfigurationError` (one line naming the first difference) unless a saved network fits `structure`.

    Populations (names, order, sizes, neuron models, element names), plastic synapse models (names and
    element pairs) and static pathways must match. Neuron parameters, growth curves, weights and input
    may differ (that is branching with changed parameters).

    Parameters
    ----------
    layout : dict
        What the file holds (`state.NetworkFile.layout`): ``populations`` (list of dicts with ``name``,
        ``size``, ``model``, ``elements``), ``plastic`` (``{model: (pre, post)}``), ``static``
        (list of ``(name, source, target)``).
    structure : specs.Structure
    where : str
        The start of the message, e.g. ``"the network in grown.npz does not fit StructuralPlasticityExample"``.
    """
    names = [p["name"] for p in layout["populations"]]
    if names != list(structure.populations):
        raise ConfigurationError(
            f"{where}: populations {names} in the file, {list(structure.populations)} in the model"
        )
    for p in layout["populations"]:
        spec = structure.populations[p["name"]]
        if int(p["size"]) != spec.size:
            raise ConfigurationError(
                f"{where}: population {p['name']!r} has {p['size']} neurons in the file, {spec.size} in the model"
            )
        if p["model"] != spec.model:
            raise ConfigurationError(
                f"{where}: population {p['name']!r} is {p['model']} in the file, {spec.model} in the model"
            )
        if sorted(p["elements"]) != sorted(spec.elements):
            raise ConfigurationError(
                f"{where}: population {p['name']!r} has elements {sorted(p['elements'])} in the file, "
                f"{sorted(spec.elements)} in the model"
            )
    plastic = layout["plastic"]
    if sorted(plastic) != sorted(structure.synapses):
        raise ConfigurationError(
            f"{where}: plastic synapse models {sorted(plastic)} in the file, {sorted(structure.synapses)} in the model"
        )
    for model, syn in structure.synapses.items():
        pair = tuple(plastic[model])
        if pair != (syn.pre_element, syn.post_element):
            raise ConfigurationError(
                f"{where}: {model} binds {pair[0]}->{pair[1]} in the file, {syn.pre_element}->{syn.post_element} "
                "in the model"
            )
    wanted = [(p.name, p.source, p.target) for p in structure.pathways]
    if layout["static"] != wanted:
        raise ConfigurationError(f"{where}: static pathways {layout['static']} in the file, {wanted} in the model")
