"""The numbers that show an assembly: block connection probabilities at chosen times, over one run or many seeds.

The signature of `AssemblyExperiment` is read from its ``prob_<source>_<target>`` series at a few
points: the end of growth (the baseline), the end of the stimulus, and times after the stimulus (by
default the ends of the phases after it). `assembly_signature` returns them as numbers, `check_signature`
tests the expected shape, `signature_table` and `seeds_table` format one run or the mean ± sd over seeds,
and `connectivity_matrix` bins a saved synapse list into a matrix for figures.

The names this module reads are defined here too, and the protocol (`experiments.assembly`) records
under them: the blocks (`BLOCKS`, `block_series`) and the durations of the published studies
(`PROTOCOLS`, which tell a run of the full-size study by its parameters).
"""

import math

import numpy as np

from .populations import groups_population, population_letter

#: The four blocks of the connectivity within the groups' population, ``(source group, target group)``.
BLOCKS = (("stimulated", "stimulated"), ("stimulated", "rest"), ("rest", "stimulated"), ("rest", "rest"))

#: The protocols of the two studies (ms): Gallinaro & Rotter 2018 (reduced) and 2022 Fig 4 (full size).
PROTOCOLS = {
    "reduced": {
        "growth_duration": 20_000.0,
        "stimulation_duration": 20_000.0,
        "after_duration": 20_000.0,
        "decay_duration": 40_000.0,
    },
    "full": {
        "growth_duration": 500_000.0,
        "stimulation_duration": 150_000.0,
        "after_duration": 500_000.0,
        "decay_duration": 5_000_000.0,
    },
}


def block_series(source, target):
    """Return the name of the recorded connection probability of a block, e.g. ``prob_stimulated_rest``."""
    return f"prob_{source}_{target}"


#: Short labels of the blocks, source→target.
BLOCK_LABELS = {
    ("stimulated", "stimulated"): "S→S",
    ("stimulated", "rest"): "S→R",
    ("rest", "stimulated"): "R→S",
    ("rest", "rest"): "R→R",
}

#: Gallinaro, Gašparović & Rotter 2022, Fig 4 (NEST, full size; the authors' data files
#: mathematica-notebooks/data-nest-simulations/c11...c22.dat): probability at the end of growth, at the
#: end of the stimulus and 50, 150 and 5500 s after it. S↔R: S→R and R→S (equal there).
PAPER_FULL_SIZE = {
    "times_after_s": (50.0, 150.0, 5500.0),
    "baseline": 0.100,
    "S→S": (0.068, 0.127, 0.164, 0.122),
    "S↔R": (0.083, 0.088, 0.093, 0.098),
    "R→R": (0.102, 0.101, 0.101, 0.100),
}

#: The shape expected of an assembly (see `check_signature`).
MIN_RISE = 1.3  # S→S after the stimulus reaches at least this multiple of the baseline
REST_TOLERANCE = 0.10  # R→R at the end of the run within this fraction of the baseline


def baseline_series(results):
    """Return the series of the baseline: the connection probability within the groups' population (``prob_e_e``)."""
    population = groups_population(results)
    return block_series(population, population)


def _within(results):
    """Return the short name of the connectivity within the groups' population, ``"E→E"``."""
    letter = population_letter(groups_population(results))
    return f"{letter}→{letter}"


def _phase(results, name):
    phases = results.metadata.get("phases", [])
    for index, phase in enumerate(phases):
        if phase["name"] == name:
            return index, phase
    raise KeyError(f"the results have no phase {name!r}; they have {', '.join(p['name'] for p in phases)}")


def value_at(results, series, time_s):
    """Return `series` at the sample taken at `time_s` (s), or NaN if no sample was taken then.

    Parameters
    ----------
    results : Results
    series : str
    time_s : float
        Simulated time (s); the sample within half a record interval of it is used.

    Returns
    -------
    float
    """
    t = results["time"]
    if not len(t):
        return float("nan")
    tolerance = 0.5 * float(np.min(np.diff(t))) if len(t) > 1 else 1e-9
    index = int(np.argmin(np.abs(t - time_s)))
    return float(results[series][index]) if abs(t[index] - time_s) <= tolerance else float("nan")


def default_times_after(results):
    """Return the times after the stimulus (s) at which the signature is read by default.

    The published points (50, 150 and 5500 s, `PAPER_FULL_SIZE`) for a run of the full-size protocol
    (``size="full"`` with the 2022 durations), otherwise the ends of the phases after the stimulus.
    """
    params = results.metadata.get("parameters", {})
    full = params.get("size") == "full" and all(params.get(k) == v for k, v in PROTOCOLS["full"].items())
    if full:
        return tuple(PAPER_FULL_SIZE["times_after_s"])
    _, stimulation = _phase(results, "stimulation")
    end = stimulation["start_s"] + stimulation["duration_s"]
    later = [p for p in results.metadata["phases"] if p["start_s"] >= end]
    return tuple(p["start_s"] + p["duration_s"] - end for p in later)


