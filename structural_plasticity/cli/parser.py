"""The argument parser every sub-command uses: usage errors as one line, exit status 2."""

import argparse

PROG = "python -m structural_plasticity"
#: Exit status of a usage error or of any other `ConfigurationError` (bad input, unusable folder, no NEST).
EXIT_USER_ERROR = 2


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
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
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
