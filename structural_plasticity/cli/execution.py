"""Running a model from the command line, in parts: NEST and MPI, output folder, signals, progress, saving.

`execute` puts the parts together for every sub-command that simulates (``run``, ``lesion``,
``stimulate``, ...):

1. `start_nest`: refuse launches that cannot work (mpirun without an MPI build), import NEST
   without its banner, and return a `Communicator` (rank, number of processes).
2. `claim_output_folder`: rank 0 checks and creates the folder before anything is simulated; every
   rank learns whether it is usable.
3. `simulate`: run the example with SIGTERM turned into a stop request (`stop_on_sigterm`), a
   `Progress` bar and a `Checkpoint` every `CHECKPOINT_EVERY_S`; whatever happens, rank 0 saves
   what was recorded.
4. `report`: figures, a note when interrupted, the summary, the list of files (`Console` prints on
   rank 0 only).

It returns an `Outcome` that holds the finished example, so sub-commands use the results in memory
and never read their own output back from disk. Only the command line configures process-wide
things such as signal handlers; the library does not.
"""

import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..engine import import_nest, quiet_nest_import
from ..errors import ConfigurationError
from ..output import prepare_output_folder, save_standard_figures
from ..parallel import Communicator, check_launch, check_launch_before_import
from ..summary import summarize
from .parser import PROG

#: How often (wall-clock seconds) a running simulation saves what it has recorded so far.
CHECKPOINT_EVERY_S = 60.0
#: Exit status of a run stopped by a signal (128 + the signal's number, as shells report it).
EXIT_STATUS_BY_SIGNAL = {"SIGINT": 130, "SIGTERM": 143}


@dataclass
class OutputSettings:
    """Where and how a run writes and prints (the output options of a sub-command).

    Attributes
    ----------
    folder : str or path-like
    overwrite : bool
        Allow a folder that already holds results.
    formats : list of str
        Figure formats.
    plot : bool
        Draw figures at all.
    quiet : bool
        Print nothing but errors (no progress bar, no summary).
    """

    folder: object
    overwrite: bool = False
    formats: tuple = ("png", "eps")
    plot: bool = True
    quiet: bool = False

    @classmethod
    def from_args(cls, args):
        """Read the options of `options.add_output_options` from parsed arguments."""
        return cls(args.output, args.overwrite, list(args.formats), not args.no_plot, args.quiet)


class Console:
    """Prints on MPI rank 0 only: `say` to stdout unless quiet, `warn` to stderr always."""

    def __init__(self, is_root, quiet):
        self.is_root, self.quiet = is_root, quiet

    @property
    def talks(self):
        """bool: whether `say` prints (rank 0 and not quiet); the progress bar follows it."""
        return self.is_root and not self.quiet

    def say(self, text):
        if self.talks:
            print(text, flush=True)

    def warn(self, text):
        if self.is_root:
            print(f"{PROG}: {text}", file=sys.stderr, flush=True)


@dataclass
class Outcome:
    """What `execute` leaves: the finished (or interrupted) example and how the run ended.

    Attributes
    ----------
    example : StructuralPlasticityExample
        With its `results` in memory, on every rank.
    status : int
        Exit status: 0 done, 130/143 stopped by SIGINT/SIGTERM (partial results saved).
    folder : pathlib.Path
        The output folder.
    console : Console
        For sub-commands that print more.
    """

    example: object
    status: int
    folder: Path
    console: Console

    @property
    def results(self):
        """Results: everything recorded, also after an interruption."""
        return self.example.results

    @property
    def is_root(self):
        """bool: True on the rank that prints and writes files."""
        return self.console.is_root

    @property
    def recorded(self):
        """bool: True when at least one sample was recorded (and so saved)."""
        return len(self.example.results) > 0


def start_nest():
    """Check the launch, import NEST without its banner and return a `Communicator`.

    Raises
    ------
    ConfigurationError
        Under mpirun/srun with a Python or NEST without MPI, or without NEST.
    """
    check_launch_before_import()  # NEST without MPI would exit on import under mpirun, without a hint
    quiet_nest_import()
    nest = import_nest()
    comm = Communicator(nest)
    check_launch(nest)
    return comm


def claim_output_folder(folder, overwrite, comm):
    """Make sure results can be written to `folder` (rank 0 checks; every rank gets the verdict).

    Raises
    ------
    ConfigurationError
        On every rank, if the folder holds results (and not `overwrite`) or cannot be written.
    """
    problem = None
    if comm.is_root:
        try:
            prepare_output_folder(folder, overwrite=overwrite)
        except ConfigurationError as exc:
            problem = str(exc)
    problem = comm.bcast(problem)
    if problem:
        raise ConfigurationError(problem)
    return Path(folder)


