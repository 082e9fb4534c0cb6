"""Figures of single neurons, from a run's recordings (``--record``, `recording.Recording`).

* `plot_raster`: the spikes of the last seconds, neurons ordered by population and, in an experiment, by
  group (each in its colour), with the population rates below;
* `plot_neurons`: Ca over neurons at the end (with the target), Ca of single neurons over time, firing
  rates over neurons (with the target rate) and the grown synaptic elements over neurons.

Like every figure of the package they take the run's `Results` (for targets, groups and phases) and its
`Recording`, return the Figure, import pyplot only when they make one, and never change the backend.
"""

import numpy as np

from .populations import group_names, population_label, population_letter
from .style import (
    GROUP_COLOURS,
    incomplete_note,
    legend,
    model_name,
    network_size,
    new_figure,
    population_colours,
    set_time_axis,
    shade_phases,
)

#: Seconds of spikes the raster shows by default (the last ones of the run).
RASTER_WINDOW_S = 10.0
#: Bin of the population rates under the raster (ms).
RATE_BIN_MS = 10.0
#: Single neurons whose Ca is drawn per population.
TRACES = 8


def _neuron_colours(recording):
    """Return the colour of each recorded neuron (its population's) and the legend entries ``{label: colour}``."""
    colours = np.empty(len(recording.neuron_id), dtype=object)
    entries = {}
    for k, pop in enumerate(recording.population_names):
        line = population_colours(pop, k)[0]
        colours[recording.neurons_of(pop)] = line
        entries[population_label(pop)] = line
    return colours, entries


def _mark_groups(ax, results, recording, row):
    """Draw a bar left of the raster beside the rows of each group's recorded neurons; return legend handles."""
    from matplotlib.patches import Patch, Rectangle  # noqa: PLC0415  (matplotlib only when drawing)

    handles = []
    groups = [g for g in results.metadata.get("groups", []) if isinstance(g, dict) and g.get("node_ids")]
    for g, colour in zip(groups, GROUP_COLOURS):
        rows = row[np.isin(recording.neuron_id, g["node_ids"])]
        if not len(rows):
            continue
        # The raster orders neurons by group within their population, so a group's rows are one block.
        bar = Rectangle((-0.02, rows.min() - 0.5), 0.012, rows.max() - rows.min() + 1, color=colour)
        bar.set(transform=ax.get_yaxis_transform(), clip_on=False)
        ax.add_patch(bar)
        handles.append(Patch(color=colour, label=f"{g['name']} ({len(rows)} recorded)"))
    return handles


def _order(results, recording):
    """Return the recorded neurons' order in the raster: by population, then by group, then by node id."""
    group_of = np.full(len(recording.neuron_id), len(group_names(results)), dtype=np.int64)
    groups = [g for g in results.metadata.get("groups", []) if isinstance(g, dict) and g.get("node_ids")]
    for k, g in reversed(list(enumerate(groups))):
        group_of[np.isin(recording.neuron_id, g["node_ids"])] = k
    return np.lexsort((recording.neuron_id, group_of, recording.neuron_population))


