"""Figures of a run as files: formats, names, and writing them into a results folder or a unit of one.

Output folders themselves (locking, writing as one unit, overwriting) are `structural_plasticity.folder`.
"""

from pathlib import Path

from .errors import ConfigurationError
from .folder import FIGURE_FORMATS, Unit  # noqa: F401  (FIGURE_FORMATS is part of this module's interface)
from .plotting import plot_ca_and_connections, plot_overview

MAIN_FIGURE = "structural_plasticity"
OVERVIEW_FIGURE = "overview"


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
    import matplotlib.pyplot as plt  # noqa: PLC0415

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


def save_standard_figures(results, folder, formats):
    """Write the main figure (Ca and connections) and the overview figure; return the paths."""
    paths = save_figure(plot_ca_and_connections(results), folder, MAIN_FIGURE, formats)
    paths += save_figure(plot_overview(results), folder, OVERVIEW_FIGURE, formats)
    return paths
