"""Exceptions that tell the user what was wrong and how to fix it."""


class ConfigurationError(ValueError):
    """A parameter, option or environment that cannot work, with a message naming the fix.

    The command line prints the message as one line and exits with status 2; library users get the
    exception. It derives from `ValueError` so that generic code that catches bad values still does.
    """


class NestNotInstalledError(ConfigurationError, ImportError):
    """NEST (the ``nest`` Python module) cannot be imported."""


class PerformanceWarning(UserWarning):
    """A setting that works but makes a run slower than it needs to be (e.g. more threads than cores)."""
