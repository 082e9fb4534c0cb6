"""Figures of merged ensembles: means over seeds with 95 % confidence bands.

Like `structural_plasticity.plotting`, each function takes optional axes, returns the Figure, imports
pyplot only when it creates a figure and never changes the backend.
"""

from ..plotting import plot_ca_and_connections, plot_overview
from .populations import population_label, population_names
from .quantities import clip_band
from .style import FEW_MEMBERS, fill_band, legend, new_axes, set_time_axis, shade_phases


def plot_bands(merged, ax=None):
    """NEST's figure for an ensemble: mean Ca with its 95 % band and target lines, connections on a twin axis.

    The figure of a run (`structural_plasticity.plotting.plot_ca_and_connections`) drawn from a merged
    grid point.

    Parameters
    ----------
    merged : MergedPoint
        One grid point of `merge_ensemble` (or `load_merged`).
    ax : matplotlib.axes.Axes, optional
        Axes for the Ca; connections go on a twin axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return plot_ca_and_connections(merged, ax)


def plot_overview_bands(merged, axes=None):
    """The overview figure for an ensemble: synapses per pathway, rates and spread of Ca, with 95 % bands.

    `structural_plasticity.plotting.plot_overview` drawn from a merged grid point.

    Parameters
    ----------
    merged : MergedPoint
    axes : sequence of three matplotlib.axes.Axes, optional
        Axes for connections, rates and Ca spread; a new figure with three stacked axes when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return plot_overview(merged, axes)


def plot_grid(merged, axes=None):
    """Compare grid points: mean Ca of each population over time, one line and 95 % band per grid point.

    Parameters
    ----------
    merged : list of MergedPoint
    axes : sequence of matplotlib.axes.Axes, optional
        One axes per population of the first grid point (`population_names`): excitatory and inhibitory Ca
        in NEST's example.

    Returns
    -------
    matplotlib.figure.Figure
    """
    populations = population_names(merged[0])
    if axes is None:
        rows = max(1, len(populations))
        _, axes = new_axes(nrows=rows, ncols=1, sharex=True, figsize=(8, 3.5 * rows), squeeze=False)
        axes = axes[:, 0]
    fig = axes[0].figure
    colours = [f"C{k % 10}" for k in range(len(merged))]
    for ax, pop in zip(axes, populations):
        shade_phases(ax, merged[0], label=ax is axes[0])
        for item, colour in zip(merged, colours):
            if f"mean_ca_{pop}" not in item:
                continue
            mean, low, high = item.band(f"mean_ca_{pop}")
            low, high = clip_band(f"mean_ca_{pop}", low, high)
            t = item.series["time"]
            fill_band(ax, t, low, high, colour)
            ax.plot(t, mean, color=colour, label=f"{item.name} (n={item.n})")
        target = merged[0].metadata.get("target_ca", {}).get(pop)
        if target is not None:
            ax.axhline(target, color="0.5", linestyle=":", label="target")
        ax.set_ylabel(f"mean Ca, {population_label(pop)}")
        ax.set_ylim(bottom=0)
        legend(ax)
    set_time_axis(axes[-1], merged[0])
    axes[-1].set_xlabel("time (s)")
    few = min(item.n for item in merged)
    note = f"; n < {FEW_MEMBERS} for some grid points: their bands say little" if few < FEW_MEMBERS else ""
    axes[0].set_title("mean over seeds with 95 % confidence bands" + note)
    return fig
