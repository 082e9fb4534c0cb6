"""Synaptic elements and calcium of a set of neurons, integrated as NEST 3.10 integrates them (numpy, no NEST).

NEST (``structural_plasticity_node.cpp``, ``growth_curve.cpp``) brings a neuron's elements up to date in
stretches that end at each of its spikes, at each structural update and at the end of each ``Simulate``.
A stretch from ``t-`` to ``t`` starts from ``Ca- = Ca(t-)`` and adds to z: for a linear curve (closed form)
``nu (t - t-) + nu tau_Ca (Ca - Ca-) / eps`` with ``Ca = Ca- exp((t- - t) / tau_Ca)``; for a gaussian or
sigmoid curve ``h nu`` times the sum of NEST's forward-Euler loop (`stepsums`). Then ``z = max(z, 0)``,
``Ca- = Ca- exp((t- - t) / tau_Ca)`` (exact, not the Euler value) and, at a spike, ``Ca- += beta_Ca``.
`ElementState` does this for all neurons at once and keeps NEST's bookkeeping of bound elements
(``synaptic_element.h``) and the decay of vacant ones (``decay_synaptic_elements_vacant``).
"""

import math
from dataclasses import dataclass, fields

import numpy as np

from ..errors import ConfigurationError
from .stepsums import euler_sums, step_sums

KINDS = ("gaussian", "linear", "sigmoid")
#: Keys of a NEST growth-curve dict that NEST reports but that cannot be set (ignored when read).
_READ_ONLY = ("z_connected",)
_NEURONS_PER_BLOCK = 4096  # neurons integrated together (their temporaries stay in the cache)
#: Parameters held per neuron and element (``continuous`` as 1.0 / 0.0).
PARAMS = ("growth_rate", "tau_vacant", "eps", "eta", "psi", "continuous")
#: Numeric keys saved per neuron and element, as in the network file (``element_<key>``).
ELEMENT_KEYS = ("z", "z_connected", *PARAMS)


def _bad(message):
    return ConfigurationError(message)


