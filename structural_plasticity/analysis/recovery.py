"""How far and how fast a lesioned group recovers: measures of one run and their mean ± sd over seeds.

The recovery signature of Butz & van Ooyen (2013): after the lesion the lesioned group's dendritic
elements rise while its axonal elements fall, it gains excitatory input from intact neurons, and its
Ca returns toward the set point, while the intact neurons stay at theirs. `recovery_measures` reads
those numbers from the results of one `LesionProtocol` run; `recovery_over_seeds` and
`recovery_table` summarise several runs (seeds) as mean ± sd.
"""

import math

import numpy as np

from .phases import group_sizes, phase_mask
from .populations import group_population, other_populations, population_letter

#: Fraction of the target the lesioned group's Ca must be back at, at the end, to count as recovered.
RECOVERED_FRACTION = 0.8

#: Ca (fraction of the target) below which a lesioned neuron counts as silent: under the dendritic zero
#: point of `ButzNetwork` (0.14 of the set point), where it retracts every element.
SILENT_FRACTION = 0.1

#: Measures that are counts of runs (``k of N``) rather than means.
_COUNTS = ("recovered_runs", "fell_below_runs")


#: Rows of `recovery_table`: (key of `recovery_measures`, label, format). In labels ``{pct}`` is the recovered
#: fraction in %, ``{E}`` the population of the groups and ``{I}`` the others (E and I in an E/I network).
TABLE_ROWS = (
    ("ca_lesioned_before", "lesioned Ca / target, before the lesion", "{:.3f}"),
    ("ca_lesioned_min", "lesioned Ca / target, minimum after the lesion", "{:.3f}"),
    ("ca_lesioned_end", "lesioned Ca / target, end of recovery", "{:.3f}"),
    ("fell_below_runs", "runs whose lesioned Ca fell below {pct} % of target", "{:.0f}"),
    ("time_to_recovered_s", "time from lesion back to {pct} % of target (s; runs that fell below)", "{:.1f}"),
    ("recovered_runs", "runs with lesioned Ca at >= {pct} % of target at the end", "{:.0f}"),
    ("neurons_recovered_end", "fraction of lesioned neurons at >= {pct} % of target, end", "{:.2f}"),
    ("neurons_silent_end", "fraction of lesioned neurons below 10 % of target, end", "{:.2f}"),
    ("ca_active_end", "Ca / target of the other lesioned neurons, end", "{:.3f}"),
    ("ca_intact_end", "intact Ca / target, end of recovery", "{:.4f}"),
    ("intact_max_deviation", "intact Ca, largest |10 s mean / target - 1| after the lesion", "{:.4f}"),
    ("rate_lesioned_first", "lesioned rate in the first sample after the lesion (Hz)", "{:.2f}"),
    ("rate_lesioned_after", "lesioned rate, first window after the lesion (Hz)", "{:.2f}"),
    ("rate_lesioned_end", "lesioned rate, end (Hz)", "{:.2f}"),
    ("den_ex_lesioned_before", "Den_ex grown per lesioned neuron, before", "{:.2f}"),
    ("den_ex_lesioned_peak", "Den_ex grown per lesioned neuron, peak after", "{:.2f}"),
    ("den_ex_lesioned_end", "Den_ex grown per lesioned neuron, end", "{:.2f}"),
    ("axon_ex_lesioned_before", "Axon_ex grown per lesioned neuron, before", "{:.2f}"),
    ("axon_ex_lesioned_min", "Axon_ex grown per lesioned neuron, minimum after", "{:.2f}"),
    ("axon_ex_lesioned_end", "Axon_ex grown per lesioned neuron, end", "{:.2f}"),
    ("den_in_lesioned_before", "Den_in grown per lesioned neuron, before", "{:.2f}"),
    ("den_in_lesioned_min", "Den_in grown per lesioned neuron, minimum after", "{:.2f}"),
    ("den_in_lesioned_end", "Den_in grown per lesioned neuron, end", "{:.2f}"),
    ("e_input_lesioned_before", "{E} synapses per lesioned neuron, before", "{:.2f}"),
    ("e_input_lesioned_end", "{E} synapses per lesioned neuron, end", "{:.2f}"),
    ("intact_input_lesioned_before", "synapses intact -> lesioned per lesioned neuron, before", "{:.2f}"),
    ("intact_input_lesioned_end", "synapses intact -> lesioned per lesioned neuron, end", "{:.2f}"),
    ("i_input_lesioned_before", "{I} synapses per lesioned neuron, before", "{:.2f}"),
    ("i_input_lesioned_end", "{I} synapses per lesioned neuron, end", "{:.2f}"),
    ("lesioned_output_before", "synapses lesioned -> {E} per lesioned neuron, before", "{:.2f}"),
    ("lesioned_output_end", "synapses lesioned -> {E} per lesioned neuron, end", "{:.2f}"),
)


