"""Which figures saved results call for: an experiment's own figure, and those of single neurons.

The figures are recognised from the results themselves, so that ``plot`` re-draws what the sub-command
that made a run drew, and ``merge`` draws the same figures of an ensemble, with bands: a run whose groups
are ``lesioned`` gets the lesion figure, ``stimulated`` the stimulation figure, and one with the assembly's
block probabilities the assembly figure, one with the focal lesion's zones the focal-lesion figure (and its
maps of the sheet, when the run carries them). A run with recordings of single neurons (``--record``) gets
the raster (spikes) and the figure of single neurons (Ca, rates, elements).
"""

from ..files import (
    ASSEMBLY_FIGURE,
    FOCAL_FIGURE,
    LESION_FIGURE,
    MAPS_FIGURE,
    NEURONS_FIGURE,
    RASTER_FIGURE,
    STIMULATION_FIGURE,
)
from .assembly import BLOCKS, block_series
from .assembly_figures import plot_assembly
from .experiment_figures import plot_experiment
from .focal import ZONES
from .focal_figures import has_maps, plot_focal_lesion, plot_maps_of
from .neuron_figures import plot_neurons, plot_raster
from .populations import group_names


def experiment_figure(source):
    """Return ``(stem, plot)`` of the experiment's own figure of `source` (a `Results` or merged point), or None.

    ``plot(source) -> Figure``; None for a plain run (no phases) or a protocol the package has no figure of.
    """
    if not source.metadata.get("phases"):
        return None
    if any(block_series(*block) in source for block in BLOCKS):
        return ASSEMBLY_FIGURE, plot_assembly
    groups = group_names(source)
    if set(ZONES) <= set(groups):
        return FOCAL_FIGURE, plot_focal_lesion
    if "lesioned" in groups:
        return LESION_FIGURE, plot_experiment
    if "stimulated" in groups:
        return STIMULATION_FIGURE, plot_experiment
    return None


def experiment_figures(source):
    """Return ``[(stem, plot)]`` of every figure of the experiment of `source`: `experiment_figure`, and for a
    focal lesion that carries them (`analysis.focal_figures.has_maps`) the maps of the sheet; ``[]`` for none."""
    figure = experiment_figure(source)
    if figure is None:
        return []
    if figure[0] == FOCAL_FIGURE and has_maps(source):
        return [figure, (MAPS_FIGURE, plot_maps_of)]
    return [figure]


def neuron_figures(recording):
    """Return ``[(stem, plot)]`` of the figures a recording of single neurons calls for (``plot(results, recording)``).

    The raster when spikes were recorded; the figure of single neurons whenever anything was.
    """
    if recording is None:
        return []
    figures = [(RASTER_FIGURE, plot_raster)] if "spikes" in recording.recorded else []
    return figures + [(NEURONS_FIGURE, plot_neurons)]
