"""Positions of neurons on a 2D sheet, distances (optionally on a torus), the Gaussian kernel, cells.

Pure numpy. Coordinates are in micrometres, with the sheet covering ``[0, width] x [0, height]``.
A periodic sheet is a torus: distances use the nearest image, as Sinha et al. (2021) do to avoid
edge effects. Neurons are numbered by a global index ``0..N-1``; ``positions[i]`` is neuron ``i``'s.
`CellGrid` bins a sheet into cells so that neighbours within a radius are found without all pairs.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigurationError

# The kernel exp(-d^2/sigma^2) is cut where it falls below this fraction of its peak (1 at d = 0)
# when no cut-off is given: at d = sigma * sqrt(ln 1e6) = 3.72 sigma. What is left out beyond it
# weighs at most 1e-6 of the nearest partner, and the cost of pairing stays bounded.
DEFAULT_KERNEL_FLOOR = 1e-6


def _positive_finite(value, name, unit="µm"):
    """``value`` as a float, or a ConfigurationError when it is not a finite number > 0."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a number in {unit}, got {value!r}") from None
    if not math.isfinite(value) or value <= 0.0:
        raise ConfigurationError(f"{name} must be finite and > 0 (in {unit}), got {value!r}; give a positive value")
    return value


@dataclass(frozen=True)
class Sheet:
    """A rectangular 2D sheet ``[0, width] x [0, height]`` on which neurons sit.

    Parameters
    ----------
    width, height : float
        Extent of the sheet (µm), finite and > 0.
    periodic : bool
        If True the sheet is a torus: a neuron at the left edge neighbours one at the right edge, and
        distances are taken between nearest images (Sinha et al. 2021). If False, plain Euclidean.
    """

    width: float
    height: float
    periodic: bool = True

    def __post_init__(self):
        object.__setattr__(self, "width", _positive_finite(self.width, "Sheet width"))
        object.__setattr__(self, "height", _positive_finite(self.height, "Sheet height"))
        object.__setattr__(self, "periodic", bool(self.periodic))

    @property
    def size(self):
        """``np.array([width, height])`` (µm)."""
        return np.array([self.width, self.height])

    def check_positions(self, positions):
        """Return ``positions`` as a float array of shape (N, 2), checked to lie on the sheet.

        Raises
        ------
        ConfigurationError
            If the shape is not (N, 2), a value is not finite, or a position lies outside the sheet.
        """
        pos = np.asarray(positions, dtype=float)
        if pos.ndim != 2 or pos.shape[1] != 2:
            raise ConfigurationError(f"positions must have shape (N, 2) in µm, got shape {pos.shape}; give (x, y) rows")
        if not np.all(np.isfinite(pos)):
            raise ConfigurationError("positions contain NaN or inf; give finite (x, y) in µm")
        outside = np.flatnonzero(np.any((pos < 0.0) | (pos > self.size), axis=1))
        if outside.size:
            i = outside[0]
            raise ConfigurationError(
                f"{outside.size} position(s) lie outside the sheet [0, {self.width:g}] x [0, {self.height:g}] µm "
                f"(first: neuron {i} at ({pos[i, 0]:g}, {pos[i, 1]:g})); enlarge the sheet or move the neurons"
            )
        return pos

    def displacement(self, a, b):
        """Absolute per-axis separations ``|b - a|`` (µm), by nearest image on a torus; broadcasts."""
        delta = np.abs(np.asarray(b, dtype=float) - np.asarray(a, dtype=float))
        if self.periodic:
            # The nearest image of b is at most half the sheet away along each axis.
            delta = np.minimum(delta, self.size - delta)
        return delta

    def distance(self, a, b):
        """Euclidean distance (µm) between positions ``a`` and ``b`` (arrays ``(..., 2)``), wrapped on a torus."""
        delta = self.displacement(a, b)
        return np.hypot(delta[..., 0], delta[..., 1])


