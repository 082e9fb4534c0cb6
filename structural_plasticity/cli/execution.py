"""Running a model from the command line, in parts: NEST and MPI, output folder, signals, progress, saving.

`execute` puts the parts together for every sub-command that simulates (``run``, ``lesion``,
``stimulate``, ...):

1. `start_nest`: refuse launches that cannot work (mpirun without an MPI build), import NEST
   without its banner, and return a `Communicator` (rank, number of processes).
2. `claim_output_folder`: rank 0 opens (creates and locks) the folder as a `folder.ResultsFolder`
   before anything is simulated; every rank learns whether it is usable. Rank 0 holds the lock until
   `execute` ends.
3. `simulate`: run the example (Ctrl-C and SIGTERM become stop requests at the next sample, see
   `interrupts`), with a `Progress` bar and a `Checkpoint` every `CHECKPOINT_EVERY_S`; whatever happens,
   rank 0 saves what was recorded as one complete unit of the folder.
4. `report`: figures and extra files (added to the folder's unit, so they are in its manifest), a note
   when interrupted, the summary, the list of files (`Console` prints on rank 0 only).

It returns an `Outcome` that holds the finished example, so sub-commands use the results in memory
and never read their own output back from disk. Only the command line configures process-wide
things such as signal handlers (`interrupts.cli_handlers` in `cli.main`); the library does not.
"""

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import import_nest, quiet_nest_import
from ..errors import ConfigurationError
from ..files import DATA_FILES, MAIN_FIGURE, OVERVIEW_FIGURE
from ..folder import ResultsFolder
from ..interrupts import exit_status
from ..networks.state import NetworkSaveError
from ..output import save_standard_figures
from ..parallel import Communicator, check_launch, check_launch_before_import
from ..summary import summarize
from .parser import EXIT_STATUS_BY_SIGNAL, EXIT_USER_ERROR, PROG, one_line

