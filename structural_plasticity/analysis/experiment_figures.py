"""The figures of experiments: one run (phases shaded; group Ca, rates, connections, elements) and lesion recovery.

`plot_experiment` draws any `Experiment`'s results; `plot_recovery` and `plot_recovery_comparison` draw
the mean ± sd of lesion runs over seeds. pyplot is imported only when a new figure is made (`style`);
the functions never change the backend.
"""

import numpy as np

from .phases import group_names, group_sizes
from .populations import group_population, groups_population, other_populations, population_letter
from .quantities import clip_band
from .style import (  # noqa: F401  (PHASE_COLOURS and shade_phases: part of this module's interface)
    GROUP_COLOURS,
    PHASE_COLOURS,
    SD_ALPHA,
    draw,
    fill_band,
    finish_axes,
    incomplete_note,
    is_merged,
    merged_note,
    model_name,
    network_size,
    shade_phases,
    stacked_axes,
    target_colour,
)

#: Synaptic elements drawn per group: (series name part, label), and their colours.
ELEMENTS = (("axon_ex", "Axon_ex"), ("den_ex", "Den_ex"), ("den_in", "Den_in"))
ELEMENT_COLOURS = {"axon_ex": "tab:orange", "den_ex": "tab:green", "den_in": "tab:purple"}


