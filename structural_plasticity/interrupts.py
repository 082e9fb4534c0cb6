"""Ctrl-C and SIGTERM: stop cleanly at a safe point, never lose a save, and never stay deaf.

Python runs its signal handlers only between bytecodes, and NEST holds the interpreter for the whole of
``nest.Simulate`` (measured: a Python thread got no time during a 2.7 s ``Simulate``). A handler that
asks the run to stop therefore acts only when the current ``Simulate`` call returns. That is the
right place to stop (the results then hold whole samples), but a long call would leave the process
deaf to Ctrl-C. So every handler installed here is also armed to *reset on delivery*
(``SA_RESETHAND``): the first signal asks for a clean stop, and a second one during the same call finds
the system's default action and ends the process at once (exit status 130 for Ctrl-C, 143 for SIGTERM,
as a shell reports them). What was saved before (the last checkpoint) stays a complete unit.

Nothing here runs on import. The functions change signal dispositions only while their context is
active (`stop_requests`, `deferred`, `cli_handlers`), and only in the main thread, where Python
allows it. The one exception is the start of the program itself (`python -m structural_plasticity`):
the package installs `stop_while_starting` first thing, before its imports, so that a signal in the
fraction of a second before the command line's own handlers exist ends it with one line and 130/143
(`started_as_program` says whether the package is being imported for that).
"""

import ctypes
import platform
import signal
import sys
import threading
from contextlib import contextmanager

#: The signals that stop a run: Ctrl-C and the polite kill of batch systems.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Exit status of a process stopped by each signal, as shells report it (128 + signal number).
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Terminated(KeyboardInterrupt):
    """Raised by the command line's SIGTERM handler; a `KeyboardInterrupt`, so it unwinds a run the same way."""


def exit_status(exc):
    """Return the exit status for a stop by `exc` (143 for `Terminated`, 130 for other `KeyboardInterrupt`)."""
    return EXIT_STATUS[signal.SIGTERM] if isinstance(exc, Terminated) else EXIT_STATUS[signal.SIGINT]


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()


# ----------------------------------------------------------------------------------------------------
# A second signal ends the process: SA_RESETHAND on the handler Python installed
# ----------------------------------------------------------------------------------------------------
_SA_RESETHAND = 0x80000000  # Linux (asm-generic and x86); other platforms: the arming is skipped


