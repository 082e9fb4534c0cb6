"""Command line: ``python -m structural_plasticity [SUB-COMMAND] [OPTIONS]``.

Without a sub-command the full example runs (``run``: 200 s of biological time by default) and its
figures, data, provenance and a summary are written to an output folder. The sub-commands are the
callables in `SUBCOMMANDS`, the registry:

* `run` (`cli.run`), ``lesion``, ``stimulate`` and ``assembly`` (`cli.experiments`) are `SimulationCommand`
  objects: a model class and rows of the option table (`cli.options`), run by `cli.execution`; they are
  `SIMULATIONS`, what the members of an ensemble may run;
* ``plot`` (`cli.plot`), ``compare`` (`cli.compare`) and ``export`` (`cli.export`) are functions of their own;
* ``ensemble`` and ``merge`` (`cli.ensemble`) run and combine many members with the engine
  `structural_plasticity.ensemble`, which is given `SIMULATIONS` and never imports the command line.

Importing this package imports neither NEST nor matplotlib.pyplot: ``--help`` and usage errors are
instant, and NEST's banner never shows. Only the command line configures process-wide things
(NEST's banner, the signal handlers of `interrupts.cli_handlers`); the library does not.
"""

import sys
from functools import partial

from ..errors import ConfigurationError
from ..interrupts import EXIT_STATUS, cli_handlers, exit_status, signal_at_start
from . import compare, export, plot
from .command import SimulationCommand, Subcommand
from .ensemble import ENSEMBLE_SUMMARY, MERGE_SUMMARY, main_ensemble, main_merge
from .experiments import ASSEMBLY, FOCAL_LESION, LESION, STIMULATE
from .parser import EXIT_USER_ERROR, PROG, one_line
from .run import RUN, program_epilog

#: Sub-commands: name -> callable taking the arguments after the name and returning the exit status.
#: Each has a one-line ``summary`` for the list in ``--help``.
SUBCOMMANDS = {
    "run": RUN,
    "plot": Subcommand(plot.SUMMARY, plot.main),
    "compare": Subcommand(compare.SUMMARY, compare.main),
    "export": Subcommand(export.SUMMARY, export.main),
    "lesion": LESION,
    "stimulate": STIMULATE,
    "assembly": ASSEMBLY,
    "focal-lesion": FOCAL_LESION,
}
#: The sub-commands that simulate, by name: what the members of an ensemble may run (the ``commands`` of
#: `structural_plasticity.ensemble.make_plan`).
SIMULATIONS = {name: command for name, command in SUBCOMMANDS.items() if isinstance(command, SimulationCommand)}
# The ensemble's sub-commands are given the registry of what members may run instead of importing it.
SUBCOMMANDS.update(
    ensemble=Subcommand(ENSEMBLE_SUMMARY, partial(main_ensemble, commands=SIMULATIONS)),
    merge=Subcommand(MERGE_SUMMARY, partial(main_merge, commands=SIMULATIONS)),
)
# ``run`` is the default sub-command, so its --help is the program's: its epilog lists the registry.
RUN.epilog = partial(program_epilog, SUBCOMMANDS)

__all__ = ["PROG", "SIMULATIONS", "SUBCOMMANDS", "SimulationCommand", "Subcommand", "main"]


def main(argv=None):
    """Run the command line; return the exit status.

    User errors (bad options, unusable folders, missing NEST) print one line and return 2, without a
    traceback.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after the program name; default ``sys.argv[1:]``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        name, argv = argv[0], argv[1:]
    else:
        name = "run"
    # Ctrl-C raises KeyboardInterrupt, SIGTERM Terminated; a second one ends the process at once. The
    # caller's handlers are restored afterwards (main may be called from Python).
    with cli_handlers():
        if signal_at_start() is not None:  # stopped while the program imported (the line is printed)
            return EXIT_STATUS[signal_at_start()]
        try:
            return SUBCOMMANDS[name](argv)
        except ConfigurationError as exc:
            print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
            return EXIT_USER_ERROR
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM outside a run's own handling (start-up, plotting)
            print(f"{PROG}: interrupted", file=sys.stderr)
            return exit_status(exc)
