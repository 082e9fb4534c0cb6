"""The short text summary printed at the end of a run."""

import numpy as np

from .analysis.populations import POPULATION_LABELS, population_label, population_letter, population_names

#: Names printed for NEST's example's populations; other populations are printed under their own names.
NAMES = POPULATION_LABELS


def summarize(results, tolerance=0.05):
    """Return a few lines describing the end state of a run.

    Lists, for every population of the results (`population_names`), the final mean Ca against its target with the firing rates they imply
    (``Ca / (beta_Ca * tau_Ca)``), the time from which mean Ca stayed within `tolerance` of the target,
    and the final connection counts per pathway.

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
    t_end = float(results["time"][-1])
    state = "completed" if meta.get("completed") else f"INCOMPLETE ({meta.get('status', 'unknown')})"
    wall = meta.get("wall_time_s")
    lines.append(
        f"Simulated {t_end:g} s of {params.get('number_excitatory_neurons', '?')} excitatory + "
        f"{params.get('number_inhibitory_neurons', '?')} inhibitory neurons"
        + (f" in {wall:.1f} s wall time" if wall is not None else "")
        + f" on {meta.get('n_processes', 1)} process(es): {state}."
    )
    ca_per_hz = meta.get("ca_per_hz") or np.nan
    lines.append(
        f"{'population':<12}{'mean Ca':>9}{'target':>9}{'implied rate':>14}{'target rate':>13}  settled (±{tolerance:.0%})"
    )
    populations = population_names(results)
    for pop in populations:
        if f"mean_ca_{pop}" not in results:
            continue
        ca = float(results[f"mean_ca_{pop}"][-1])
        target = meta.get("target_ca", {}).get(pop)
        if target is None:  # a population without synaptic elements (static) has no target
            lines.append(
                f"{population_label(pop):<12}{ca:>9.4f}{'-':>9}{ca / ca_per_hz:>11.2f} Hz{'-':>13}  (not plastic)"
            )
            continue
        settled = results.settling_time(pop, tolerance)
        settled_text = f"from {settled:g} s" if settled is not None else "not settled"
        lines.append(
            f"{population_label(pop):<12}{ca:>9.4f}{target:>9.3g}{ca / ca_per_hz:>11.2f} Hz{target / ca_per_hz:>10.2f} Hz  {settled_text}"
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
