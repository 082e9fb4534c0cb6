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
import errno
import hashlib
import json
import math
import os
import time
from bisect import bisect_left
from pathlib import Path

import numpy as np

from .. import folder as folders
from .. import validation as check
from ..engine import import_nest, local_nodes
from ..errors import ConfigurationError
from ..files import NpzError, UnreadableFile
from ..files import atomic_write as _atomic
from ..files import jsonable as _jsonable
from ..files import npz_array, npz_headers, open_npz, open_regular
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
#: Arrays a file may hold besides the required ones: the positions (µm) of a network on a sheet.
OPTIONAL_ARRAYS = {"neuron_x": "f", "neuron_y": "f"}

#: Most synaptic elements of all neurons of a saved network together: NEST's pairing lists every vacant
#: element (8 bytes each), so 1e8 stays below a GB; Gallinaro & Rotter's full network holds about 2e7.
MAX_SAVED_ELEMENTS = 1e8

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


class NetworkSaveError(ConfigurationError):
    """A network file could not be written (full disk, no permission, ...); the message names the cause."""


def save_network(network, path):
    """Write the state of `network` to the NPZ file `path` (rank 0 writes; every rank must call this).

    The file is written to a temporary name and renamed, so an interrupted or failed save leaves no half
    file and no temporary one.

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

    Raises
    ------
    NetworkSaveError
        On every rank, if rank 0 could not write the file.
    """
    path = Path(path)
    arrays = gather_network(network)
    problem = None
    if arrays is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _atomic(path, "wb") as fh:
                np.savez(fh, **arrays)
        except OSError as exc:
            cause = exc.strerror or str(exc)
            advice = "free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else "check the path"
            problem = f"cannot write network file {path} ({cause}); {advice} or save it elsewhere with --save-network"
    problem = network.comm.bcast(problem)  # every rank stops alike
    if problem:
        raise NetworkSaveError(problem)
    return path if arrays is not None else None


