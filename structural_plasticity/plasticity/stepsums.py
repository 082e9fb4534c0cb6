"""NEST 3.10's Euler step sum of a growth curve, evaluated without stepping (numpy, no NEST).

Between two events of a neuron (a stretch of ``n`` steps of the resolution ``h``), NEST's gaussian and
sigmoid curves (``growth_curve.cpp``) run a forward-Euler loop: each step ``Ca -= Ca h / tau_Ca``, then
``z += h nu F(Ca)``, with ``F = 2 exp(-((Ca - xi) / zeta)^2) - 1`` (``xi = (eta + eps) / 2``,
``zeta = (eps - eta) / (2 sqrt(ln 2))``) or ``F = 2 / (1 + exp((Ca - eps) / psi)) - 1``. The stretch thus
adds ``h nu S`` with ``S = sum_{k=1..n} F(c r^k)``, ``r = 1 - h / tau_Ca`` and ``c`` the Ca at its start.

Stepping costs one evaluation per step: 10 000 per neuron and simulated second, as much as NEST's whole
kernel. `step_sums` evaluates S by Euler-Maclaurin instead, for ``g(x) = F(c exp(-a x))``, ``a = -ln r``::

    S = int_0^n g dx + (g(n) - g(0)) / 2 + (g'(n) - g'(0)) / 12 - (g'''(n) - g'''(0)) / 720 + R

with the integral by Gauss-Legendre on panels across which the curve's argument moves by at most 0.5.
The argument changes by ``q = a Ca / width`` per step (``a`` ~ 1e-5 for tau_Ca = 10 s), so ``R`` is of
order ``q^5 / (2 pi)^6``: below 1e-13 per step for ``q <= 1e-2``. Short stretches, and curves so sharp that
``q > 1e-2``, are summed step by step. Measured against long-double sums: at most 3e-14 per step.
`euler_sums` is NEST's loop itself, stepped and vectorised over stretches: the reference for tests.
"""

import math

import numpy as np

_SQRT_LOG_TWO = math.sqrt(math.log(2.0))  # NEST's numerics::sqrt_log_two
_GL8 = np.polynomial.legendre.leggauss(8)  # Gauss-Legendre nodes and weights, exact for degree 15
_GL4 = np.polynomial.legendre.leggauss(4)  # exact for degree 7: error ~ (spread / 2)^8 / 1000 per step
_SMALL_SPREAD = 0.05  # largest spread of the curve's argument over a stretch integrated with 4 nodes
_DIRECT_STEPS = 16  # stretches of at most this many steps are summed step by step (cheaper than 8 nodes + ends)
_Q_MAX = 1e-2  # largest change of the curve's argument per step for Euler-Maclaurin (error ~ q^5 / 6e4)
_PANEL_DU = 0.5  # largest change of the curve's argument (and of a x) across one Gauss-Legendre panel
_BLOCK = 16384  # stretches per block (measured: 16 384 fastest of 1 024 to 65 536)


def curve_values(kind, ca, eps, eta=None, psi=None):
    """Return F(Ca) by NEST's formula (``growth_curve.cpp``) for ``kind`` "gaussian" or "sigmoid".

    `eps`, `eta` (gaussian) and `psi` (sigmoid) are numbers or arrays that broadcast with `ca`.
    """
    if kind == "gaussian":
        return 2.0 * np.exp(-(((ca - (eta + eps) * 0.5) * (2.0 * _SQRT_LOG_TWO / (eta - eps))) ** 2)) - 1.0
    with np.errstate(over="ignore"):  # exp overflows to inf far above eps, where F = -1 as in NEST
        return 2.0 / (1.0 + np.exp((ca - eps) / psi)) - 1.0


def _curve_ends(kind, ca, eps, eta, psi):
    """Return F, D F and D^3 F at `ca`, with D = Ca d/dCa (so that d/dx F(c exp(-a x)) = -a D F)."""
    if kind == "gaussian":
        s = 2.0 * _SQRT_LOG_TWO / (eta - eps)
        w = (ca - (eta + eps) * 0.5) * s
        w2 = w * w
        e = np.exp(-w2)
        s2 = s * s  # products, not powers: numpy's pow of negative arrays is ~30 times slower
        d1, d2, d3 = (-4 * s) * w * e, (2 * s2) * (4 * w2 - 2) * e, (2 * s2 * s) * (12 - 8 * w2) * w * e
        f = 2.0 * e - 1.0
    else:
        t = np.tanh((ca - eps) / (2.0 * psi))  # F = -tanh(v / 2), v = (Ca - eps) / psi
        u = 1.0 - t * t
        ip = 1.0 / psi
        d1, d2, d3 = u * (-0.5 * ip), t * u * (0.5 * ip * ip), u * (3 * t * t - 1) * (-0.25 * ip * ip * ip)
        f = -t
    ca2 = ca * ca
    return f, ca * d1, ca * d1 + 3 * ca2 * d2 + ca2 * ca * d3


