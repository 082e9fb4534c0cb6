"""The short text summary printed at the end of a run."""

import numpy as np

from .analysis.populations import POPULATION_LABELS, population_label, population_letter, population_names

#: Names printed for NEST's example's populations; other populations are printed under their own names.
NAMES = POPULATION_LABELS


def rate_window(results):
    """Return the window (s) over which the summary averages measured rates: 10 s, or a quarter of a shorter run."""
    t = results["time"]
    span = float(t[-1] - t[0]) + (float(t[1] - t[0]) if len(t) > 1 else 0.0) if len(t) else 0.0
    return min(10.0, span / 4.0) if span > 0 else 0.0


def summarize(results, tolerance=0.05):
    """Return a few lines describing the end state of a run.

    Lists, for every population of the results (`population_names`), the final mean Ca against its target, the
    firing rate measured over the last seconds (`rate_window`) beside the rate that mean Ca implies
    (``Ca / (beta_Ca * tau_Ca)``, which lags behind the measured one while Ca still changes), the target rate,
    the time from which mean Ca stayed within `tolerance` of the target, and the final connection counts per
    pathway. A run that continued a saved network says which stretch of time it simulated.

    Parameters
    ----------
    results : Results
    tolerance : float
        Relative tolerance for "settled" (0.05 means 5 %).

    Returns
    -------
    str
    """
    meta = results.metadata
    params = meta.get("parameters", {})
    lines = []
    if len(results) == 0:
        return "No sample was recorded."
    t = results["time"]
    t_end = float(t[-1])
    state = "completed" if meta.get("completed") else f"INCOMPLETE ({meta.get('status', 'unknown')})"
    wall = meta.get("wall_time_s")
    saved = meta.get("initial_network") or {}
    start = float(saved.get("time_ms", 0.0)) / 1000.0
    simulated = meta.get("simulated_time_ms")
    duration = float(simulated) / 1000.0 if simulated is not None else t_end - start
    stretch = f" (from {start:g} s to {t_end:g} s, continuing {saved['path']})" if saved.get("path") else ""
    lines.append(
        f"Simulated {duration:g} s{stretch} of {params.get('number_excitatory_neurons', '?')} excitatory + "
        f"{params.get('number_inhibitory_neurons', '?')} inhibitory neurons"
        + (f" in {wall:.1f} s wall time" if wall is not None else "")
        + f" on {meta.get('n_processes', 1)} process(es): {state}."
    )
    ca_per_hz = meta.get("ca_per_hz") or np.nan
    window = rate_window(results)
    last = t > t_end - window if window > 0 else np.ones(len(t), dtype=bool)
    lines.append(
        f"{'population':<12}{'mean Ca':>9}{'target':>9}{'measured rate':>16}{'rate from Ca':>15}{'target rate':>13}"
        f"  settled (±{tolerance:.0%})"
    )
    populations = population_names(results)
    for pop in populations:
        if f"mean_ca_{pop}" not in results:
            continue
        ca = float(results[f"mean_ca_{pop}"][-1])
        rate = float(np.mean(results[f"rate_{pop}"][last])) if f"rate_{pop}" in results else np.nan
        cells = f"{population_label(pop):<12}{ca:>9.4f}"
        target = meta.get("target_ca", {}).get(pop)
        if target is None:  # a population without synaptic elements (static) has no target
            cells += f"{'-':>9}{rate:>13.2f} Hz{ca / ca_per_hz:>12.2f} Hz{'-':>13}  (not plastic)"
            lines.append(cells)
            continue
        settled = results.settling_time(pop, tolerance)
        settled_text = f"from {settled:g} s" if settled is not None else "not settled"
        cells += f"{target:>9.3g}{rate:>13.2f} Hz{ca / ca_per_hz:>12.2f} Hz{target / ca_per_hz:>10.2f} Hz"
        lines.append(f"{cells}  {settled_text}")
    lines.append(
        f"(measured: spikes of the last {window:g} s; from Ca: mean Ca / (beta_Ca tau_Ca), which lags while Ca changes)"
    )
    # Synapses of each plastic pathway, grouped by source population: "800 excitatory (E→E 600, E→I 200)".
    parts = []
    for source in populations:
        counts = {
            target: int(results[f"connections_{source}{target}"][-1])
            for target in populations
            if f"connections_{source}{target}" in results
        }
        if counts:
            each = ", ".join(
                f"{population_letter(source)}→{population_letter(target)} {n}" for target, n in counts.items()
            )
            parts.append(f"{sum(counts.values())} {population_label(source)} ({each})")
    if parts:
        lines.append("connections: " + ", ".join(parts))
    static = meta.get("static_connections")
    if static:
        lines.append("static connections: " + ", ".join(f"{name} {n}" for name, n in static.items()))
    return "\n".join(lines)
