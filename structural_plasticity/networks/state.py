"""Save a grown network to one NPZ file and rebuild it in NEST: grow once, branch many.

Growing NEST's example from no synapses to its set point takes about 150 s of simulated time (minutes of
wall time); experiments that start from a grown network (lesion, stimulation, ...) can instead start
from a file. `save_network` writes the complete state a continuation needs, gathered from every MPI
rank; `load_network` reads it back with numpy alone (``allow_pickle=False``) and checks it;
the restore functions (`check_node_ids`, `connect_static`, `connect_counted`, `set_neuron_state`,
`set_elements`, `restore_input_weights`) rebuild it in a freshly prepared kernel, so that NEST's
bookkeeping of connected synaptic elements (``z_connected``) is right when NEST does the structural
update (`updates.NestUpdate`). The layout is documented in docs/network-state.md and in
`NetworkFile`.

The file format is this module's business alone: the builder (`PlasticNetwork`) hands it the nodes and
structure to save or restore into, and gets back a `NetworkFile` (what a file holds, with `layout`,
`changed_parameters` and `summary` for the checks and the results' metadata) or what a restore did;
this module never sets a field of the network.

What cannot be restored (NEST gives no way to set it): the state of NEST's random streams, synaptic
currents and spikes in flight, and NEST's clock (`biological_time` restarts at 0; the package adds the
saved time as an offset to every recorded time).
"""

import dataclasses
import hashlib
import io
import json
import math
import os
import time
import zipfile
from bisect import bisect_left
from pathlib import Path

import numpy as np

from ..engine import import_nest, local_nodes
from ..errors import ConfigurationError
from ..files import atomic_write as _atomic
from ..files import jsonable as _jsonable
from ..provenance import versions
from ..version import __version__
from . import checks

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
    structure = network.structure
    specs = structure.populations
    populations = list(specs)
    elements = structure.element_names
    params = sorted({p for pop in specs.values() for p in pop.params})
    synapse_models = [*structure.synapses, *(p.name for p in structure.pathways)]

    local = _local_neurons(_local_neurons_collection(network.nodes, network.comm.size), params, network.updater)
    synapses = _local_synapses(nest, synapse_models, network.updater)
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
    if network.positions:  # optional arrays: a network on a sheet (NaN for neurons without a place)
        xy = np.full((len(arrays["neuron_id"]), 2), np.nan)
        for k, name in enumerate(populations):
            if name in network.positions:
                xy[arrays["neuron_population"] == k] = network.positions[name]
        arrays["neuron_x"], arrays["neuron_y"] = xy[:, 0], xy[:, 1]

    spec = structure.input
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
            for model, syn in structure.synapses.items()
        },
        "static_pathways": [
            {"name": p.name, "source": p.source, "target": p.target, "base_model": p.base_model}
            for p in structure.pathways
        ],
        "input": None if spec is None else {"rate": spec.rate, "weight": spec.weight, "delay": spec.delay},
        "versions": versions(nest),
        "n_processes": network.comm.size,
        "sheet": None if structure.sheet is None else dataclasses.asdict(structure.sheet),
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


def _local_neurons(local, params, updater):
    """Return the per-neuron arrays of the neurons `local` (flattened ``(n, elements)`` for element keys).

    The elements come from the structural update (`updates`): NEST's status, or the package's own state.
    """
    n = len(local)
    status = _statuses(local, ["global_id", "Ca", "V_m", "synaptic_elements", *params]) if n else []
    out = {"id": np.array([s["global_id"] for s in status], dtype=np.int64)}
    out["Ca"] = np.array([s["Ca"] for s in status], dtype=float)
    out["V_m"] = np.array([s["V_m"] for s in status], dtype=float)
    for key in params:
        out[f"param_{key}"] = np.array([number_or_nan(s.get(key)) for s in status], dtype=float)
    table = updater.element_table(local, [s["synaptic_elements"] for s in status])
    for key in ELEMENT_KEYS:
        out[f"element_{key}"] = table[key].reshape(-1)
    out["element_growth_curve"] = table["growth_curve"].reshape(-1)
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


def _local_neurons_collection(nodes, n_processes):
    """Return the neurons of every population (``{name: NodeCollection}``) that live on this rank."""
    everyone = None
    for collection in nodes.values():
        everyone = collection if everyone is None else everyone + collection
    # GetLocalNodeCollection costs about 60 µs per node; with one process every node is local.
    return everyone if n_processes == 1 else local_nodes(everyone)


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


def number_or_nan(value):
    """Return `value` as float (bools as 0/1), NaN when absent or not a number."""
    if value is None or isinstance(value, (str, dict, list, tuple)):
        return math.nan
    return float(value)