def plot_experiment(results, fig=None):
    """Plot the signature of an experiment in four stacked panels sharing the time axis.

    1. mean Ca of each group, with the target of the groups' population (the excitatory one);
    2. firing rate of each group;
    3. synapses onto and out of the first (intervention) group, and within it, and from the other
       populations (the inhibitory one);
    4. grown axonal and dendritic elements per neuron of the groups whose elements were read.

    Parameters
    ----------
    results : Results or MergedPoint
        Results of an `Experiment`, or a merged ensemble of them (means with 95 % bands).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into; a new one is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax_ca, ax_rate, ax_conn, ax_el) = stacked_axes(fig, 4, 11)
    meta = results.metadata
    groups = group_names(results)
    sizes = group_sizes(results)
    colours = dict(zip(groups, GROUP_COLOURS * 4))
    population = groups_population(results)
    target = meta.get("target_ca", {}).get(population)
    for ax in (ax_ca, ax_rate, ax_conn, ax_el):
        shade_phases(ax, results, label=ax is ax_ca)
    if target is not None:
        colour, letter = target_colour(population), population_letter(population)
        ax_ca.axhline(target, color=colour, linewidth=3, label=f"target Ca ({letter})", zorder=1)
        if meta.get("ca_per_hz"):
            ax_rate.axhline(
                target / meta["ca_per_hz"], color=colour, linewidth=3, label=f"target rate ({letter})", zorder=1
            )
    for g in groups:
        size = f" ({sizes[g]})" if g in sizes else ""
        draw(ax_ca, results, f"mean_ca_{g}", colours[g], label=f"{g}{size}")
        draw(ax_rate, results, f"rate_{g}", colours[g], label=g)
    ax_ca.set_ylabel("mean Ca")
    ax_rate.set_ylabel("rate (Hz)")
    if groups and groups[0] in sizes:
        first = groups[0]
        # Connections per neuron of the target group, so that groups of different sizes compare; those from
        # the other populations (inhibitory) dotted.
        for source in [first, *groups[1:], *other_populations(results, population)]:
            style = "-" if source in colours else ":"
            colour = colours.get(source, "k")
            key = f"connections_{source}_{first}"
            draw(ax_conn, results, key, colour, sizes[first], linestyle=style, label=f"{source}→{first}")
        for target_group in groups[1:]:
            if target_group in sizes:
                key, label = f"connections_{first}_{target_group}", f"{first}→{target_group}"
                draw(ax_conn, results, key, colours[first], sizes[target_group], linestyle="--", label=label)
    ax_conn.set_ylabel("synapses per target neuron")
    # Grown elements per neuron: the intervention group solid, the other groups dashed.
    for k, g in enumerate(groups):
        for element, label in ELEMENTS:
            draw(
                ax_el,
                results,
                f"elements_{element}_{g}",
                ELEMENT_COLOURS[element],
                linestyle="-" if k == 0 else "--",
                linewidth=1.5 if k == 0 else 1.0,
                label=f"{label}, {g}",
            )
    ax_el.set_ylabel("elements per neuron")
    ax_el.set_xlabel("time (s)")
    finish_axes((ax_ca, ax_rate, ax_conn, ax_el), results)
    what = merged_note(results) if is_merged(results) else f"seed {meta.get('rng_seed', '?')}"
    fig.suptitle(
        f"{model_name(meta, 'experiment')}: {network_size(meta.get('parameters', {}))} neurons, {what}"
        + incomplete_note(meta)
    )
    return fig


def _band(ax, t, runs, series, scale=1.0, **style):
    """Plot the mean of `series` over `runs` with a ±sd band; skip it when a run lacks it."""
    if not runs or any(series not in r for r in runs):
        return
    values = np.array([np.asarray(r[series], dtype=float)[: len(t)] / scale for r in runs])
    mean = values.mean(axis=0)
    line = ax.plot(t, mean, **style)[0]
    if len(runs) > 1:
        sd = values.std(axis=0, ddof=1)
        low, high = clip_band(series, mean - sd, mean + sd)  # never below 0 for Ca, counts, elements
        fill_band(ax, t, low, high, line.get_color(), SD_ALPHA)


def _target_lines(ax, fraction, colour):
    """Draw the target (1, Ca relative to the target) and `fraction` of it on `ax`."""
    ax.axhline(1.0, color=colour, linewidth=3, label="target", zorder=1)
    ax.axhline(fraction, color=colour, linewidth=1, linestyle=":", label=f"{100 * fraction:g} % of target")


def plot_recovery(runs, fraction=0.8, fig=None):
    """Plot the lesion recovery over several runs (seeds): mean ± sd of Ca, elements and input of the groups.

    1. mean Ca of the lesioned and intact groups relative to the target of their population (the
       excitatory one), with the target and `fraction` of it;
    2. grown axonal (``Axon_ex``) and dendritic (``Den_ex``, ``Den_in``) elements per neuron of the
       lesioned group (solid) and the intact group (dashed);
    3. synapses per lesioned neuron from intact neurons, from lesioned neurons and from the other
       populations (I neurons).

    Parameters
    ----------
    runs : list of Results
        Results of `LesionProtocol` runs with the same protocol (same sample times), e.g. one per seed.
    fraction : float
        Fraction of the target drawn as the recovery criterion.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into; a new one is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax_ca, ax_el, ax_in) = stacked_axes(fig, 3, 9)
    if not runs:
        return fig
    t = min((r["time"] for r in runs), key=len)
    first = runs[0]
    population = group_population(first, "lesioned")
    target = first.metadata["target_ca"][population]
    n_lesioned = group_sizes(first)["lesioned"]
    for ax in (ax_ca, ax_el, ax_in):
        shade_phases(ax, first, label=ax is ax_ca)
    _target_lines(ax_ca, fraction, target_colour(population))
    _band(ax_ca, t, runs, "mean_ca_lesioned", target, color=GROUP_COLOURS[0], label="lesioned")
    _band(ax_ca, t, runs, "mean_ca_intact", target, color=GROUP_COLOURS[1], label="intact")
    ax_ca.set_ylabel(f"mean Ca / target ({population_letter(population)})")
    for group, style in (("lesioned", "-"), ("intact", "--")):
        for element, label in ELEMENTS:
            _band(
                ax_el,
                t,
                runs,
                f"elements_{element}_{group}",
                linestyle=style,
                color=ELEMENT_COLOURS[element],
                label=f"{label}, {group}",
            )
    ax_el.set_ylabel("grown elements per neuron")
    sources = [("intact", GROUP_COLOURS[1], "-"), ("lesioned", GROUP_COLOURS[0], "-")]
    sources += [(name, "k", ":") for name in other_populations(first, population)]
    for source, colour, style in sources:
        _band(
            ax_in,
            t,
            runs,
            f"connections_{source}_lesioned",
            n_lesioned,
            linestyle=style,
            color=colour,
            label=f"{source} → lesioned",
        )
    ax_in.set_ylabel("synapses per lesioned neuron")
    ax_in.set_xlabel("time (s)")
    finish_axes((ax_ca, ax_el, ax_in), first)
    meta = first.metadata
    seeds = ", ".join(str(r.metadata.get("rng_seed", "?")) for r in runs)
    fig.suptitle(
        f"{model_name(meta, 'lesion')}: {network_size(meta.get('parameters', {}))}, {n_lesioned} lesioned; "
        f"mean ± sd of {len(runs)} run{'s' if len(runs) > 1 else ''} (seeds {seeds})"
    )
    return fig


