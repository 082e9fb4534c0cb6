"""Access to the NEST simulator: lazy import and the nodes of this process.

NEST is imported on first use, not when `structural_plasticity` is imported: importing NEST prints a
banner, replaces the SIGINT handler and takes a second, and users who only load and plot saved results
do not need it.
"""

import os

from .errors import NestNotInstalledError

INSTALL_HINT = (
    "install it with 'python -m pip install nest-simulator' (single process), "
    "or run scripts/install-nest-mpi.sh for a build with MPI"
)


def import_nest():
    """Import and return the ``nest`` module.

    Returns
    -------
    module
        PyNEST.

    Raises
    ------
    NestNotInstalledError
        If NEST cannot be imported; the message says how to install it.
    """
    try:
        import nest  # noqa: PLC0415  (deliberately lazy, see module docstring)
    except ImportError as exc:
        raise NestNotInstalledError(f"NEST is not installed ({exc}); {INSTALL_HINT}") from exc
    return nest


def quiet_nest_import():
    """Ask NEST not to print its banner when it is first imported (for the command line only)."""
    os.environ.setdefault("PYNEST_QUIET", "1")


def local_nodes(nodes):
    """Return the part of `nodes` that lives on this MPI process.

    NEST warns that code using local node collections can be unsafe because ranks hold different
    nodes; here every use is followed by a sum over ranks, so the warning is silenced.
    """
    import warnings  # noqa: PLC0415

    nest = import_nest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return nest.GetLocalNodeCollection(nodes)
