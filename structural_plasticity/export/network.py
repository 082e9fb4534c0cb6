"""A grown network as an edge list (CSV) or as SONATA nodes and edges (HDF5).

The source is a network file saved with ``--save-network`` (`networks.state`: every neuron and synapse, with
weights and delays) or, for the edge list, a results folder with connectivity snapshots (``--snapshot-every``:
the plastic synapses of the last snapshot, without weights). Both read with numpy alone; SONATA needs h5py
(``pip install structural_plasticity[sonata]``). NEST's PyPI wheel has no HDF5, so its ``SonataNetwork``
cannot read these files; other SONATA tools (and NEST built with HDF5) can.

SONATA layout (https://github.com/AllenInstitute/sonata): one node population per population of the
network (``/nodes/<name>``, 0-based ``node_id``, attributes ``nest_id``, ``Ca``, ``V_m`` in group 0), one edge
population per pair of populations (``/edges/<source>_to_<target>``, ``syn_weight`` and ``delay`` in group 0,
``edge_type_id`` naming the synapse model), node and edge type tables (CSV, space-separated) and a circuit
config (JSON) that points to them.
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..connectivity import load_snapshots
from ..errors import ConfigurationError
from ..files import (
    CONNECTIVITY_NPZ,
    SONATA_CONFIG,
    SONATA_EDGE_TYPES,
    SONATA_EDGES,
    SONATA_NODE_TYPES,
    SONATA_NODES,
)
from ..folder import Unit
from ..networks.state import load_network

#: The files of a SONATA export, in a folder or a results folder's unit.
SONATA_FILES = (SONATA_NODES, SONATA_EDGES, SONATA_NODE_TYPES, SONATA_EDGE_TYPES, SONATA_CONFIG)
#: Columns of the edge list.
EDGE_COLUMNS = ("source", "target", "source_population", "target_population", "synapse_model", "weight", "delay")


@dataclass
class NetworkData:
    """What an export of a network needs: populations, neurons and synapses (weights NaN when unknown).

    Attributes
    ----------
    populations : list of dict
        ``name``, ``size``, ``model`` of each population, in order.
    neuron_id, neuron_population : numpy.ndarray
        NEST node id and population index of every neuron.
    neuron_state : dict of str to numpy.ndarray
        Per-neuron values (``Ca``, ``V_m``) when known.
    source, target, model : numpy.ndarray
        Each synapse's node ids and index into `synapse_models`.
    weight, delay : numpy.ndarray
    synapse_models : list of str
    base_models : list of str
        The NEST model each synapse model was copied from.
    time_s : float
        Simulated time of the network.
    origin : str
    """

    populations: list
    neuron_id: np.ndarray
    neuron_population: np.ndarray
    neuron_state: dict
    source: np.ndarray
    target: np.ndarray
    model: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    synapse_models: list
    base_models: list
    time_s: float
    origin: str


def network_source(source, fmt):
    """Return the `NetworkData` of a network file, or (``edges`` only) of a results folder's last snapshot."""
    source = Path(source)
    if source.is_file():
        return _from_network_file(source)
    if fmt == "sonata":
        raise ConfigurationError(
            f"export to sonata needs a network saved with --save-network (neurons, weights, delays); {source} is a "
            "results folder"
        )
    if not (source / CONNECTIVITY_NPZ).is_file():
        raise ConfigurationError(
            f"{source} holds no connectivity snapshot ({CONNECTIVITY_NPZ}); export a network saved with "
            "--save-network, or run with --snapshot-every"
        )
    snapshots = load_snapshots(source)
    if not len(snapshots):
        raise ConfigurationError(f"{source}/{CONNECTIVITY_NPZ} holds no snapshot yet")
    last = snapshots[len(snapshots) - 1]
    ids = np.concatenate([np.arange(first, first + size) for first, size in last.populations.values()])
    pops = np.concatenate([np.full(size, k) for k, (_, size) in enumerate(last.populations.values())])
    return NetworkData(
        populations=[{"name": name, "size": size, "model": ""} for name, (_, size) in last.populations.items()],
        neuron_id=ids.astype(np.int64),
        neuron_population=pops.astype(np.int64),
        neuron_state={},
        source=last.source.astype(np.int64),
        target=last.target.astype(np.int64),
        model=last.model.astype(np.int64),
        weight=np.full(len(last.source), np.nan),
        delay=np.full(len(last.source), np.nan),
        synapse_models=list(last.synapse_models),
        base_models=[""] * len(last.synapse_models),
        time_s=float(last.time_s),
        origin=f"the snapshot at {last.time_s:g} s in {source}",
    )