class _Sigaction(ctypes.Structure):
    # glibc's struct sigaction on x86_64 and aarch64: handler, 1024-bit mask, flags, restorer.
    _fields_ = [
        ("sa_handler", ctypes.c_void_p),
        ("sa_mask", ctypes.c_ulong * (1024 // (8 * ctypes.sizeof(ctypes.c_ulong)))),
        ("sa_flags", ctypes.c_int),
        ("sa_restorer", ctypes.c_void_p),
    ]


def _libc():
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "aarch64"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc if hasattr(libc, "sigaction") else None
    except OSError:
        return None


def arm_second_signal(signums=STOP_SIGNALS):
    """Make the handlers now installed for `signums` one-shot at the C level (``SA_RESETHAND``).

    Python keeps its own record of the handler, so the first signal is handled as usual (at the next
    bytecode); a second one that arrives before that handler is re-installed gets the default action
    and ends the process, even while NEST holds the interpreter. Does nothing where the layout of
    ``struct sigaction`` is not known (platforms other than Linux on x86_64 or aarch64).

    Returns
    -------
    bool
        True if the handlers were armed.
    """
    libc = _libc()
    if libc is None or not _in_main_thread():
        return False
    armed = True
    for signum in signums:
        action = _Sigaction()
        if libc.sigaction(int(signum), None, ctypes.byref(action)) != 0:
            armed = False
            continue
        # Only a real handler is armed: SIG_DFL (0) and SIG_IGN (1) stay as they are.
        if action.sa_handler not in (None, 0, 1):
            action.sa_flags |= _SA_RESETHAND
            armed = libc.sigaction(int(signum), ctypes.byref(action), None) == 0 and armed
    return armed


def is_armed(signum):
    """Return True if the handler of `signum` is one-shot at the C level (see `arm_second_signal`)."""
    libc = _libc()
    if libc is None:
        return False
    action = _Sigaction()
    if libc.sigaction(int(signum), None, ctypes.byref(action)) != 0:
        return False
    return bool(action.sa_flags & _SA_RESETHAND) and action.sa_handler not in (None, 0, 1)


# ----------------------------------------------------------------------------------------------------
# The start of the program
# ----------------------------------------------------------------------------------------------------
def started_as_program(package):
    """Return True while Python imports `package` to run it as ``python -m package[.module]``.

    Python sets ``sys.argv[0]`` to ``"-m"`` while it locates the module to run (importing its packages);
    ``sys.orig_argv`` (Python 3.10) says which module that is. Any other import of the package, by a
    program that merely uses it, returns False.
    """
    if sys.argv[:1] != ["-m"]:
        return False
    arguments = list(getattr(sys, "orig_argv", ()))
    for k, argument in enumerate(arguments[1:], start=1):
        if argument.startswith("-m"):
            module = argument[2:] or (arguments[k + 1] if k + 1 < len(arguments) else "")
            return module == package or module.startswith(f"{package}.")
    return False


#: Signals that arrived while the program started (`stop_while_starting`); the command line ends on them.
_AT_START = []


def stop_while_starting(program):
    """Until replaced, let SIGINT and SIGTERM end the starting `program` at once: one line, exit 130/143.

    For the fraction of a second a program spends importing before its own handlers exist (otherwise
    SIGTERM kills it by the signal and Ctrl-C prints a traceback of the imports). The signal raises
    `SystemExit`; should an import swallow it (Python compiling a module, say), `signal_at_start` still
    tells the command line, which then stops before doing anything. Signals the process was started to
    ignore stay ignored.
    """
    if not _in_main_thread():
        return

    def stop(signum, frame):
        if not _AT_START:
            sys.stderr.write(f"{program}: interrupted\n")
        _AT_START.append(signal.Signals(signum))
        raise SystemExit(EXIT_STATUS[signal.Signals(signum)])

    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, stop)


def signal_at_start():
    """Return the signal that arrived while the program started (see `stop_while_starting`), or None."""
    return _AT_START[0] if _AT_START else None


# ----------------------------------------------------------------------------------------------------
# Contexts
# ----------------------------------------------------------------------------------------------------
@contextmanager
def stop_requests(request_stop):
    """Within the block, SIGINT and SIGTERM call ``request_stop(name)`` instead of interrupting.

    The run checks the request after each sample and stops there; a second signal before that ends the
    process (`arm_second_signal`). The previous handlers are restored afterwards. Outside the main
    thread (where Python cannot install handlers) the block runs unchanged.

    Parameters
    ----------
    request_stop : callable
        Called with the signal's name (``"SIGINT"``, ``"SIGTERM"``).
    """
    if not _in_main_thread():
        yield
        return

    def handler(signum, frame):
        request_stop(signal.Signals(signum).name)

    was_armed = [signum for signum in STOP_SIGNALS if is_armed(signum)]
    # A signal the process was started to ignore (a background job of a script) stays ignored.
    previous = {
        signum: signal.signal(signum, handler)
        for signum in STOP_SIGNALS
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    arm_second_signal(list(previous))
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
        arm_second_signal(was_armed)  # as before the block


@contextmanager
def deferred(signums=STOP_SIGNALS):
    """Hold SIGINT and SIGTERM back during the block, then deliver them: for saves that must not be cut.

    A signal that arrives inside the block is remembered and raised again, once, when the block ends,
    so that the handler that was in place then sees it (Ctrl-C during a save interrupts right after
    the save). This works whichever thread the system delivers the signal to, unlike a signal mask.
    """
    if not _in_main_thread():
        yield
        return
    received = []

    def remember(signum, frame):
        if signum not in received:
            received.append(signum)

    was_armed = [signum for signum in signums if is_armed(signum)]
    previous = {signum: signal.signal(signum, remember) for signum in signums}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
        arm_second_signal(was_armed)  # as it was before the block, no more
        for signum in received:
            signal.raise_signal(signum)


@contextmanager
def cli_handlers():
    """Within the block, Ctrl-C raises `KeyboardInterrupt` and SIGTERM raises `Terminated`.

    Both are armed so that a second signal ends the process at once, also during a long NEST call at
    start-up (creating or connecting a large network). The previous handlers are restored afterwards,
    so that calling the command line's ``main`` from Python leaves the caller's handlers alone. Only for
    programs: the library never uses it.
    """
    if not _in_main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Terminated("SIGTERM")

    was_armed = [signum for signum in STOP_SIGNALS if is_armed(signum)]
    handlers = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: terminate}
    previous = {
        signum: signal.signal(signum, handler)
        for signum, handler in handlers.items()
        if signal.getsignal(signum) is not signal.SIG_IGN  # ignored on purpose (a script's background job)
    }
    arm_second_signal(list(previous))
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
        arm_second_signal(was_armed)
