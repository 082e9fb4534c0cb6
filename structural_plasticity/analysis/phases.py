"""Values of recorded series at the start and end of each phase: the numbers that show an experiment's signature."""

import numpy as np

from .populations import group_names, group_sizes  # noqa: F401  (group_sizes: part of this module's interface)

#: Series shown by `signature`, in order; ``{g}`` is a group name, ``{a}``/``{b}`` pairs of groups.
SIGNATURE_SERIES = (
    "mean_ca_{g}",
    "rate_{g}",
    "connections_{a}_{b}",
    "elements_den_ex_{g}",
    "connected_den_ex_{g}",
    "elements_axon_ex_{g}",
    "connected_axon_ex_{g}",
    "elements_den_in_{g}",
)


def phase_mask(results, phase, window_s=None, at="end"):
    """Return a boolean mask of the samples of one phase, optionally only its first or last `window_s`.

    Parameters
    ----------
    results : Results
        Results of an `Experiment` (with a ``phase`` series and ``metadata["phases"]``).
    phase : int or str
        Index or name of the phase.
    window_s : float, optional
        Keep only the samples within this many seconds of the phase's start or end.
    at : {"end", "start"}
        Which end of the phase the window is at.

    Returns
    -------
    numpy.ndarray of bool
    """
    phases = results.metadata["phases"]
    index = phase if isinstance(phase, int) else [p["name"] for p in phases].index(phase)
    mask = results["phase"] == index
    if window_s is not None and mask.any():
        t = results["time"]
        if at == "end":
            mask &= t > t[mask].max() - window_s
        elif at == "start":
            start = phases[index]["start_s"]
            mask &= t <= start + window_s
        else:
            raise ValueError(f"at must be 'start' or 'end', got {at!r}")
    return mask


def phase_values(results, series, window_s=10.0, at="end"):
    """Return the mean of `series` over the first or last `window_s` of each phase, ``{phase name: value}``.

    Parameters
    ----------
    results : Results
    series : str
        Name of a recorded series, e.g. ``"mean_ca_lesioned"``.
    window_s : float
        Length of the window (s of simulated time).
    at : {"end", "start"}

    Returns
    -------
    dict of str to float
        NaN for a phase without samples (a run stopped early).
    """
    return {
        phase["name"]: window_mean(results, series, index, window_s, at)
        for index, phase in enumerate(results.metadata["phases"])
    }


def window_mean(results, series, phase, window_s=None, at="end"):
    """Return the mean of `series` over the samples of `phase_mask` (NaN when there are none).

    Parameters
    ----------
    results : Results
    series : str
    phase : int or str
        Index or name of the phase.
    window_s : float, optional
        Only the first or last `window_s` (s of simulated time) of the phase.
    at : {"end", "start"}

    Returns
    -------
    float
    """
    mask = phase_mask(results, phase, window_s, at)
    return float(np.mean(results[series][mask])) if mask.any() else float("nan")


def signature_rows(results):
    """Return the series of `signature` that `results` hold, in the order of `SIGNATURE_SERIES`.

    Returns
    -------
    list of str
        E.g. ``["mean_ca_lesioned", "mean_ca_intact", "rate_lesioned", ...]``.
    """
    groups = group_names(results)
    rows = []
    for template in SIGNATURE_SERIES:
        if "{g}" in template:
            names = [template.format(g=g) for g in groups]
        else:
            names = [template.format(a=a, b=b) for a in groups for b in groups]
        rows += [name for name in names if name in results]
    return rows


def signature(results, window_s=10.0):
    """Return a text table of group Ca, rates, connections and elements at the start and end of each phase.

    The first phase is shown at its end only; later phases at their start (the first `window_s`
    after their action) and their end (the last `window_s`).

    Parameters
    ----------
    results : Results
    window_s : float
        Averaging window (s of simulated time).

    Returns
    -------
    str
    """
    phases = results.metadata.get("phases", [])
    if not phases or "phase" not in results or len(results) == 0:
        return "No phase was recorded."
    columns = []
    for index, phase in enumerate(phases):
        if index > 0:
            columns.append((f"{phase['name']} start", index, "start"))
        columns.append((f"{phase['name']} end", index, "end"))
    rows = signature_rows(results)
    width = max(len(name) for name in rows) if rows else 10
    header = f"{'series':<{width}}" + "".join(f"{label:>18}" for label, _, _ in columns)
    lines = [f"mean over {window_s:g} s windows", header]
    for name in rows:
        values = [window_mean(results, name, index, window_s, at) for _, index, at in columns]
        digits = _row_decimals(values)
        lines.append(f"{name:<{width}}" + "".join(f"{value:>18.{digits}f}" for value in values))
    return "\n".join(lines)


def _row_decimals(values, significant=4):
    """Return the decimals that show the largest of `values` with `significant` digits (1 to 4), for a whole row.

    One row of a table then reads ``9.30  14.20``, never ``9.3000  14.2``.
    """
    finite = [abs(v) for v in values if np.isfinite(v) and v != 0]
    if not finite:
        return 4
    return int(min(4, max(1, significant - 1 - np.floor(np.log10(max(finite))))))