def _from_network_file(path):
    saved = load_network(path)  # read and checked, nothing unpickled
    meta, a = saved.meta, saved.arrays
    models = list(meta["synapse_models"])
    bases = [meta["plastic_synapses"][m]["base_model"] for m in meta["plastic_synapses"]]
    bases += [p["base_model"] for p in meta["static_pathways"]]
    return NetworkData(
        populations=[{"name": p["name"], "size": int(p["size"]), "model": p["model"]} for p in meta["populations"]],
        neuron_id=a["neuron_id"].astype(np.int64),
        neuron_population=a["neuron_population"].astype(np.int64),
        neuron_state={"Ca": a["neuron_Ca"], "V_m": a["neuron_V_m"]},
        source=a["synapse_source"].astype(np.int64),
        target=a["synapse_target"].astype(np.int64),
        model=a["synapse_model"].astype(np.int64),
        weight=a["synapse_weight"].astype(float),
        delay=a["synapse_delay"].astype(float),
        synapse_models=models,
        base_models=bases,
        time_s=saved.time_ms / 1000.0,
        origin=str(path),
    )


def _population_index(network, ids):
    """Return the population index of each node id in `ids`."""
    order = np.argsort(network.neuron_id)
    where = np.searchsorted(network.neuron_id, ids, sorter=order)
    return network.neuron_population[order[where]]


def edge_table(network):
    """Return the edge list of `network` as columns (`EDGE_COLUMNS`), one row per synapse (multapses repeated)."""
    names = [p["name"] for p in network.populations]
    return {
        "source": network.source,
        "target": network.target,
        "source_population": np.asarray(names)[_population_index(network, network.source)],
        "target_population": np.asarray(names)[_population_index(network, network.target)],
        "synapse_model": np.asarray(network.synapse_models)[network.model],
        "weight": network.weight,
        "delay": network.delay,
    }


def write_edges_csv(path, table):
    """Write the edge list `table` (`edge_table`) to the CSV file `path` (empty cells where a weight is unknown)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EDGE_COLUMNS)
        columns = [np.asarray(table[name]).tolist() for name in EDGE_COLUMNS]
        for row in zip(*columns):
            writer.writerow(["" if isinstance(v, float) and v != v else v for v in row])


def read_edges_csv(path):
    """Read an edge list written by `write_edges_csv`; return its columns as numpy arrays."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    table = {}
    for name in EDGE_COLUMNS:
        cells = [row[name] for row in rows]
        if name in ("source", "target"):
            table[name] = np.asarray(cells, dtype=np.int64)
        elif name in ("weight", "delay"):
            table[name] = np.asarray([float(c) if c else np.nan for c in cells])
        else:
            table[name] = np.asarray(cells, dtype=str)
    return table


