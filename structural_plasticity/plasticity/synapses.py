"""The plastic synapses of one synapse model, and NEST's choice of which ones to delete.

Pure numpy. Synapses are rows (source, target) over a global neuron index ``0..N-1``; multapses (the same
pair several times) are allowed, as in NEST's structural plasticity, where they are never checked.

NEST 3.10 (``SPManager::delete_synapses_from_pre`` / ``_from_post``, ``sp_manager.cpp``) deletes, for each
neuron with ``k = -vacant > 0``, ``min(k, n)`` of its ``n`` synapses of the model, chosen uniformly without
replacement (``global_shuffle`` over the list of partners, one entry per synapse, so a multapse of
multiplicity m is m times as likely to lose one of its synapses). Each synapse has a single source and a
single target, so the neurons' choices on one side never compete and can all be made at once.
"""

from typing import NamedTuple

import numpy as np

from ..errors import ConfigurationError

# Keys are sorted only below (k + _MARGIN (sqrt(k) + 1)) / n. The number of a neuron's keys under it is
# binomial with mean k + 4 (sqrt(k) + 1), so fewer than k (the neuron is then redone, exactly, at a
# cost of O(M)) happens with probability about 1e-4 for k = 1..3, while few keys beyond k are sorted.
_MARGIN = 4.0


class Deletions(NamedTuple):
    """Synapses chosen for deletion.

    Attributes
    ----------
    rows : numpy.ndarray of int
        Their row indices in the table as it was before they were removed (sorted).
    sources, targets : numpy.ndarray of int
        Their ends (global neuron indices), in the order of ``rows``.
    """

    rows: np.ndarray
    sources: np.ndarray
    targets: np.ndarray


def _neuron_ids(values, n_neurons, name):
    """``values`` as an int array of neuron indices in ``0..n_neurons-1``, or a ConfigurationError."""
    arr = np.asarray(values)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ConfigurationError(f"{name} must be a 1-D array of integer neuron indices, got {arr.dtype} {arr.shape}")
    if arr.min() < 0 or arr.max() >= n_neurons:
        raise ConfigurationError(f"{name} holds indices outside 0..{n_neurons - 1}; use global indices of the network")
    return arr.astype(np.int64)


