"""Which vacant presynaptic element binds which vacant postsynaptic element: uniformly, or by distance.

Pure numpy (and scipy's cKDTree for rare exact fall-backs). Ids are global neuron indices; ``*_vacant``
are the vacant element counts (NEST: ``floor(z) - z_connected`` where > 0) of one synapse model's pre-
and postsynaptic element types. Both functions return ``(pre, post)`` arrays, one entry per synapse to
create, and never use more elements of a neuron than it has vacant.

``pair_uniform`` is NEST 3.10's rule (``SPManager::create_synapses``). ``pair_by_distance`` weights each
vacant post element by a kernel of the distance, the rule of NEST PR #3369 (open, not in 3.10) and of
Sinha et al. (2021), made near-linear in cost; its probability model is in its docstring.
"""

import numpy as np
from scipy.spatial import cKDTree

from ..errors import ConfigurationError
from .space import CellGrid, Sheet, check_sigma, gaussian_kernel, pairing_radius

# Rejection attempts per element and round before its draw falls back to exact enumeration. With cells
# of radius / 8 most attempts succeed (about 1 in 2); the fall-back serves elements whose only partners
# lie near the cut-off, where the bound of a cell is loose.
_MAX_ATTEMPTS = 24
# Draws are exact enumerations outright when (pending elements) x (post neurons with free elements) is
# below this: small problems then cost a few calls instead of many rejection attempts.
_EXACT_BELOW = 20_000


def _vacancies(ids, vacant, name):
    """Checked ``(ids, vacant)`` as int64 arrays: 1-D, same length, ids >= 0 and unique, vacant >= 0."""
    ids, vacant = np.asarray(ids), np.asarray(vacant)
    if ids.size == 0 and vacant.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    for what, arr in ((f"{name}_ids", ids), (f"{name}_vacant", vacant)):
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise ConfigurationError(f"{what} must be a 1-D integer array, got {arr.dtype} {arr.shape}")
    if ids.shape != vacant.shape:
        raise ConfigurationError(f"{name}_ids and {name}_vacant differ in length ({ids.size} vs {vacant.size})")
    if ids.min() < 0 or vacant.min() < 0:
        raise ConfigurationError(f"{name}_ids and {name}_vacant must be >= 0; pass only neurons with vacant > 0")
    if np.unique(ids).size != ids.size:
        raise ConfigurationError(f"{name}_ids repeats a neuron; give each neuron once with its vacant count")
    return ids.astype(np.int64), vacant.astype(np.int64)


def pair_uniform(pre_ids, pre_vacant, post_ids, post_vacant, rng, allow_autapses=True):
    """NEST 3.10's pairing: uniformly random, regardless of distance.

    As ``SPManager::create_synapses`` does it: expand each id by its vacant count (``serialize_id``),
    draw from the longer list as many entries as the shorter has, uniformly without replacement and in
    random order (``global_shuffle``), pair them in order with the shorter list. Pairs ``pre == post``
    are dropped when autapses are not allowed (``SPBuilder::connect_`` skips them; both elements stay
    vacant). Multapses are not checked, as in NEST.

    Parameters
    ----------
    pre_ids, pre_vacant : array_like of int
        Neurons with vacant presynaptic elements, and how many each has.
    post_ids, post_vacant : array_like of int
        Neurons with vacant postsynaptic elements, and how many each has.
    rng : numpy.random.Generator
    allow_autapses : bool
        NEST's ``allow_autapses`` of the structural plasticity synapse (NEST's default: True).

    Returns
    -------
    pre, post : numpy.ndarray of int64
        ``min(sum(pre_vacant), sum(post_vacant))`` pairs, minus the dropped autapses.
    """
    pre_ids, pre_vacant = _vacancies(pre_ids, pre_vacant, "pre")
    post_ids, post_vacant = _vacancies(post_ids, post_vacant, "post")
    pre, post = np.repeat(pre_ids, pre_vacant), np.repeat(post_ids, post_vacant)
    # NEST shuffles the post list when the lists are equally long (its `else` branch); so do we.
    if pre.size > post.size:
        pre = rng.choice(pre, size=post.size, replace=False, shuffle=True) if post.size else pre[:0]
    else:
        post = rng.choice(post, size=pre.size, replace=False, shuffle=True) if pre.size else post[:0]
    if not allow_autapses:
        keep = pre != post
        pre, post = pre[keep], post[keep]
    return pre, post


