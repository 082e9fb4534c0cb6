"""Mean, standard deviation and Student-t confidence intervals over the members of a grid point.

scipy is not a dependency: the two-sided 95 % quantiles of Student's t distribution are tabulated for
1 to 30 degrees of freedom (exact to the digits given) and interpolated linearly in 1/df beyond
(40, 60, 120, infinity), which is accurate to better than 1e-3 there.
"""

import numpy as np

#: 97.5 % quantiles of Student's t distribution (two-sided 95 % intervals), by degrees of freedom.
T_975 = {
    1: 12.7062047, 2: 4.30265273, 3: 3.18244631, 4: 2.77644511, 5: 2.57058184, 6: 2.44691185,
    7: 2.36462425, 8: 2.30600414, 9: 2.26215716, 10: 2.22813885, 11: 2.20098516, 12: 2.17881283,
    13: 2.16036866, 14: 2.14478669, 15: 2.13144955, 16: 2.11990530, 17: 2.10981558, 18: 2.10092204,
    19: 2.09302405, 20: 2.08596345, 21: 2.07961384, 22: 2.07387307, 23: 2.06865761, 24: 2.06389856,
    25: 2.05953855, 26: 2.05552944, 27: 2.05183052, 28: 2.04840714, 29: 2.04522964, 30: 2.04227246,
    40: 2.02107539, 60: 2.00029782, 120: 1.97993041,
}  # fmt: skip
T_975_INFINITY = 1.95996398
CONFIDENCE = 0.95


def t_critical(df):
    """Return the 97.5 % quantile of Student's t with `df` degrees of freedom (NaN for df < 1).

    Parameters
    ----------
    df : int

    Returns
    -------
    float
    """
    if df < 1:
        return float("nan")
    if df in T_975:
        return T_975[df]
    known = sorted(T_975)
    below = max(k for k in known if k < df)
    above = [k for k in known if k > df]
    t_above, inv_above = (T_975[above[0]], 1.0 / above[0]) if above else (T_975_INFINITY, 0.0)
    weight = (1.0 / below - 1.0 / df) / (1.0 / below - inv_above)
    return float(T_975[below] + weight * (t_above - T_975[below]))


def describe(values, axis=0):
    """Mean, sample standard deviation and 95 % t-interval of the mean over `axis`, ignoring NaN.

    Parameters
    ----------
    values : array_like
        Shape ``(members, ...)`` for the default `axis`.

    Returns
    -------
    dict
        ``n`` (members with a finite value), ``mean``, ``sd`` (``ddof=1``; NaN for n < 2), ``ci_low``,
        ``ci_high`` (``mean -/+ t(n-1) sd / sqrt(n)``; NaN for n < 2), arrays of the reduced shape.
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    n = finite.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(finite, values, 0.0).sum(axis=axis)
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        deviations = np.where(finite, values - np.expand_dims(mean, axis), 0.0)
        sd = np.where(n > 1, np.sqrt((deviations**2).sum(axis=axis) / np.maximum(n - 1, 1)), np.nan)
        t = np.vectorize(lambda k: t_critical(int(k) - 1), otypes=[float])(n) if np.ndim(n) else t_critical(int(n) - 1)
        half = t * sd / np.sqrt(np.maximum(n, 1))
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}
