"""The argument parser every sub-command uses, and the exit statuses of the command line.

Usage errors are one line and exit status 2 (`EXIT_USER_ERROR`), as for any other `ConfigurationError`;
work that failed (a member of an ensemble, a comparison that differs) exits with 1 (`EXIT_FAILURE`); a
run or an ensemble stopped by a signal exits as a shell reports the signal (`EXIT_STATUS_BY_SIGNAL`).
"""

import argparse
import textwrap
from functools import partial

from ..interrupts import EXIT_STATUS

PROG = "python -m structural_plasticity"
#: Width at which every ``--help`` wraps (descriptions, options and epilogs alike), whatever the terminal.
HELP_WIDTH = 100
#: Exit status of a usage error or of any other `ConfigurationError` (bad input, unusable folder, no NEST).
EXIT_USER_ERROR = 2
#: Exit status when the work itself failed (e.g. a member of an ensemble).
EXIT_FAILURE = 1
#: Exit status of a run or an ensemble stopped by a signal, by the signal's name: 128 + its number.
EXIT_STATUS_BY_SIGNAL = {signum.name: status for signum, status in EXIT_STATUS.items()}


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (no usage dump) and exits with status 2.

    Parameters
    ----------
    refused : dict of str to str, optional
        Flags that other sub-commands have but this one does not, with the reason, e.g.
        ``{"--t-sim": "the run lasts the sum of the phase durations"}``; giving one is an error that
        says why, instead of argparse's bare "unrecognized arguments".
    **kwargs
        Passed to `argparse.ArgumentParser` (``formatter_class`` defaults to raw descriptions).
    """

    def __init__(self, *args, refused=None, **kwargs):
        formatter = kwargs.get("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs["formatter_class"] = partial(formatter, width=HELP_WIDTH, max_help_position=32)
        description = kwargs.get("description")
        if description and max(len(line) for line in description.splitlines()) > HELP_WIDTH:
            # Kept as written (raw), so its paragraphs are wrapped here, at the width of the options.
            kwargs["description"] = "\n\n".join(textwrap.fill(p, HELP_WIDTH) for p in description.split("\n\n"))
        super().__init__(*args, **kwargs)
        self.refused = dict(refused or {})

    def parse_args(self, args=None, namespace=None):
        args, unknown = self.parse_known_args(args, namespace)
        if unknown:
            for word in unknown:
                flag = word.partition("=")[0]
                if flag in self.refused:
                    self.error(f"{flag} does not apply: {self.refused[flag]}")
            self.error(f"unrecognized arguments: {' '.join(unknown)}")
        return args

    def error(self, message):
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see --help)\n")
