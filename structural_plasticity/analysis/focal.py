"""The focal lesion's signatures, from saved results: recovery by zone, new synapses by zone pair, boutons, turnover.

Butz & van Ooyen (2013) describe what follows a focal retinal lesion in their model, and what this module
measures in a run of `experiments.FocalLesionProtocol` (zones ``centre``, ``border``, ``peri``, ``far``):

1. **Recovery spreads inward** (their Fig 5): `recovery_times`, the time after the lesion at which each
   zone's mean Ca is back at `RECOVERED` of its target, after having fallen below it (NaN: it did not fall,
   or did not come back).
2. **New horizontal synapses, first from the peri-LPZ and border, later from border to centre** (Fig 9):
   `formation_times`, for each zone pair the time after the lesion by which half of the synapses it formed
   during recovery had formed, and the counts in the first and last third of the recovery.
3. **Boutons of peri-LPZ excitatory neurons overshoot and are pruned** (Fig 7): `bouton_overshoot`, the
   peak and the end of ``elements_axon_ex_peri`` over its value at the lesion, with a control run (same seed,
   same saved network, no lesion) for comparison.
4. **Spine turnover rises most in the LPZ centre** (abstract): `spine_turnover`, synapses formed plus
   deleted onto each zone's excitatory neurons, per neuron and second, after the lesion and before it.

The early phase of their Fig 5 (spines grow, boutons retract, Ca between the zero points) and where the LPZ
ends are `lpz_phase`.

`focal_signature` collects them; `signatures_table` gives mean ± sd over runs (seeds).
"""

import math

import numpy as np

from .phases import phase_mask
from .populations import group_population, group_sizes

ZONES = ("centre", "border", "peri", "far")
#: Fraction of the target at which a zone counts as recovered (as `recovery.RECOVERED_FRACTION`).
RECOVERED = 0.8
#: The zone pairs into the LPZ whose order Butz & van Ooyen's Fig 9 shows: (source, target).
INTO_LPZ = (("peri", "border"), ("border", "border"), ("border", "centre"), ("centre", "centre"), ("peri", "centre"))


def _recovery(results):
    """Return (mask of the recovery phase's samples, its times after the lesion in s, the lesion time in s)."""
    mask = phase_mask(results, "recovery")
    start = next(p["start_s"] for p in results.metadata["phases"] if p["name"] == "recovery")
    return mask, results["time"][mask] - start, start


def _before(results, series, window_s):
    """Return the mean of `series` over the last `window_s` before the lesion (NaN without a growth phase)."""
    names = [p["name"] for p in results.metadata["phases"]]
    if "growth" not in names:
        return float("nan")
    mask = phase_mask(results, "growth", window_s, "end")
    return float(np.mean(results[series][mask])) if mask.any() else float("nan")


def recovery_times(results, fraction=RECOVERED):
    """Return, per zone, the time (s after the lesion) at which its Ca is back at `fraction` of the target.

    NaN when the zone never fell below it, or never came back within the run; ``fell_below`` per zone says
    which.
    """
    target = results.metadata["target_ca"][group_population(results, "centre")]
    mask, t, _ = _recovery(results)
    times, fell = {}, {}
    for zone in ZONES:
        ca = results[f"mean_ca_{zone}"][mask] / target
        below = np.flatnonzero(ca < fraction)
        fell[zone] = bool(len(below))
        back = np.flatnonzero((ca >= fraction) & (np.arange(len(ca)) > below[0])) if len(below) else []
        times[zone] = float(t[back[0]]) if len(back) else float("nan")
    return {
        "times": times,
        "fell_below": fell,
        "ca_min": {z: float(np.min(results[f"mean_ca_{z}"][mask]) / target) for z in ZONES},
    }


def lpz_phase(results, window_s=50.0):
    """Return, per LPZ zone, what Butz & van Ooyen's early and late phases are made of.

    ``spines_peak_over_before`` and ``boutons_min_over_before``: the peak of excitatory spines (``Den_ex``) and
    the least boutons (``Axon_ex``) per neuron after the lesion, over their values at it; ``ca_end``: mean Ca
    over the last `window_s` over the target; ``e_input_before`` and ``e_input_end``: excitatory synapses onto
    each of the zone's neurons at the lesion and at the end (``connections_e_<zone>`` per neuron).
    """
    sizes = group_sizes(results)
    target = results.metadata["target_ca"][group_population(results, "centre")]
    mask, _, _ = _recovery(results)
    first = int(np.flatnonzero(mask)[0])
    at_lesion = max(first - 1, 0)  # the last sample before the lesion (a run from a saved network: its first)
    last = mask & (results["time"] > results["time"][mask][-1] - window_s)
    out = {}
    for zone in ("centre", "border"):
        spines, boutons = results[f"elements_den_ex_{zone}"], results[f"elements_axon_ex_{zone}"]
        e_input = results[f"connections_e_{zone}"] / sizes[zone]
        out[zone] = {
            "spines_peak_over_before": _ratio(spines[mask].max(), spines[at_lesion]),
            "boutons_min_over_before": _ratio(boutons[mask].min(), boutons[at_lesion]),
            "ca_end": float(np.mean(results[f"mean_ca_{zone}"][last]) / target),
            "e_input_before": float(e_input[at_lesion]),
            "e_input_end": float(e_input[mask][-1]),
        }
    return out