def plot_recovery_comparison(conditions, fraction=0.8, fig=None):
    """Plot the lesioned group of several lesion conditions side by side: mean ± sd over each one's runs.

    1. mean Ca of the lesioned group relative to the target of its population (the excitatory one), with
       the target, `fraction` of it and, where a condition's growth curves have them, the zero points of
       the population's axons and dendrites (below the dendritic one a neuron retracts every element);
    2. grown ``Axon_ex`` per lesioned neuron;
    3. grown ``Den_ex`` per lesioned neuron;
    4. synapses per lesioned neuron from intact neurons.

    Parameters
    ----------
    conditions : dict of str to list of Results
        Label of each condition and its `LesionProtocol` runs (one per seed), all with the same protocol.
    fraction : float
        Fraction of the target drawn as the recovery criterion.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into; a new one is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = stacked_axes(fig, 4, 11)
    ax_ca, ax_axon, ax_den, ax_in = axes
    runs_of = [runs for runs in conditions.values() if runs]
    if not runs_of:
        return fig
    first = runs_of[0][0]
    population = group_population(first, "lesioned")
    target = first.metadata["target_ca"][population]
    for ax in axes:
        shade_phases(ax, first, label=ax is ax_ca)
    _target_lines(ax_ca, fraction, target_colour(population))
    zero_points = set()
    for index, (label, runs) in enumerate(conditions.items()):
        if not runs:
            continue
        colour = f"C{index}"
        t = min((r["time"] for r in runs), key=len)
        n_lesioned = group_sizes(runs[0])["lesioned"]
        _band(ax_ca, t, runs, "mean_ca_lesioned", target, color=colour, label=label)
        _band(ax_axon, t, runs, "elements_axon_ex_lesioned", color=colour, label=label)
        _band(ax_den, t, runs, "elements_den_ex_lesioned", color=colour, label=label)
        _band(ax_in, t, runs, "connections_intact_lesioned", n_lesioned, color=colour, label=label)
        params = runs[0].metadata.get("parameters", {})
        model = model_name(runs[0].metadata, "")
        # The growth curves of the groups' population, as `ButzNetwork` names its parameters.
        own = group_population(runs[0], "lesioned")
        for name, text in ((f"growth_curve_axon_{own}", "axonal"), (f"growth_curve_den_ex_{own}", "dendritic")):
            eta = (params.get(name) or {}).get("eta")
            if eta:
                zero_points.add((eta / target, f"{text} zero point of {model}"))
    for value, text in sorted(zero_points):
        ax_ca.axhline(value, color="grey", linewidth=0.8, linestyle="--")
        ax_ca.text(
            0.01, value, text, transform=ax_ca.get_yaxis_transform(), fontsize="x-small", va="bottom", color="grey"
        )
    ax_ca.set_ylabel("lesioned Ca / target")
    ax_axon.set_ylabel("Axon_ex per lesioned neuron")
    ax_den.set_ylabel("Den_ex per lesioned neuron")
    ax_in.set_ylabel("synapses intact → lesioned\nper lesioned neuron")
    ax_in.set_xlabel("time (s)")
    finish_axes(axes, first)
    fig.suptitle("lesioned group, mean ± sd over seeds")
    return fig