@dataclass(frozen=True)
class GrowthCurve:
    """A synaptic element's growth curve and parameters, as NEST 3.10 holds them (defaults are NEST's).

    Parameters
    ----------
    kind : str
        ``"gaussian"``, ``"linear"`` (NEST's default) or ``"sigmoid"``.
    growth_rate : float
        nu, the largest rate of change (elements/ms); NEST's default 1.0.
    eps : float
        Target Ca (same unit as Ca); default 0.7.
    eta : float
        Gaussian only: Ca below which elements retract; default 0.1.
    psi : float
        Sigmoid only: width of the sigmoid (Ca), > 0; default 0.1.
    z : float
        Initial number of elements; default 0.
    continuous : bool
        NEST reports ``floor(z)`` instead of z to its deletion step when false; default true.
    tau_vacant : float
        Fraction of the vacant elements removed at each structural update, > 0; default 0.1.
    """

    kind: str = "linear"
    growth_rate: float = 1.0
    eps: float = 0.7
    eta: float = 0.1
    psi: float = 0.1
    z: float = 0.0
    continuous: bool = True
    tau_vacant: float = 0.1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise _bad(f"unknown growth curve {self.kind!r}; use one of {', '.join(KINDS)}")
        for f in fields(self)[1:]:
            value = getattr(self, f.name)
            kind = bool if f.name == "continuous" else float
            is_bool = isinstance(value, (bool, np.bool_))
            if is_bool != (kind is bool) or not (is_bool or isinstance(value, (int, float, np.integer, np.floating))):
                raise _bad(f"growth curve {f.name} must be a {kind.__name__}, got {value!r}; pass a {kind.__name__}")
            if kind is float and not math.isfinite(value):
                raise _bad(f"growth curve {f.name} is {value}; give a finite number")
            object.__setattr__(self, f.name, kind(value))
        if self.tau_vacant <= 0:
            raise _bad(f"tau_vacant must be > 0 (NEST refuses others), got {self.tau_vacant:g}; use e.g. 0.1")
        if self.kind == "linear" and self.eps == 0:
            raise _bad("a linear growth curve divides by eps, got eps = 0; give a positive eps (the target Ca)")
        if self.kind == "gaussian" and self.eta == self.eps:
            raise _bad(f"gaussian curve with eta = eps = {self.eps:g} has zero width; make eta lower than eps")
        if self.kind == "sigmoid" and self.psi <= 0:
            raise _bad(f"sigmoid curve needs psi > 0 (its width), got {self.psi:g}; use e.g. 0.1")

    @classmethod
    def from_nest(cls, spec):
        """Build a curve from a NEST growth-curve dict (``growth_curve``, ``growth_rate``, ``eps``, ...).

        Missing keys take NEST 3.10's defaults; ``z_connected`` (read-only in NEST) is ignored; any other key
        raises `ConfigurationError`.
        """
        if isinstance(spec, GrowthCurve):
            return spec
        if not isinstance(spec, dict):
            raise _bad(f"a growth curve must be a dict like NEST's, got {type(spec).__name__}")
        names = {f.name for f in fields(cls)} - {"kind"}
        unknown = set(spec) - names - {"growth_curve", *_READ_ONLY}
        if unknown:
            raise _bad(f"unknown growth-curve keys {sorted(unknown)}; known: growth_curve, {', '.join(sorted(names))}")
        kwargs = {k: v for k, v in spec.items() if k in names}
        return cls(kind=str(spec.get("growth_curve", "linear")), **kwargs)

    @property
    def shape(self):
        """tuple: what NEST's Euler sum depends on, ``(sigmoid?, eps, eta, psi)`` (0 / 1 where unused)."""
        return (
            float(self.kind == "sigmoid"),
            self.eps,
            self.eta if self.kind == "gaussian" else 0.0,
            self.psi if self.kind == "sigmoid" else 1.0,
        )

    def values(self):
        """Return the per-element parameters of `PARAMS` as floats, NaN for those the curve does not use."""
        unused = {"linear": ("eta", "psi"), "gaussian": ("psi",), "sigmoid": ("eta",)}[self.kind]
        return [np.nan if key in unused else float(getattr(self, key)) for key in PARAMS]


def _per_neuron(name, value, n, low=0.0, strict=False):
    """Return `value` (a number or n numbers) as a float array of length n, all finite and above `low`."""
    try:
        arr = np.array(np.broadcast_to(np.asarray(value, dtype=float), (n,)))
    except (TypeError, ValueError) as exc:
        raise _bad(f"{name} must be a number or one number per neuron ({n}); got {value!r}") from exc
    if not np.all(np.isfinite(arr)) or np.any(arr <= low if strict else arr < low):
        raise _bad(f"{name} must be finite and {'>' if strict else '>='} {low:g} for every neuron; fix the values")
    return arr


