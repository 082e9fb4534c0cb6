"""Access to the NEST simulator: lazy import and the nodes of this process.

NEST is imported on first use, not when `structural_plasticity` is imported: importing NEST prints a
banner, replaces the SIGINT handler and takes a second, and users who only load and plot saved results
do not need it.
"""

import os
import warnings
from contextlib import contextmanager

from .errors import ConfigurationError, NestNotInstalledError

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
    nest = import_nest()
    if len(nodes) == 1:
        # NEST 3.10's GetLocalNodeCollection fails on a single node (its `local` is then a bool, not a list).
        return nodes if nodes.local else nest.NodeCollection([])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return nest.GetLocalNodeCollection(nodes)


@contextmanager
def nest_rejections(what, fix):
    """Turn an error NEST raises while it takes the values of `what` into a one-line `ConfigurationError`.

    NEST checks many values itself and raises its own exceptions (``KernelException``, ``BadProperty``,
    ``BadDelay``, ``MemoryError`` from ``std::bad_alloc``, or plain ``IndexError``/``TypeError``), with
    a traceback that does not say which of our parameters to change. Used around each set-up call.

    Parameters
    ----------
    what : str
        What was being set up, e.g. ``"the kernel settings (dt, rng_seed, update_interval)"``.
    fix : str
        What to check or change, e.g. ``"check dt and update_interval"``.
    """
    try:
        yield
    except ConfigurationError:
        raise
    except MemoryError as exc:
        raise ConfigurationError(
            f"NEST ran out of memory while setting up {what} ({' '.join(str(exc).split()) or 'MemoryError'}); "
            "choose a smaller network or run on more MPI processes"
        ) from exc
    except Exception as exc:  # NEST's own exception classes share no useful base class
        message = " ".join(str(exc).split())  # one line, whatever NEST's text looks like
        raise ConfigurationError(f"NEST rejected {what} ({type(exc).__name__}: {message}); {fix}") from exc
