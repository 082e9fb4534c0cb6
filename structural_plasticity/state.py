"""Save a grown network to one NPZ file and rebuild it in NEST: grow once, branch many.

Growing NEST's example from no synapses to its set point takes about 150 s of simulated time (minutes of
wall time); experiments that start from a grown network (lesion, stimulation, ...) can instead start
from a file. `save_network` writes the complete state a continuation needs, gathered from every MPI
rank; `load_network` reads it back with numpy alone (``allow_pickle=False``) and checks it;
`restore_network` rebuilds it in a freshly prepared kernel, so that NEST's bookkeeping of connected
synaptic elements (``z_connected``) is right. The layout is documented in docs/network-state.md and in
`NetworkFile`.

What cannot be restored (NEST gives no way to set it): the state of NEST's random streams, synaptic
currents and spikes in flight, and NEST's clock (`biological_time` restarts at 0; the package adds the
saved time as an offset to every recorded time).
"""

import hashlib
import io
import json
import math
import os
import platform
import time
import zipfile
from bisect import bisect_left
from pathlib import Path

import numpy as np

from .engine import import_nest, local_nodes
from .errors import ConfigurationError
from .files import atomic_write as _atomic
from .files import jsonable as _jsonable
from .version import __version__

#: Name of the format, stored in every file (``meta["format"]``).
FORMAT = "structural_plasticity.network"
#: Version of the layout this package writes and reads.
FORMAT_VERSION = 1

#: Numeric keys of a synaptic element that are saved per neuron and element (absent ones are NaN).
ELEMENT_KEYS = ("z", "z_connected", "growth_rate", "tau_vacant", "eps", "eta", "psi", "continuous")

#: Arrays every file holds besides ``meta`` (see docs/network-state.md), with their kind of dtype.
REQUIRED_ARRAYS = {
    "neuron_id": "i",
    "neuron_population": "i",
    "neuron_Ca": "f",
    "neuron_V_m": "f",
    "element_growth_curve": "U",
    "synapse_source": "i",
    "synapse_target": "i",
    "synapse_model": "i",
    "synapse_weight": "f",
    "synapse_delay": "f",
    "input_target": "i",
    "input_weight": "f",
    "input_delay": "f",
    **{f"element_{key}": "f" for key in ELEMENT_KEYS},
}