class ElementState:
    """The synaptic elements and Ca of a set of neurons (e.g. the local neurons of one MPI rank).

    Index i (0..n-1) is the neuron ``node_ids[i]``. Each element name has arrays over all neurons:
    ``z[name]``, ``connected[name]`` (NEST's ``z_connected``), ``kind[name]`` (growth curve, ``""`` where
    the neuron lacks the element), ``has[name]`` and ``params[name][key]`` for `PARAMS` (NaN where absent or
    unused). z and connected are 0 where the element is absent. ``Ca`` and ``Ca_time`` are each neuron's
    Ca at its last event and that event's time, as NEST's ``Ca_minus_`` and ``Ca_t_``.

    Parameters
    ----------
    node_ids : array_like of int
        NEST node ids of the neurons, sorted and unique.
    elements : dict of str to (GrowthCurve or dict or None or sequence of those)
        For each element name one curve for every neuron, or one per neuron (None: the neuron lacks it);
        dicts are NEST growth-curve dicts (`GrowthCurve.from_nest`). A curve's ``z`` is the initial z.
    resolution : float
        NEST's resolution h (ms), the step of its Euler loop.
    tau_Ca : float or array_like, optional
        Ca's time constant (ms), per neuron or shared; NEST's default 10 000. Must exceed h.
    beta_Ca : float or array_like, optional
        Ca's increase per spike; NEST's default 0.001.
    Ca : float or array_like, optional
        Ca at `time`.
    time : float or array_like, optional
        Time (ms) of each neuron's last event, up to which Ca and z are up to date.
    connected : dict of str to array_like of int, optional
        Bound elements per element name; 0 by default.
    """

    def __init__(self, node_ids, elements, resolution, tau_Ca=10000.0, beta_Ca=0.001, Ca=0.0, time=0.0, connected=None):
        ids = np.asarray(node_ids, dtype=np.int64).ravel()
        if np.any(np.diff(ids) <= 0):
            raise _bad("node_ids must be sorted and unique; pass np.unique(node_ids)")
        if not (isinstance(resolution, (int, float, np.number)) and math.isfinite(resolution) and resolution > 0):
            raise _bad(f"resolution must be a positive number of ms (NEST's h), got {resolution!r}")
        self.node_ids, self.n, self.h = ids, ids.size, float(resolution)
        steps = np.unique(np.diff(ids))
        self._stride = int(steps[0]) if steps.size == 1 else 1 if ids.size == 1 else 0
        self.tau_Ca = _per_neuron("tau_Ca (ms)", tau_Ca, self.n, low=self.h, strict=True)  # Euler needs tau > h
        self.beta_Ca = _per_neuron("beta_Ca", beta_Ca, self.n, strict=True)
        self.Ca = _per_neuron("Ca", Ca, self.n)
        self.Ca_time = _per_neuron("time (ms)", time, self.n, low=-np.inf)
        if not isinstance(elements, dict):
            raise _bad(f"elements must be a dict of element name to growth curve(s), got {type(elements).__name__}")
        self.names = tuple(sorted(elements))
        self.z, self.connected, self.kind, self.has, self.params, self._curves, self._row = ({} for _ in range(7))
        for name in self.names:
            self._set_element(name, elements[name], (connected or {}).get(name, 0))
        self._index_shapes()

    def _index_shapes(self):
        """Number the distinct shapes (kind, eps, eta, psi) of gaussian and sigmoid curves: one step sum per shape."""
        shapes = {c.shape for name in self.names for c in self._curves[name] if c.kind != "linear"}
        self._shape_table = np.array(sorted(shapes), dtype=float).reshape(-1, 4)
        number = {shape: k for k, shape in enumerate(sorted(shapes))}
        self._shape = {}
        for name in self.names:
            index = [-1 if c.kind == "linear" else number[c.shape] for c in self._curves[name]]
            self._shape[name] = np.array(index + [-1], dtype=np.int64)[self._row[name]]

    def set_curve(self, name, rows, spec):
        """Let element `name` of the neurons `rows` (indices) follow the growth curve `spec` from now on.

        As NEST's ``synaptic_elements_param`` without ``z``: z and the bound elements stay as they are; the
        neurons must have the element.
        """
        rows = np.asarray(rows, dtype=np.int64)
        if np.any((rows < 0) | (rows >= self.n)) or not np.all(self.has[self._name(name)][rows]):
            raise _bad(f"rows must be 0..{self.n - 1} of neurons that have element {name}")
        curve = GrowthCurve.from_nest({key: value for key, value in spec.items() if key != "z"})
        self._curves[name] = [*self._curves[name], curve]
        self._row[name][rows] = len(self._curves[name]) - 1
        self.kind[name][rows] = curve.kind
        for key, value in zip(PARAMS, curve.values()):
            self.params[name][key][rows] = value
        self._index_shapes()

    def _set_element(self, name, spec, connected):
        """Fill the arrays of element `name` from its curve(s); one `GrowthCurve` per distinct object."""
        if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], np.ndarray):
            curves, row = spec  # `from_arrays`: distinct curves and each neuron's row (-1: none)
        else:
            if spec is None or isinstance(spec, (dict, GrowthCurve)):
                spec = [spec] * self.n
            if len(spec) != self.n:
                raise _bad(f"element {name} has {len(spec)} curves for {self.n} neurons; give one per neuron or one")
            # the same dict is usually repeated for a whole population: convert each distinct object once
            _, first, inverse = np.unique(np.fromiter(map(id, spec), np.uint64, self.n), True, True)
            items = [spec[i] for i in first]
            curves = [GrowthCurve.from_nest(item) for item in items if item is not None]
            where = np.cumsum([item is not None for item in items]) - 1
            row = np.where([item is None for item in items], -1, where)[inverse.ravel()] if self.n else inverse
        self._curves[name], self._row[name], self.has[name] = curves, row, row >= 0
        self.kind[name] = np.array([c.kind for c in curves] + [""], dtype="U8")[row]
        values = np.array([c.values() for c in curves] + [[np.nan] * len(PARAMS)]).reshape(-1, len(PARAMS))[row]
        self.params[name] = {key: values[:, j].copy() for j, key in enumerate(PARAMS)}
        self.z[name] = np.array([c.z for c in curves] + [0.0])[row]
        self.connected[name] = np.array(np.broadcast_to(np.asarray(connected), (self.n,)), dtype=np.int64)
        if np.any(self.connected[name] < 0) or np.any(self.connected[name][~self.has[name]] != 0):
            raise _bad(f"connected {name} must be >= 0, and 0 where a neuron lacks {name}")

    # ---------------------------------------------------------------------------------------------
    # Integration
    # ---------------------------------------------------------------------------------------------
    def _events(self, senders, times, t):
        """Check the spikes; return their neuron indices and times, sorted by neuron and time."""
        senders = np.asarray(senders, dtype=np.int64).ravel()
        times = np.asarray(times, dtype=float).ravel()
        if senders.size != times.size:
            raise _bad(f"{senders.size} senders but {times.size} times; pass one time per spike")
        if not (isinstance(t, (int, float, np.number)) and math.isfinite(t)) or t < self.Ca_time.max(initial=t):
            raise _bad(f"cannot advance to t = {t!r} ms: give a finite time, not before {self.Ca_time.max()} ms")
        if self._stride:  # evenly spaced ids (one process, or NEST's round-robin under MPI): no search
            idx = (senders - self.node_ids[0]) // self._stride
        else:
            idx = np.searchsorted(self.node_ids, senders)
        if np.any((idx < 0) | (idx >= self.n)) or np.any(self.node_ids[np.clip(idx, 0, self.n - 1)] != senders):
            raise _bad("spikes from neurons not in node_ids; pass only these neurons' spikes (np.isin)")
        if not np.all(np.isfinite(times)) or np.any(times > t) or np.any(times <= self.Ca_time[idx]):
            raise _bad("spike times must lie after each neuron's last event and not after t; pass only new spikes")
        grid = np.rint(times / self.h)
        if times.size and np.all(np.abs(grid * self.h - times) <= 1e-6 * self.h):  # on NEST's grid: one int key
            grid = (grid - grid.min()).astype(np.int64)
            order = np.argsort(idx * (grid.max() + 1) + grid)  # 5 times faster than lexsort
        else:
            order = np.lexsort((times, idx))
        return idx[order], times[order]

    def advance(self, senders, times, t, method="fast"):
        """Integrate every neuron's Ca and elements through its spikes up to time `t`, as NEST does.

        Parameters
        ----------
        senders : array_like of int
            Node ids of the spikes since the last call (any order), e.g. a spike recorder's events.
        times : array_like of float
            Their times (ms), each after its neuron's last event and at most `t`.
        t : float
            Time to advance to (ms): a structural update or the end of a ``Simulate`` call.
        method : {"fast", "steps"}
            ``"steps"`` runs NEST's Euler loop step by step (the reference for tests; N t / h evaluations).
        """
        if method not in ("fast", "steps"):
            raise _bad(f"unknown method {method!r}; use 'fast' or 'steps'")
        idx, times = self._events(senders, times, t)
        for lo in range(0, self.n, _NEURONS_PER_BLOCK):  # neurons are independent: blocks that stay in the cache
            hi = min(lo + _NEURONS_PER_BLOCK, self.n)
            a, b = np.searchsorted(idx, [lo, hi])
            self._advance_block(slice(lo, hi), idx[a:b] - lo, times[a:b], t, method)
        self.Ca_time[:] = t

    def _advance_block(self, block, idx, times, t, method):
        """`advance` for the neurons `block` (a slice), given their spikes (block-local indices, sorted)."""
        n, tau_n, beta_n = block.stop - block.start, self.tau_Ca[block], self.beta_Ca[block]
        counts = np.bincount(idx, minlength=n)
        first = np.cumsum(counts + 1) - (counts + 1)  # neuron i has stretches first[i] .. first[i] + counts[i]
        end = np.empty(idx.size + n)
        end[np.arange(idx.size) + idx] = times  # the j-th sorted spike ends stretch j + (its neuron's index)
        end[first + counts] = t
        start = np.roll(end, 1)
        start[first] = self.Ca_time[block]
        # the number of steps of NEST's loop `for (lag = t-; lag < t - h / 2; lag += h)`
        steps = np.maximum(0, np.ceil((end - start) / self.h - 0.5)).astype(np.int64)
        # Ca from stretch to stretch, by rank within each neuron, all neurons at once
        by_count = np.argsort(-counts, kind="stable")
        at_least = n - np.concatenate([[0], np.cumsum(np.bincount(counts))])
        ranks, c, c_end, Ca = [], np.empty(end.size), np.empty(end.size), self.Ca[block].copy()
        for r in range(int(counts.max(initial=0)) + 1):
            who = by_count[: at_least[r]]
            pos = first[who] + r
            c[pos] = Ca[who]
            Ca[who] *= np.exp((start[pos] - end[pos]) / tau_n[who])  # NEST re-bases Ca exactly
            c_end[pos] = Ca[who]
            Ca[who] += np.where(counts[who] > r, beta_n[who], 0.0)
            ranks.append((who, pos))
        self.Ca[block] = Ca
        neuron = np.repeat(np.arange(n), counts + 1)
        rank, tau = np.arange(end.size) - first[neuron], tau_n[neuron]
        # one step sum per neuron and curve shape, shared by its elements of that shape (nu scales it)
        shape = {e: self._shape[e][block] for e in self.names}
        keys = np.sort(np.concatenate([np.zeros(0, np.int64)] + [shape[e] * n + np.arange(n) for e in self.names]))
        keys = keys[(keys >= 0) & np.concatenate([keys[:1] != keys[:1] - 1, keys[1:] != keys[:-1]])]  # distinct

        pair_neuron, (code, eps, eta, psi) = keys % n, self._shape_table[keys // n].T
        m = counts[pair_neuron] + 1
        pair_first = np.cumsum(m) - m
        owner = np.repeat(np.arange(keys.size), m)
        pos = first[pair_neuron][owner] + np.arange(owner.size) - pair_first[owner]
        sums = np.zeros(owner.size)
        for value, kind in ((0.0, "gaussian"), (1.0, "sigmoid")):
            sel = np.flatnonzero(code[owner] == value)
            p, par = pos[sel], (eps[owner[sel]], eta[owner[sel]], psi[owner[sel]])
            if method == "steps":
                sums[sel] = euler_sums(kind, c[p], steps[p], tau[p], self.h, *par)
            else:
                sums[sel] = step_sums(kind, c[p], steps[p], -np.log1p(-self.h / tau[p]), *par)
        for name in self.names:
            nu, d = self.params[name]["growth_rate"][block][neuron], np.zeros(end.size)
            lin = np.flatnonzero((self.kind[name][block] == "linear")[neuron])  # NEST's closed form and order
            eps_lin = self.params[name]["eps"][block][neuron[lin]]
            d[lin] = nu[lin] * tau[lin] * (c_end[lin] - c[lin]) / eps_lin + nu[lin] * (end[lin] - start[lin])
            curved = np.flatnonzero(shape[name] >= 0)
            first_sum = np.zeros(n, dtype=np.int64)  # per neuron: where its sums of this element's shape start
            first_sum[curved] = pair_first[np.searchsorted(keys, shape[name][curved] * n + curved)]
            cur = np.flatnonzero((shape[name] >= 0)[neuron])
            d[cur] = self.h * nu[cur] * sums[first_sum[neuron[cur]] + rank[cur]]
            z = self.z[name][block]  # a view: written in place
            for who, pos in ranks:  # z is clipped at 0 at the end of every stretch, as NEST does
                z[who] = np.maximum(z[who] + d[pos], 0.0)
            z[~self.has[name][block]] = 0.0

    # ---------------------------------------------------------------------------------------------
    # Bound and vacant elements (NEST's synaptic_element.h)
    # ---------------------------------------------------------------------------------------------
    def _name(self, name):
        if name not in self.has:
            raise _bad(f"unknown synaptic element {name!r}; known: {', '.join(self.names)}")
        return name

    def vacant(self, name):
        """Return ``floor(z) - connected`` per neuron (int; > 0 free, < 0 synapses to delete, 0 where absent)."""
        vacant = np.floor(self.z[self._name(name)]) - self.connected[name]
        return np.where(self.has[name], vacant, 0).astype(np.int64)

    def value(self, name):
        """Return z as NEST's deletion sees it: ``floor(z)`` where ``continuous`` is false, 0 where absent.

        When a neuron loses axonal elements NEST deletes only synapses onto targets whose post-synaptic
        element has this value != 0 (``connector_base.h``, ``get_target_node_ids``).
        """
        z = self.z[self._name(name)]
        return np.where(self.has[name], np.where(self.params[name]["continuous"] == 1.0, z, np.floor(z)), 0.0)

    def _bind(self, name, indices, sign):
        idx = np.asarray(indices, dtype=np.int64).ravel()
        if np.any((idx < 0) | (idx >= self.n)) or not np.all(self.has[self._name(name)][idx]):
            raise _bad(f"indices must be 0..{self.n - 1} of neurons that have element {name}; check the pairing")
        count = np.bincount(idx, minlength=self.n)
        connected = self.connected[name] + sign * count
        if np.any(connected < 0):
            raise _bad(f"disconnecting more {name} elements than are connected; disconnect only existing synapses")
        # NEST binds and releases one element at a time, both with SynapticElement::connect(+1 or -1): after
        # each step, z = z_connected + frac(z) when z_connected > floor(z), for that neuron only. Connecting k:
        # the last step decides. Releasing k: only the first can raise z (to z_connected - 1 + frac(z)); after
        # it floor(z) is at least the bound count. So a neuron that lost elements and then loses synapses ends
        # with vacant elements, as in NEST.
        z = self.z[name]
        whole = np.floor(z)
        after = connected if sign > 0 else self.connected[name] - 1
        up = (count > 0) & (after > whole)
        z[up] = after[up] + (z[up] - whole[up])
        self.connected[name] = connected

    def connect(self, name, indices):
        """Bind one element `name` per entry of `indices` (neuron indices, repeated once per synapse)."""
        self._bind(name, indices, +1)

    def disconnect(self, name, indices):
        """Release one element `name` per entry of `indices`, as NEST does (see `_bind`: z may rise)."""
        self._bind(name, indices, -1)

    def decay_vacant(self):
        """Remove the fraction ``tau_vacant`` of every vacant element, as the end of NEST's structural update.

        NEST's ``decay_z_vacant``: ``z -= (floor(z) - connected) * tau_vacant`` where that is > 0, whatever
        ``continuous`` is.
        """
        for name in self.names:
            vacant = self.vacant(name)
            free = vacant > 0
            self.z[name][free] -= vacant[free] * self.params[name]["tau_vacant"][free]

    # ---------------------------------------------------------------------------------------------
    # Saving and restoring, in the network file's layout (element_<key> of shape (n, elements))
    # ---------------------------------------------------------------------------------------------
    def to_arrays(self):
        """Return the state as arrays: ``neuron_*`` of shape (n,), ``element_*`` of shape (n, len(names)).

        ``element_<key>`` for each key of `ELEMENT_KEYS` (NaN where a neuron lacks the element or its curve
        does not use the parameter), ``element_growth_curve`` (``""`` where absent), ``element_names``,
        ``neuron_id``, ``neuron_Ca``, ``neuron_Ca_time``, ``neuron_tau_Ca`` and ``neuron_beta_Ca``.
        """
        cols = {"z": self.z, "z_connected": self.connected}
        out = {}
        for key in ELEMENT_KEYS:
            col = [cols[key][e] if key in cols else self.params[e][key] for e in self.names]
            out[f"element_{key}"] = np.where([self.has[e] for e in self.names], col, np.nan).T.reshape(self.n, -1)
        out["element_growth_curve"] = np.array([self.kind[e] for e in self.names], dtype="U16").T.reshape(self.n, -1)
        out["element_names"] = np.array(self.names, dtype="U64")
        out.update(neuron_id=self.node_ids.copy(), neuron_Ca=self.Ca.copy(), neuron_Ca_time=self.Ca_time.copy())
        out.update(neuron_tau_Ca=self.tau_Ca.copy(), neuron_beta_Ca=self.beta_Ca.copy())
        return out

    @classmethod
    def from_arrays(cls, arrays, resolution, element_names=None, time=None, tau_Ca=None, beta_Ca=None):
        """Rebuild a state (curves, z, connected, Ca, time) from `to_arrays` output or a network file's arrays.

        Keywords replace missing (or present) ``element_names``, ``neuron_Ca_time``, ``neuron_tau_Ca`` and
        ``neuron_beta_Ca``; without either, time 0 and NEST's defaults are used.
        """
        names = [str(e) for e in (element_names if element_names is not None else arrays["element_names"])]
        kinds = np.asarray(arrays["element_growth_curve"]).reshape(-1, len(names))
        col = {key: np.asarray(arrays[f"element_{key}"], float).reshape(-1, len(names)) for key in ELEMENT_KEYS}
        elements, connected = {}, {}
        for j, name in enumerate(names):
            present = np.flatnonzero(kinds[:, j] != "")
            if not np.all(np.isin(kinds[present, j], KINDS)) or not np.all(np.isfinite(col["z"][present, j])):
                raise _bad(f"element {name}: growth curves must be {', '.join(KINDS)} with a finite z; fix the file")
            # one curve per distinct row of parameters (NaN as inf, so that equal rows have equal bytes)
            rows = np.column_stack([np.searchsorted(KINDS, kinds[present, j])] + [col[k][present, j] for k in PARAMS])
            rows = np.ascontiguousarray(np.nan_to_num(rows, nan=np.inf))
            _, first, inverse = np.unique(rows.view(f"V{rows.shape[1] * 8}").ravel(), True, True)  # as bytes: fast
            table = rows[first]
            curves = [
                GrowthCurve(
                    KINDS[int(r[0])],
                    **{k: (v == 1) if k == "continuous" else v for k, v in zip(PARAMS, r[1:]) if v != np.inf},
                )
                for r in table
            ]
            row = np.full(kinds.shape[0], -1, dtype=np.int64)
            row[present] = inverse.ravel()
            elements[name] = (curves, row)
            connected[name] = np.nan_to_num(col["z_connected"][:, j]).astype(np.int64)
        state = cls(
            arrays["neuron_id"],
            elements,
            resolution,
            tau_Ca=tau_Ca if tau_Ca is not None else arrays.get("neuron_tau_Ca", 10000.0),
            beta_Ca=beta_Ca if beta_Ca is not None else arrays.get("neuron_beta_Ca", 0.001),
            Ca=arrays["neuron_Ca"],
            time=time if time is not None else arrays.get("neuron_Ca_time", 0.0),
            connected=connected,
        )
        for j, name in enumerate(names):
            state.z[name] = np.where(state.has[name], col["z"][:, j], 0.0)
        return state