def write_sonata(target, network):
    """Write `network` as SONATA files into `target` (a folder, or a results folder's `folder.Unit`)."""
    import h5py  # noqa: PLC0415  (an optional dependency, only for SONATA)

    def where(name):
        return target.path(name) if isinstance(target, Unit) else Path(target) / name

    names = [p["name"] for p in network.populations]
    with h5py.File(where(SONATA_NODES), "w") as fh:
        fh.attrs["magic"] = np.uint32(0x0A7A)
        fh.attrs["version"] = np.array([0, 1], dtype=np.uint32)
        for k, pop in enumerate(network.populations):
            mine = np.flatnonzero(network.neuron_population == k)
            mine = mine[np.argsort(network.neuron_id[mine])]  # SONATA's node_id: the rank of the NEST id
            ids = network.neuron_id[mine]
            group = fh.create_group(f"nodes/{pop['name']}")
            group.create_dataset("node_id", data=np.arange(len(ids), dtype=np.uint64))
            group.create_dataset("node_type_id", data=np.full(len(ids), k, dtype=np.uint64))
            group.create_dataset("node_group_id", data=np.zeros(len(ids), dtype=np.uint32))
            group.create_dataset("node_group_index", data=np.arange(len(ids), dtype=np.uint64))
            attributes = group.create_group("0")
            attributes.create_dataset("nest_id", data=ids.astype(np.uint64))
            for key, values in network.neuron_state.items():
                attributes.create_dataset(key, data=np.asarray(values, dtype=float)[mine])
    ids_of = {k: np.sort(network.neuron_id[network.neuron_population == k]) for k in range(len(names))}
    source_pop = _population_index(network, network.source)
    target_pop = _population_index(network, network.target)
    with h5py.File(where(SONATA_EDGES), "w") as fh:
        fh.attrs["magic"] = np.uint32(0x0A7A)
        fh.attrs["version"] = np.array([0, 1], dtype=np.uint32)
        for s, source in enumerate(names):
            for t, target_name in enumerate(names):
                mine = (source_pop == s) & (target_pop == t)
                if not mine.any():
                    continue
                group = fh.create_group(f"edges/{source}_to_{target_name}")
                src = np.searchsorted(ids_of[s], network.source[mine]).astype(np.uint64)  # 0-based in its population
                tgt = np.searchsorted(ids_of[t], network.target[mine]).astype(np.uint64)
                group.create_dataset("source_node_id", data=src).attrs["node_population"] = source
                group.create_dataset("target_node_id", data=tgt).attrs["node_population"] = target_name
                group.create_dataset("edge_type_id", data=network.model[mine].astype(np.uint64))
                group.create_dataset("edge_group_id", data=np.zeros(int(mine.sum()), dtype=np.uint32))
                group.create_dataset("edge_group_index", data=np.arange(int(mine.sum()), dtype=np.uint64))
                attributes = group.create_group("0")
                attributes.create_dataset("syn_weight", data=network.weight[mine])
                attributes.create_dataset("delay", data=network.delay[mine])
    with open(where(SONATA_NODE_TYPES), "w", encoding="utf-8") as fh:
        fh.write("node_type_id model_type model_template pop_name\n")
        for k, pop in enumerate(network.populations):
            fh.write(f"{k} point_neuron nest:{pop['model']} {pop['name']}\n")
    with open(where(SONATA_EDGE_TYPES), "w", encoding="utf-8") as fh:
        fh.write("edge_type_id model_template synapse_model\n")
        for k, (model, base) in enumerate(zip(network.synapse_models, network.base_models)):
            fh.write(f"{k} nest:{base or 'static_synapse'} {model}\n")
    config = {
        "target_simulator": "NEST",
        "manifest": {"$BASE_DIR": "."},
        "networks": {
            "nodes": [{"nodes_file": f"$BASE_DIR/{SONATA_NODES}", "node_types_file": f"$BASE_DIR/{SONATA_NODE_TYPES}"}],
            "edges": [{"edges_file": f"$BASE_DIR/{SONATA_EDGES}", "edge_types_file": f"$BASE_DIR/{SONATA_EDGE_TYPES}"}],
        },
        "components": {},
        "structural_plasticity": {"origin": network.origin, "time_s": network.time_s},
    }
    with open(where(SONATA_CONFIG), "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=2)
        fh.write("\n")
