"""The drawing style every figure of the package shares: colours, phase shading, legends, axes and titles.

Used by `structural_plasticity.plotting` (the figures of a run) and by the figures of `analysis`
(experiments, assemblies, ensembles, single neurons), so that one change here changes them all. pyplot is
imported only by the functions that make a new figure (`new_axes`, `new_figure`); nothing here changes
matplotlib's state.

The rules every figure follows:

* **a source** is a run's `Results` or a merged ensemble point (`ensemble.MergedPoint`, which has ``band``):
  `draw` plots a series of either, the merged one as its mean with its 95 % band, clipped at 0 for
  quantities that are never negative (`quantities.clip_band`);
* **phases** of an experiment are shaded in every figure of it (`shade_phases`), each in the colour of its
  name (`phase_colour`), the same in every figure;
* **legends** sit outside the axes, to the right (`legend`), so that they never cover a curve;
* **the time axis** runs from the start of the run (the saved network's time for a run that continued one)
  to its last sample (`time_span`); y limits follow the data.
"""

import numpy as np

from .quantities import clip_band

#: Colours of NEST's example per population: its lines (E blue, I red), its target line (a light tint of
#: the line colour, see `tint`) and its synapses (E magenta, I black). Other populations: `population_colours`.
POPULATION_COLOURS = {"e": "b", "i": "r"}
TARGET_COLOURS = {"e": "#9999FF", "i": "#FF9999"}
CONNECTION_COLOURS = {"e": "m", "i": "k"}
#: Shades of the phases of an experiment (`phase_colour` gives each phase name its own, the same in every figure).
PHASE_COLOURS = ("#f2f2f2", "#ffe9c7", "#dcefff", "#e5f5e0", "#f3e5f5", "#fff9c4")
#: The shade of each phase name of the package's protocols.
PHASE_NAME_COLOURS = {
    "growth": PHASE_COLOURS[0],
    "stimulation": PHASE_COLOURS[1],
    "recovery": PHASE_COLOURS[2],
    "after": PHASE_COLOURS[3],
    "decay": PHASE_COLOURS[4],
}
#: Line colours of groups, in the order the groups were declared (intervention group first).
GROUP_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple")
#: Opacity of the 95 % confidence bands of merged ensembles.
BAND_ALPHA = 0.25
#: Opacity of the ± sd bands over the runs of an experiment.
SD_ALPHA = 0.2
#: How every legend looks: small text on an opaque box, so that lines behind it do not show through.
LEGEND = {"fontsize": "small", "framealpha": 1.0}
#: Note in titles and summaries of merged ensembles with fewer members than this (their bands say little).
FEW_MEMBERS = 3


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


def phase_colour(name):
    """Return the shade of phase `name`: `PHASE_NAME_COLOURS`, else one of `PHASE_COLOURS` fixed by the name."""
    if name in PHASE_NAME_COLOURS:
        return PHASE_NAME_COLOURS[name]
    return PHASE_COLOURS[sum(map(ord, str(name))) % len(PHASE_COLOURS)]  # the same for the same name, always


def shade_phases(ax, results, label=True):
    """Shade each phase of `results` on `ax` in the colour of its name and, if `label`, write its name at the top."""
    for phase in results.metadata.get("phases", []):
        end = phase["end_s"] if phase.get("end_s") is not None else phase["start_s"] + phase["duration_s"]
        ax.axvspan(phase["start_s"], end, color=phase_colour(phase["name"]), zorder=0, linewidth=0)
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


def legend(ax, handles=None, labels=None, offset=1.02, **options):
    """Draw the legend of `ax` outside it, to the right, in the style of `LEGEND`, so that it covers no curve.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    handles, labels : list, optional
        What the legend lists; default the labelled lines of `ax`.
    offset : float
        Distance of the legend's left edge from the axes' left edge, in axes widths (more than 1 leaves room
        for a second y axis on the right).
    **options
        Passed to ``Axes.legend`` (e.g. ``ncol``).

    Returns
    -------
    matplotlib.legend.Legend or None
        None when nothing is labelled.
    """
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    options = {"loc": "upper left", "bbox_to_anchor": (offset, 1.0), "borderaxespad": 0.0, **LEGEND, **options}
    return ax.legend(handles, labels, **options)


def time_span(source):
    """Return ``(start, end)`` of the time axis of `source` (s): where the run started, and its last sample.

    A run continued from a saved network starts at the network's time (``metadata["initial_network"]``), a
    protocol at the start of its first phase, any other run at 0; ``(start, None)`` without samples.
    """
    meta = source.metadata
    phases = meta.get("phases") or []
    saved = (meta.get("initial_network") or {}).get("time_ms")
    if phases:
        start = float(phases[0]["start_s"])
    elif saved is not None:
        start = float(saved) / 1000.0
    else:
        start = 0.0
    t = times(source)
    return start, (float(np.max(t)) if len(t) else None)


def finish_axes(axes, source):
    """Give each of `axes` that has labelled lines a legend, start its y axis at 0, and span `time_span(source)`."""
    for ax in axes:
        legend(ax)
        ax.set_ylim(bottom=0)
    set_time_axis(axes[-1], source)


def set_time_axis(ax, source):
    """Let the time axis of `ax` run over `time_span(source)` (matplotlib's limits when there is no sample)."""
    start, end = time_span(source)
    if end is not None and end > start:
        ax.set_xlim(start, end)


# ----------------------------------------------------------------------------------------------------
# Sources: one run, or a merged ensemble point
# ----------------------------------------------------------------------------------------------------
def is_merged(source):
    """Return True if `source` is a merged ensemble point (means with bands), False for a run's `Results`."""
    return hasattr(source, "band")


def times(source):
    """Return the sample times (s) of a `Results` or a merged point."""
    return np.asarray(source.series["time"] if is_merged(source) else source["time"], dtype=float)


def values(source, name):
    """Return series `name` of a `Results`, or its mean over the members of a merged point."""
    return np.asarray(source.series[f"{name}_mean"] if is_merged(source) else source[name], dtype=float)


def draw(ax, source, name, colour, scale=1.0, **style):
    """Plot series `name` of `source` (divided by `scale`) on `ax`; a merged point with its 95 % band.

    Returns the largest value drawn (0 when `source` lacks the series or it is empty), for axis limits.
    """
    if name not in source:
        return 0.0
    t = times(source)
    if is_merged(source):
        mean, low, high = (np.asarray(a, dtype=float) / scale for a in source.band(name))
        low, high = clip_band(name, low, high)
        fill_band(ax, t, low, high, colour, BAND_ALPHA)
        drawn = np.append(high, mean)
    else:
        mean = drawn = np.asarray(source[name], dtype=float) / scale
    ax.plot(t, mean, color=colour, **style)
    finite = drawn[np.isfinite(drawn)]
    return float(finite.max()) if finite.size else 0.0


def merged_note(source):
    """Return the title part that says what a merged point shows (``"mean of 2 seeds, 95 % bands (n < 3: ...)"``),
    or ``""`` for a run."""
    if not is_merged(source):
        return ""
    note = f"mean of {source.n} seed{'s' if source.n != 1 else ''}, 95 % bands"
    if source.n < FEW_MEMBERS:
        note += f" (n < {FEW_MEMBERS}: bands say little)" if source.n > 1 else " (n = 1: no band)"
    return note


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
