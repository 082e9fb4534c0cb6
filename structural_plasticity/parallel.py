"""MPI awareness: reductions over ranks, the root rank, and launches that cannot work.

NEST distributes neurons over MPI processes and every rank sees only its own neurons, connections
and spikes. Everything the package records is therefore a sum over ranks. `Communicator` hides
whether there is more than one rank, so the recording code has one path: with one process its
reductions are the identity and mpi4py is never imported.
"""

import importlib.util
import os
import sys

import numpy as np

from .errors import ConfigurationError

#: Environment variables that MPI launchers set to the number of processes they started.
LAUNCHER_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS")


def launcher_size(environ=None):
    """Return the number of processes an MPI launcher says it started, or 1 without a launcher.

    Parameters
    ----------
    environ : mapping, optional
        Environment to read; default `os.environ`.

    Returns
    -------
    int
    """
    environ = os.environ if environ is None else environ
    for name in LAUNCHER_SIZE_VARIABLES:
        value = environ.get(name, "")
        if value.isdigit() and int(value) > 1:
            # SLURM_NTASKS is set for a whole allocation, also for a plain `python` inside it;
            # only trust it when srun started this very step.
            if name == "SLURM_NTASKS" and "SLURM_STEP_ID" not in environ:
                continue
            return int(value)
    return 1


#: Environment variables that MPI launchers set to the rank of the process they started.
LAUNCHER_RANK_VARIABLES = ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID")


def launcher_rank(environ=None):
    """Return this process's rank as an MPI launcher set it, or 0 without a launcher.

    For programs that do not start NEST (re-plotting saved results) but may still be launched by
    mpirun: only rank 0 should write files.
    """
    environ = os.environ if environ is None else environ
    if launcher_size(environ) <= 1:
        return 0
    for name in LAUNCHER_RANK_VARIABLES:
        value = environ.get(name, "")
        if value.isdigit():
            return int(value)
    return 0


class Communicator:
    """Sums and broadcasts over NEST's MPI processes, or trivially over one process.

    Parameters
    ----------
    nest : module
        PyNEST, already imported (NEST initialises MPI itself; mpi4py then attaches to it).
    """

    def __init__(self, nest):
        self.size = nest.NumProcesses()
        self.rank = nest.Rank()
        self._comm = None
        if self.size > 1:
            try:
                from mpi4py import MPI  # noqa: PLC0415  (only needed under MPI)
            except ImportError as exc:
                raise ConfigurationError(
                    f"NEST runs on {self.size} MPI processes but mpi4py is not installed; "
                    "install it with 'python -m pip install mpi4py' (or 'pip install structural_plasticity[mpi]')"
                ) from exc
            self._comm = MPI.COMM_WORLD
            abort_on_uncaught_exception(self._comm)

    @property
    def is_root(self):
        """bool: True on the rank that prints and writes files (rank 0)."""
        return self.rank == 0

    def sum(self, values):
        """Return the element-wise sum of `values` over all ranks (on every rank).

        Parameters
        ----------
        values : array_like
            Numbers of this rank; every rank must pass the same shape.

        Returns
        -------
        numpy.ndarray
            float64 array of the same shape.
        """
        local = np.asarray(values, dtype=np.float64)
        if self._comm is None:
            return local.copy()
        total = np.empty_like(local)
        self._comm.Allreduce(local, total)
        return total

    def any(self, flag):
        """Return True on every rank if `flag` is true on at least one rank."""
        return bool(self.sum([1.0 if flag else 0.0])[0] > 0)

    def gather(self, value):
        """Return the list of every rank's `value` (in rank order) on rank 0, None on the other ranks.

        Used to collect state that lives on its own rank (neurons, synapses) into one file; values travel
        through MPI only, never through a file.
        """
        if self._comm is None:
            return [value]
        return self._comm.gather(value, root=0)

    def bcast(self, value):
        """Return rank 0's `value` on every rank."""
        return value if self._comm is None else self._comm.bcast(value, root=0)

    def gather_arrays(self, values):
        """Return the concatenation of every rank's 1-d `values` on rank 0 (in rank order), None elsewhere.

        Parameters
        ----------
        values : array_like
            This rank's values (any length; the same dtype on every rank).

        Returns
        -------
        numpy.ndarray or None
        """
        parts = self.gather(np.asarray(values))
        return np.concatenate(parts) if parts is not None else None


def abort_on_uncaught_exception(comm):
    """Make an exception that ends this rank's program stop every rank, instead of a hang (MPI only).

    A rank that dies of an exception leaves the others waiting forever in their next collective call
    (measured: ``mpirun -n 2`` with rank 1 raising hung until killed). ``python -m mpi4py`` would abort,
    but only when mpi4py initialised MPI, and NEST initialises it first. So `Communicator` wraps
    `sys.excepthook`, once, when there is more than one rank: print the traceback, then ``Abort``.
    Exceptions a program catches, and ``sys.exit``, are unaffected.

    Parameters
    ----------
    comm : mpi4py.MPI.Comm
        Communicator to abort (``MPI.COMM_WORLD``).
    """
    previous = sys.excepthook
    if getattr(previous, "aborts_mpi", False):
        return

    def hook(kind, value, traceback):
        previous(kind, value, traceback)
        sys.stderr.flush()
        comm.Abort(130 if issubclass(kind, KeyboardInterrupt) else 1)

    hook.aborts_mpi = True
    sys.excepthook = hook


def check_launch_before_import(environ=None):
    """Refuse a launch by mpirun/srun in a Python without mpi4py, before NEST is imported.

    Under a launcher the package needs mpi4py in any case (`Communicator`), and a Python without it is
    almost always the plain PyPI environment, whose NEST 3.10 would exit at import with status 127 and
    a message that does not say how to get an MPI build. Checking first gives every rank this message.

    Raises
    ------
    ConfigurationError
        If a launcher started several processes and mpi4py cannot be imported.
    """
    launched = launcher_size(environ)
    if launched > 1 and importlib.util.find_spec("mpi4py") is None:
        raise ConfigurationError(
            f"launched as {launched} MPI processes, but this Python has no mpi4py, so it is not an MPI environment "
            "and each process would run its own copy; install an MPI build of NEST with "
            "'scripts/install-nest-mpi.sh' and launch with that environment's python"
        )


def check_launch(nest, environ=None):
    """Refuse a launch by mpirun/srun with a NEST that has no MPI.

    Without MPI support every launched process would run its own full copy of the network and write
    the same files, so this stops before anything is simulated.

    Raises
    ------
    ConfigurationError
        If a launcher started several processes but NEST sees only one.
    """
    launched = launcher_size(environ)
    if launched > 1 and nest.NumProcesses() == 1:
        have_mpi = nest.build_info.get("have_mpi", False) if hasattr(nest, "build_info") else False
        reason = "this NEST was built without MPI" if not have_mpi else "NEST did not join the MPI job"
        raise ConfigurationError(
            f"launched as {launched} MPI processes, but {reason}, so each process would run its own copy; "
            "install an MPI build of NEST with 'scripts/install-nest-mpi.sh' and launch with that environment's python"
        )