def _mean(values):
    return float(np.mean(values)) if len(values) else float("nan")


def recovery_measures(results, window_s=10.0, fraction=RECOVERED_FRACTION, start=None):
    """Return the recovery signature of one lesion run as a dict of numbers.

    Ca values are relative to the target of the population the groups were drawn from (`group_population`,
    the excitatory one by default; ``metadata["target_ca"]``); "before" is the mean over the last `window_s`
    of the growth phase, "end" over the last `window_s` of the recovery phase, "after" over its first
    `window_s`. Elements are grown elements per neuron (NEST's ``z``), synapses are counted per lesioned
    neuron: ``e_input`` from the groups' population, ``i_input`` from the other populations (E and I in an
    E/I network), ``lesioned_output`` onto the groups' population.

    Parameters
    ----------
    results : Results
        Results of a `LesionProtocol` run (phases ``growth`` and ``recovery``, groups ``lesioned`` and
        ``intact``, elements of the lesioned group recorded).
    window_s : float
        Averaging window (s of simulated time).
    fraction : float
        Fraction of the target that counts as recovered.
    start : dict, optional
        For a run without a growth phase (started from a saved network): the groups' values in that network,
        by series name (``cli.network_file.group_values_at_start``), used for the measures before the lesion;
        without them those measures are NaN.

    Returns
    -------
    dict of str to float
        Keys of `TABLE_ROWS` plus ``lesion_time_s``, ``fell_below`` (1.0 if the lesioned group's Ca fell
        below `fraction` of the target after the lesion) and ``recovered`` (1.0 if it is at or above
        `fraction` of the target at the end). ``time_to_recovered_s`` is the time from the lesion to the
        first sample back at `fraction` of the target after the fall; NaN if it never fell below (there
        was nothing to recover from) or never came back.
    """
    population = group_population(results, "lesioned")
    target = results.metadata["target_ca"][population]
    others = other_populations(results, population)
    phases = [p["name"] for p in results.metadata["phases"]]
    recovery = phases.index("recovery")
    # A run started from a saved network has no growth phase: its "before" measures are NaN.
    before = (
        phase_mask(results, phases.index("growth"), window_s, "end")
        if "growth" in phases
        else np.zeros(len(results), dtype=bool)
    )
    after = phase_mask(results, recovery, window_s, "start")
    end = phase_mask(results, recovery, window_s, "end")
    during = phase_mask(results, recovery)
    n_lesioned = group_sizes(results)["lesioned"]
    t = results["time"]
    lesion_time = results.metadata["phases"][recovery]["start_s"]

    # Without a growth phase, "before" is the saved network the run started from (when the caller read it).
    start = {} if "growth" in phases or start is None else start

    def at(series, mask, scale=1.0):
        if mask is before and not mask.any() and series in start:
            return start[series] / scale
        return _mean(results[series][mask]) / scale if series in results else float("nan")

    def from_others(mask):
        """Synapses per lesioned neuron from the other populations (NaN if none of them is recorded)."""
        values = [at(f"connections_{source}_lesioned", mask, n_lesioned) for source in others]
        values = [value for value in values if not math.isnan(value)]
        return float(sum(values)) if values else float("nan")

    ca = results["mean_ca_lesioned"]
    # The first sample after the lesion: its rate is the activity the lesion leaves before rewiring.
    m_first = float(results["rate_lesioned"][during][0]) if during.any() else float("nan")
    m = {
        "lesion_time_s": lesion_time,
        "ca_lesioned_before": at("mean_ca_lesioned", before, target),
        "ca_lesioned_min": float(ca[during].min()) / target if during.any() else float("nan"),
        "ca_lesioned_end": at("mean_ca_lesioned", end, target),
        "ca_intact_end": at("mean_ca_intact", end, target),
        "rate_lesioned_first": m_first,
        "rate_lesioned_after": at("rate_lesioned", after),
        "rate_lesioned_end": at("rate_lesioned", end),
    }
    # Recovered: the first sample at which the lesioned group's Ca is back at `fraction` of the target after
    # it fell below it. Ca is itself a 10 s low-pass of the spikes, so single samples are smooth enough.
    below = during & (ca < fraction * target)
    reached = np.zeros_like(during)
    if below.any():
        reached = during & (t > t[below][0]) & (ca >= fraction * target)
    m["time_to_recovered_s"] = float(t[reached][0] - lesion_time) if reached.any() else float("nan")
    m["fell_below"] = m["fell_below_runs"] = 1.0 if below.any() else 0.0
    m["recovered"] = m["recovered_runs"] = 1.0 if m["ca_lesioned_end"] >= fraction else 0.0
    final = results.metadata.get("lesion", {}).get("ca_lesioned_end")
    if final:
        final = np.asarray(final, dtype=float) / target
        m["neurons_recovered_end"] = float(np.mean(final >= fraction))
        m["neurons_silent_end"] = float(np.mean(final < SILENT_FRACTION))
        # Separates "the group is partly back" from "some neurons are back and the others are lost".
        m["ca_active_end"] = _mean(final[final >= SILENT_FRACTION])
    m["intact_max_deviation"] = _max_window_deviation(results["mean_ca_intact"][during], target, t, window_s)
    for element in ("den_ex", "axon_ex", "den_in"):
        series = f"elements_{element}_lesioned"
        if series not in results:
            continue
        m[f"{element}_lesioned_before"] = at(series, before)
        m[f"{element}_lesioned_end"] = at(series, end)
        m[f"{element}_lesioned_peak"] = float(results[series][during].max())
        m[f"{element}_lesioned_min"] = float(results[series][during].min())
    for key, series in (
        ("e_input_lesioned", f"connections_{population}_lesioned"),
        ("intact_input_lesioned", "connections_intact_lesioned"),
        ("i_input_lesioned", None),
        ("lesioned_output", f"connections_lesioned_{population}"),
    ):
        for label, mask in (("before", before), ("end", end)):
            m[f"{key}_{label}"] = from_others(mask) if series is None else at(series, mask, n_lesioned)
    return m