def _local_synapses(nest, models, updater):
    """Return source, target, model index, weight and delay of this rank's synapses of `models`.

    The plastic synapses of the package's structural update come from its own lists (NEST may hold silenced
    ones under MPI), with their model's weight and delay; every other synapse from NEST.
    """
    columns = {"source": [], "target": [], "model": [], "weight": [], "delay": []}
    plastic = updater.network.structure.synapses if updater.name == "package" else {}
    for index, model in enumerate(models):
        if model in plastic:
            source, target = updater.local_pairs(model)
            columns["source"].extend(source.tolist())
            columns["target"].extend(target.tolist())
            columns["weight"].extend([float(plastic[model].weight)] * len(source))
            columns["delay"].extend([float(plastic[model].delay)] * len(source))
            columns["model"].extend([index] * len(source))
            continue
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

    def positions(self):
        """Return the saved positions (µm) of every placed population, ``{name: (size, 2) array}``; {} for none."""
        if "neuron_x" not in self.arrays:
            return {}
        xy = np.column_stack([self.arrays["neuron_x"], self.arrays["neuron_y"]])
        placed = {}
        for k, pop in enumerate(self.meta["populations"]):
            rows = self.arrays["neuron_population"] == k
            if rows.any() and np.all(np.isfinite(xy[rows])):
                placed[pop["name"]] = xy[rows]
        return placed

    def population_ids(self, name):
        """Return the node ids of population `name` (sorted)."""
        index = [p["name"] for p in self.meta["populations"]].index(name)
        return self.arrays["neuron_id"][self.arrays["neuron_population"] == index]

    def synapses(self, model):
        """Return ``(source, target, weight, delay)`` arrays of the synapses of `model`."""
        a = self.arrays
        mask = a["synapse_model"] == self.meta["synapse_models"].index(model)
        return a["synapse_source"][mask], a["synapse_target"][mask], a["synapse_weight"][mask], a["synapse_delay"][mask]

    def layout(self):
        """Return what `checks.saved_network_fits` compares: populations, plastic element pairs, static pathways."""
        return {
            "populations": self.meta["populations"],
            "plastic": {m: (s["pre_element"], s["post_element"]) for m, s in self.meta["plastic_synapses"].items()},
            "static": [(p["name"], p["source"], p["target"]) for p in self.meta["static_pathways"]],
        }

    def neuron_models(self):
        """Return ``{population: neuron model}`` of the saved network."""
        return {p["name"]: p["model"] for p in self.meta["populations"]}

    def synapse_base_models(self):
        """Return the NEST synapse models the saved network's own models were copied from."""
        bases = [s["base_model"] for s in self.meta["plastic_synapses"].values()]
        return bases + [p["base_model"] for p in self.meta["static_pathways"]]

    def changed_parameters(self, parameters):
        """Return the names of `parameters` whose values differ from those the network was saved with.

        Parameters
        ----------
        parameters : dict
            The parameters of the network restoring the file (``network.parameters()``).
        """
        old = self.meta.get("parameters", {})
        new = _jsonable(parameters)
        ignore = {"initial_network", "t_sim", "save_network_path", "save_network_at"}
        return sorted(k for k in new if k not in ignore and k in old and old[k] != new[k])

    def summary(self):
        """Return what a run started from this file keeps in ``metadata["initial_network"]``."""
        return {
            "path": str(self.path),
            "time_ms": self.time_ms,
            "sha256": self.meta["sha256"],
            "saved_model": self.meta.get("model"),
            "saved_with": self.meta.get("versions"),
            "n_neurons": self.n_neurons,
            "n_synapses": self.n_synapses,
        }


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
    if ("neuron_x" in arrays) != ("neuron_y" in arrays):
        raise bad("it has one of the position arrays neuron_x and neuron_y without the other")
    positioned = [name for name in ("neuron_x", "neuron_y") if name in arrays]
    for name in positioned:
        if arrays[name].dtype.kind != "f" or np.any(np.isinf(arrays[name])):
            raise bad(f"array {name!r} is not a float array of finite positions (NaN for neurons without one)")
    for name in (
        "neuron_population",
        "neuron_Ca",
        "neuron_V_m",
        *positioned,
        *(f"neuron_param_{k}" for k in meta["neuron_params"]),
    ):
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


def check_models_exist(saved, nest):
    """Raise `ConfigurationError` if a neuron or synapse model of `saved` does not exist in this NEST."""
    checks.models_exist(nest, saved.neuron_models(), saved.synapse_base_models(), source=saved.path)