def signature_points(results, times_after_s=None):
    """Return the points of the signature as ``[(label, time in s), ...]``.

    ``baseline`` (end of growth), ``stimulus end``, then ``+<t> s`` for each time after the end of the
    stimulus: `times_after_s`, by default `default_times_after`.

    Parameters
    ----------
    results : Results
        Results of an `AssemblyExperiment` (or any stimulus protocol).
    times_after_s : sequence of float, optional

    Returns
    -------
    list of (str, float)
    """
    _, growth = _phase(results, "growth")
    _, stimulation = _phase(results, "stimulation")
    end = stimulation["start_s"] + stimulation["duration_s"]
    if times_after_s is None:
        times_after_s = default_times_after(results)
    points = [("baseline", growth["start_s"] + growth["duration_s"]), ("stimulus end", end)]
    points += [(f"+{after:g} s", end + after) for after in times_after_s]
    return points


def assembly_signature(results, times_after_s=None):
    """Return the block probabilities at the points of `signature_points`.

    Parameters
    ----------
    results : Results
    times_after_s : sequence of float, optional
        Times after the end of the stimulus (s); default the ends of the later phases.

    Returns
    -------
    dict
        ``{"points": [(label, time_s), ...], "baseline": prob_e_e (`baseline_series`) at the end of growth,
        "S→S": [value per point], "S→R": [...], "R→S": [...], "R→R": [...]}``; NaN where no sample exists.
    """
    points = signature_points(results, times_after_s)
    signature = {"points": points, "baseline": value_at(results, baseline_series(results), points[0][1])}
    for block in BLOCKS:
        series = block_series(*block)
        signature[BLOCK_LABELS[block]] = [value_at(results, series, t) for _, t in points]
    return signature


def check_signature(results, min_rise=MIN_RISE, rest_tolerance=REST_TOLERANCE):
    """Test the shape expected of an assembly; return each criterion with the numbers behind it.

    1. ``rise``: after the stimulus S→S reaches at least `min_rise` times the baseline (the E→E
       probability at the end of growth, E the groups' population);
    2. ``persists``: S→S stays above the baseline at every sample of the ``decay`` phase;
    3. ``rest_returns``: R→R at the end of the run is within `rest_tolerance` of the baseline.

    Parameters
    ----------
    results : Results
    min_rise, rest_tolerance : float

    Returns
    -------
    dict
        ``{criterion: (passed, description with numbers)}``.
    """
    _, growth = _phase(results, "growth")
    baseline = value_at(results, baseline_series(results), growth["start_s"] + growth["duration_s"])
    ss = results[block_series("stimulated", "stimulated")]
    rr = results[block_series("rest", "rest")]
    stim_index, _ = _phase(results, "stimulation")
    decay_index, _ = _phase(results, "decay")
    after = results["phase"] > stim_index
    decay = results["phase"] == decay_index
    peak = float(ss[after].max()) if after.any() else float("nan")
    lowest = float(ss[decay].min()) if decay.any() else float("nan")
    end = float(rr[-1]) if len(rr) else float("nan")
    if not baseline > 0:  # nothing grew before the stimulus: no signature can be judged against it
        return {
            "baseline": (
                False,
                f"no {_within(results)} synapse at the end of growth (baseline {baseline:g}); grow longer",
            )
        }
    return {
        "rise": (
            peak >= min_rise * baseline,
            f"S→S peak after the stimulus {peak:.4f} = {peak / baseline:.2f} x baseline {baseline:.4f} (need {min_rise:g} x)",
        ),
        "persists": (
            lowest > baseline,
            f"S→S lowest in the decay phase {lowest:.4f} = {lowest / baseline:.2f} x baseline",
        ),
        "rest_returns": (
            abs(end / baseline - 1) <= rest_tolerance,
            f"R→R at the end {end:.4f} = {end / baseline:.3f} x baseline (need within {rest_tolerance:.0%})",
        ),
    }


def signature_table(results, times_after_s=None):
    """Return a text table of the block probabilities at the signature points, with S→S relative to baseline.

    Parameters
    ----------
    results : Results
    times_after_s : sequence of float, optional

    Returns
    -------
    str
    """
    signature = assembly_signature(results, times_after_s)
    labels = [label for label, _ in signature["points"]]
    lines = [
        f"{_within(results)} connection probability (synapses / ordered pairs); baseline = all {_within(results)} "
        f"at the end of growth {signature['baseline']:.4f}",
        f"{'block':<8}" + "".join(f"{label:>14}" for label in labels),
    ]
    for block in BLOCKS:
        label = BLOCK_LABELS[block]
        lines.append(f"{label:<8}" + "".join(f"{v:>14.4f}" for v in signature[label]))
    # No E→E synapse at the end of growth (a run too short to grow any) has no ratio to baseline.
    baseline = signature["baseline"]
    ratio = [v / baseline if baseline > 0 else float("nan") for v in signature["S→S"]]
    lines.append(f"{'S→S / b':<8}" + "".join(f"{v:>14.2f}" for v in ratio))
    try:
        checks = check_signature(results)
    except KeyError:  # not the four phases of AssemblyExperiment
        checks = {}
    for name, (passed, text) in checks.items():
        lines.append(f"{'yes' if passed else 'NO ':<4}{name}: {text}")
    return "\n".join(lines)


