"""The drawing style every figure of the package shares: colours, phase shading, legends, axes and titles.

Used by `structural_plasticity.plotting` (the figures of a run) and by the figures of `analysis`
(experiments, assemblies, ensembles), so that one change here changes them all. pyplot is imported only
by the functions that make a new figure (`new_axes`, `new_figure`); nothing here changes matplotlib's
state.
"""

#: Colours of NEST's example per population: its lines (E blue, I red), its target line (a light tint of
#: the line colour, see `tint`) and its synapses (E magenta, I black). Other populations: `population_colours`.
POPULATION_COLOURS = {"e": "b", "i": "r"}
TARGET_COLOURS = {"e": "#9999FF", "i": "#FF9999"}
CONNECTION_COLOURS = {"e": "m", "i": "k"}
#: Shades of the phases of an experiment, in the order of the phases (cycled).
PHASE_COLOURS = ("#f2f2f2", "#ffe9c7", "#dcefff", "#e5f5e0")
#: Line colours of groups, in the order the groups were declared (intervention group first).
GROUP_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple")
#: Opacity of the 95 % confidence bands of merged ensembles.
BAND_ALPHA = 0.25
#: Opacity of the ± sd bands over the runs of an experiment.
SD_ALPHA = 0.2
#: How every legend looks: small text on an opaque box, so that lines behind it do not show through.
LEGEND = {"fontsize": "small", "framealpha": 1.0}


def tint(colour, white=0.6):
    """Return `colour` mixed with `white` parts of white, as a hex string (``tint("b")`` is ``"#9999ff"``)."""
    # matplotlib only when drawing: importing the command line must not load it.
    from matplotlib.colors import to_hex, to_rgb  # noqa: PLC0415

    return to_hex([c + (1.0 - c) * white for c in to_rgb(colour)])


def population_colours(name, index=0):
    """Return the ``(line, target, synapses)`` colours of population `name`, the `index`-th of the results.

    NEST's example's colours for ``e`` and ``i`` (`POPULATION_COLOURS`, `TARGET_COLOURS`,
    `CONNECTION_COLOURS`); any other population takes matplotlib's colour ``C<index + 2>`` (C0 and C1 are
    close to E's blue and I's red), a `tint` of it for its target, and the same colour for its synapses.
    """
    if name in POPULATION_COLOURS:
        return POPULATION_COLOURS[name], TARGET_COLOURS[name], CONNECTION_COLOURS[name]
    line = f"C{(index + 2) % 10}"
    return line, tint(line), line


def target_colour(name):
    """Return the colour of the target line of population `name` (light blue for ``e``)."""
    return population_colours(name)[1]


def new_figure(fig=None, figsize=None):
    """Return `fig`, or a new figure of `figsize` (inches) when it is None."""
    if fig is not None:
        return fig
    import matplotlib.pyplot as plt  # noqa: PLC0415  (pyplot only when a figure is made)

    return plt.figure(figsize=figsize)


def new_axes(ax=None, **subplot_kw):
    """Return ``(figure, ax)``: `ax` and its figure, or a new figure made by ``plt.subplots(**subplot_kw)``."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt  # noqa: PLC0415  (pyplot only when a figure is made)

    return plt.subplots(**subplot_kw)


def stacked_axes(fig, rows, height):
    """Return ``(figure, axes)``: `rows` axes stacked on a shared time axis in `fig` (a new figure `height` inches
    tall if None)."""
    fig = new_figure(fig, (9, height))
    return fig, fig.subplots(rows, 1, sharex=True)


def shade_phases(ax, results, label=True):
    """Shade each phase of `results` on `ax` (`PHASE_COLOURS`) and, if `label`, write its name at the top."""
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


def legend(ax, loc="best", **options):
    """Draw the legend of `ax` at `loc` in the style of `LEGEND`; `options` go to ``Axes.legend`` (e.g. ``ncol``)."""
    return ax.legend(loc=loc, **LEGEND, **options)


def finish_axes(axes, t_end):
    """Give each of `axes` that has labelled lines a legend, start its y axis at 0, and end time at `t_end`.

    With `t_end` None the time axis keeps matplotlib's limits.
    """
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            legend(ax, ncol=2)
        ax.set_ylim(bottom=0)
    if t_end is not None:
        axes[-1].set_xlim(0, t_end)


def fill_band(ax, t, low, high, colour, alpha=BAND_ALPHA):
    """Fill the band between `low` and `high` over `t` in `colour`, without an edge."""
    ax.fill_between(t, low, high, color=colour, alpha=alpha, linewidth=0)


def network_size(params):
    """Return the size of the network of `params` (a run's ``metadata["parameters"]``) as ``"800 E + 200 I"``.

    ``?`` stands for a size the parameters do not give.
    """
    return f"{params.get('number_excitatory_neurons', '?')} E + {params.get('number_inhibitory_neurons', '?')} I"


def model_name(meta, default):
    """Return the class name of the model of a run's metadata `meta` (`default` if it names none)."""
    return meta.get("model", default).rsplit(".", 1)[-1]


def incomplete_note(meta):
    """Return ``" (INCOMPLETE)"`` for the metadata of a run that did not complete, else ``""``."""
    return "" if meta.get("completed", True) else " (INCOMPLETE)"