class PlasticSynapses:
    """The plastic synapses of one synapse model, with in- and out-degree per neuron.

    Parameters
    ----------
    n_neurons : int
        Number of neurons N; ends are global indices ``0..N-1``.
    sources, targets : array_like of int, optional
        Initial synapses (for instance read once from ``nest.GetConnections``), one entry per synapse.

    Notes
    -----
    Arrays are int32 when N allows it: 1e7 synapses take 80 MB instead of 160 MB. Every change costs
    O(M + N) (one compaction or concatenation and one ``bincount``), a small fraction of a NEST update.
    """

    def __init__(self, n_neurons, sources=(), targets=()):
        if isinstance(n_neurons, bool) or not isinstance(n_neurons, (int, np.integer)) or n_neurons < 1:
            raise ConfigurationError(f"n_neurons must be an integer >= 1, got {n_neurons!r}")
        self.n_neurons = int(n_neurons)
        self._dtype = np.int32 if self.n_neurons < 2**31 else np.int64
        self._sources = np.zeros(0, dtype=self._dtype)
        self._targets = np.zeros(0, dtype=self._dtype)
        self._out = np.zeros(self.n_neurons, dtype=np.int64)
        self._in = np.zeros(self.n_neurons, dtype=np.int64)
        self.add(sources, targets)

    def __len__(self):
        return self._sources.size

    @property
    def sources(self):
        """Source of each synapse (read-only view)."""
        view = self._sources.view()
        view.flags.writeable = False
        return view

    @property
    def targets(self):
        """Target of each synapse (read-only view)."""
        view = self._targets.view()
        view.flags.writeable = False
        return view

    @property
    def out_degree(self):
        """Number of synapses of this model per source neuron (copy, length N)."""
        return self._out.copy()

    @property
    def in_degree(self):
        """Number of synapses of this model per target neuron (copy, length N)."""
        return self._in.copy()

    def add(self, sources, targets):
        """Append synapses ``sources[i] -> targets[i]`` (multapses and autapses are not refused here)."""
        src = _neuron_ids(sources, self.n_neurons, "sources")
        tgt = _neuron_ids(targets, self.n_neurons, "targets")
        if src.shape != tgt.shape:
            raise ConfigurationError(f"sources and targets differ in length ({src.size} vs {tgt.size}); pair them 1:1")
        if src.size == 0:
            return
        self._sources = np.concatenate([self._sources, src.astype(self._dtype)])
        self._targets = np.concatenate([self._targets, tgt.astype(self._dtype)])
        self._out += np.bincount(src, minlength=self.n_neurons)
        self._in += np.bincount(tgt, minlength=self.n_neurons)

    def remove_rows(self, rows):
        """Remove the synapses at the given row indices (unique); the rows after them move up."""
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        if rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer) or rows.min() < 0 or rows.max() >= len(self):
            raise ConfigurationError(
                f"rows must be integer row indices in 0..{len(self) - 1}; take them from Deletions"
            )
        keep = np.ones(len(self), dtype=bool)
        keep[rows] = False
        if keep.sum() != len(self) - rows.size:
            raise ConfigurationError("rows to remove repeat an index; give each row once")
        self._out -= np.bincount(self._sources[rows], minlength=self.n_neurons)
        self._in -= np.bincount(self._targets[rows], minlength=self.n_neurons)
        self._sources = self._sources[keep]
        self._targets = self._targets[keep]

    def choose_deletions(self, deficit_per_neuron, side, rng, eligible_partner=None, remove=True):
        """Choose, as NEST does, which synapses go for neurons that lost bound elements, and remove them.

        Parameters
        ----------
        deficit_per_neuron : array_like of int, length N
            ``k >= 0`` synapses to delete per neuron (NEST: ``k = -vacant`` where vacant < 0, else 0).
        side : {"pre", "post"}
            "pre": neuron i's deficit is in its presynaptic element, it loses synapses it is the source
            of (``delete_synapses_from_pre``); "post": synapses it is the target of.
        rng : numpy.random.Generator
        eligible_partner : array_like of bool, length N, optional
            Only synapses whose other end is True are candidates. NEST's ``get_targets`` (side "pre")
            skips targets whose postsynaptic element count is 0; pass ``floor(z_post) != 0`` to match it.
        remove : bool
            Remove the chosen synapses from the table (default) or leave the table unchanged.

        Returns
        -------
        Deletions
            The chosen rows (before removal) and their ends. A neuron loses ``min(k, n)`` synapses,
            n being its (eligible) synapses of the model, each chosen set equally likely.

        Notes
        -----
        Exact and O(M + chosen log chosen): every synapse gets an independent uniform key, and a neuron
        keeps the ``k`` smallest keys among its ``n`` synapses, a uniform choice of ``k`` of ``n``. Those
        lie below a threshold ``(k + 4 (sqrt(k) + 1)) / n`` with probability about 1 - 1e-4, so only keys
        under it are sorted; a neuron with fewer than ``k`` keys under it (rare) is redone with no threshold.
        """
        if side not in ("pre", "post"):
            raise ConfigurationError(f"side must be 'pre' or 'post', got {side!r}")
        deficit = np.asarray(deficit_per_neuron)
        if deficit.shape != (self.n_neurons,) or not np.issubdtype(deficit.dtype, np.integer):
            raise ConfigurationError(
                f"deficit_per_neuron must be {self.n_neurons} integers (one per neuron), got {deficit.dtype} "
                f"{deficit.shape}; pass numpy.maximum(-vacant, 0).astype(int)"
            )
        if deficit.size and deficit.min() < 0:
            raise ConfigurationError("deficit_per_neuron has negative entries; pass numpy.maximum(-vacant, 0)")
        own, other = (self._sources, self._targets) if side == "pre" else (self._targets, self._sources)
        candidate, n = None, self._out if side == "pre" else self._in  # all synapses count
        if eligible_partner is not None:
            eligible = np.asarray(eligible_partner, dtype=bool)
            if eligible.shape != (self.n_neurons,):
                raise ConfigurationError(f"eligible_partner must have one bool per neuron ({self.n_neurons})")
            candidate = eligible[other]
            n = np.bincount(own[candidate], minlength=self.n_neurons)
        k = np.minimum(deficit, n)  # NEST caps k at the number of synapses the neuron has
        rows = self._smallest_keys(own, candidate, k, n, rng)
        chosen = Deletions(rows, self._sources[rows].astype(np.int64), self._targets[rows].astype(np.int64))
        if remove:
            self.remove_rows(rows)
        return chosen

    def _smallest_keys(self, own, candidate, k, n, rng):
        """Rows of the ``k[i]`` candidate synapses (mask, None for all) with the smallest keys, per neuron i."""
        if not np.any(k):
            return np.zeros(0, dtype=np.int64)
        key = rng.random(len(self))
        kf = k.astype(float)
        margin = _MARGIN * (np.sqrt(kf) + 1.0)
        threshold = np.where(k > 0, np.minimum(1.0, (kf + margin) / np.maximum(n, 1)), -1.0)
        below = key < threshold[own]
        rows, short = self._take(own, below if candidate is None else below & candidate, key, k)
        if short.size:  # a neuron with fewer than k keys under its threshold: redo it without one
            redo = np.zeros(self.n_neurons, dtype=bool)
            redo[short] = True
            rows = rows[~redo[own[rows]]]
            again = redo[own]
            extra, _ = self._take(own, again if candidate is None else again & candidate, key, k)
            rows = np.concatenate([rows, extra])
        return np.sort(rows)

    @staticmethod
    def _take(own, mask, key, k):
        """Among rows in ``mask``, the ``k[i]`` with the smallest key per neuron; and neurons short of k."""
        rows = np.flatnonzero(mask)
        rows = rows[np.lexsort((key[rows], own[rows]))]  # by neuron, then by key
        group = own[rows]
        first = np.searchsorted(group, group, side="left")  # index of the neuron's first row
        rank = np.arange(rows.size) - first
        found = np.bincount(group, minlength=k.size)
        return rows[rank < k[group]], np.flatnonzero(found < k)