def check_output_file(path, overwrite=False, output_folder=None):
    """Refuse a file `path` that `save_network` could not write, or should not: before anything is simulated.

    Refused: a path `validation.output_file_path` refuses (empty, a folder's name, too long), an existing
    folder, an existing file without `overwrite` (or one that is not a regular file), a path without a
    writable folder to create it in, and a path inside a results folder: the run's own `output_folder`
    or any folder holding another run's results or locked by a run (their files are those runs' units).

    Raises
    ------
    ConfigurationError
    """
    text = check.output_file_path("the network file", path)
    path = Path(text)
    if path.is_dir():
        raise ConfigurationError(f"network file {path} is a folder; give a file name such as {path / 'network.npz'}")
    if os.path.lexists(path):
        if not overwrite:
            raise ConfigurationError(
                f"network file {path} exists; choose another name, or pass --overwrite to replace it"
            )
        if not (path.is_symlink() or path.is_file()):
            raise ConfigurationError(f"network file {path} is not a regular file; choose another name")
    parent = path.parent if str(path.parent) else Path(".")
    existing = next((p for p in (parent, *parent.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise ConfigurationError(
            f"cannot write network file {path} (no writable folder {existing}); choose another path"
        )
    where = parent.resolve()
    if output_folder is not None and where == Path(output_folder).resolve():
        raise ConfigurationError(
            f"network file {path} is inside this run's output folder {output_folder}, whose files are the run's "
            "results: save the network next to it or elsewhere"
        )
    if parent.is_dir() and (folders.holds_results(parent) or folders.locked_by_a_writer(parent)):
        raise ConfigurationError(
            f"network file {path} is inside {parent}, the results folder of another run; save the network elsewhere"
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
    """Read and check a network file written by `save_network`: the one reader of network files.

    Nothing is trusted for having the right checksum (anyone can recompute it): what the file declares is
    checked against the limits a value given by keyword must pass, in an order that loads nothing the
    checks have not allowed:

    1. the file: a regular file (not a FIFO or device) of at most the memory this process may use;
    2. the archive's members, from their headers alone (`files.npz_headers`): numpy arrays, no objects,
       each member exactly as large as its header says;
    3. the metadata (a bounded text, JSON nested a few levels): populations with sizes, models, elements
       and parameters within the limits of `validation`, synapse models that name the file's plastic
       synapses and static pathways, the input, a saved time within NEST's clock;
    4. every array's header against the declared network: the arrays of the format and no others, their
       dtypes, a row per neuron (``(neurons, elements)`` for elements), one length for all synapse arrays,
       at most one input per neuron, and the memory the network would need (neurons and synapses);
    5. only then the arrays' data, their checksum, and their values: ids, population indices, finite
       numbers within ``±1e100``, Ca not negative, positive delays, synapses between neurons of the file,
       synaptic elements within `validation.MAX_ELEMENTS_PER_UPDATE`, connected elements that match the
       synapses.

    What depends on the network restoring the file (its structure, the resolution the delays must fit) is
    checked by `check_restorable` and `checks.saved_network_fits`.

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
        arrays that do not fit the declared network or together, values beyond the limits, or contents that
        do not match their checksum.
    """
    path = Path(path)
    hint = "give a file written by save_network (--save-network)"
    try:
        fd = open_regular(path, follow_symlinks=True)
    except FileNotFoundError:
        raise ConfigurationError(f"network file {path} does not exist; {hint}") from None
    except UnreadableFile as exc:
        raise ConfigurationError(f"network file {path} {exc.reason}; {hint}") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot read network file {path} ({exc.strerror or exc}); {hint}") from None
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        budget = check.memory_budget()
        if budget is not None and size > budget:
            raise ConfigurationError(
                f"network file {path} has {size / 1e9:.3g} GB, more than the {budget / 1e9:.3g} GB this process may "
                f"use, so it cannot be restored here; {hint}"
            )
        try:
            archive = open_npz(fh, str(path))
            with archive:
                headers = npz_headers(archive, str(path))
                if "meta" not in headers:
                    raise ConfigurationError(
                        f"{path} is not a network file of structural_plasticity (no 'meta'); {hint}"
                    )
                text = headers["meta"]
                if text.dtype.kind != "U" or text.shape != () or text.nbytes > MAX_META_BYTES:
                    raise ConfigurationError(
                        f"{path} is not a network file of structural_plasticity ('meta' is not text); {hint}"
                    )
                meta = _read_meta(path, str(npz_array(archive, text, str(path))), hint)
                _check_headers(path, meta, headers)
                arrays = {
                    name: npz_array(archive, header, str(path)) for name, header in headers.items() if name != "meta"
                }
        except NpzError as exc:
            raise ConfigurationError(f"{path} is not a readable network file ({exc.problem}); {hint}") from None
        except MemoryError:
            raise ConfigurationError(
                f"network file {path} does not fit in the memory this process may use; {hint}"
            ) from None
    _check_arrays(path, meta, arrays)
    return NetworkFile(path, meta, arrays)


#: Longest text of a network file's metadata (bytes): the parameters of any configuration fit many times.
MAX_META_BYTES = 16 << 20
#: Longest growth-curve name stored per element (characters; NEST's names have at most 8).
MAX_CURVE_CHARS = 64


def _damaged(path, what):
    return ConfigurationError(f"{path} is damaged or was edited: {what}; save the network again")


def _read_meta(path, text, hint):
    """Parse and check the metadata of a network file (see `load_network`, step 3); return it."""
    meta = check.parse_json_file(text, f"the metadata of {path}")
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

    def bad(what):
        return _damaged(path, what)

    def names(key, items):
        if (
            not isinstance(items, list)
            or not all(isinstance(x, str) and x for x in items)
            or len(set(items)) != len(items)
        ):
            raise bad(f"{key!r} is not a list of distinct names")
        return items

    elements = names("element_names", meta["element_names"])
    names("neuron_params", meta["neuron_params"])
    models = names("synapse_models", meta["synapse_models"])
    populations = meta["populations"]
    if not isinstance(populations, list) or not populations:
        raise bad("'populations' is not a list of populations")
    for pop in populations:
        if not isinstance(pop, dict) or not isinstance(pop.get("name"), str) or not pop.get("name"):
            raise bad("a population has no name")
        name = pop["name"]
        try:
            check.count(f"the size of population {name!r}", pop.get("size"))
        except ConfigurationError as exc:
            raise bad(str(exc)) from None
        if not isinstance(pop.get("model"), str) or not isinstance(pop.get("params", {}), dict):
            raise bad(f"population {name!r} has no neuron model or parameters")
        if not isinstance(pop.get("elements"), list) or not set(pop["elements"]) <= set(elements):
            raise bad(f"population {name!r} has elements the file does not list")
        check.parameter_values({f"the neuron parameters of population {name!r} in {path}": pop.get("params", {})}, {})
    if len({pop["name"] for pop in populations}) != len(populations):
        raise bad("two populations have the same name")
    plastic, static = meta["plastic_synapses"], meta["static_pathways"]
    if not isinstance(plastic, dict) or not isinstance(static, list) or not all(isinstance(p, dict) for p in static):
        raise bad("'plastic_synapses' or 'static_pathways' is not what the format holds")
    population_names = {pop["name"] for pop in populations}
    for model, syn in plastic.items():
        if (
            not isinstance(syn, dict)
            or syn.get("pre_element") not in elements
            or syn.get("post_element") not in elements
        ):
            raise bad(f"plastic synapse {model!r} binds elements the file does not list")
        if not isinstance(syn.get("base_model"), str):
            raise bad(f"plastic synapse {model!r} names no NEST synapse model")
        _number(path, f"the weight of {model!r}", syn.get("weight"))
        _time(path, f"the delay of {model!r}", syn.get("delay"))
    for pathway in static:
        if pathway.get("source") not in population_names or pathway.get("target") not in population_names:
            raise bad(f"static pathway {pathway.get('name')!r} connects populations the file does not list")
        if not isinstance(pathway.get("name"), str) or not isinstance(pathway.get("base_model"), str):
            raise bad("a static pathway has no name or NEST synapse model")
    declared = [*plastic, *(pathway["name"] for pathway in static)]
    if sorted(models) != sorted(declared):
        raise bad(f"its synapse models {models} are not its plastic synapses and static pathways {declared} (renamed?)")
    spec = meta.get("input")
    if spec is not None:
        if not isinstance(spec, dict):
            raise bad("'input' is not the input of a network")
        rate = _number(path, "the input rate", spec.get("rate"))
        if rate < 0:
            raise bad("the input rate is negative")
        check.input_rate(f"the input rate in {path}", rate)
        _number(path, "the input weight", spec.get("weight"))
        _time(path, "the input delay", spec.get("delay"))
    time_ms = meta["time_ms"]
    if isinstance(time_ms, bool) or not isinstance(time_ms, (int, float)) or not 0 <= time_ms <= check.MAX_TIME_MS:
        raise bad(
            f"its saved time {time_ms!r} is not a time from 0 to the end of NEST's clock ({check.MAX_TIME_MS:.4g} ms)"
        )
    if not isinstance(meta["sha256"], str) or len(meta["sha256"]) != 64:
        raise bad("its checksum is not a SHA-256")
    if not isinstance(meta.get("parameters", {}), dict):
        raise bad("'parameters' is not a table of parameters")
    n = sum(int(pop["size"]) for pop in populations)
    check.network_memory(n)
    return meta


def _number(path, what, value):
    """Return `value` if it is a finite number within `validation.MAX_MAGNITUDE`, else refuse the file."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) <= check.MAX_MAGNITUDE:
        raise _damaged(path, f"{what} is {value!r}, not a finite number within ±{check.MAX_MAGNITUDE:g}")
    return float(value)


def _time(path, what, value):
    value = _number(path, what, value)
    if not 0 < value <= check.MAX_TIME_MS:
        raise _damaged(path, f"{what} is {value!r} ms, not a positive time within NEST's clock")
    return value


def _check_headers(path, meta, headers):
    """Refuse arrays whose headers do not fit the declared network (see `load_network`, step 4)."""

    def bad(what):
        return _damaged(path, what)

    required = dict(REQUIRED_ARRAYS)
    required.update({f"neuron_param_{key}": "f" for key in meta["neuron_params"]})
    present = [name for name in OPTIONAL_ARRAYS if name in headers]
    if present and len(present) != len(OPTIONAL_ARRAYS):
        raise bad("it has one of the position arrays neuron_x and neuron_y without the other")
    required.update({name: OPTIONAL_ARRAYS[name] for name in present})
    extra = sorted(set(headers) - set(required) - {"meta"})
    if extra:
        raise bad(f"it holds arrays the format does not have ({', '.join(extra[:5])})")
    for name, kind in required.items():
        if name not in headers:
            raise bad(f"array {name!r} is missing")
        dtype = headers[name].dtype
        kinds = (kind, "u") if kind == "i" else (kind,)
        longest = 4 * MAX_CURVE_CHARS if kind == "U" else 8
        if dtype.kind not in kinds or dtype.itemsize > longest or dtype.byteorder == ">" or dtype.fields:
            raise bad(f"array {name!r} has dtype {dtype}")
    n = sum(int(pop["size"]) for pop in meta["populations"])
    n_elements = len(meta["element_names"])
    synapses = headers["synapse_source"].shape
    inputs = headers["input_target"].shape
    if len(synapses) != 1:
        raise bad(f"array 'synapse_source' has shape {synapses}, expected one dimension")
    if len(inputs) != 1 or inputs[0] > n:
        raise bad(f"array 'input_target' has shape {inputs}, expected at most one input per neuron ({n})")
    expected = {name: (n,) for name in required if name.startswith("neuron_")}
    expected.update({name: (n, n_elements) for name in required if name.startswith("element_")})
    expected.update({name: synapses for name in required if name.startswith("synapse_")})
    expected.update({name: inputs for name in required if name.startswith("input_")})
    for name, shape in expected.items():
        if headers[name].shape != shape:
            raise bad(f"array {name!r} has shape {headers[name].shape}, expected {shape}")
    check.network_memory(n, n_synapses=synapses[0])


def _check_arrays(path, meta, arrays):
    """Raise `ConfigurationError` unless the arrays match their checksum and hold values within the limits."""

    def bad(what):
        return _damaged(path, what)

    if _digest(arrays) != meta["sha256"]:
        raise bad("its arrays do not match the checksum in its metadata")
    ids = arrays["neuron_id"]
    n, n_populations = len(ids), len(meta["populations"])
    sizes = [int(p["size"]) for p in meta["populations"]]
    if n and (ids[0] < 1 or np.any(np.diff(ids) <= 0)):
        raise bad("neuron ids are not positive, sorted and unique")
    population = arrays["neuron_population"]
    if n and (population.min() < 0 or population.max() >= n_populations):
        raise bad("a neuron names a population the file does not list")
    if list(np.bincount(population, minlength=n_populations)) != sizes:
        raise bad("neurons per population do not match the populations' sizes")
    m = len(arrays["synapse_source"])
    if m and (arrays["synapse_model"].min() < 0 or arrays["synapse_model"].max() >= len(meta["synapse_models"])):
        raise bad("a synapse names a synapse model the file does not list")
    if m and not (np.isin(arrays["synapse_source"], ids).all() and np.isin(arrays["synapse_target"], ids).all()):
        raise bad("a synapse connects a neuron the file does not hold")
    if len(arrays["input_target"]) and not np.isin(arrays["input_target"], ids).all():
        raise bad("an input connection targets a neuron the file does not hold")
    for name in ("neuron_Ca", "neuron_V_m", "synapse_weight", "synapse_delay", "input_weight", "input_delay"):
        if not np.all(np.isfinite(arrays[name])):
            raise bad(f"array {name!r} holds NaN or infinite values")  # NEST crashes on them
        if np.any(np.abs(arrays[name]) > check.MAX_MAGNITUDE):
            raise bad(f"array {name!r} holds values beyond ±{check.MAX_MAGNITUDE:g}")
    if np.any(arrays["neuron_Ca"] < 0):
        raise bad("a neuron's Ca is negative")
    for name in OPTIONAL_ARRAYS:  # positions: finite, or NaN for a neuron without one
        if name in arrays and np.any(np.abs(arrays[name][~np.isnan(arrays[name])]) > check.MAX_MAGNITUDE):
            raise bad(f"array {name!r} holds infinite positions or positions beyond ±{check.MAX_MAGNITUDE:g} µm")
    for name in ("synapse_delay", "input_delay"):
        if np.any(arrays[name] <= 0) or np.any(arrays[name] > check.MAX_TIME_MS):
            raise bad("a delay is not positive")
    for key in meta["neuron_params"]:
        values = arrays[f"neuron_param_{key}"]
        if np.any(np.abs(values[~np.isnan(values)]) > check.MAX_MAGNITUDE):
            raise bad(f"neuron parameter {key!r} holds infinite values or values beyond ±{check.MAX_MAGNITUDE:g}")
    curves = arrays["element_growth_curve"]
    if not np.isin(curves, ["", *checks.GROWTH_CURVES]).all():
        raise bad(f"a growth curve is not one of {', '.join(checks.GROWTH_CURVES)}")
    has = curves != ""
    z = arrays["element_z"][has]
    # A grown neuron may bind as many elements as it has partners (Gallinaro & Rotter's full network: about
    # 1000 per neuron); beyond that, and beyond MAX_SAVED_ELEMENTS in all, NEST's pairing runs out of memory.
    most = max(check.MAX_ELEMENTS_PER_UPDATE, n)
    if np.any(~np.isfinite(z)) or np.any(z < 0) or np.any(z > most):
        raise bad(f"a number of synaptic elements z is negative, NaN, infinite or above {most} (the neurons' number)")
    if z.sum() > MAX_SAVED_ELEMENTS:
        raise bad(f"its neurons hold {z.sum():.3g} synaptic elements in all, more than {MAX_SAVED_ELEMENTS:g}")
    for key in ELEMENT_KEYS:
        values = arrays[f"element_{key}"][has]
        if np.any(np.abs(values[~np.isnan(values)]) > check.MAX_MAGNITUDE):
            raise bad(f"element value {key!r} holds infinite values or values beyond ±{check.MAX_MAGNITUDE:g}")
    if not np.array_equal(_connected_elements(meta, arrays, n), np.where(has, arrays["element_z_connected"], 0)):
        raise bad("the connected elements z_connected do not match the synapses")


def check_restorable(saved, dt):
    """Raise `ConfigurationError` unless the delays of `saved` fit a network of resolution `dt` (ms).

    The same limits as for delays given by keyword (`validation.delay`): at least one step of `dt`, at
    most `validation.MAX_DELAY_STEPS` steps. A network grown at a finer resolution cannot be restored at
    a coarser one (NEST refuses delays below a step).
    """
    grown_at = saved.meta.get("parameters", {}).get("dt")
    again = ""
    if isinstance(grown_at, (int, float)) and not isinstance(grown_at, bool) and grown_at != dt:
        again = f" (it was grown at dt {grown_at:g} ms: restore it with --dt {grown_at:g})"
    for what in ("synapse_delay", "input_delay"):
        values = saved.arrays[what]
        for value in (float(values.min()), float(values.max())) if len(values) else ():
            try:
                check.delay(f"a {what.replace('_', ' ')} of the network in {saved.path}", value, dt)
            except ConfigurationError as exc:
                raise ConfigurationError(f"{exc}{again}") from None


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