def _max_window_deviation(ca, target, t, window_s):
    """Return the largest |mean over `window_s` / target - 1| of consecutive windows of `ca`."""
    if not len(ca):
        return float("nan")
    dt = float(np.median(np.diff(t))) if len(t) > 1 else window_s
    k = max(1, int(round(window_s / dt)))
    means = [np.mean(ca[i : i + k]) for i in range(0, len(ca) - k + 1, k)] or [np.mean(ca)]
    return float(max(abs(x / target - 1.0) for x in means))


def recovery_over_seeds(runs, window_s=10.0, fraction=RECOVERED_FRACTION, starts=None):
    """Return mean, sd and count of each recovery measure over several runs (seeds).

    Parameters
    ----------
    runs : list of Results
    window_s, fraction : float
        As for `recovery_measures`.
    starts : list of dict, optional
        ``start`` of `recovery_measures` for each run (runs from saved networks).

    Returns
    -------
    dict of str to tuple
        ``{measure: (mean, sd, n)}``; the sd is the sample sd (ddof 1, NaN for one run); NaN values
        (e.g. the time of a run that never recovered) are left out and `n` says how many remained.
        ``recovered_runs`` and ``fell_below_runs`` are counts, not means: ``(count, 0, number of runs)``.
    """
    starts = starts if starts is not None else [None] * len(runs)
    measures = [recovery_measures(r, window_s, fraction, start) for r, start in zip(runs, starts)]
    summary = {}
    for key in measures[0] if measures else ():
        values = np.array([m.get(key, np.nan) for m in measures], dtype=float)
        kept = values[~np.isnan(values)]
        sd = float(np.std(kept, ddof=1)) if len(kept) > 1 else float("nan")
        summary[key] = (float(np.mean(kept)) if len(kept) else float("nan"), sd, int(len(kept)))
    for key in _COUNTS:
        if key in summary:
            summary[key] = (float(sum(m[key] for m in measures)), 0.0, len(measures))
    return summary


def recovery_table(runs, window_s=10.0, fraction=RECOVERED_FRACTION, starts=None):
    """Return a text table of the recovery measures over runs, mean ± sd (n).

    Parameters
    ----------
    runs : list of Results
    window_s, fraction : float
        As for `recovery_measures`.
    starts : list of dict, optional
        As for `recovery_over_seeds`.

    Returns
    -------
    str
    """
    summary = recovery_over_seeds(runs, window_s, fraction, starts)
    seeds = [r.metadata.get("rng_seed", "?") for r in runs]
    runs_text = (
        f"{len(runs)} runs (seeds {', '.join(map(str, seeds))})" if len(runs) != 1 else f"1 run (seed {seeds[0]})"
    )
    lines = [f"{runs_text}; mean ± sd (n) over {window_s:g} s windows"]
    labels = row_labels(runs[0] if runs else None, fraction)
    width = max(len(label) for label in labels.values())
    for key, _, fmt in TABLE_ROWS:
        if key in summary:
            lines.append(f"{labels[key]:<{width}}  {_cell(key, summary[key], fmt, always_n=True)}")
    return "\n".join(lines)