def grid_positions(rows, columns, spacing, jitter=0.0, rng=None, periodic=True):
    """Neurons on a ``rows x columns`` grid, each at the centre of its square, optionally jittered.

    Neuron ``i`` sits in row ``i // columns`` and column ``i % columns`` (Sinha et al.'s numbering), at
    ``((column + 0.5) * spacing, (row + 0.5) * spacing)`` plus a uniform displacement in
    ``[-jitter, jitter)`` along each axis. The sheet is ``columns * spacing`` by ``rows * spacing``, so on
    a torus the grid is the same seen from every neuron.

    Parameters
    ----------
    rows, columns : int
        Grid size (>= 1 each).
    spacing : float
        Distance between neighbouring grid points (µm), > 0. Sinha et al. use 150 µm for E neurons.
    jitter : float
        Half-width of the uniform displacement per axis (µm), ``0 <= jitter <= spacing / 2`` so that a
        neuron never leaves its own grid square (nor the sheet).
    rng : numpy.random.Generator or int or None
        Random generator (or seed) for the jitter; required only when ``jitter > 0``.
    periodic : bool
        Whether the returned sheet is a torus.

    Returns
    -------
    sheet : Sheet
    positions : numpy.ndarray, shape (rows * columns, 2)
        Positions in µm, indexed by neuron.
    """
    for name, n in (("rows", rows), ("columns", columns)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ConfigurationError(f"grid {name} must be an integer >= 1, got {n!r}; the grid cannot be empty")
    spacing = _positive_finite(spacing, "grid spacing")
    jitter = float(jitter)
    if not math.isfinite(jitter) or jitter < 0.0 or jitter > spacing / 2:
        raise ConfigurationError(
            f"jitter must lie in [0, spacing/2] = [0, {spacing / 2:g}] µm, got {jitter!r}; "
            "it is the half-width of a uniform displacement that keeps each neuron in its grid square"
        )
    sheet = Sheet(columns * spacing, rows * spacing, periodic)
    index = np.arange(rows * columns)
    pos = np.column_stack([(index % columns + 0.5) * spacing, (index // columns + 0.5) * spacing])
    if jitter > 0.0:
        if rng is None:
            raise ConfigurationError("jitter > 0 needs a random generator; pass rng=numpy.random.default_rng(seed)")
        pos += np.random.default_rng(rng).uniform(-jitter, jitter, size=pos.shape)
    return sheet, pos


def free_positions(sheet, positions):
    """Positions given by the user, checked to lie on ``sheet``; returns a float array (N, 2) in µm."""
    if not isinstance(sheet, Sheet):
        raise ConfigurationError(f"sheet must be a Sheet, got {type(sheet).__name__}; build one with Sheet(w, h)")
    pos = sheet.check_positions(positions)
    if pos.shape[0] == 0:
        raise ConfigurationError("no positions given; give one (x, y) row per neuron")
    return pos


def check_sigma(sigma):
    """``sigma`` (µm) as a float, or a ConfigurationError unless it is finite and > 0."""
    return _positive_finite(sigma, "kernel width sigma")


def gaussian_kernel(distance, sigma):
    """The pairing kernel ``exp(-d^2 / sigma^2)`` (1 at d = 0), as in NEST PR #3369 and Sinha et al.

    Note the convention: sigma is not a standard deviation; the kernel falls to 1/e at d = sigma.
    Sinha et al. use sigma = 10 x 150 µm for E axons and 20 x 150 µm for I axons.

    Parameters
    ----------
    distance : array_like
        Distances (µm), >= 0.
    sigma : float
        Kernel width (µm), finite and > 0.
    """
    sigma = check_sigma(sigma)
    d = np.asarray(distance, dtype=float)
    return np.exp(-((d / sigma) ** 2))


def pairing_radius(sigma, cutoff=None, kernel=None):
    """Largest distance (µm) at which a pair may form: ``cutoff`` if given, else the default truncation.

    Parameters
    ----------
    sigma : float
        Kernel width (µm).
    cutoff : float or None
        Maximum pair distance (µm), > 0 (``numpy.inf`` for no truncation at all). None: cut the kernel
        where it falls below ``DEFAULT_KERNEL_FLOOR`` (1e-6) of its value at 0, at 3.72 sigma for the
        Gaussian (closed form), found by bisection for another non-increasing ``kernel(d, sigma)``.
    kernel : callable or None
        The kernel; None or `gaussian_kernel` for the Gaussian.
    """
    sigma = check_sigma(sigma)
    if cutoff is not None:
        try:
            cutoff = float(cutoff)
        except (TypeError, ValueError):
            raise ConfigurationError(f"cutoff must be a distance in µm or None, got {cutoff!r}") from None
        if math.isnan(cutoff) or cutoff <= 0.0:
            raise ConfigurationError(f"cutoff must be > 0 µm (or None for the default truncation), got {cutoff!r}")
        return cutoff
    if kernel is None or kernel is gaussian_kernel:
        return sigma * math.sqrt(-math.log(DEFAULT_KERNEL_FLOOR))
    peak = float(kernel(0.0, sigma))
    if not (math.isfinite(peak) and 0.0 < peak <= 1.0):
        raise ConfigurationError(f"kernel(0, sigma) must lie in (0, 1], got {peak!r}; normalise the kernel")
    low, high = 0.0, sigma
    while float(kernel(high, sigma)) >= DEFAULT_KERNEL_FLOOR * peak:
        low, high = high, 2.0 * high
        if high > 1e6 * sigma:
            raise ConfigurationError("the kernel does not fall below 1e-6 of its peak; pass a finite cutoff")
    for _ in range(60):  # bisection to well below a micrometre
        mid = 0.5 * (low + high)
        low, high = (mid, high) if float(kernel(mid, sigma)) >= DEFAULT_KERNEL_FLOOR * peak else (low, mid)
    return high


class CellGrid:
    """Cells tiling a sheet, to find what lies within a radius of a point without looking at all pairs.

    Parameters
    ----------
    sheet : Sheet
    cell_size : float
        Wanted cell side (µm); the cells get ``width / nx`` by ``height / ny`` so that they tile the sheet.
    max_cells : int or None
        Upper bound on ``nx * ny`` (memory); cells grow to respect it.
    """

    def __init__(self, sheet, cell_size, max_cells=None):
        n = [max(1, int(extent // cell_size)) for extent in sheet.size]
        shrink = math.sqrt(max(1.0, n[0] * n[1] / max_cells)) if max_cells else 1.0
        self.sheet = sheet
        self.nx, self.ny = (max(1, int(k / shrink)) for k in n)
        self.n_cells = self.nx * self.ny
        self.h = sheet.size / np.array([self.nx, self.ny])  # cell size (µm)

    def cell_of(self, positions):
        """Flat cell index ``cy * nx + cx`` of each position (µm), shape (N, 2)."""
        cx = np.minimum((positions[:, 0] // self.h[0]).astype(np.int64), self.nx - 1)
        cy = np.minimum((positions[:, 1] // self.h[1]).astype(np.int64), self.ny - 1)
        return cy * self.nx + cx

    def _axis(self, n, h, radius):
        """Offsets along one axis that can lie within ``radius``, and the gap (µm) they leave."""
        reach = n if not math.isfinite(radius) else int(math.ceil(radius / h)) + 1
        if self.sheet.periodic:
            # On a ring of n cells each residue once when the reach covers the ring.
            d = np.arange(n) - n // 2 if 2 * reach + 1 >= n else np.arange(-reach, reach + 1)
            between = np.minimum(np.abs(d) % n, n - np.abs(d) % n) - 1
        else:
            d = np.arange(-min(reach, n - 1), min(reach, n - 1) + 1)
            between = np.abs(d) - 1
        return d, np.maximum(between, 0) * h

    def offsets(self, radius):
        """Offsets ``(dx, dy)`` to every cell that may hold a point within ``radius`` (µm) of a point in a
        cell, and ``gap``, the least distance (µm) between two such cells (a lower bound on distances)."""
        (ox, gx), (oy, gy) = self._axis(self.nx, self.h[0], radius), self._axis(self.ny, self.h[1], radius)
        gap = np.hypot(np.repeat(gx, oy.size), np.tile(gy, ox.size))
        near = gap <= radius
        return np.repeat(ox, oy.size)[near], np.tile(oy, ox.size)[near], gap[near]

    def neighbours(self, cells, dx, dy):
        """Flat indices, shape (len(cells), len(dx)), of the cells at each offset; -1 off an open sheet."""
        cx = cells[:, None] % self.nx + dx
        cy = cells[:, None] // self.nx + dy
        if self.sheet.periodic:
            return (cy % self.ny) * self.nx + cx % self.nx
        inside = (cx >= 0) & (cx < self.nx) & (cy >= 0) & (cy < self.ny)
        return np.where(inside, cy * self.nx + cx, -1)
