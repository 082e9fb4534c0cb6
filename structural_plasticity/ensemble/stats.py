"""Mean, standard deviation and Student-t confidence intervals over the members of a grid point.

The 97.5 % quantile of Student's t distribution comes from ``scipy.stats`` (imported when a merge needs it:
it takes a second or more to import, and the command line starts without it). A band of a quantity that is
never negative (rates, Ca, its sd, counts; `analysis.quantities.non_negative`) is clipped at 0, so that
``ci_low`` is never stored or drawn below 0. With fewer than `FEW_MEMBERS` members a band says little; the
merged files and figures say so.
"""

import numpy as np

from ..analysis.quantities import clip_band
from ..analysis.style import FEW_MEMBERS  # noqa: F401  (part of this module's interface)

CONFIDENCE = 0.95


def t_critical(df):
    """Return the 97.5 % quantile of Student's t with `df` degrees of freedom (NaN for df < 1).

    Parameters
    ----------
    df : int or array_like of int

    Returns
    -------
    float or numpy.ndarray
    """
    from scipy import stats  # noqa: PLC0415  (scipy.stats takes seconds to import; only a merge needs it)

    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        quantile = np.where(df >= 1, stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(df, 1)), np.nan)
    return float(quantile) if quantile.ndim == 0 else quantile


def describe(values, axis=0, name=None):
    """Mean, sample standard deviation and 95 % t-interval of the mean over `axis`, ignoring NaN.

    Parameters
    ----------
    values : array_like
        Shape ``(members, ...)`` for the default `axis`.
    axis : int
    name : str, optional
        The series or outcome described: the interval of one that is never negative is clipped at 0
        (`analysis.quantities.clip_band`).

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
        half = t_critical(n - 1) * sd / np.sqrt(np.maximum(n, 1))
    low, high = mean - half, mean + half
    if name is not None:
        low, high = clip_band(name, low, high)
    return {"n": n, "mean": mean, "sd": sd, "ci_low": low, "ci_high": high}