# =====================================================================================================
# Saving
# =====================================================================================================
def gather_network(network):
    """Collect the state of `network` from every MPI rank; return the arrays on rank 0, None elsewhere.

    Must be called on every rank (it gathers).

    Parameters
    ----------
    network : PlasticNetwork
        A built network (`build` has run; it may have been simulated).

    Returns
    -------
    dict of str to numpy.ndarray or None
        The arrays of the file, ``meta`` included (see `NetworkFile`).
    """
    nest = import_nest()
    specs = network.population_specs()
    populations = list(specs)
    elements = sorted({e for pop in specs.values() for e in pop.elements})
    params = sorted({p for pop in specs.values() for p in pop.params})
    synapse_models = [*network.plastic_synapses(), *(p.name for p in network.static_pathways())]

    local = _local_neurons(network, elements, params)
    synapses = _local_synapses(nest, synapse_models)
    inputs = _local_input(nest, network.noise)
    gathered = network.comm.gather((local, synapses, inputs))
    if gathered is None:
        return None

    arrays = {}
    neurons = {key: np.concatenate([g[0][key] for g in gathered]) for key in local}
    order = np.argsort(neurons["id"], kind="stable")
    arrays["neuron_id"] = neurons["id"][order].astype(np.int64)
    all_ids = np.concatenate([node_ids(network.nodes[name]) for name in populations])
    all_pops = np.concatenate([np.full(len(network.nodes[name]), k) for k, name in enumerate(populations)])
    by_id = np.argsort(all_ids)
    rows = by_id[np.searchsorted(all_ids, arrays["neuron_id"], sorter=by_id)]
    arrays["neuron_population"] = all_pops[rows].astype(np.int16)
    arrays["neuron_Ca"] = neurons["Ca"][order]
    arrays["neuron_V_m"] = neurons["V_m"][order]
    for key in params:
        arrays[f"neuron_param_{key}"] = neurons[f"param_{key}"][order]
    for key in ELEMENT_KEYS:
        arrays[f"element_{key}"] = neurons[f"element_{key}"].reshape(-1, len(elements))[order]
    arrays["element_growth_curve"] = neurons["element_growth_curve"].reshape(-1, len(elements))[order]

    syn = {key: np.concatenate([g[1][key] for g in gathered]) for key in synapses}
    order = np.lexsort((syn["delay"], syn["weight"], syn["target"], syn["source"], syn["model"]))
    arrays["synapse_source"] = syn["source"][order].astype(np.int64)
    arrays["synapse_target"] = syn["target"][order].astype(np.int64)
    arrays["synapse_model"] = syn["model"][order].astype(np.int16)
    arrays["synapse_weight"] = syn["weight"][order]
    arrays["synapse_delay"] = syn["delay"][order]

    inp = {key: np.concatenate([g[2][key] for g in gathered]) for key in inputs}
    order = np.argsort(inp["target"], kind="stable")
    arrays["input_target"] = inp["target"][order].astype(np.int64)
    arrays["input_weight"] = inp["weight"][order]
    arrays["input_delay"] = inp["delay"][order]

    spec = network.input_spec()
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": f"{type(network).__module__}.{type(network).__qualname__}",
        "parameters": network.parameters(),
        "rng_seed": network.rng_seed,
        "time_ms": network.now_ms(),
        "populations": [
            {
                "name": name,
                "size": specs[name].size,
                "model": specs[name].model,
                "elements": sorted(specs[name].elements),
                "params": specs[name].params,
            }
            for name in populations
        ],
        "element_names": elements,
        "neuron_params": params,
        "synapse_models": synapse_models,
        "plastic_synapses": {
            model: {
                "pre_element": syn.pre_element,
                "post_element": syn.post_element,
                "weight": syn.weight,
                "delay": syn.delay,
                "allow_autapses": bool(syn.allow_autapses),
                "base_model": syn.base_model,
            }
            for model, syn in network.plastic_synapses().items()
        },
        "static_pathways": [
            {"name": p.name, "source": p.source, "target": p.target, "base_model": p.base_model}
            for p in network.static_pathways()
        ],
        "input": None if spec is None else {"rate": spec.rate, "weight": spec.weight, "delay": spec.delay},
        "versions": {
            "structural_plasticity": __version__,
            "nest": nest.__version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "n_processes": network.comm.size,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sha256": _digest(arrays),
    }
    arrays["meta"] = np.array(json.dumps(_jsonable(meta), sort_keys=True))
    return arrays