def row_labels(results, fraction=RECOVERED_FRACTION):
    """Return the label of each row of `TABLE_ROWS` for lesion runs like `results`, ``{key: label}``.

    ``{pct}`` becomes `fraction` in %, ``{E}`` the short name of the groups' population (``E`` for ``e``)
    and ``{I}`` those of the other populations (``I`` for ``i``; ``other`` when there are none).

    Parameters
    ----------
    results : Results or None
        A lesion run; None (no run) leaves ``E`` and ``I``.
    fraction : float
    """
    names = {"pct": f"{100 * fraction:g}", "E": "E", "I": "I"}
    if results is not None:
        own = group_population(results, "lesioned")
        names["E"] = population_letter(own)
        names["I"] = "/".join(population_letter(name) for name in other_populations(results, own)) or "other"
    return {key: label.format(**names) for key, label, _ in TABLE_ROWS}


def _cell(key, entry, fmt, runs=None, always_n=False):
    """Return one table cell for the ``(mean, sd, n)`` `entry` of measure `key`.

    ``k of N`` for counts of runs; ``mean ± sd`` otherwise, followed by ``(n)`` if `always_n`, or by
    ``(n/runs)`` when only n of `runs` runs have a value; ``–`` when none has.
    """
    mean, sd, n = entry
    if key in _COUNTS:
        return f"{mean:.0f} of {n}"
    if n == 0:
        return "–"
    cell = fmt.format(mean) + ("" if math.isnan(sd) else " ± " + fmt.format(sd))
    if always_n:
        return cell + f" ({n})"
    return cell + (f" ({n}/{runs})" if runs is not None and n < runs else "")


#: Rows of `comparison_table`: the measures that tell one lesion condition from another.
COMPARISON_ROWS = (
    "ca_lesioned_min",
    "ca_lesioned_end",
    "fell_below_runs",
    "time_to_recovered_s",
    "recovered_runs",
    "neurons_recovered_end",
    "neurons_silent_end",
    "ca_active_end",
    "intact_max_deviation",
    "rate_lesioned_first",
    "axon_ex_lesioned_before",
    "axon_ex_lesioned_min",
    "den_ex_lesioned_before",
    "den_ex_lesioned_peak",
    "den_in_lesioned_min",
    "intact_input_lesioned_before",
    "intact_input_lesioned_end",
    "i_input_lesioned_end",
)


def comparison_table(conditions, rows=COMPARISON_ROWS, window_s=10.0, fraction=RECOVERED_FRACTION):
    """Return a Markdown table of recovery measures, one column per lesion condition, mean ± sd over runs.

    Parameters
    ----------
    conditions : dict of str to list of Results
        Label of each condition (e.g. ``"Butz, 60 % input kept"``) and its runs (one per seed).
    rows : sequence of str
        Keys of `recovery_measures` to show, in order; keys no condition has are left out.
    window_s, fraction : float
        As for `recovery_measures`.

    Returns
    -------
    str
        The table; a cell is ``mean ± sd`` (``n/N`` when only n of N runs have the value, e.g. a time
        to recovery), counts of runs are ``k of N``, and ``–`` marks a measure a condition lacks.
    """
    summaries = {label: recovery_over_seeds(runs, window_s, fraction) for label, runs in conditions.items()}
    sizes = {label: len(runs) for label, runs in conditions.items()}
    labels = row_labels(next((runs[0] for runs in conditions.values() if runs), None), fraction)
    formats = {key: fmt for key, _, fmt in TABLE_ROWS}
    lines = [
        "| measure | " + " | ".join(f"{label} ({sizes[label]} runs)" for label in conditions) + " |",
        "|---|" + "---|" * len(conditions),
    ]
    for key in rows:
        if not any(key in s for s in summaries.values()):
            continue
        missing = (float("nan"), float("nan"), 0)
        cells = [
            _cell(key, summary.get(key, missing), formats.get(key, "{:.3g}"), runs=sizes[label])
            for label, summary in summaries.items()
        ]
        label = labels.get(key, key).replace("|", "\\|")  # a bare | would end the cell
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