def plot_raster(results, recording, window_s=RASTER_WINDOW_S, fig=None):
    """Plot the spikes of the last `window_s` seconds of the run and the population rates under them.

    Parameters
    ----------
    results : Results
        The run (targets, groups and phases).
    recording : Recording
        Its recording, with spikes (``--record spikes``).
    window_s : float or None
        Seconds shown, ending at the last sample; None shows the whole recording.
    fig : matplotlib.figure.Figure, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(fig, (10, 6.5))
    ax_raster, ax_rate = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 1)})
    end = recording.t_stop_s
    start = recording.t_start_s if window_s is None else max(recording.t_start_s, end - window_s)
    times_s = recording.spike_times_ms / 1000.0
    shown = (times_s > start) & (times_s <= end)
    order = _order(results, recording)
    row = np.empty(len(order), dtype=np.int64)
    row[order] = np.arange(len(order))  # the raster row of each recorded neuron
    index = np.zeros(int(recording.neuron_id.max()) + 1 if len(order) else 0, dtype=np.int64)
    index[recording.neuron_id] = np.arange(len(order))
    spiking = index[recording.spike_senders[shown]]
    colours, entries = _neuron_colours(recording)
    for ax in (ax_raster, ax_rate):
        shade_phases(ax, results, label=ax is ax_raster)
    ax_raster.scatter(times_s[shown], row[spiking], c=list(colours[spiking]), s=2, marker="|", linewidths=0.6)
    # Population borders and names.
    first = 0
    for k, pop in enumerate(recording.population_names):
        n = int(recording.neurons_of(pop).sum())
        if k:
            ax_raster.axhline(first - 0.5, color="k", linewidth=0.5)
        middle = (first + n / 2) / max(len(order), 1)
        ax_raster.text(1.005, middle, population_letter(pop), va="center", transform=ax_raster.transAxes)
        first += n
    ax_raster.set_ylim(-0.5, len(order) - 0.5)
    ax_raster.set_ylabel("neuron (by population and group)")
    handles = [ax_raster.scatter([], [], color=c, marker="|", s=40, label=name) for name, c in entries.items()]
    handles += _mark_groups(ax_raster, results, recording, row)
    legend(ax_raster, handles, [h.get_label() for h in handles], offset=1.04)
    # Population rates in bins of RATE_BIN_MS.
    edges = np.arange(start * 1000.0, end * 1000.0 + RATE_BIN_MS / 2, RATE_BIN_MS)
    ca_per_hz, targets = results.metadata.get("ca_per_hz"), results.metadata.get("target_ca", {})
    for k, pop in enumerate(recording.population_names):
        ids = recording.neuron_id[recording.neurons_of(pop)]
        if len(edges) < 2 or not len(ids):
            continue
        counts = np.histogram(recording.spike_times_ms[np.isin(recording.spike_senders, ids)], bins=edges)[0]
        line, target, _ = population_colours(pop, k)
        rate = counts / len(ids) / (RATE_BIN_MS / 1000.0)
        ax_rate.step(edges[1:] / 1000.0, rate, where="pre", color=line, linewidth=0.8, label=population_label(pop))
        if ca_per_hz and pop in targets:
            ax_rate.axhline(targets[pop] / ca_per_hz, color=target, linewidth=2, zorder=1)
    ax_rate.set_ylabel(f"rate (Hz, {RATE_BIN_MS:g} ms bins)")
    ax_rate.set_xlabel("time (s)")
    ax_rate.set_ylim(bottom=0)
    legend(ax_rate, offset=1.04)
    ax_rate.set_xlim(start, end)
    meta = results.metadata
    fig.suptitle(
        f"{model_name(meta, 'run')}: spikes of {len(order)} recorded neurons"
        f" ({network_size(meta.get('parameters', {}))}), {start:g}-{end:g} s, seed {meta.get('rng_seed', '?')}"
        + incomplete_note(meta)
    )
    return fig


def _note(ax, text):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_neurons(results, recording, fig=None):
    """Plot what single neurons did: Ca over neurons at the end, Ca of single neurons, rates, elements.

    Panels whose data were not recorded say which ``--record`` adds them.

    Parameters
    ----------
    results : Results
        The run (targets, phases).
    recording : Recording
    fig : matplotlib.figure.Figure, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure(fig, (12, 8))
    (ax_ca, ax_rate), (ax_trace, ax_el) = fig.subplots(2, 2)
    meta = results.metadata
    targets, ca_per_hz = meta.get("target_ca", {}), meta.get("ca_per_hz")
    pops = recording.population_names
    if recording.ca is not None and len(recording.time_s):
        last = recording.ca[-1]
        bins = np.linspace(0.0, max(float(np.nanmax(last)), *targets.values(), 1e-12) * 1.05, 41)
        for k, pop in enumerate(pops):
            line, target, _ = population_colours(pop, k)
            ax_ca.hist(last[recording.neurons_of(pop)], bins=bins, color=line, alpha=0.5, label=population_label(pop))
            if pop in targets:
                ax_ca.axvline(targets[pop], color=target, linewidth=3, label=f"target ({population_letter(pop)})")
        ax_ca.set_xlabel(f"Ca at {recording.time_s[-1]:g} s")
        ax_ca.set_ylabel("neurons")
        legend(ax_ca)
        shade_phases(ax_trace, results)
        for k, pop in enumerate(pops):
            line = population_colours(pop, k)[0]
            mine = np.flatnonzero(recording.neurons_of(pop))
            for j in mine[:: max(1, len(mine) // TRACES)][:TRACES]:
                ax_trace.plot(recording.time_s, recording.ca[:, j], color=line, linewidth=0.5, alpha=0.6)
            label = f"{population_label(pop)}: mean and {min(TRACES, len(mine))} neurons"
            mean = np.nanmean(recording.ca[:, mine], axis=1)
            ax_trace.plot(recording.time_s, mean, color=line, linewidth=2, label=label)
        ax_trace.set_xlabel("time (s)")
        ax_trace.set_ylabel("Ca")
        ax_trace.set_ylim(bottom=0)
        set_time_axis(ax_trace, results)
        legend(ax_trace)
    else:
        _note(ax_ca, "Ca of single neurons not recorded\n(--record ca)")
        _note(ax_trace, "Ca of single neurons not recorded\n(--record ca)")
    if recording.spike_times_ms is not None:
        rates = recording.rates_hz()
        target_rates = [v / ca_per_hz for v in targets.values()] if ca_per_hz else []
        top = max([float(np.nanmax(rates)) if len(rates) else 1.0, *target_rates])
        bins = np.linspace(0.0, 1.05 * top, 41)
        for k, pop in enumerate(pops):
            line, target, _ = population_colours(pop, k)
            ax_rate.hist(
                rates[recording.neurons_of(pop)], bins=bins, color=line, alpha=0.5, label=population_label(pop)
            )
            if ca_per_hz and pop in targets:
                label = f"target ({population_letter(pop)})"
                ax_rate.axvline(targets[pop] / ca_per_hz, color=target, linewidth=3, label=label)
        ax_rate.set_xlabel(f"firing rate over {recording.t_start_s:g}-{recording.t_stop_s:g} s (Hz)")
        ax_rate.set_ylabel("neurons")
        legend(ax_rate)
    else:
        _note(ax_rate, "spikes not recorded\n(--record spikes)")
    if recording.elements_z is not None and len(recording.time_s):
        z = recording.elements_z[-1]
        finite = z[np.isfinite(z)]
        bins = np.linspace(0.0, max(float(finite.max()) if finite.size else 1.0, 1e-12) * 1.05, 41)
        for k, element in enumerate(recording.element_names):
            column = z[:, k]
            column = column[np.isfinite(column)]
            if column.size:
                ax_el.hist(column, bins=bins, histtype="step", linewidth=1.5, color=f"C{k}", label=element)
        ax_el.set_xlabel(f"grown elements per neuron at {recording.time_s[-1]:g} s")
        ax_el.set_ylabel("neurons")
        legend(ax_el)
    else:
        _note(ax_el, "synaptic elements not recorded\n(--record elements)")
    fig.suptitle(
        f"{model_name(meta, 'run')}: {len(recording.neuron_id)} recorded neurons "
        f"({network_size(meta.get('parameters', {}))}), seed {meta.get('rng_seed', '?')}" + incomplete_note(meta)
    )
    fig.tight_layout()
    return fig