def save_network(network, path):
    """Write the state of `network` to the NPZ file `path` (rank 0 writes; every rank must call this).

    The file is written to a temporary name and renamed, so an interrupted save leaves no half file.

    Parameters
    ----------
    network : PlasticNetwork
        A built network.
    path : str or path-like
        File to write (``.npz`` is the usual suffix; the name is kept as given).

    Returns
    -------
    pathlib.Path or None
        The file written (rank 0), None on other ranks.
    """
    path = Path(path)
    arrays = gather_network(network)
    if arrays is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with _atomic(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def check_output_file(path, overwrite=False):
    """Refuse a file `path` that `save_network` could not write, or would overwrite without `overwrite`.

    For the command line (``--save-network``), before anything is simulated.

    Raises
    ------
    ConfigurationError
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigurationError(f"network file {path} is a folder; give a file name such as {path / 'network.npz'}")
    if path.exists() and not overwrite:
        raise ConfigurationError(f"network file {path} exists; choose another name, or pass --overwrite to replace it")
    parent = path.parent if str(path.parent) else Path(".")
    existing = next((p for p in (parent, *parent.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise ConfigurationError(
            f"cannot write network file {path} (no writable folder {existing}); choose another path"
        )


def _local_neurons(network, elements, params):
    """Return the per-neuron arrays of this rank's neurons (flattened ``(n, elements)`` for element keys)."""
    local = _local_neurons_collection(network)
    n = len(local)
    status = _statuses(local, ["global_id", "Ca", "V_m", "synaptic_elements", *params]) if n else []
    out = {"id": np.array([s["global_id"] for s in status], dtype=np.int64)}
    out["Ca"] = np.array([s["Ca"] for s in status], dtype=float)
    out["V_m"] = np.array([s["V_m"] for s in status], dtype=float)
    for key in params:
        out[f"param_{key}"] = np.array([_number(s.get(key)) for s in status], dtype=float)
    for key in ELEMENT_KEYS:
        out[f"element_{key}"] = np.array(
            [_number((s["synaptic_elements"] or {}).get(e, {}).get(key)) for s in status for e in elements], dtype=float
        )
    out["element_growth_curve"] = np.array(
        [str((s["synaptic_elements"] or {}).get(e, {}).get("growth_curve", "")) for s in status for e in elements],
        dtype="U16",
    )
    return out


def node_ids(nodes):
    """Return the node ids of a NodeCollection as an int64 array, fast for contiguous ones.

    ``NodeCollection.tolist`` costs about 50 µs per node (0.4 s for 8000); a contiguous collection is
    read from its first and last node.
    """
    if not len(nodes):
        return np.empty(0, np.int64)
    first, last = nodes[0].tolist()[0], nodes[len(nodes) - 1].tolist()[0]
    if last - first + 1 == len(nodes):
        return np.arange(first, last + 1, dtype=np.int64)
    return np.asarray(nodes.tolist(), dtype=np.int64)


def _local_neurons_collection(network):
    """Return the neurons of every population that live on this rank (all of them on one process)."""
    everyone = None
    for nodes in network.nodes.values():
        everyone = nodes if everyone is None else everyone + nodes
    # GetLocalNodeCollection costs about 60 µs per node; with one process every node is local.
    return everyone if network.comm.size == 1 else local_nodes(everyone)


def _statuses(local, keys):
    """Return one dict per node of `local` with `keys` (NEST returns a dict of tuples, or of scalars for one node).

    One ``get()`` of all parameters: asking for several keys costs one status read per key (measured 8 s
    for 4 keys of 10 000 neurons), asking for all costs one (0.5 s).
    """
    everything = local.get()
    n = len(local)
    # A key only some models have (a mixed collection) is absent from the answer: None for every node.
    values = {k: everything.get(k, None if n == 1 else (None,) * n) for k in keys}
    if n == 1:
        return [{k: values[k] for k in keys}]
    return [{k: values[k][i] for k in keys} for i in range(n)]


def _number(value):
    """Return `value` as float (bools as 0/1), NaN when absent or not a number."""
    if value is None or isinstance(value, (str, dict, list, tuple)):
        return math.nan
    return float(value)


def _local_synapses(nest, models):
    """Return source, target, model index, weight and delay of this rank's synapses of `models`."""
    columns = {"source": [], "target": [], "model": [], "weight": [], "delay": []}
    for index, model in enumerate(models):
        conns = nest.GetConnections(synapse_model=model)
        if not len(conns):
            continue
        values = conns.get(["source", "target", "weight", "delay"])
        for key in ("source", "target", "weight", "delay"):
            columns[key].extend(np.atleast_1d(values[key]).tolist())
        columns["model"].extend([index] * len(conns))
    return {
        "source": np.asarray(columns["source"], dtype=np.int64),
        "target": np.asarray(columns["target"], dtype=np.int64),
        "model": np.asarray(columns["model"], dtype=np.int64),
        "weight": np.asarray(columns["weight"], dtype=float),
        "delay": np.asarray(columns["delay"], dtype=float),
    }


def _local_input(nest, noise):
    """Return target, weight and delay of this rank's connections from the input generator."""
    empty = {"target": np.empty(0, np.int64), "weight": np.empty(0), "delay": np.empty(0)}
    if noise is None:
        return empty
    conns = nest.GetConnections(source=noise)
    if not len(conns):
        return empty
    values = conns.get(["target", "weight", "delay"])
    return {
        "target": np.atleast_1d(np.asarray(values["target"], dtype=np.int64)),
        "weight": np.atleast_1d(np.asarray(values["weight"], dtype=float)),
        "delay": np.atleast_1d(np.asarray(values["delay"], dtype=float)),
    }


def _digest(arrays):
    """Return the SHA-256 of every array (name, dtype, shape and bytes) except ``meta``, in name order."""
    sha = hashlib.sha256()
    for name in sorted(arrays):
        if name == "meta":
            continue
        a = np.ascontiguousarray(arrays[name])
        sha.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        sha.update(a.tobytes())
    return sha.hexdigest()


# =====================================================================================================
# Loading and checking
# =====================================================================================================
class NetworkFile:
    """A saved network, read and checked (numpy only, nothing unpickled).

    Attributes
    ----------
    path : pathlib.Path
    meta : dict
        The JSON metadata (``format``, ``format_version``, ``populations``, ``element_names``,
        ``synapse_models``, ``plastic_synapses``, ``static_pathways``, ``input``, ``time_ms``,
        ``parameters``, ``rng_seed``, ``versions``, ``n_processes``, ``saved_at``, ``sha256``).
    arrays : dict of str to numpy.ndarray
        Every array of the file except ``meta``.
    """

    def __init__(self, path, meta, arrays):
        self.path = Path(path)
        self.meta = meta
        self.arrays = arrays

    @property
    def time_ms(self):
        """float: the simulated time at which the network was saved (ms)."""
        return float(self.meta["time_ms"])

    @property
    def n_neurons(self):
        """int: number of neurons."""
        return len(self.arrays["neuron_id"])

    @property
    def n_synapses(self):
        """int: number of synapses, plastic and static."""
        return len(self.arrays["synapse_source"])

    def population_ids(self, name):
        """Return the node ids of population `name` (sorted)."""
        index = [p["name"] for p in self.meta["populations"]].index(name)
        return self.arrays["neuron_id"][self.arrays["neuron_population"] == index]

    def synapses(self, model):
        """Return ``(source, target, weight, delay)`` arrays of the synapses of `model`."""
        a = self.arrays
        mask = a["synapse_model"] == self.meta["synapse_models"].index(model)
        return a["synapse_source"][mask], a["synapse_target"][mask], a["synapse_weight"][mask], a["synapse_delay"][mask]


def load_network(path):
    """Read and check a network file written by `save_network`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    NetworkFile

    Raises
    ------
    ConfigurationError
        One line naming the problem: missing, unreadable or truncated file, another format or version,
        arrays that do not fit together, or contents that do not match their checksum.
    """
    path = Path(path)
    hint = "give a file written by save_network (--save-network)"
    if not path.is_file():
        raise ConfigurationError(f"network file {path} does not exist; {hint}")
    try:
        raw = path.read_bytes()
        with np.load(io.BytesIO(raw), allow_pickle=False) as data:
            files = list(data.files)
            if "meta" not in files:
                raise ConfigurationError(f"{path} is not a network file of structural_plasticity (no 'meta'); {hint}")
            arrays = {name: data[name] for name in files}
    except ConfigurationError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigurationError(f"{path} is not a readable network file ({message}); {hint}") from exc
    meta = _read_meta(path, arrays.pop("meta"), hint)
    _check_arrays(path, meta, arrays)
    return NetworkFile(path, meta, arrays)


def _read_meta(path, meta, hint):
    if meta.dtype.kind != "U" or meta.shape != ():
        raise ConfigurationError(f"{path} is not a network file of structural_plasticity ('meta' is not text); {hint}")
    try:
        meta = json.loads(str(meta))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path} has damaged metadata ({exc}); {hint}") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ConfigurationError(f"{path} is not a network file of structural_plasticity (format {found!r}); {hint}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ConfigurationError(
            f"{path} has network format version {meta.get('format_version')!r}, this version of structural_plasticity "
            f"({__version__}) reads version {FORMAT_VERSION}; save the network again with a matching version"
        )
    needed = ("populations", "element_names", "neuron_params", "synapse_models", "plastic_synapses", "static_pathways")
    missing = [key for key in (*needed, "time_ms", "sha256") if key not in meta]
    if missing:
        raise ConfigurationError(f"{path} has incomplete metadata (missing {', '.join(missing)}); {hint}")
    return meta