# =====================================================================================================
# Restoring
# =====================================================================================================
def check_node_ids(saved, nodes):
    """Raise `ConfigurationError` unless the freshly created `nodes` have the node ids of the saved populations."""
    for name, collection in nodes.items():
        if not np.array_equal(node_ids(collection), saved.population_ids(name)):
            raise ConfigurationError(
                f"the neurons of population {name!r} got other node ids than in {saved.path}; restore into a "
                "network that creates nothing before its populations"
            )


def connect_static(saved, structure):
    """Connect the saved synapses of every static pathway of `structure` (array-style ``Connect``).

    Must run on every rank with the same file (each rank keeps the synapses onto its own neurons).

    Returns
    -------
    dict
        ``{pathway name: synapses in the file}``.
    """
    nest = import_nest()
    static = {}
    for pathway in structure.pathways:
        source, target, weight, delay = saved.synapses(pathway.name)
        if len(source):
            nest.Connect(
                source, target, "one_to_one", {"synapse_model": pathway.name, "weight": weight, "delay": delay}
            )
        static[pathway.name] = len(source)
    return static


def connect_counted(saved, structure):
    """Connect the saved plastic synapses with their element names, so that NEST counts them in ``z_connected``.

    NodeCollections must be sorted and unique, so the plastic synapses of a model are split into chains
    whose sources and targets both increase (`increasing_chains`), one ``Connect`` per chain.

    Returns
    -------
    int
        The number of ``nest.Connect`` calls.
    """
    nest = import_nest()
    n_calls = 0
    for model, syn in structure.synapses.items():
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
    return n_calls


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


def set_neuron_state(saved, nodes, n_processes):
    """Give every local neuron of `nodes` its saved Ca and V_m."""
    local, rows = _local_rows(saved, nodes, n_processes)
    a = saved.arrays
    if len(local):
        local.set([{"Ca": float(a["neuron_Ca"][row]), "V_m": float(a["neuron_V_m"][row])} for row in rows])


def set_elements(saved, nodes, n_processes):
    """Give every local neuron of `nodes` its saved number of synaptic elements z (NEST's own elements)."""
    local, rows = _local_rows(saved, nodes, n_processes)
    if not len(local):
        return
    a = saved.arrays
    elements = saved.meta["element_names"]
    has = a["element_growth_curve"][rows] != ""
    z = a["element_z"][rows]
    status = [
        {"synaptic_elements_param": {e: {"z": float(z[k, j])} for j, e in enumerate(elements) if has[k, j]}}
        for k in range(len(rows))
    ]
    if any(entry["synaptic_elements_param"] for entry in status):
        local.set(status)


def _local_rows(saved, nodes, n_processes):
    """Return the local neurons of `nodes` and the row of each in the file's neuron arrays."""
    local = _local_neurons_collection(nodes, n_processes)
    if not len(local):
        return local, np.empty(0, np.int64)
    if n_processes == 1:
        ids = np.concatenate([node_ids(collection) for collection in nodes.values()])
    else:
        ids = np.atleast_1d(np.asarray(local.get("global_id"), dtype=np.int64))
    return local, np.searchsorted(saved.arrays["neuron_id"], ids)


def restore_input_weights(saved, noise, spec):
    """Give each input connection its saved weight (e.g. after a lesion) when the input is the saved one.

    Only when the input `spec` (rate, weight, delay) equals the saved input: a changed input is a
    branch with other parameters, and the configuration's input then applies to every neuron.

    Parameters
    ----------
    saved : NetworkFile
    noise : nest.NodeCollection or None
        The input generator, connected.
    spec : specs.Input or None
        The input of the network restored into.

    Returns
    -------
    bool
        Whether the saved weights were applied.
    """
    nest = import_nest()
    saved_input = saved.meta.get("input")
    if noise is None or spec is None or saved_input is None:
        return False
    if [spec.rate, spec.weight, spec.delay] != [saved_input["rate"], saved_input["weight"], saved_input["delay"]]:
        return False
    conns = nest.GetConnections(source=noise)
    if len(conns) and len(saved.arrays["input_target"]):
        targets = np.atleast_1d(np.asarray(conns.get("target")))
        rows = np.searchsorted(saved.arrays["input_target"], targets)
        rows = np.clip(rows, 0, len(saved.arrays["input_target"]) - 1)
        found = saved.arrays["input_target"][rows] == targets
        weights = np.where(found, saved.arrays["input_weight"][rows], spec.weight)
        if np.any(weights != spec.weight):
            conns.set(weight=weights.tolist())
    return True
