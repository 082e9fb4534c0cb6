"""Connectivity snapshots: the list of plastic synapses at chosen times, and what to compute from them.

With ``snapshot_every`` (ms) a network keeps, every that many ms of simulated time, the source, target
and synapse model of every plastic synapse as compact integer arrays (about 9 bytes per synapse),
gathered from all MPI ranks on rank 0. Every save of the results writes them (`Snapshots.arrays`, an
attachment of `Results`) as ``connectivity.npz``, a file of the results folder's unit:

========================  ==============  ===========================================================
array                     dtype, shape    meaning
========================  ==============  ===========================================================
``time``                  float64 (S)     simulated time of each snapshot (s)
``offset``                int64 (S + 1)   snapshot k is rows ``offset[k]:offset[k + 1]`` of the three
                                          synapse arrays
``source``, ``target``    int32 (R)       node ids
``model``                 int8 (R)        index into ``synapse_models``
``synapse_models``        str (P)         plastic synapse model names
``population_names``      str (Q)         population names
``population_first``      int64 (Q)       first node id of each population (populations are contiguous)
``population_size``       int64 (Q)       neurons per population
========================  ==============  ===========================================================

`load_snapshots` reads it with ``allow_pickle=False``. The analysis functions (`degrees`,
`connectivity_matrix`, `turnover`, `plot_connectivity_matrix`) take a `Snapshot`.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigurationError
from .files import CONNECTIVITY_NPZ as SNAPSHOTS_NPZ  # the snapshots' file in a results folder
from .files import read_npz
from .folder import read_unit
from .validation import memory_budget


@dataclass
class Snapshot:
    """The plastic synapses at one time.

    Attributes
    ----------
    time_s : float
    source, target : numpy.ndarray of int32
    model : numpy.ndarray of int8
        Index into `synapse_models`.
    synapse_models : list of str
    populations : dict of str to (first node id, size)
    """

    time_s: float
    source: np.ndarray
    target: np.ndarray
    model: np.ndarray
    synapse_models: list
    populations: dict

    def population_of(self, ids):
        """Return the population index of each node id in `ids` (-1 for none)."""
        ids = np.asarray(ids)
        out = np.full(ids.shape, -1, dtype=np.int64)
        for k, (first, size) in enumerate(self.populations.values()):
            out[(ids >= first) & (ids < first + size)] = k
        return out


class Snapshots:
    """Snapshots taken during a run (rank 0 holds them; other ranks hold none).

    Parameters
    ----------
    synapse_models : list of str
    populations : dict of str to (first node id, size)
    """

    def __init__(self, synapse_models, populations):
        self.synapse_models = list(synapse_models)
        self.populations = dict(populations)
        self.times_s = []
        self._rows = []

    def __len__(self):
        return len(self.times_s)

    def __iter__(self):
        return (self[k] for k in range(len(self)))

    def __getitem__(self, k):
        source, target, model = self._rows[k]
        return Snapshot(self.times_s[k], source, target, model, self.synapse_models, self.populations)

    def take(self, network, time_s):
        """Gather the plastic synapses of `network` from every rank and keep them (on rank 0) at `time_s`.

        Collective under MPI: every rank must call it.
        """
        parts = []
        for index, model in enumerate(self.synapse_models):
            source, target = network.updater.local_pairs(model)  # NEST's, or the package's own lists
            if len(source):
                s, t = source.astype(np.int32), target.astype(np.int32)
                parts.append((s, t, np.full(len(s), index, dtype=np.int8)))
        gathered = network.comm.gather(parts)
        if gathered is None:
            return
        flat = [p for rank in gathered for p in rank]
        if flat:
            source, target, model = (np.concatenate([p[i] for p in flat]) for i in range(3))
        else:
            source, target, model = np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.int8)
        order = np.lexsort((target, source, model))
        self.times_s.append(float(time_s))
        self._rows.append((source[order], target[order], model[order]))

    def arrays(self):
        """Return the NPZ arrays of the module docstring."""
        sizes = [len(rows[0]) for rows in self._rows]
        empty_i32 = np.empty(0, np.int32)
        return {
            "time": np.asarray(self.times_s, dtype=float),
            "offset": np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            "source": np.concatenate([r[0] for r in self._rows]) if self._rows else empty_i32,
            "target": np.concatenate([r[1] for r in self._rows]) if self._rows else empty_i32,
            "model": np.concatenate([r[2] for r in self._rows]) if self._rows else np.empty(0, np.int8),
            "synapse_models": np.asarray(self.synapse_models, dtype=str),
            "population_names": np.asarray(list(self.populations), dtype=str),
            "population_first": np.asarray([v[0] for v in self.populations.values()], dtype=np.int64),
            "population_size": np.asarray([v[1] for v in self.populations.values()], dtype=np.int64),
        }


def load_snapshots(path):
    """Read the snapshots a run saved with its results (numpy only, nothing unpickled).

    Parameters
    ----------
    path : str or path-like
        ``connectivity.npz``, or the output folder holding it.

    Returns
    -------
    Snapshots
    """
    path = Path(path)
    if path.is_dir():
        path = path / SNAPSHOTS_NPZ
    # In a results folder: only as part of its complete unit, and the bytes read are those checked.
    _, data = read_unit(path.parent, (path.name,))
    if path.name not in data:
        raise ConfigurationError(
            f"cannot read connectivity snapshots from {path} (no such file of the folder's results); "
            "give a connectivity.npz"
        )
    budget = memory_budget()
    a = read_npz(data[path.name], str(path), budget // 4 if budget else 2**40)
    needed = ("time", "offset", "source", "target", "model", "synapse_models", "population_names")
    if any(name not in a for name in needed):
        raise ConfigurationError(f"{path} does not hold connectivity snapshots; give a connectivity.npz")
    populations = {
        str(n): (int(f), int(s)) for n, f, s in zip(a["population_names"], a["population_first"], a["population_size"])
    }
    snapshots = Snapshots([str(m) for m in a["synapse_models"]], populations)
    for k, t in enumerate(a["time"]):
        rows = slice(a["offset"][k], a["offset"][k + 1])
        snapshots.times_s.append(float(t))
        snapshots._rows.append((a["source"][rows], a["target"][rows], a["model"][rows]))
    return snapshots


# =====================================================================================================
# Analysis
# =====================================================================================================
def degrees(snapshot):
    """Return the in- and out-degree of every neuron per pathway.

    Parameters
    ----------
    snapshot : Snapshot

    Returns
    -------
    dict of str to dict
        ``{"<source><target>": {"in": array over the target population's neurons, "out": array over the
        source population's neurons}}``, e.g. ``result["ei"]["in"]`` is the number of synapses from E onto
        each I neuron.
    """
    names = list(snapshot.populations)
    src_pop, tgt_pop = snapshot.population_of(snapshot.source), snapshot.population_of(snapshot.target)
    out = {}
    for a, source_name in enumerate(names):
        for b, target_name in enumerate(names):
            mask = (src_pop == a) & (tgt_pop == b)
            first_s, size_s = snapshot.populations[source_name]
            first_t, size_t = snapshot.populations[target_name]
            out[f"{source_name}{target_name}"] = {
                "in": np.bincount(snapshot.target[mask] - first_t, minlength=size_t),
                "out": np.bincount(snapshot.source[mask] - first_s, minlength=size_s),
            }
    return out


def connectivity_matrix(snapshot, signed=False):
    """Return the ``(targets, sources)`` matrix of synapse counts between all neurons of the populations.

    Row ``i`` and column ``j`` are the neurons with node ids ``first + i`` and ``first + j``, where
    ``first`` is the smallest node id of the populations (they are contiguous). With `signed`, synapses
    of models whose name contains ``"in"`` count as -1 (NEST's example: ``synapse_in``).

    Returns
    -------
    numpy.ndarray of int32
    """
    first = min(f for f, _ in snapshot.populations.values())
    n = sum(size for _, size in snapshot.populations.values())
    matrix = np.zeros((n, n), dtype=np.int32)
    sign = np.ones(len(snapshot.synapse_models), dtype=np.int32)
    if signed:
        sign = np.array([-1 if "_in" in m else 1 for m in snapshot.synapse_models], dtype=np.int32)
    np.add.at(matrix, (snapshot.target - first, snapshot.source - first), sign[snapshot.model])
    return matrix


def turnover(before, after):
    """Count the synapses kept, removed and formed between two snapshots (multisets of (model, source, target)).

    Returns
    -------
    dict
        ``kept``, ``removed``, ``formed`` (int) and ``fraction_replaced`` (removed / synapses before).
    """

    def counts(s):
        keys = (s.model.astype(np.int64) << 56) | (s.source.astype(np.int64) << 28) | s.target.astype(np.int64)
        return dict(zip(*np.unique(keys, return_counts=True)))

    a, b = counts(before), counts(after)
    kept = sum(min(n, b.get(k, 0)) for k, n in a.items())
    removed = sum(a.values()) - kept
    formed = sum(b.values()) - kept
    total = sum(a.values())
    return {
        "kept": int(kept),
        "removed": int(removed),
        "formed": int(formed),
        "fraction_replaced": removed / total if total else float("nan"),
    }


def plot_connectivity_matrix(snapshot, ax=None, signed=True):
    """Draw the connectivity matrix of `snapshot` (targets down, sources across); return the Figure.

    Population borders are drawn as lines; excitatory synapses are red, inhibitory blue when `signed`.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415  (pyplot only when plotting)

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 5.5))
    else:
        fig = ax.figure
    matrix = connectivity_matrix(snapshot, signed=signed)
    limit = max(1, int(np.abs(matrix).max()))
    image = ax.imshow(
        matrix, cmap="RdBu_r" if signed else "Greys", vmin=-limit if signed else 0, vmax=limit, interpolation="nearest"
    )
    edge = 0
    for _, size in list(snapshot.populations.values())[:-1]:
        edge += size
        ax.axhline(edge - 0.5, color="k", lw=0.5)
        ax.axvline(edge - 0.5, color="k", lw=0.5)
    ax.set_xlabel("source neuron")
    ax.set_ylabel("target neuron")
    ax.set_title(f"synapses at {snapshot.time_s:g} s")
    fig.colorbar(image, ax=ax, label="synapses (inhibitory negative)" if signed else "synapses")
    return fig