def _check_arrays(path, meta, arrays):
    """Raise `ConfigurationError` unless the arrays are complete, consistent and match their checksum."""

    def bad(what):
        return ConfigurationError(f"{path} is damaged or was edited: {what}; save the network again")

    required = dict(REQUIRED_ARRAYS)
    required.update({f"neuron_param_{key}": "f" for key in meta["neuron_params"]})
    for name, kind in required.items():
        if name not in arrays:
            raise bad(f"array {name!r} is missing")
        if arrays[name].dtype.kind not in (kind, "u" if kind == "i" else kind):
            raise bad(f"array {name!r} has dtype {arrays[name].dtype}")
    if _digest(arrays) != meta["sha256"]:
        raise bad("its arrays do not match the checksum in its metadata")
    ids = arrays["neuron_id"]
    n, n_elements = len(ids), len(meta["element_names"])
    sizes = [int(p["size"]) for p in meta["populations"]]
    if n != sum(sizes) or np.any(np.diff(ids) <= 0):
        raise bad("neuron ids are not sorted, unique and as many as the populations' sizes")
    for name in ("neuron_population", "neuron_Ca", "neuron_V_m", *(f"neuron_param_{k}" for k in meta["neuron_params"])):
        if arrays[name].shape != (n,):
            raise bad(f"array {name!r} has shape {arrays[name].shape}, expected ({n},)")
    for name in (*(f"element_{key}" for key in ELEMENT_KEYS), "element_growth_curve"):
        if arrays[name].shape != (n, n_elements):
            raise bad(f"array {name!r} has shape {arrays[name].shape}, expected ({n}, {n_elements})")
    counts = np.bincount(arrays["neuron_population"], minlength=len(sizes)) if n else np.zeros(len(sizes))
    if len(counts) != len(sizes) or list(counts) != sizes:
        raise bad("neurons per population do not match the populations' sizes")
    m = len(arrays["synapse_source"])
    for name in ("synapse_target", "synapse_model", "synapse_weight", "synapse_delay"):
        if arrays[name].shape != (m,):
            raise bad(f"array {name!r} has shape {arrays[name].shape}, expected ({m},)")
    if m and (arrays["synapse_model"].min() < 0 or arrays["synapse_model"].max() >= len(meta["synapse_models"])):
        raise bad("a synapse names a synapse model the file does not list")
    if m and not (np.isin(arrays["synapse_source"], ids).all() and np.isin(arrays["synapse_target"], ids).all()):
        raise bad("a synapse connects a neuron the file does not hold")
    finite = ("neuron_Ca", "neuron_V_m", "synapse_weight", "synapse_delay", "input_weight", "input_delay")
    for name in finite:
        if not np.all(np.isfinite(arrays[name])):
            raise bad(f"array {name!r} holds NaN or infinite values")  # NEST crashes on them
    if np.any(arrays["synapse_delay"] <= 0) or np.any(arrays["input_delay"] <= 0):
        raise bad("a delay is not positive")
    z = arrays["element_z"]
    has = arrays["element_growth_curve"] != ""
    if np.any(~np.isfinite(z[has])) or np.any(z[has] < 0):
        raise bad("a number of synaptic elements z is negative, NaN or infinite")
    if not np.array_equal(_connected_elements(meta, arrays, n), np.where(has, arrays["element_z_connected"], 0)):
        raise bad("the connected elements z_connected do not match the synapses")


