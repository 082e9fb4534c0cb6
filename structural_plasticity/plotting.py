"""Figures of a run. Each function takes optional axes, returns the Figure and never changes the backend.

Every population of the results is drawn (`analysis.populations.population_names`), in NEST's example's
colours for ``e`` and ``i`` (`analysis.style`). pyplot is imported inside the functions that create a new
figure, so importing this module has no side effect on matplotlib's state. The figures of experiments,
assemblies and ensembles are in `structural_plasticity.analysis`; all share the style of `analysis.style`.
"""

import numpy as np

from .analysis.populations import POPULATION_LABELS, population_label, population_letter, population_names
from .analysis.style import (  # noqa: F401  (BAND_ALPHA, fill_band: part of this module's interface)
    BAND_ALPHA,
    CONNECTION_COLOURS,
    POPULATION_COLOURS,
    TARGET_COLOURS,
    draw,
    fill_band,
    is_merged,
    legend,
    merged_note,
    network_size,
    new_axes,
    population_colours,
    set_time_axis,
    shade_phases,
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
#: The fixed limits of NEST's figure (Ca, connections), kept for the default network, whose curves they fit.
NEST_LIMITS = (0.275, 2500.0)
#: What makes a run NEST's default network: its sizes and targets.
DEFAULT_NETWORK = {"number_excitatory_neurons": 800, "number_inhibitory_neurons": 200}
DEFAULT_TARGETS = {"e": 0.05, "i": 0.2}


def is_default_network(meta):
    """Return True if the metadata `meta` are those of NEST's default network (800 E + 200 I, targets 0.05, 0.2)."""
    params = meta.get("parameters", {})
    sizes = all(params.get(name) == value for name, value in DEFAULT_NETWORK.items())
    return sizes and meta.get("target_ca") == DEFAULT_TARGETS


def plot_ca_and_connections(results, ax=None):
    """The figure of NEST's example: mean Ca with target lines, and connections on a second y axis.

    The default network keeps the limits of NEST's figure (Ca 0-0.275, connections 0-2500), grown where a
    curve would be cut off; any other network gets limits from its data and targets, so that small networks
    and low targets fill the figure. Phases of an experiment are shaded; the legend sits outside the axes.

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
    fig, ax1 = new_axes(ax, figsize=(9, 5))
    targets = results.metadata.get("target_ca", {})
    default = is_default_network(results.metadata)
    top_ca = max([NEST_LIMITS[0] if default else 0.0] + [1.1 * v for v in targets.values()])
    shade_phases(ax1, results)
    populations = population_names(results)
    for k, pop in enumerate(populations):
        line, target, _ = population_colours(pop, k)
        name = population_label(pop)
        if pop in targets:
            ax1.axhline(targets[pop], linewidth=4.0, color=target, label=f"target Ca ({name})")
        top = draw(ax1, results, f"mean_ca_{pop}", line, linewidth=2.0, label=f"Ca, {name} neurons")
        top_ca = max(top_ca, 1.05 * top)
    ax1.set_ylim(0, top_ca or 1.0)
    ax1.set_xlabel("time (s)")
    ax1.set_ylabel("mean Ca concentration")
    ax2 = ax1.twinx()
    top_conn = NEST_LIMITS[1] if default else 0.0
    for k, pop in enumerate(populations):
        colour = population_colours(pop, k)[2]
        label = f"{population_label(pop)} connections"
        top = draw(ax2, results, f"total_connections_{pop}", colour, linestyle="--", linewidth=2.0, label=label)
        top_conn = max(top_conn, 1.05 * top)
    ax2.set_ylim(0, top_conn or 1.0)
    ax2.set_ylabel("connections")
    set_time_axis(ax1, results)
    # One legend for both axes, right of the second y axis's label.
    handles, labels = ax1.get_legend_handles_labels()
    more = ax2.get_legend_handles_labels()
    legend(ax1, handles + more[0], labels + more[1], offset=1.12)
    ax1.set_title(_title(results), pad=16 if results.metadata.get("phases") else None)  # above the phase names
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
        _, axes = new_axes(nrows=3, ncols=1, sharex=True, figsize=(9, 9))
    ax_conn, ax_rate, ax_std = axes
    fig = ax_conn.figure
    populations = population_names(results)
    for ax in axes:
        shade_phases(ax, results, label=ax is ax_conn)
    # Synapses of each pathway: coloured by the source population, styled by the target.
    for s, source in enumerate(populations):
        for t, target in enumerate(populations):
            label = f"{population_letter(source)}→{population_letter(target)}"
            colour, style = population_colours(source, s)[2], TARGET_STYLES[t % len(TARGET_STYLES)]
            draw(ax_conn, results, f"connections_{source}{target}", colour, linestyle=style, label=label)
    ax_conn.set_ylabel("synapses")
    targets = results.metadata.get("target_ca", {})
    ca_per_hz = results.metadata.get("ca_per_hz")
    for k, pop in enumerate(populations):
        line, target, _ = population_colours(pop, k)
        draw(ax_rate, results, f"rate_{pop}", line, label=f"{population_label(pop)} rate")
        if ca_per_hz and pop in targets:
            ax_rate.axhline(
                targets[pop] / ca_per_hz, color=target, linewidth=3, zorder=1, label=f"{population_label(pop)} target"
            )
        draw(ax_std, results, f"std_ca_{pop}", line, label=f"{population_label(pop)} neurons")
    ax_rate.set_ylabel("firing rate (Hz)")
    ax_std.set_ylabel("std of Ca over neurons")
    ax_std.set_xlabel("time (s)")
    for ax in axes:
        legend(ax)
        ax.set_ylim(bottom=0)
    set_time_axis(ax_std, results)
    ax_conn.set_title(_title(results), pad=16 if results.metadata.get("phases") else None)
    return fig


def _title(results):
    """Title of a run's figure; a merged ensemble (it has ``n`` and ``name``) gets `_merged_title`."""
    if is_merged(results):
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
    parts.append(merged_note(merged))
    return ", ".join(parts)
