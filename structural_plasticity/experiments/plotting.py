"""The figure of an experiment: phases shaded, group Ca, rates, connections and dendritic elements over time.

pyplot is imported only when a new figure is made; the functions never change the backend.
"""

import numpy as np

from .analysis import group_names, group_sizes

#: Shades of the phases, cycled.
PHASE_COLOURS = ("#f2f2f2", "#ffe9c7", "#dcefff", "#e5f5e0")
#: Line colours of groups, in the order the groups were declared (intervention group first).
GROUP_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple")


def shade_phases(ax, results, label=True):
    """Shade each phase of `results` on `ax` and, if `label`, write its name at the top."""
    for index, phase in enumerate(results.metadata.get("phases", [])):
        end = phase["end_s"] if phase.get("end_s") is not None else phase["start_s"] + phase["duration_s"]
        ax.axvspan(phase["start_s"], end, color=PHASE_COLOURS[index % len(PHASE_COLOURS)], zorder=0, linewidth=0)
        if label:
            ax.text(
                (phase["start_s"] + end) / 2,
                1.0,
                phase["name"],
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize="small",
            )


def plot_experiment(results, fig=None):
    """Plot the signature of an experiment in four stacked panels sharing the time axis.

    1. mean Ca of each group, with the excitatory target;
    2. firing rate of each group;
    3. synapses onto and out of the first (intervention) group, and within it;
    4. grown and connected excitatory dendritic elements per neuron of the groups whose elements were read.

    Parameters
    ----------
    results : Results
        Results of an `Experiment`.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into; a new one is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if fig is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415

        fig = plt.figure(figsize=(9, 11))
    ax_ca, ax_rate, ax_conn, ax_el = fig.subplots(4, 1, sharex=True)
    t = results["time"]
    meta = results.metadata
    groups = group_names(results)
    sizes = group_sizes(results)
    colours = dict(zip(groups, GROUP_COLOURS * 4))
    target = meta.get("target_ca", {}).get("e")
    for ax in (ax_ca, ax_rate, ax_conn, ax_el):
        shade_phases(ax, results, label=ax is ax_ca)
    if target is not None:
        ax_ca.axhline(target, color="#9999FF", linewidth=3, label="target Ca (E)", zorder=1)
        if meta.get("ca_per_hz"):
            ax_rate.axhline(target / meta["ca_per_hz"], color="#9999FF", linewidth=3, label="target rate (E)", zorder=1)
    for g in groups:
        if f"mean_ca_{g}" in results:
            ax_ca.plot(t, results[f"mean_ca_{g}"], color=colours[g], label=f"{g} ({sizes[g]})")
        if f"rate_{g}" in results:
            ax_rate.plot(t, results[f"rate_{g}"], color=colours[g], label=g)
    ax_ca.set_ylabel("mean Ca")
    ax_rate.set_ylabel("rate (Hz)")
    if groups:
        first = groups[0]
        # Connections per neuron of the target group, so that groups of different sizes compare.
        for source in [first, *groups[1:], "i"]:
            key = f"connections_{source}_{first}"
            if key in results:
                per = results[key] / sizes[first]
                style = "-" if source != "i" else ":"
                colour = colours.get(source, "k")
                ax_conn.plot(t, per, style, color=colour, label=f"{source}→{first}")
        for target_group in groups[1:]:
            key = f"connections_{first}_{target_group}"
            if key in results:
                ax_conn.plot(
                    t, results[key] / sizes[target_group], "--", color=colours[first], label=f"{first}→{target_group}"
                )
    ax_conn.set_ylabel("synapses per target neuron")
    for g in groups:
        if f"elements_den_ex_{g}" in results:
            ax_el.plot(t, results[f"elements_den_ex_{g}"], color=colours[g], label=f"Den_ex grown, {g}")
            ax_el.plot(t, results[f"connected_den_ex_{g}"], "--", color=colours[g], label=f"Den_ex connected, {g}")
    ax_el.set_ylabel("elements per neuron")
    ax_el.set_xlabel("time (s)")
    for ax in (ax_ca, ax_rate, ax_conn, ax_el):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize="small", framealpha=0.9, ncol=2)
        ax.set_ylim(bottom=0)
    if len(t):
        ax_el.set_xlim(0, float(np.max(t)))
    params = meta.get("parameters", {})
    fig.suptitle(
        f"{meta.get('model', 'experiment').rsplit('.', 1)[-1]}: {params.get('number_excitatory_neurons', '?')} E + "
        f"{params.get('number_inhibitory_neurons', '?')} I neurons, seed {meta.get('rng_seed', '?')}"
        + ("" if meta.get("completed", True) else " (INCOMPLETE)")
    )
    return fig
