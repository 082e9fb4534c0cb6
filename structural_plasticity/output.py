"""Figures of a run as files: formats, and writing them into a results folder or a unit of one.

Their names (stems and formats) are in the registry `structural_plasticity.files`; output folders
themselves (locking, writing as one unit, overwriting) are `structural_plasticity.folder`.
"""

from pathlib import Path

from .analysis.figures import neuron_figures
from .errors import ConfigurationError
from .files import FIGURE_FORMATS, MAIN_FIGURE, OVERVIEW_FIGURE, RECORDING_NPZ
from .folder import Unit
from .plotting import plot_ca_and_connections, plot_overview
from .recording import Recording


def parse_formats(text):
    """Parse a comma-separated list of figure formats such as ``"png,eps"``.

    Raises
    ------
    ConfigurationError
        For an empty list or an unknown format.
    """
    formats = [f.strip().lower().lstrip(".") for f in str(text).split(",") if f.strip()]
    unknown = [f for f in formats if f not in FIGURE_FORMATS]
    if unknown or not formats:
        raise ConfigurationError(
            f"unknown figure format {', '.join(unknown) or repr(text)}; use a comma-separated list of "
            f"{', '.join(FIGURE_FORMATS)} (e.g. --formats png,pdf)"
        )
    return formats


def save_figure(fig, folder, stem, formats):
    """Save `fig` as ``stem.<format>`` for each format in `folder`, close it, and return the paths.

    `folder` is a path, or a `folder.Unit`: then the figures become files of that unit, written when it
    is committed.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415  (pyplot only when a figure is saved, never at import)

    paths = []
    try:
        for fmt in formats:
            name = f"{stem}.{fmt}"
            if isinstance(folder, Unit):
                target, final = folder.path(name), folder.folder.path / name
            else:
                target = final = Path(folder) / name
            fig.savefig(target, format=fmt, dpi=150 if fmt == "png" else None, bbox_inches="tight")
            paths.append(final)
    finally:
        plt.close(fig)
    return paths


def recording_of(results):
    """Return the `Recording` of single neurons that fresh `results` carry (an attachment of a run), or None."""
    arrays = results.attachments.get(RECORDING_NPZ)
    return Recording.from_arrays(arrays(), "the run's recording") if arrays is not None else None


def save_standard_figures(results, folder, formats, recording=None):
    """Write the main figure (Ca and connections), the overview and, with recordings, the raster and the figure of
    single neurons; return the paths.

    Parameters
    ----------
    results : Results
    folder : path or folder.Unit
    formats : sequence of str
    recording : Recording, optional
        The run's recordings of single neurons; default those `results` carry (`recording_of`), if any.
    """
    recording = recording if recording is not None else recording_of(results)
    paths = save_figure(plot_ca_and_connections(results), folder, MAIN_FIGURE, formats)
    paths += save_figure(plot_overview(results), folder, OVERVIEW_FIGURE, formats)
    for stem, plot in neuron_figures(recording):
        paths += save_figure(plot(results, recording), folder, stem, formats)
    return paths
