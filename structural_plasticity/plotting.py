"""Figures of a run. Each function takes optional axes, returns the Figure and never changes the backend.

Every population of the results is drawn (`analysis.populations.population_names`), in NEST's example's
colours for ``e`` and ``i`` (`analysis.style`). pyplot is imported inside the functions that create a new
figure, so importing this module has no side effect on matplotlib's state. The figures of experiments,
assemblies and ensembles are in `structural_plasticity.analysis`; all share the style of `analysis.style`.
"""

import numpy as np

from .analysis.populations import POPULATION_LABELS, population_label, population_letter, population_names
from .analysis.style import (  # noqa: F401  (BAND_ALPHA: part of this module's interface)
    BAND_ALPHA,
    CONNECTION_COLOURS,
    POPULATION_COLOURS,
    TARGET_COLOURS,
    fill_band,
    legend,
    network_size,
    new_axes,
    population_colours,
)

#: Colours of NEST's example: populations in blue (E) and red (I), their targets in light tints.
COLOURS = {
    **POPULATION_COLOURS,
    **{f"target_{pop}": colour for pop, colour in TARGET_COLOURS.items()},
    **{f"conn_{pop}": colour for pop, colour in CONNECTION_COLOURS.items()},
}
#: Names shown for NEST's example's populations (others are shown as they are: `population_label`).
LABELS = POPULATION_LABELS
#: Line styles of the synapses onto each population, in the order of the populations (E→E solid, E→I dashed).
TARGET_STYLES = ("-", "--", ":", "-.")


def plot_ca_and_connections(results, ax=None):
    """The figure of NEST's example: mean Ca with target lines, and connections on a second y axis.

    Parameters
    ----------
    results : Results or MergedPoint
        Recorded series (``time``, ``mean_ca_<population>``, ``total_connections_<population>``) and
        ``target_ca`` metadata; for a merged ensemble (`structural_plasticity.ensemble`) the means with
        their 95 % bands.
    ax : matplotlib.axes.Axes, optional
        Axes for the Ca; the connections go on a twin axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax1 = new_axes(ax, figsize=(8, 5))
    targets = results.metadata.get("target_ca", {})
    # NEST's example fixes 0-0.275; grow the range only when a target or the data would be cut off.
    top_ca = max([0.275] + [1.1 * v for v in targets.values()])
    populations = population_names(results)
    for k, pop in enumerate(populations):
        line, target, _ = population_colours(pop, k)
        name = population_label(pop)
        if pop in targets:
            ax1.axhline(targets[pop], linewidth=4.0, color=target, label=f"target Ca ({name})")
        top = _draw(ax1, results, f"mean_ca_{pop}", line, linewidth=2.0, label=f"Ca, {name} neurons")
        top_ca = max(top_ca, 1.05 * top)
    ax1.set_ylim(0, top_ca)
    ax1.set_xlabel("time (s)")
    ax1.set_ylabel("mean Ca concentration")
    ax2 = ax1.twinx()
    top_conn = 2500.0
    for k, pop in enumerate(populations):
        colour = population_colours(pop, k)[2]
        label = f"{population_label(pop)} connections"
        top = _draw(ax2, results, f"total_connections_{pop}", colour, linestyle="--", linewidth=2.0, label=label)
        top_conn = max(top_conn, 1.05 * top)
    ax2.set_ylim(0, top_conn)
    ax2.set_ylabel("connections")
    legend(ax1, "upper right")
    legend(ax2, "lower right")
    ax1.set_title(_title(results))
    return fig


def plot_overview(results, axes=None):
    """Second figure: connections per pathway, firing rates with target rates, and the spread of Ca.

    Parameters
    ----------
    results : Results or MergedPoint
        One run, or a merged ensemble (means with 95 % bands).
    axes : sequence of three matplotlib.axes.Axes, optional
        Axes for connections, rates and Ca spread; a new figure with three stacked axes when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if axes is None:
        _, axes = new_axes(nrows=3, ncols=1, sharex=True, figsize=(8, 9))
    ax_conn, ax_rate, ax_std = axes
    fig = ax_conn.figure
    populations = population_names(results)
    # Synapses of each pathway: coloured by the source population, styled by the target.
    for s, source in enumerate(populations):
        for t, target in enumerate(populations):
            label = f"{population_letter(source)}→{population_letter(target)}"
            colour, style = population_colours(source, s)[2], TARGET_STYLES[t % len(TARGET_STYLES)]
            _draw(ax_conn, results, f"connections_{source}{target}", colour, linestyle=style, label=label)
    ax_conn.set_ylabel("synapses")
    legend(ax_conn, "upper left", ncol=2)
    targets = results.metadata.get("target_ca", {})
    ca_per_hz = results.metadata.get("ca_per_hz")
    for k, pop in enumerate(populations):
        line, target, _ = population_colours(pop, k)
        _draw(ax_rate, results, f"rate_{pop}", line, label=f"{population_label(pop)} rate")
        if ca_per_hz and pop in targets:
            ax_rate.axhline(targets[pop] / ca_per_hz, color=target, linewidth=3, zorder=0)
        _draw(ax_std, results, f"std_ca_{pop}", line, label=f"{population_label(pop)} neurons")
    ax_rate.set_ylabel("firing rate (Hz)")
    legend(ax_rate, "upper right")
    ax_std.set_ylabel("std of Ca over neurons")
    ax_std.set_xlabel("time (s)")
    legend(ax_std, "upper right")
    ax_conn.set_title(_title(results))
    return fig


def _draw(ax, source, name, colour, **style):
    """Plot series `name` of `source` on `ax`, with its 95 % band if `source` is a merged ensemble.

    `source` is a `Results` (one run) or a `MergedPoint` (whose ``band(name)`` gives mean and band).
    Returns the largest value drawn (0 when `source` lacks the series or it is empty), for axis limits.
    """
    if name not in source:
        return 0.0
    if hasattr(source, "band"):
        t = source.series["time"]
        values, low, high = source.band(name)
        fill_band(ax, t, low, high, colour, BAND_ALPHA)
        drawn = np.append(high, values)
    else:
        t, values = source["time"], source[name]
        drawn = np.asarray(values, dtype=float)
    ax.plot(t, values, color=colour, **style)
    return float(np.nanmax(drawn)) if drawn.size else 0.0


def _title(results):
    """Title of a run's figure; a merged ensemble (it has ``n`` and ``name``) gets `_merged_title`."""
    if hasattr(results, "band"):
        return _merged_title(results)
    meta = results.metadata
    n = meta.get("parameters", {})
    parts = []
    if n:
        parts.append(f"{network_size(n)} neurons")
    if "rng_seed" in meta:
        parts.append(f"seed {meta['rng_seed']}")
    if meta and not meta.get("completed", True):
        parts.append("INCOMPLETE")
    return ", ".join(parts)


def _merged_title(merged):
    params = merged.metadata.get("parameters", {})
    parts = []
    if params:
        parts.append(network_size(params))
    if merged.name != "default":
        parts.append(merged.name)
    parts.append(f"mean of {merged.n} seeds, 95 % bands")
    return ", ".join(parts)
