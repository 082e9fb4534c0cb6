"""The argument parser every sub-command uses, and the exit statuses of the command line.

Usage errors are one line and exit status 2 (`EXIT_USER_ERROR`), as for any other `ConfigurationError`;
work that failed (a member of an ensemble, a comparison that differs) exits with 1 (`EXIT_FAILURE`); a
run or an ensemble stopped by a signal exits as a shell reports the signal (`EXIT_STATUS_BY_SIGNAL`).
"""

import argparse
import textwrap
from functools import partial

from ..errors import ConfigurationError
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


def one_line(text):
    """Return `text` as one line: line breaks (a path may hold one) are shown as ``\\n``, not broken."""
    return str(text).replace("\r", "\\r").replace("\n", "\\n")


class UsageError(ConfigurationError):
    """A usage error found by `Parser.check_args` (the message argparse would print)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (no usage dump) and exits with status 2.

    Long options are never matched by a prefix (``allow_abbrev=False``): ``--record spikes`` is an error,
    not ``--record-interval spikes``, so an abbreviation cannot change its meaning when an option is added.

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
        kwargs["allow_abbrev"] = False
        description = kwargs.get("description")
        if description and max(len(line) for line in description.splitlines()) > HELP_WIDTH:
            # Kept as written (raw), so its paragraphs are wrapped here, at the width of the options.
            kwargs["description"] = "\n\n".join(textwrap.fill(p, HELP_WIDTH) for p in description.split("\n\n"))
        super().__init__(*args, **kwargs)
        self.refused = dict(refused or {})
        self._raising = False

    def check_args(self, args):
        """Parse `args` as `parse_args` does, but raise `UsageError` instead of printing and exiting.

        For arguments checked on behalf of another process (the run options of an ensemble's members).
        """
        self._raising = True
        try:
            return self.parse_args(args)
        finally:
            self._raising = False

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
        if self._raising:
            raise UsageError(f"{one_line(message)} (see {self.prog} --help)")
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {one_line(message)} (see --help)\n")
