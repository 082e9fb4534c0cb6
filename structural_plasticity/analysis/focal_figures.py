"""Figures of a focal-lesion run, in the style of Butz & van Ooyen (2013) and Sinha et al. (2021).

`plot_focal_lesion` draws, with the phases shaded: each zone's Ca over its target, its synaptic elements
per neuron (axonal boutons, excitatory and inhibitory spines), and the synapses formed by zone pair into
the LPZ (cumulative since the lesion). `plot_maps` draws the sheet: each neuron's Ca over its target at the
three map times, with the outlines of the LPZ and its centre. pyplot is imported only when a figure is made.
"""

import numpy as np

from ..files import MAPS_NPZ, POSITIONS_NPZ
from .focal import INTO_LPZ, ZONES
from .populations import group_population
from .style import draw, finish_axes, merged_note, new_figure, shade_phases, stacked_axes, times, values

#: One colour per zone, from the centre outward.
ZONE_COLOURS = {"centre": "tab:red", "border": "tab:orange", "peri": "tab:green", "far": "tab:blue"}


def plot_focal_lesion(results, fig=None):
    """Draw the zones' Ca, elements and new synapses over time (see the module docstring); return the figure.

    Parameters
    ----------
    results : Results or MergedPoint
        A focal-lesion run, or a merged ensemble of them (means with 95 % bands; the synapses formed since
        the lesion are the cumulative sum of the mean, which is the mean of the members' cumulative sums).
    fig : matplotlib.figure.Figure, optional
        Figure to draw into; a new one is made when omitted.
    """
    fig, axes = stacked_axes(fig, 5, 12)
    t = times(results)
    target = results.metadata["target_ca"][group_population(results, "centre")]
    for ax in axes:
        shade_phases(ax, results, label=ax is axes[0])
    for zone in ZONES:
        colour = ZONE_COLOURS[zone]
        draw(axes[0], results, f"mean_ca_{zone}", colour, scale=target, label=zone)
        for ax, element in zip(axes[1:4], ("axon_ex", "den_ex", "den_in")):
            draw(ax, results, f"elements_{element}_{zone}", colour, label=zone)
    axes[0].axhline(1.0, color="k", linewidth=0.8, linestyle=":")
    axes[0].set_ylabel("Ca / target")
    for ax, what in zip(axes[1:4], ("boutons (Axon_ex)", "E spines (Den_ex)", "I spines (Den_in)")):
        ax.set_ylabel(f"{what}\nper neuron")
    start = next((p["start_s"] for p in results.metadata.get("phases", []) if p["name"] == "recovery"), None)
    after = t >= start if start is not None else np.zeros(len(t), bool)
    for (source, target_zone), style in zip(INTO_LPZ, ("-", "--", "-", "--", ":")):
        name = f"formed_{source}_{target_zone}"
        if name in results and after.any():
            axes[4].plot(
                t[after],
                np.cumsum(values(results, name)[after]),
                style,
                color=ZONE_COLOURS[source],
                label=f"{source} → {target_zone}",
            )
    axes[4].set_ylabel("synapses formed\nsince the lesion")
    axes[4].set_xlabel("time (s)")
    finish_axes(axes, results)
    what = merged_note(results) or f"seed {results.metadata.get('rng_seed')}"
    fig.suptitle(f"Focal lesion: zones by distance from the centre of the sheet ({what})")
    return fig


def plot_maps(results, maps, positions, fig=None):
    """Draw every neuron's Ca over its target on the sheet at the map times, with the LPZ (line) and its centre (dots).

    Parameters
    ----------
    results : Results
        The run (its metadata: targets, zones, sheet).
    maps : dict
        ``maps.npz``: ``times`` (s after the lesion) and ``ca`` (times x neurons).
    positions : dict
        ``positions.npz``: ``x``, ``y`` (µm), ``population`` (index into ``population_names``).
    """
    map_times, ca = np.asarray(maps["times"]), np.asarray(maps["ca"])
    names = [str(n) for n in positions["population_names"]]
    targets = np.array([results.metadata["target_ca"].get(n, np.nan) for n in names])[
        np.asarray(positions["population"])
    ]
    fig = new_figure(fig, (4.2 * len(map_times) + 1, 4.2))
    axes = fig.subplots(1, len(map_times), squeeze=False)[0]
    zones = results.metadata["zones"]
    centre = zones["centre"]
    for ax, time_s, ca_now in zip(axes, map_times, ca):
        image = ax.scatter(positions["x"], positions["y"], c=ca_now / targets, s=6, cmap="viridis", vmin=0, vmax=1.5)
        for radius, style in ((zones["radii_um"]["centre"], ":"), (zones["radii_um"]["lpz"], "-")):
            angle = np.linspace(0, 2 * np.pi, 200)
            ax.plot(centre[0] + radius * np.cos(angle), centre[1] + radius * np.sin(angle), style, color="k", lw=1)
        ax.set_title(f"{time_s:g} s after the lesion")
        ax.set_aspect("equal")
        ax.set_xlabel("x (µm)")
    axes[0].set_ylabel("y (µm)")
    fig.colorbar(image, ax=list(axes), label="Ca / target", shrink=0.8)
    return fig


def has_maps(source):
    """Return True if `source` (a run's `Results`) carries maps of the sheet to draw (``maps.npz`` and positions).

    A run attaches them as it saves them, `plot` from the saved files; a merged ensemble point has none.
    """
    attachments = getattr(source, "attachments", {})
    return MAPS_NPZ in attachments and POSITIONS_NPZ in attachments and len(attachments[MAPS_NPZ]()["times"]) > 0


def plot_maps_of(results, fig=None):
    """`plot_maps` of the maps and positions `results` carries (see `has_maps`); return the figure."""
    return plot_maps(results, results.attachments[MAPS_NPZ](), results.attachments[POSITIONS_NPZ](), fig)
