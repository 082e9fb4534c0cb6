"""Output folders of runs: checked before simulating, written atomically, never overwritten silently."""

import os
from pathlib import Path

from .errors import ConfigurationError
from .results import holds_results

#: Figure formats the command line accepts (all written by matplotlib's default backends).
FIGURE_FORMATS = ("png", "eps", "pdf", "svg", "ps")
MAIN_FIGURE = "structural_plasticity"
OVERVIEW_FIGURE = "overview"


def prepare_output_folder(folder, overwrite=False):
    """Create `folder` and make sure results can be written there, before any simulation starts.

    Parameters
    ----------
    folder : str or path-like
    overwrite : bool
        Allow a folder that already holds results (their files will be replaced).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ConfigurationError
        If the folder holds results and `overwrite` is false, or it cannot be created or written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"output folder {folder} is a file; choose another folder with --output")
    if holds_results(folder) and not overwrite:
        raise ConfigurationError(
            f"output folder {folder} already holds results; choose another folder with --output, "
            "or pass --overwrite to replace them"
        )
    probe = folder / f".write-test-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write to output folder {folder} ({exc.strerror or exc}); choose a writable folder with --output"
        ) from exc
    return folder


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
    """Save `fig` as ``folder/stem.<format>`` for each format, close it, and return the paths."""
    paths = []
    for fmt in formats:
        path = Path(folder) / f"{stem}.{fmt}"
        fig.savefig(path, format=fmt, dpi=150 if fmt == "png" else None, bbox_inches="tight")
        paths.append(path)
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.close(fig)
    return paths


def save_standard_figures(results, folder, formats):
    """Write the main figure (Ca and connections) and the overview figure; return the paths."""
    from .plotting import plot_ca_and_connections, plot_overview  # noqa: PLC0415

    paths = save_figure(plot_ca_and_connections(results), folder, MAIN_FIGURE, formats)
    paths += save_figure(plot_overview(results), folder, OVERVIEW_FIGURE, formats)
    return paths