@contextmanager
def stop_on_sigterm(example):
    """Turn SIGTERM (``kill``, a batch system's time limit) into a stop request, for the duration of a run.

    The example stops after the current sample, as on Ctrl-C (which the example handles itself).
    """
    if threading.current_thread() is not threading.main_thread():  # signal handlers live in the main thread
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: example.request_stop("SIGTERM"))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Progress:
    """A tqdm bar over simulated seconds on a terminal; silent when output goes to a log or CI."""

    def __init__(self, example, enabled):
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm  # noqa: PLC0415

            # disable=None: tqdm turns itself off when stderr is not a terminal (logs, CI).
            self.bar = tqdm(
                total=example.t_sim / 1000.0,
                unit=" sim-s",
                disable=None,
                dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}, {rate_fmt}{postfix}]",
            )

    def update(self, example):
        if self.bar is not None:
            self.bar.update(example.record_interval / 1000.0)
            r = example.results
            self.bar.set_postfix_str(f"Ca E {r['mean_ca_e'][-1]:.3f} I {r['mean_ca_i'][-1]:.3f}", refresh=False)

    def close(self):
        if self.bar is not None:
            self.bar.close()


class Checkpoint:
    """Saves recorded results every `CHECKPOINT_EVERY_S` wall seconds, so that even a killed run keeps data."""

    def __init__(self, folder, enabled, every_s=CHECKPOINT_EVERY_S):
        self.folder, self.enabled, self.every_s = folder, enabled, every_s
        self.last = time.monotonic()

    def maybe_save(self, results):
        if self.enabled and time.monotonic() - self.last >= self.every_s:
            results.save(self.folder)
            self.last = time.monotonic()


def simulate(example, folder, comm, console):
    """Run `example` with progress bar, checkpoints and SIGTERM handling; rank 0 saves what was recorded.

    Returns
    -------
    int
        0 when the run completed, 130/143 when SIGINT/SIGTERM stopped it.
    """
    progress = Progress(example, enabled=console.talks)
    checkpoint = Checkpoint(folder, enabled=comm.is_root)

    def on_sample(ex):
        progress.update(ex)
        checkpoint.maybe_save(ex.results)

    status = 0
    with stop_on_sigterm(example):
        try:
            example.run(callback=on_sample)
        except KeyboardInterrupt:
            status = EXIT_STATUS_BY_SIGNAL.get(example.stop_reason, EXIT_STATUS_BY_SIGNAL["SIGINT"])
        finally:
            progress.close()
            if comm.is_root and len(example.results):
                example.results.save(folder)  # whatever happened, keep what was recorded
    return status


def report(outcome, settings, extra_figures=None):
    """On rank 0: write the figures, say whether the run was cut short, print the summary and the files.

    Parameters
    ----------
    outcome : Outcome
    settings : OutputSettings
    extra_figures : callable, optional
        ``extra_figures(results, folder, formats) -> list of paths``, figures beyond the standard two.
    """
    console, results, folder = outcome.console, outcome.results, outcome.folder
    if not outcome.is_root:
        return
    if not outcome.recorded:
        console.warn("interrupted before the first sample; nothing was recorded or saved")
        return
    if settings.plot:
        save_standard_figures(results, folder, settings.formats)
        if extra_figures is not None:
            extra_figures(results, folder, settings.formats)
    if outcome.status:
        console.warn(
            f"interrupted after {results.metadata.get('simulated_time_ms', 0) / 1000:g} s of simulated time; "
            f"the partial results are saved in {folder}/ (marked incomplete)"
        )
    console.say(summarize(results))
    console.say(
        f"Wrote {folder}/: results.npz, results.csv, metadata.json"
        + (f", figures ({','.join(settings.formats)})" if settings.plot else "")
    )


def execute(example, settings, extra_figures=None):
    """Run `example` from the command line and write everything to the output folder.

    Parameters
    ----------
    example : StructuralPlasticityExample
        Built (and so checked) before NEST is imported.
    settings : OutputSettings
    extra_figures : callable, optional
        See `report`.

    Returns
    -------
    Outcome
        On every rank; its ``status`` is the exit status.
    """
    comm = start_nest()
    console = Console(comm.is_root, settings.quiet)
    folder = claim_output_folder(settings.folder, settings.overwrite, comm)
    sizes = " + ".join(f"{pop.size} {name.upper()}" for name, pop in example.population_specs().items())
    console.say(f"Simulating {example.t_sim / 1000:g} s of {sizes} neurons on {comm.size} process(es); results go to {folder}/")
    outcome = Outcome(example, simulate(example, folder, comm, console), folder, console)
    report(outcome, settings, extra_figures)
    return outcome