def seeds_summary(runs, times_after_s=None):
    """Return mean and standard deviation over runs (seeds) of every value of `assembly_signature`.

    Parameters
    ----------
    runs : sequence of Results
        Runs with the same protocol.
    times_after_s : sequence of float, optional

    Returns
    -------
    dict
        ``{"points": [...], "n": number of runs, "baseline": (mean, sd), "S→S": (means, sds), ...,
        "checks": {criterion: number of runs that passed}}``; sd with ``ddof=1`` (0 for one run).
    """
    signatures = [assembly_signature(r, times_after_s) for r in runs]
    ddof = 1 if len(runs) > 1 else 0
    summary = {"points": signatures[0]["points"], "n": len(runs)}
    baselines = np.array([s["baseline"] for s in signatures])
    summary["baseline"] = (float(baselines.mean()), float(baselines.std(ddof=ddof)))
    for block in BLOCKS:
        label = BLOCK_LABELS[block]
        values = np.array([s[label] for s in signatures])
        summary[label] = (values.mean(axis=0), values.std(axis=0, ddof=ddof))
    ratios = np.array([np.asarray(s["S→S"]) / s["baseline"] for s in signatures])
    summary["S→S / baseline"] = (ratios.mean(axis=0), ratios.std(axis=0, ddof=ddof))
    checks = [check_signature(r) for r in runs]
    summary["checks"] = {name: sum(c[name][0] for c in checks) for name in checks[0]}
    return summary


def seeds_table(runs, times_after_s=None):
    """Return `seeds_summary` as a text table of mean ± sd.

    Parameters
    ----------
    runs : sequence of Results
    times_after_s : sequence of float, optional

    Returns
    -------
    str
    """
    summary = seeds_summary(runs, times_after_s)
    labels = [label for label, _ in summary["points"]]
    mean, sd = summary["baseline"]
    lines = [
        f"{summary['n']} runs; {_within(runs[0])} baseline (end of growth) {mean:.4f} ± {sd:.4f}; mean ± sd",
        f"{'block':<16}" + "".join(f"{label:>18}" for label in labels),
    ]
    for label in [BLOCK_LABELS[b] for b in BLOCKS] + ["S→S / baseline"]:
        means, sds = summary[label]
        digits = 2 if "/" in label else 4
        cells = [f"{m:.{digits}f} ± {s:.{digits}f}" for m, s in zip(means, sds)]
        lines.append(f"{label:<16}" + "".join(f"{cell:>18}" for cell in cells))
    for name, passed in summary["checks"].items():
        lines.append(f"{name}: {passed} of {summary['n']} runs")
    return "\n".join(lines)


def connectivity_matrix(sources, targets, order, max_bins=400):
    """Bin a synapse list into a matrix of connection probability, rows post-synaptic, columns pre-synaptic.

    Parameters
    ----------
    sources, targets : array_like of int
        Node ids of each synapse's pre- and post-synaptic neuron (e.g. ``results.arrays["synapses_before_source"]``).
    order : array_like of int
        Node ids of the neurons in the order of rows and columns (e.g. the stimulated group, then the rest);
        synapses of other neurons are ignored.
    max_bins : int
        At most this many rows and columns: neurons are binned in consecutive groups of
        ``ceil(len(order) / max_bins)``.

    Returns
    -------
    matrix : numpy.ndarray
        Synapses per ordered pair of neurons in each bin (autapse pairs included in the count of pairs,
        so the diagonal of an unbinned matrix is 0).
    bin_size : int
        Neurons per bin.
    """
    order = np.asarray(order, dtype=np.int64)
    sources, targets = np.asarray(sources, dtype=np.int64), np.asarray(targets, dtype=np.int64)
    n = len(order)
    bin_size = max(1, math.ceil(n / max_bins))
    m = math.ceil(n / bin_size)
    position = np.full(int(max(order.max(initial=0), sources.max(initial=0), targets.max(initial=0))) + 1, -1)
    position[order] = np.arange(n)
    pre, post = position[sources], position[targets]
    keep = (pre >= 0) & (post >= 0)
    counts = np.bincount((post[keep] // bin_size) * m + pre[keep] // bin_size, minlength=m * m).reshape(m, m)
    widths = np.minimum(bin_size, n - np.arange(m) * bin_size)
    return counts / np.outer(widths, widths), bin_size


def group_order(results):
    """Return the node ids of the ``stimulated`` group followed by those of ``rest`` (from metadata)."""
    ids = {group["name"]: group["node_ids"] for group in results.metadata.get("groups", [])}
    return np.asarray(ids["stimulated"] + ids["rest"], dtype=np.int64), len(ids["stimulated"])


__all__ = [
    "BLOCKS",
    "BLOCK_LABELS",
    "MIN_RISE",
    "PAPER_FULL_SIZE",
    "PROTOCOLS",
    "REST_TOLERANCE",
    "assembly_signature",
    "baseline_series",
    "block_series",
    "check_signature",
    "connectivity_matrix",
    "default_times_after",
    "group_order",
    "seeds_summary",
    "seeds_table",
    "signature_points",
    "signature_table",
    "value_at",
]
