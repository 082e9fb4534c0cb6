"""The figure of an assembly run, in the style of Gallinaro, Gašparović & Rotter (2022), Fig 4.

Top: the connection probability of each block (S→S, S→R, R→S, R→R) over time, phases shaded, with
the baseline (all E→E at the end of growth). Middle: firing rates of the groups with the target rate.
Bottom: the E→E connectivity matrix (neurons ordered S, then R; rows post-synaptic) at the snapshots
kept by `AssemblyProtocol` (before, end of the stimulus, after). pyplot is imported only when a new
figure is made (`style`).
"""

import numpy as np

from .assembly import BLOCK_LABELS, BLOCKS, baseline_series, block_series, connectivity_matrix, group_order
from .populations import groups_population
from .style import (
    draw,
    incomplete_note,
    is_merged,
    legend,
    merged_note,
    network_size,
    new_figure,
    set_time_axis,
    shade_phases,
    target_colour,
    times,
    values,
)

#: Colours of the blocks, as in the authors' script (S→S green, R→S orange, S→R grey, R→R blue).
BLOCK_COLOURS = {
    ("stimulated", "stimulated"): "tab:green",
    ("rest", "stimulated"): "tab:orange",
    ("stimulated", "rest"): "tab:gray",
    ("rest", "rest"): "tab:blue",
}
#: Titles of the snapshots.
SNAPSHOT_TITLES = {"before": "before the stimulus", "stimulus_end": "end of the stimulus", "after": "after"}


def plot_block_probabilities(results, ax):
    """Draw the block probabilities over time on `ax`, phases shaded, with the baseline as a dashed line."""
    t = times(results)
    shade_phases(ax, results)
    phases = results.metadata.get("phases", [])
    if phases and phases[0]["name"] == "growth" and baseline_series(results) in results:
        growth_end = phases[0]["start_s"] + phases[0]["duration_s"]
        before = np.flatnonzero(np.isclose(t, growth_end))
        if len(before):
            baseline = float(values(results, baseline_series(results))[before[0]])
            ax.axhline(baseline, color="k", linestyle="--", linewidth=1, label=f"baseline {baseline:.3f}", zorder=1)
    for block in sorted(BLOCKS, key=lambda b: b == ("stimulated", "rest")):
        # S→R dashed on top: with identical growth curves of axons and dendrites it equals R→S.
        style = "--" if block == ("stimulated", "rest") else "-"
        series = block_series(*block)
        draw(ax, results, series, BLOCK_COLOURS[block], linestyle=style, label=BLOCK_LABELS[block], linewidth=1.5)
    ax.set_ylabel("connection probability")
    ax.set_ylim(bottom=0)
    legend(ax)


def plot_group_rates(results, ax):
    """Draw the firing rates of the stimulated group and the rest on `ax`, with the target rate."""
    shade_phases(ax, results, label=False)
    target = (results.metadata.get("target_rate") or {}).get("rate_hz")
    if target:
        colour = target_colour(groups_population(results))
        ax.axhline(target, color=colour, linewidth=3, label=f"target {target:.1f} Hz", zorder=1)
    for name, colour in (("stimulated", "tab:green"), ("rest", "tab:blue")):
        draw(ax, results, f"rate_{name}", colour, label=name)
    ax.set_ylabel("rate (Hz)")
    ax.set_xlabel("time (s)")
    ax.set_ylim(bottom=0)
    legend(ax)


def plot_snapshot(results, name, ax, max_bins=100, vmax=None):
    """Draw the connectivity matrix of snapshot `name` on `ax` (S first; rows post, columns pre); return the image.

    Returns None (and writes a note on `ax`) when the results hold no such snapshot.
    """
    source, target = f"synapses_{name}_source", f"synapses_{name}_target"
    if source not in getattr(results, "arrays", {}):  # a merged ensemble keeps no snapshots
        ax.text(0.5, 0.5, f"no snapshot\n'{name}'", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return None
    order, n_stimulated = group_order(results)
    matrix, bin_size = connectivity_matrix(results.arrays[source], results.arrays[target], order, max_bins)
    image = ax.imshow(matrix, cmap="Greys", interpolation="nearest", vmin=0, vmax=vmax, origin="upper")
    edge = n_stimulated / bin_size - 0.5
    for line in (ax.axhline, ax.axvline):
        line(edge, color="tab:red", linewidth=0.8)
    info = next((s for s in results.metadata.get("snapshots", []) if s["name"] == name), {})
    ax.set_title(f"{SNAPSHOT_TITLES.get(name, name)} ({info.get('time_s', float('nan')):g} s)", fontsize="medium")
    ax.set_xlabel("pre-synaptic (S | R)" + (f", bins of {bin_size}" if bin_size > 1 else ""))
    ax.set_xticks([])
    ax.set_yticks([])
    return image


def plot_assembly(results, fig=None, max_bins=100):
    """Plot the block probabilities, group rates and connectivity snapshots of an `AssemblyExperiment` run.

    Parameters
    ----------
    results : Results
        Results of an `AssemblyExperiment` (loaded with `load_results` or fresh).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into; a new one is made when omitted.
    max_bins : int
        At most this many rows and columns per matrix: neurons are binned (4 per bin in the reduced
        network, 100 in the full-size one), so that the S block shows at figure size.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(fig, (11, 10))
    grid = fig.add_gridspec(3, 3, height_ratios=(1.3, 0.8, 1.2), hspace=0.35)
    ax_prob = fig.add_subplot(grid[0, :])
    ax_rate = fig.add_subplot(grid[1, :], sharex=ax_prob)
    plot_block_probabilities(results, ax_prob)
    plot_group_rates(results, ax_rate)
    set_time_axis(ax_prob, results)
    names = ("before", "stimulus_end", "after")
    arrays = getattr(results, "arrays", {})  # a merged ensemble keeps no snapshots
    # One colour scale for all snapshots, so that they compare.
    matrices = []
    if all(f"synapses_{n}_source" in arrays for n in names):
        order, _ = group_order(results)
        for name in names:
            matrix, _ = connectivity_matrix(
                results.arrays[f"synapses_{name}_source"], results.arrays[f"synapses_{name}_target"], order, max_bins
            )
            matrices.append(matrix)
    vmax = max(float(m.max()) for m in matrices) if matrices else None
    image = None
    for column, name in enumerate(names):
        ax = fig.add_subplot(grid[2, column])
        image = plot_snapshot(results, name, ax, max_bins, vmax) or image
        if column == 0 and image is not None:
            ax.set_ylabel("post-synaptic (S | R)")
    if image is not None:
        fig.colorbar(image, ax=fig.axes[-3:], shrink=0.8, label="synapses per pair")
    meta = results.metadata
    params = meta.get("parameters", {})
    what = merged_note(results) if is_merged(results) else f"seed {meta.get('rng_seed', '?')}"
    fig.suptitle(f"Assembly ({params.get('size', '?')}): {network_size(params)}, {what}" + incomplete_note(meta))
    return fig