def _ratio(value, reference):
    """Return value / reference as a float, NaN where the reference is not positive."""
    return float(value / reference) if reference > 0 else math.nan


def formation_times(results):
    """Return, per zone pair into the LPZ, the half-time of its formations after the lesion and early/late counts.

    Returns
    -------
    dict
        ``{"source->target": {"half_time_s", "early", "late", "total"}}``: the time by which half of the
        pair's synapses formed during recovery had formed (NaN if none formed), and the numbers formed in the
        first and the last third of the recovery.
    """
    mask, t, _ = _recovery(results)
    span = t[-1] if len(t) else 0.0
    out = {}
    for source, target in INTO_LPZ:
        formed = results[f"formed_{source}_{target}"][mask]
        total = float(formed.sum())
        cumulative = np.cumsum(formed)
        half = float(t[np.searchsorted(cumulative, total / 2)]) if total > 0 else float("nan")
        out[f"{source}->{target}"] = {
            "half_time_s": half,
            "early": float(formed[t <= span / 3].sum()),
            "late": float(formed[t > 2 * span / 3].sum()),
            "total": total,
        }
    return out


def bouton_overshoot(results, control=None, zone="peri", window_s=10.0):
    """Return the peak and end of the zone's axonal elements per neuron over their value at the lesion.

    With a `control` run (no lesion, same start), the same ratios of the control.
    """

    def ratios(run):
        mask, _, _ = _recovery(run)
        series = run[f"elements_axon_ex_{zone}"]
        before = _before(run, f"elements_axon_ex_{zone}", window_s)
        if not math.isfinite(before):
            before = float(series[mask][0])  # a run from a saved network: its first sample after the lesion
        values = series[mask]
        return {  # NaN without boutons before the lesion (a short run)
            "before": before,
            "peak_over_before": _ratio(values.max(), before),
            "end_over_before": _ratio(values[-1], before),
        }

    out = {"lesion": ratios(results)}
    if control is not None:
        out["control"] = ratios(control)
    return out


def spine_turnover(results, window_s=50.0):
    """Return, per zone, synapses formed plus deleted onto its excitatory neurons per neuron and second.

    ``after``: over the recovery; ``before``: over the last `window_s` of growth (NaN without a growth phase);
    ``ratio``: after / before, the rise (Butz & van Ooyen: highest in the LPZ centre).
    """
    sizes = group_sizes(results)
    mask, t, _ = _recovery(results)
    duration = max(float(t[-1]), 1e-9) if len(t) else float("nan")
    names = [p["name"] for p in results.metadata["phases"]]
    growth = phase_mask(results, "growth", window_s, "end") if "growth" in names else np.zeros(len(results), bool)
    out = {}
    for zone in ZONES:
        events = results[f"formed_spines_{zone}"] + results[f"deleted_spines_{zone}"]
        after = float(events[mask].sum()) / sizes[zone] / duration
        before = float(events[growth].sum()) / sizes[zone] / window_s if growth.any() else float("nan")
        out[zone] = {"after": after, "before": before, "ratio": _ratio(after, before)}
    return out


def focal_signature(results, control=None):
    """Return the four signatures of one focal-lesion run (see the module docstring) as nested dicts of numbers."""
    return {
        "recovery": recovery_times(results),
        "lpz": lpz_phase(results),
        "formation": formation_times(results),
        "boutons": bouton_overshoot(results, control),
        "turnover": spine_turnover(results),
    }


def flatten(signature, prefix=""):
    """Return a nested signature as ``{"a.b.c": number}`` (booleans as 0/1)."""
    flat = {}
    for key, value in signature.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = float(value)
    return flat


def signatures_table(signatures):
    """Return a text table of mean ± sd (n) over runs of every number of `focal_signature` (flattened)."""
    flats = [flatten(s) for s in signatures]
    names = list(dict.fromkeys(name for flat in flats for name in flat))
    lines = [f"{'measure':<40} {'mean ± sd (n)':>26}"]
    for name in names:
        values = np.array([flat.get(name, np.nan) for flat in flats], dtype=float)
        kept = values[np.isfinite(values)]
        sd = np.std(kept, ddof=1) if len(kept) > 1 else float("nan")
        mean = np.mean(kept) if len(kept) else float("nan")
        lines.append(f"{name:<40} {mean:>12.4g} ± {sd:<9.2g} ({len(kept)})")
    return "\n".join(lines)
