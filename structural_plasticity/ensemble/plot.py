"""Figures of merged ensembles: means over seeds with 95 % confidence bands.

Like `structural_plasticity.plotting`, each function takes optional axes, returns the Figure, imports
pyplot only when it creates a figure and never changes the backend.
"""

import numpy as np

from ..plotting import COLOURS, LABELS, _new_axes

BAND_ALPHA = 0.25


def plot_bands(merged, ax=None):
    """NEST's figure for an ensemble: mean Ca with its 95 % band and target lines, connections on a twin axis.

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
    fig, ax1 = _new_axes(ax, figsize=(8, 5))
    t = merged.series["time"]
    targets = merged.metadata.get("target_ca", {})
    top_ca = 0.275
    for pop in ("e", "i"):
        if pop in targets:
            ax1.axhline(targets[pop], linewidth=4.0, color=COLOURS[f"target_{pop}"], label=f"target Ca ({LABELS[pop]})")
            top_ca = max(top_ca, 1.1 * targets[pop])
        if f"mean_ca_{pop}" in merged:
            mean, low, high = merged.band(f"mean_ca_{pop}")
            ax1.fill_between(t, low, high, color=COLOURS[pop], alpha=BAND_ALPHA, linewidth=0)
            ax1.plot(t, mean, COLOURS[pop], linewidth=2.0, label=f"Ca, {LABELS[pop]} neurons")
            top_ca = max(top_ca, 1.05 * float(np.nanmax(np.append(high, mean))))
    ax1.set_ylim(0, top_ca)
    ax1.set_xlabel("time (s)")
    ax1.set_ylabel("mean Ca concentration")
    ax2 = ax1.twinx()
    top_conn = 2500.0
    for pop in ("e", "i"):
        name = f"total_connections_{pop}"
        if name in merged:
            mean, low, high = merged.band(name)
            ax2.fill_between(t, low, high, color=COLOURS[f"conn_{pop}"], alpha=BAND_ALPHA, linewidth=0)
            ax2.plot(t, mean, COLOURS[f"conn_{pop}"], linestyle="--", linewidth=2.0, label=f"{LABELS[pop]} connections")
            top_conn = max(top_conn, 1.05 * float(np.nanmax(np.append(high, mean))))
    ax2.set_ylim(0, top_conn)
    ax2.set_ylabel("connections")
    ax1.legend(loc="upper right", fontsize="small", framealpha=1.0)
    ax2.legend(loc="lower right", fontsize="small", framealpha=1.0)
    ax1.set_title(_title(merged))
    return fig


def plot_overview_bands(merged, axes=None):
    """The overview figure for an ensemble: synapses per pathway, rates and spread of Ca, with 95 % bands.

    Parameters
    ----------
    merged : MergedPoint
    axes : sequence of three matplotlib.axes.Axes, optional
        Axes for connections, rates and Ca spread; a new figure with three stacked axes when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if axes is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415

        fig, axes = plt.subplots(3, 1, sharex=True, figsize=(8, 9))
    ax_conn, ax_rate, ax_std = axes
    fig = ax_conn.figure
    t = merged.series["time"]

    def draw(ax, name, colour, label, linestyle="-"):
        if name in merged:
            mean, low, high = merged.band(name)
            ax.fill_between(t, low, high, color=colour, alpha=BAND_ALPHA, linewidth=0)
            ax.plot(t, mean, color=colour, linestyle=linestyle, label=label)

    for key, label, colour, style in (
        ("connections_ee", "E→E", "m", "-"),
        ("connections_ei", "E→I", "m", "--"),
        ("connections_ie", "I→E", "k", "-"),
        ("connections_ii", "I→I", "k", "--"),
    ):
        draw(ax_conn, key, colour, label, style)
    ax_conn.set_ylabel("synapses")
    ax_conn.legend(loc="upper left", fontsize="small", ncol=2, framealpha=1.0)
    targets = merged.metadata.get("target_ca", {})
    ca_per_hz = merged.metadata.get("ca_per_hz")
    for pop in ("e", "i"):
        draw(ax_rate, f"rate_{pop}", COLOURS[pop], f"{LABELS[pop]} rate")
        if ca_per_hz and pop in targets:
            ax_rate.axhline(targets[pop] / ca_per_hz, color=COLOURS[f"target_{pop}"], linewidth=3, zorder=0)
        draw(ax_std, f"std_ca_{pop}", COLOURS[pop], f"{LABELS[pop]} neurons")
    ax_rate.set_ylabel("firing rate (Hz)")
    ax_rate.legend(loc="upper right", fontsize="small", framealpha=1.0)
    ax_std.set_ylabel("std of Ca over neurons")
    ax_std.set_xlabel("time (s)")
    ax_std.legend(loc="upper right", fontsize="small", framealpha=1.0)
    ax_conn.set_title(_title(merged))
    return fig


def plot_grid(merged, axes=None):
    """Compare grid points: mean Ca of each population over time, one line and 95 % band per grid point.

    Parameters
    ----------
    merged : list of MergedPoint
    axes : sequence of two matplotlib.axes.Axes, optional
        Axes for excitatory and inhibitory Ca.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if axes is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415

        fig, axes = plt.subplots(2, 1, sharex=True, figsize=(8, 7))
    fig = axes[0].figure
    colours = [f"C{k % 10}" for k in range(len(merged))]
    for ax, pop in zip(axes, ("e", "i")):
        for item, colour in zip(merged, colours):
            if f"mean_ca_{pop}" not in item:
                continue
            mean, low, high = item.band(f"mean_ca_{pop}")
            t = item.series["time"]
            ax.fill_between(t, low, high, color=colour, alpha=BAND_ALPHA, linewidth=0)
            ax.plot(t, mean, color=colour, label=f"{item.name} (n={item.n})")
        target = merged[0].metadata.get("target_ca", {}).get(pop)
        if target is not None:
            ax.axhline(target, color="0.5", linestyle=":", label="target")
        ax.set_ylabel(f"mean Ca, {LABELS[pop]}")
        ax.legend(loc="lower right", fontsize="small", framealpha=1.0)
    axes[-1].set_xlabel("time (s)")
    axes[0].set_title("mean over seeds with 95 % confidence bands")
    return fig


def _title(merged):
    params = merged.metadata.get("parameters", {})
    parts = []
    if params:
        parts.append(
            f"{params.get('number_excitatory_neurons', '?')} E + {params.get('number_inhibitory_neurons', '?')} I"
        )
    if merged.name != "default":
        parts.append(merged.name)
    parts.append(f"mean of {merged.n} seeds, 95 % bands")
    return ", ".join(parts)