def _gauss_legendre(kind, c, n, a, par, spread, nodes):
    """Return int_0^n F(c exp(-a x)) dx by Gauss-Legendre on panels of `spread` <= _PANEL_DU each."""
    x_gl, w_gl = nodes
    panels = np.maximum(1, np.ceil(spread / _PANEL_DU)).astype(np.int64)
    if panels.max() == 1:  # the usual case: one panel per stretch, no bookkeeping
        x = n[:, None] * (0.5 * (x_gl + 1.0))
        ca = c[:, None] * np.exp(-a[:, None] * x)
        return curve_values(kind, ca, *(p[:, None] for p in par)) @ w_gl * (0.5 * n)
    owner = np.repeat(np.arange(c.size), panels)
    length = (n / panels)[owner]
    start = (np.arange(owner.size) - np.repeat(np.cumsum(panels) - panels, panels)) * length
    x = start[:, None] + length[:, None] * (0.5 * (x_gl + 1.0))
    ca = c[owner][:, None] * np.exp(-a[owner][:, None] * x)
    vals = curve_values(kind, ca, *(p[owner][:, None] for p in par)) @ w_gl * (0.5 * length)
    return np.bincount(owner, vals, minlength=c.size)


def step_sums(kind, c, n, a, eps, eta=0.0, psi=1.0):
    """Return ``sum_{k=1..n} F(c exp(-a k))`` per stretch: NEST's Euler loop summed without stepping.

    Parameters
    ----------
    kind : {"gaussian", "sigmoid"}
        The growth curve.
    c : array_like
        Ca at the start of each stretch.
    n : array_like of int
        Number of Euler steps of each stretch.
    a : array_like
        ``-ln(1 - h / tau_Ca)`` of each stretch (Ca's Euler decay per step is ``exp(-a)``).
    eps, eta, psi : float or array_like
        The curve's parameters, per stretch or shared (`eta` is used by gaussian curves, `psi` by sigmoid).

    Returns
    -------
    numpy.ndarray
        The sums, one per stretch.
    """
    c, n, a, eps, eta, psi = (np.asarray(v, float) for v in np.broadcast_arrays(c, n, a, eps, eta, psi))
    if c.size > _BLOCK:  # in blocks whose temporaries stay in the cache: 3 times faster for 300 000 stretches
        parts = [slice(i, i + _BLOCK) for i in range(0, c.size, _BLOCK)]
        return np.concatenate([step_sums(kind, c[p], n[p], a[p], eps[p], eta[p], psi[p]) for p in parts])
    n = n.astype(np.int64)
    out = np.zeros(c.shape)
    width = np.abs(eps - eta) / (2 * _SQRT_LOG_TWO) if kind == "gaussian" else psi
    q = a * c / width  # change of the curve's argument per step, largest at the start (Ca only decays)
    direct = (n <= _DIRECT_STEPS) | (q > _Q_MAX)
    i = np.flatnonzero(direct)
    if i.size:  # step by step: short stretches, and curves too sharp for the expansion
        owner = np.repeat(i, n[i])
        k = np.arange(owner.size) - np.repeat(np.cumsum(n[i]) - n[i], n[i]) + 1
        vals = curve_values(kind, c[owner] * np.exp(-a[owner] * k), eps[owner], eta[owner], psi[owner])
        out[i] = np.bincount(owner, vals, minlength=c.size)[i]
    j = np.flatnonzero(~direct)
    if j.size:
        c, n, a, par = c[j], n[j].astype(float), a[j], (eps[j], eta[j], psi[j])
        spread = np.maximum(q[j], a) * n  # how far the curve's argument (and a x) moves across the stretch
        small = spread <= _SMALL_SPREAD  # most stretches: 4 nodes are exact to ~1e-15 there
        integral = np.empty(j.size)
        for sel, nodes in ((small, _GL4), (~small, _GL8)):
            if sel.any():
                p = tuple(v[sel] for v in par)
                integral[sel] = _gauss_legendre(kind, c[sel], n[sel], a[sel], p, spread[sel], nodes)
        f0, d0, t0 = _curve_ends(kind, c, *par)
        f1, d1, t1 = _curve_ends(kind, c * np.exp(-a * n), *par)
        out[j] = integral + ((f1 - f0) / 2 - a * (d1 - d0) / 12 + a * a * a * (t1 - t0) / 720)
    return out


def euler_sums(kind, c, n, tau, h, eps, eta=0.0, psi=1.0):
    """Return ``sum_{k=1..n} F(Ca_k)`` from NEST's Euler loop, one step at a time (the reference of `step_sums`).

    Parameters
    ----------
    kind : {"gaussian", "sigmoid"}
        The growth curve.
    c, n : array_like
        Ca at the start and number of steps of each stretch.
    tau : array_like
        tau_Ca (ms) of each stretch.
    h : float
        Resolution (ms).
    eps, eta, psi : float or array_like
        The curve's parameters, per stretch or shared.
    """
    c, n, tau, eps, eta, psi = (np.asarray(v, float) for v in np.broadcast_arrays(c, n, tau, eps, eta, psi))
    order = np.argsort(-n, kind="stable")  # stretches with more than k steps are then the first ones
    ca, n_sorted, tau, eps, eta, psi = (v[order].copy() for v in (c, n, tau, eps, eta, psi))
    out = np.zeros(n.size)
    for k in range(int(n.max(initial=0))):
        m = int(np.searchsorted(-n_sorted, -k, side="left"))
        if kind == "gaussian":  # NEST's two loops write the decay differently
            ca[:m] = ca[:m] - ((ca[:m] * (1.0 / tau[:m])) * h)
        else:
            ca[:m] = ca[:m] - ((ca[:m] / tau[:m]) * h)
        out[:m] += curve_values(kind, ca[:m], eps[:m], eta[:m], psi[:m])
    result = np.empty(n.size)
    result[order] = out
    return result