def _connected_elements(meta, arrays, n):
    """Return the ``(neurons, elements)`` counts of elements bound in the file's plastic synapses."""
    ids = arrays["neuron_id"]
    elements = meta["element_names"]
    counts = np.zeros((n, len(elements)))
    for index, model in enumerate(meta["synapse_models"]):
        syn = meta["plastic_synapses"].get(model)
        if syn is None:
            continue
        mask = arrays["synapse_model"] == index
        for end, element in (("synapse_source", syn["pre_element"]), ("synapse_target", syn["post_element"])):
            if element not in elements:
                raise ConfigurationError(f"the network file names element {element!r} that no population has")
            rows = np.searchsorted(ids, arrays[end][mask])
            np.add.at(counts[:, elements.index(element)], rows, 1)
    return counts


def check_matches(saved, network):
    """Raise `ConfigurationError` (one line naming the first difference) unless `saved` fits `network`'s structure.

    Populations (names, order, sizes, neuron models, element names), plastic synapse models (names and
    element pairs) and static pathways must match. Neuron parameters, growth curves, weights and input
    come from `network`'s parameters and may differ (that is branching with changed parameters); the
    differences are listed by `changed_parameters`.
    """
    where = f"the network in {saved.path} does not fit {type(network).__name__}"
    specs = network.population_specs()
    saved_pops = saved.meta["populations"]
    names = [p["name"] for p in saved_pops]
    if names != list(specs):
        raise ConfigurationError(f"{where}: populations {names} in the file, {list(specs)} in the model")
    for p in saved_pops:
        spec = specs[p["name"]]
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
    plastic = network.plastic_synapses()
    saved_plastic = saved.meta["plastic_synapses"]
    if sorted(saved_plastic) != sorted(plastic):
        raise ConfigurationError(
            f"{where}: plastic synapse models {sorted(saved_plastic)} in the file, {sorted(plastic)} in the model"
        )
    for model, syn in plastic.items():
        pair = (saved_plastic[model]["pre_element"], saved_plastic[model]["post_element"])
        if pair != (syn.pre_element, syn.post_element):
            raise ConfigurationError(
                f"{where}: {model} binds {pair[0]}->{pair[1]} in the file, {syn.pre_element}->{syn.post_element} "
                "in the model"
            )
    static = [(p["name"], p["source"], p["target"]) for p in saved.meta["static_pathways"]]
    wanted = [(p.name, p.source, p.target) for p in network.static_pathways()]
    if static != wanted:
        raise ConfigurationError(f"{where}: static pathways {static} in the file, {wanted} in the model")