#: How often (wall-clock seconds) a running simulation saves what it has recorded so far.
CHECKPOINT_EVERY_S = 60.0


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
            print(f"{PROG}: {one_line(text)}", file=sys.stderr, flush=True)


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
    extra_text : str or None
        What the sub-command's ``extra_output`` returned (printed by the sub-command unless quiet).
    """

    example: object
    status: int
    folder: Path
    console: Console
    extra_text: object = field(default=None)

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


def claim_output_folder(folder, overwrite, comm, writes=()):
    """Open `folder` for a run on rank 0 (created, locked, checked); every rank gets the verdict.

    `writes`: names of the files the run will write (data, figures); a folder or a file not of the package
    in the place of one is refused now, before anything is simulated (`folder.ResultsFolder.open`).

    Returns
    -------
    folder.ResultsFolder or None
        The open folder on rank 0 (close it when the run is written), None on the other ranks.

    Raises
    ------
    ConfigurationError
        On every rank, if the folder holds results (and not `overwrite`), holds the package's figures,
        is in use by another run, or cannot be written.
    """
    problem = opened = None
    if comm.is_root:
        try:
            opened = ResultsFolder(folder, overwrite=overwrite).open(writes=writes)
        except ConfigurationError as exc:
            problem = str(exc)
    problem = comm.bcast(problem)
    if problem:
        raise ConfigurationError(problem)
    return opened


class Progress:
    """A tqdm bar over simulated seconds on a terminal; silent when output goes to a log or CI.

    Its postfix shows the latest mean Ca of each population of the network, by name (``Ca E 0.042 I 0.039``
    for NEST's example).
    """

    def __init__(self, example, enabled):
        self.bar = None
        self.populations = list(example.population_specs()) if enabled else []  # the names in the postfix
        if enabled:
            from tqdm.auto import tqdm  # noqa: PLC0415  (a third-party import, only when a bar is shown)

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
            ca = " ".join(
                f"{name.upper()} {r[f'mean_ca_{name}'][-1]:.3f}" for name in self.populations if f"mean_ca_{name}" in r
            )
            self.bar.set_postfix_str(f"Ca {ca}", refresh=False)

    def close(self):
        if self.bar is not None:
            self.bar.close()


class Checkpoint:
    """Saves recorded results every `CHECKPOINT_EVERY_S` wall seconds, so that even a killed run keeps data.

    Each save is a complete unit of the `folder.ResultsFolder` (marked ``"status": "running"``).
    """

    def __init__(self, folder, enabled, every_s=None):
        self.folder, self.enabled = folder, enabled
        self.every_s = CHECKPOINT_EVERY_S if every_s is None else every_s  # read at run time (tests lower it)
        self.last = time.monotonic()

    def maybe_save(self, results):
        if self.enabled and time.monotonic() - self.last >= self.every_s:
            self.folder.save_results(results)
            self.last = time.monotonic()


def simulate(example, folder, comm, console):
    """Run `example` with progress bar and checkpoints; rank 0 saves what was recorded into `folder`.

    Ctrl-C and SIGTERM during the run are stop requests at the next sample (`PlasticNetwork.running`);
    during start-up they arrive as `KeyboardInterrupt` or `interrupts.Terminated` (`cli.main` installs
    those handlers). Either way the run ends with the status a shell reports for the signal.

    Parameters
    ----------
    folder : folder.ResultsFolder or None
        The open output folder on rank 0, None on the other ranks.

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
    try:
        example.run(callback=on_sample)
    except KeyboardInterrupt as exc:  # a stop during the run, or Ctrl-C/SIGTERM during start-up
        status = EXIT_STATUS_BY_SIGNAL.get(example.stop_reason) or exit_status(exc)
    except NetworkSaveError as exc:  # the network file could not be written: the results (which say so) are kept
        console.warn(f"error: {exc}")
        status = EXIT_USER_ERROR
    finally:
        progress.close()
        if comm.is_root and len(example.results):
            folder.save_results(example.results)  # whatever happened, keep what was recorded, as one unit
    return status


def report(outcome, settings, results_folder, extra_figures=None, extra_output=None):
    """On rank 0: add figures and extra files to the folder's unit, say whether the run was cut short,
    print the summary and the files.

    Parameters
    ----------
    outcome : Outcome
    settings : OutputSettings
    results_folder : folder.ResultsFolder or None
        The open output folder (rank 0).
    extra_figures : callable, optional
        ``extra_figures(results, unit, formats) -> list of paths``, figures beyond the standard two.
    extra_output : callable, optional
        ``extra_output(results, unit) -> str or None``: further files, written to ``unit / name``
        (also for an interrupted run); the text returned is kept in ``outcome.extra_text``.

    Returns
    -------
    int
        The exit status: ``outcome.status``, or 130/143 when Ctrl-C/SIGTERM cut the figures short (the
        data stay saved).
    """
    console, results, folder = outcome.console, outcome.results, outcome.folder
    if not outcome.is_root:
        return outcome.status
    if not outcome.recorded:
        console.warn("interrupted before the first sample; nothing was recorded or saved")
        return outcome.status

    def write_figures_and_files(unit):
        # Files of the unit (see `folder.Unit`): committed together, listed in the manifest.
        if settings.plot:
            save_standard_figures(results, unit, settings.formats)
            if extra_figures is not None:
                extra_figures(results, unit, settings.formats)
        if extra_output is not None:
            outcome.extra_text = extra_output(results, unit)

    if settings.plot or extra_output is not None:
        try:
            results_folder.add_files(write_figures_and_files)  # the data stay as saved; these join them
        except KeyboardInterrupt as exc:
            console.warn(
                f"interrupted while drawing the figures; the data are saved in {folder}/ "
                f"(draw the figures with: {PROG} plot {folder})"
            )
            outcome.extra_text = None
            return exit_status(exc)
    if outcome.status in EXIT_STATUS_BY_SIGNAL.values():
        console.warn(
            f"interrupted after {results.metadata.get('simulated_time_ms', 0) / 1000:g} s of simulated time; "
            f"the partial results are saved in {folder}/ (marked incomplete)"
        )
    console.say(summarize(results))
    console.say(
        f"Wrote {folder}/: results.npz, results.csv, metadata.json, manifest.json"
        + (f", figures ({','.join(settings.formats)})" if settings.plot else "")
    )
    return outcome.status


def run_files(settings):
    """Return the names of the files every run writes with `settings`: data, metadata and the standard figures."""
    figures = [f"{stem}.{fmt}" for stem in (MAIN_FIGURE, OVERVIEW_FIGURE) for fmt in settings.formats]
    return [*DATA_FILES, *(figures if settings.plot else ())]


def execute(example, settings, extra_figures=None, extra_output=None):
    """Run `example` from the command line and write everything to the output folder.

    Parameters
    ----------
    example : StructuralPlasticityExample
        Built (and so checked) before NEST is imported.
    settings : OutputSettings
    extra_figures, extra_output : callable, optional
        See `report`.

    Returns
    -------
    Outcome
        On every rank; its ``status`` is the exit status.
    """
    comm = start_nest()
    console = Console(comm.is_root, settings.quiet)
    results_folder = claim_output_folder(settings.folder, settings.overwrite, comm, writes=run_files(settings))
    folder = Path(settings.folder)
    try:
        sizes = " + ".join(f"{pop.size} {name.upper()}" for name, pop in example.population_specs().items())
        console.say(
            f"Simulating {example.t_sim / 1000:g} s of {sizes} neurons on {comm.size} process(es); "
            f"results go to {folder}/"
        )
        outcome = Outcome(example, simulate(example, results_folder, comm, console), folder, console)
        outcome.status = report(outcome, settings, results_folder, extra_figures, extra_output)
    finally:
        if results_folder is not None:
            results_folder.close()  # releases the lock; removes the folder again if it was new and nothing was saved
    return outcome