def pair_by_distance(
    pre_ids,
    pre_vacant,
    post_ids,
    post_vacant,
    positions,
    sheet,
    sigma,
    rng,
    allow_autapses=True,
    cutoff=None,
    kernel=gaussian_kernel,
):
    """Pair vacant elements with probability proportional to vacancy x kernel(distance).

    Probability model: the sequential rule of NEST PR #3369, truncated at a radius. The vacant pre
    elements are taken in uniformly random order; each one, of neuron i, binds to post neuron j with
    probability ``v_j K(d_ij) / sum_k v_k K(d_ik)``, the sum over post neurons with ``d_ik <= radius``
    (and ``k != i`` without autapses), v being the vacancies left by the elements before it; then
    ``v_j`` drops by one. An element with no candidate stays unpaired. With a constant kernel (sigma ->
    infinity) and autapses allowed this is exactly the distribution of `pair_uniform`; without autapses
    an element re-draws where NEST's uniform rule drops the pair.

    How it is computed, exactly and in parallel: that sequential rule is a serial dictatorship in which
    element t ranks post elements by independent clocks ``Exp(K)``; its outcome is that of deferred
    acceptance (Gale-Shapley) with the arrival order as every post element's priority. So, in rounds,
    every pending element proposes to a post element drawn with weight K among those not held by an
    earlier element, each post element keeps its earliest proposer, and the displaced and refused
    propose again. To keep refusals rare, elements go in batches, in arrival order, of half the free
    post elements (at least 64). Draws use cells of about radius / 8: a cell is chosen with weight (its free
    elements) x K(gap), gap being the least distance between the cells, an element of it uniformly, and
    accepted with probability K(d) / K(gap) (exact rejection sampling; K must not increase with d).
    Cost per batch: O(cells x offsets + elements); no all-pairs matrix.

    Parameters
    ----------
    pre_ids, pre_vacant, post_ids, post_vacant : array_like of int
        As for `pair_uniform`.
    positions : array_like, shape (N, 2)
        Positions (µm) of all neurons, indexed by global id; checked to lie on ``sheet``.
    sheet : Sheet
        The sheet, periodic (torus, nearest-image distances) or not.
    sigma : float
        Kernel width (µm), finite and > 0; the default kernel is ``exp(-d^2 / sigma^2)``.
    rng : numpy.random.Generator
    allow_autapses : bool
        If False, neuron i never pairs with itself (it draws among the others instead).
    cutoff : float or None
        Maximum pair distance (µm), > 0, ``numpy.inf`` for none. None: the distance at which the kernel
        falls below 1e-6 of its peak (3.72 sigma for the Gaussian).
    kernel : callable ``kernel(distance, sigma) -> weights``
        Non-increasing in distance, with values in [0, 1]. Default `space.gaussian_kernel`.

    Returns
    -------
    pre, post : numpy.ndarray of int64
        The pairs, at most ``min(sum(pre_vacant), sum(post_vacant))``.
    """
    pre_ids, pre_vacant = _vacancies(pre_ids, pre_vacant, "pre")
    post_ids, post_vacant = _vacancies(post_ids, post_vacant, "post")
    if not isinstance(sheet, Sheet):
        raise ConfigurationError(f"sheet must be a Sheet, got {type(sheet).__name__}; build one with Sheet(w, h)")
    pos = sheet.check_positions(positions)
    for name, ids in (("pre_ids", pre_ids), ("post_ids", post_ids)):
        if ids.size and ids.max() >= len(pos):
            raise ConfigurationError(f"{name} reach {ids.max()} but positions has {len(pos)} rows; give all neurons'")
    sigma = check_sigma(sigma)
    radius = pairing_radius(sigma, cutoff, kernel)
    has = post_vacant > 0
    post_ids, vacant = post_ids[has], post_vacant[has].copy()
    pre_elements = rng.permutation(np.repeat(pre_ids, pre_vacant))  # the arrival order
    pairs = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))]
    if pre_elements.size and post_ids.size:
        sampler = _KernelSampler(sheet, pos[post_ids], post_ids, sigma, radius, kernel, allow_autapses)
        sampler.set_pre(pos[pre_elements], pre_elements)
        start = 0
        while start < pre_elements.size and vacant.any():
            # Half the free elements per batch: the last of a batch still finds about half its weight free;
            # but at least 64, as tiny batches cost more in calls than they save in refusals.
            stop = min(pre_elements.size, start + max(64, int(vacant.sum()) // 2))
            pre, post = _deferred_acceptance(start, stop, sampler, vacant, rng)
            pairs.append((pre, post_ids[post]))
            start = stop
    return np.concatenate([p for p, _ in pairs]), np.concatenate([q for _, q in pairs])


def _deferred_acceptance(start, stop, sampler, vacant, rng):
    """Serial dictatorship of pre elements start..stop-1 (in order) over the free elements.

    ``vacant`` drops in place. Returns the pre neuron ids and the post neurons (indices into the
    sampler's post ids) of the pairs.
    """
    batch = sampler.prepare(vacant, start, stop)
    free = batch.size  # holder value of a free element; otherwise the holder's rank in the batch
    holder = np.full(sampler.n_elements, free, dtype=np.int64)
    pending = np.arange(batch.size)
    while pending.size:
        element = sampler.draw(pending, holder, rng)
        pending, element = pending[element >= 0], element[element >= 0]  # -1: nothing left, unpaired
        order = np.lexsort((pending, element))  # per element, the earliest proposer first
        element, pending = element[order], pending[order]
        first = np.ones(element.size, dtype=bool)
        first[1:] = element[1:] != element[:-1]
        displaced = holder[element[first]]  # later than every proposer (draws skip earlier holders)
        holder[element[first]] = pending[first]
        pending = np.concatenate([pending[~first], displaced[displaced < free]])
    held = np.flatnonzero(holder < free)
    post = sampler.neuron_of(held)
    vacant -= np.bincount(post, minlength=vacant.size)
    return batch[holder[held]], post


class _KernelSampler:
    """Draws free post elements with weight kernel(distance), by cells; elements are numbered by cell."""

    def __init__(self, sheet, post_pos, post_ids, sigma, radius, kernel, allow_autapses):
        self.sheet, self.post_pos, self.post_ids = sheet, post_pos, post_ids
        self.kernel = lambda d: np.asarray(kernel(d, sigma), dtype=float)
        self.radius, self.allow_autapses = radius, allow_autapses
        # Cells of about radius / 8: a cell's bound is then tight enough that about half the attempts
        # succeed, while a draw looks at about 200 cells. Without truncation (radius inf) the cells
        # follow the kernel's width. At most 64 cells per post neuron: smaller cells bring nothing.
        size = min(radius, pairing_radius(sigma, None, kernel)) / 8
        self.grid = CellGrid(sheet, size, max_cells=64 * max(1, len(post_ids)))
        cell = self.grid.cell_of(post_pos)
        self.order = np.argsort(cell, kind="stable")  # post neurons grouped by cell
        self.rank = np.argsort(self.order)  # position of each post neuron in that grouping
        self.cell_start = np.searchsorted(cell[self.order], np.arange(self.grid.n_cells + 1))
        self.dx, self.dy, gap = self.grid.offsets(radius)
        self.bound = self.kernel(gap)  # K(gap) >= K(d) for any pair in the two cells

    def set_pre(self, pre_pos, pre_nodes):
        """Register all pre elements (in arrival order) and the cells around theirs, once per call."""
        self.all_pos, self.all_nodes = pre_pos, pre_nodes
        cells, self.all_rows = np.unique(self.grid.cell_of(pre_pos), return_inverse=True)
        neighbours = self.grid.neighbours(cells, self.dx, self.dy)
        self.all_neighbours = neighbours.astype(np.int32) if self.grid.n_cells < 2**31 else neighbours

    def prepare(self, vacant, start, stop):
        """Freeze the free elements (``vacant`` per post neuron) and the cell tables of a batch; its ids."""
        self.pre_pos, self.pre_nodes = self.all_pos[start:stop], self.all_nodes[start:stop]
        self.cumv = np.concatenate([[0], np.cumsum(vacant[self.order])])  # elements numbered by cell
        self.n_elements = int(self.cumv[-1])
        self.cell_vacant = self.cumv[self.cell_start[1:]] - self.cumv[self.cell_start[:-1]]
        self._free, self._tree = np.flatnonzero(vacant > 0), None  # for exact draws, built when needed
        rows, self.which = np.unique(self.all_rows[start:stop], return_inverse=True)
        self.neighbours = self.all_neighbours[rows]
        # Index -1 (off a non-periodic sheet) reads the 0 appended here.
        self.weight = np.append(self.cell_vacant, 0)[self.neighbours] * self.bound
        cdf = np.cumsum(self.weight, axis=1)
        total = cdf[:, -1].copy()
        self.has_any = total[self.which] > 0
        # Rows of cumulative probabilities shifted by the row number: one searchsorted serves all rows.
        cdf *= (1.0 / np.where(total > 0, total, 1.0))[:, None]
        np.minimum(cdf, 1.0, out=cdf)  # rounding must not break the order of the rows
        cdf[:, -1] = 1.0
        cdf[total == 0] = 1.0
        cdf += np.arange(rows.size)[:, None]
        self.cdf = cdf.ravel()
        return self.pre_nodes

    def neuron_of(self, elements):
        """Post neuron (index into post_ids) of each element."""
        return self.order[np.searchsorted(self.cumv, elements, side="right") - 1]

    def _acceptable(self, t, j):
        """Distances from batch elements t to post neurons j, and whether each pair is allowed."""
        d = self.sheet.distance(self.pre_pos[t], self.post_pos[j])
        ok = d <= self.radius
        if not self.allow_autapses:
            ok &= self.post_ids[j] != self.pre_nodes[t]
        return d, ok

    def draw(self, t, holder, rng):
        """For batch elements t, an element drawn with weight K among those free or held by later ones.

        Returns element numbers, -1 where there is none.
        """
        result = np.full(t.size, -1, dtype=np.int64)
        # Nothing is accessible to an element later than every holder when no element is free.
        todo = np.flatnonzero(self.has_any[t] & (t < holder.max(initial=-1)))
        if todo.size * self._free.size < _EXACT_BELOW:
            result[todo] = self._draw_exact(t[todo], holder, rng)
            return result
        n_off = self.bound.size
        for _ in range(_MAX_ATTEMPTS):
            if todo.size == 0:
                break
            row = self.which[t[todo]]
            flat = np.searchsorted(self.cdf, row + rng.random(todo.size), side="right")
            off = np.minimum(flat - row * n_off, n_off - 1)
            live = self.weight[row, off] > 0  # guards against a rounding step onto an empty cell
            cell = np.where(live, self.neighbours[row, off], 0)
            element = self.cumv[self.cell_start[cell]] + (rng.random(todo.size) * self.cell_vacant[cell]).astype(int)
            element = np.minimum(element, max(self.n_elements - 1, 0))
            d, ok = self._acceptable(t[todo], self.neuron_of(element))
            ratio = self.kernel(d) / np.where(live, self.bound[off], 1.0)
            ok &= live & (holder[element] > t[todo]) & (rng.random(todo.size) < ratio)
            result[todo[ok]] = element[ok]
            todo = todo[~ok]
        if todo.size:  # rare: an exact draw over all candidates within the radius
            result[todo] = self._draw_exact(t[todo], holder, rng)
        return result

    def _draw_exact(self, t, holder, rng):
        """Exact draws for batch elements t over the elements within the radius, free or held by later ones."""
        if t.size == 0:
            return np.zeros(0, dtype=np.int64)
        periodic, box = self.sheet.periodic, self.sheet.size
        wrap = (lambda p: np.mod(p, box)) if periodic else (lambda p: p)  # cKDTree wants [0, box) on a torus
        if self._tree is None:  # over the post neurons with free elements in this batch
            self._tree = cKDTree(wrap(self.post_pos[self._free]), boxsize=box if periodic else None)
        reach = min(self.radius, float(np.hypot(*box)))  # no distance exceeds the diagonal
        near = cKDTree(wrap(self.pre_pos[t]), boxsize=box if periodic else None)
        near = near.sparse_distance_matrix(self._tree, reach, output_type="ndarray")
        owner, j = near["i"].astype(np.int64), self._free[near["j"]]
        first, count = self.cumv[self.rank[j]], self.cumv[self.rank[j] + 1] - self.cumv[self.rank[j]]
        owner = np.repeat(owner, count)  # one row per element of each neuron within reach
        element = np.repeat(first - np.cumsum(count) + count, count) + np.arange(count.sum())
        d, ok = self._acceptable(t[owner], self.neuron_of(element))
        w = np.where(ok & (holder[element] > t[owner]), self.kernel(d), 0.0)
        order = np.argsort(owner, kind="stable")
        owner, element, w = owner[order], element[order], w[order]
        total = np.bincount(owner, weights=w, minlength=t.size)
        result = np.full(t.size, -1, dtype=np.int64)
        drawn = np.flatnonzero(total > 0)
        if drawn.size:
            # Roulette per element within its rows [start, end) of one cumulative sum; the bases come from
            # that sum itself, and the last positive weight of each bounds a rounding step past the end.
            cw = np.concatenate([[0.0], np.cumsum(w)])
            start, end = np.searchsorted(owner, drawn), np.searchsorted(owner, drawn, side="right")
            target = cw[start] + rng.random(drawn.size) * (cw[end] - cw[start])
            k = np.searchsorted(cw, target, side="right") - 1
            last = np.maximum.reduceat(np.where(w > 0, np.arange(w.size), -1), start)
            result[drawn] = element[np.clip(k, start, last)]
        return result