def changed_parameters(saved, network):
    """Return the names of `network`'s parameters whose values differ from those the network was saved with."""
    old = saved.meta.get("parameters", {})
    new = _jsonable(network.parameters())
    ignore = {"initial_network", "t_sim", "save_network_path", "save_network_at"}
    return sorted(k for k in new if k not in ignore and k in old and old[k] != new[k])


def check_models_exist(saved, nest):
    """Raise `ConfigurationError` if a neuron or synapse model of `saved` does not exist in this NEST."""
    for p in saved.meta["populations"]:
        if p["model"] not in nest.node_models:
            raise ConfigurationError(
                f"the network in {saved.path} uses neuron model {p['model']!r}, which this NEST "
                f"({nest.__version__}) does not have; install the module that provides it"
            )
    bases = [s["base_model"] for s in saved.meta["plastic_synapses"].values()]
    bases += [p["base_model"] for p in saved.meta["static_pathways"]]
    for base in bases:
        if base not in nest.synapse_models:
            raise ConfigurationError(
                f"the network in {saved.path} uses synapse model {base!r}, which this NEST "
                f"({nest.__version__}) does not have; install the module that provides it"
            )


# =====================================================================================================
# Restoring
# =====================================================================================================
def restore_network(network, saved):
    """Rebuild the synapses and the neuron state of `saved` in `network` (after `create_nodes`).

    Static synapses are connected with array-style ``Connect`` (fast, no element bookkeeping); plastic
    synapses are connected with their pre- and post-synaptic element names, so that NEST counts them in
    ``z_connected``. NodeCollections must be sorted and unique, so the plastic synapses of a model are
    split into chains whose sources and targets both increase (`increasing_chains`), one ``Connect`` per
    chain. Then every local neuron gets its saved ``Ca``, ``V_m`` and number of elements ``z``. Must run
    on every rank with the same file (each rank keeps the synapses onto its own neurons).

    Parameters
    ----------
    network : PlasticNetwork
        Prepared and with nodes created (`prepare_simulation`, `create_nodes`), nothing connected.
    saved : NetworkFile

    Returns
    -------
    dict
        What was restored, for the results' metadata.
    """
    nest = import_nest()
    for name, nodes in network.nodes.items():
        if not np.array_equal(node_ids(nodes), saved.population_ids(name)):
            raise ConfigurationError(
                f"the neurons of population {name!r} got other node ids than in {saved.path}; restore into a "
                "network that creates nothing before its populations"
            )
    for pathway in network.static_pathways():
        source, target, weight, delay = saved.synapses(pathway.name)
        if len(source):
            nest.Connect(
                source, target, "one_to_one", {"synapse_model": pathway.name, "weight": weight, "delay": delay}
            )
        network.static_connections[pathway.name] = len(source)
    if network.static_connections:
        network.results.metadata["static_connections"] = dict(network.static_connections)
    n_calls = 0
    for model, syn in network.plastic_synapses().items():
        source, target, weight, delay = saved.synapses(model)
        for chain in increasing_chains(source, target):
            nest.Connect(
                nest.NodeCollection(source[chain].tolist()),
                nest.NodeCollection(target[chain].tolist()),
                "one_to_one",
                {
                    "synapse_model": model,
                    "pre_synaptic_element": syn.pre_element,
                    "post_synaptic_element": syn.post_element,
                    "weight": weight[chain],
                    "delay": delay[chain],
                },
            )
            n_calls += 1
    _set_neuron_state(network, saved)
    return {"connect_calls": n_calls}


def increasing_chains(source, target):
    """Split pairs into the fewest chains in which sources and targets both strictly increase.

    Every chain can be passed to ``nest.Connect`` as two sorted, unique NodeCollections with the
    ``one_to_one`` rule; repeated pairs (multapses) land in different chains. Greedy best fit in
    O(n log n): pairs are taken by source, same-source pairs by falling target, and each joins the chain
    whose last target is the largest one below its own (that keeps the chain ends sorted). The number of
    chains is the longest run of pairs with non-increasing targets (Dilworth), about 2 sqrt(n) for
    random pairs.

    Parameters
    ----------
    source, target : numpy.ndarray of int

    Returns
    -------
    list of numpy.ndarray
        Indices into `source` and `target`, one array per chain, each in increasing order of both.
    """
    order = np.lexsort((-np.asarray(target), np.asarray(source)))
    tails, chains = [], []
    for index in order.tolist():
        t = int(target[index])
        k = bisect_left(tails, t) - 1  # the chain with the largest last target below t
        if k < 0:
            tails.insert(0, t)
            chains.insert(0, [index])
        else:
            tails[k] = t
            chains[k].append(index)
    return [np.asarray(chain, dtype=np.int64) for chain in chains]


def _set_neuron_state(network, saved):
    """Give every local neuron its saved Ca, V_m and number of synaptic elements z."""
    local = _local_neurons_collection(network)
    if not len(local):
        return
    if network.comm.size == 1:
        ids = np.concatenate([node_ids(nodes) for nodes in network.nodes.values()])
    else:
        ids = np.atleast_1d(np.asarray(local.get("global_id"), dtype=np.int64))
    rows = np.searchsorted(saved.arrays["neuron_id"], ids)
    a = saved.arrays
    elements = saved.meta["element_names"]
    has = a["element_growth_curve"][rows] != ""
    z = a["element_z"][rows]
    status = []
    for k, row in enumerate(rows):
        entry = {"Ca": float(a["neuron_Ca"][row]), "V_m": float(a["neuron_V_m"][row])}
        grown = {e: {"z": float(z[k, j])} for j, e in enumerate(elements) if has[k, j]}
        if grown:
            entry["synaptic_elements_param"] = grown
        status.append(entry)
    local.set(status)


def restore_input_weights(network, saved):
    """Give each input connection its saved weight (e.g. after a lesion) when the input is the saved one.

    Only when `network`'s input (rate, weight, delay) equals the saved input: a changed input is a
    branch with other parameters, and the configuration's input then applies to every neuron.

    Returns
    -------
    bool
        Whether the saved weights were applied.
    """
    nest = import_nest()
    spec = network.input_spec()
    saved_input = saved.meta.get("input")
    if network.noise is None or spec is None or saved_input is None:
        return False
    if [spec.rate, spec.weight, spec.delay] != [saved_input["rate"], saved_input["weight"], saved_input["delay"]]:
        return False
    conns = nest.GetConnections(source=network.noise)
    if len(conns) and len(saved.arrays["input_target"]):
        targets = np.atleast_1d(np.asarray(conns.get("target")))
        rows = np.searchsorted(saved.arrays["input_target"], targets)
        rows = np.clip(rows, 0, len(saved.arrays["input_target"]) - 1)
        found = saved.arrays["input_target"][rows] == targets
        weights = np.where(found, saved.arrays["input_weight"][rows], spec.weight)
        if np.any(weights != spec.weight):
            conns.set(weight=weights.tolist())
    return True
