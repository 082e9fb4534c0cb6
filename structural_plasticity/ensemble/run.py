"""Running the members of an ensemble, each in its own process, a bounded number at a time.

NEST allows one kernel per process, so an ensemble is process-level parallelism: a thread pool of
``jobs`` workers (`concurrent.futures`), each starting one member with `subprocess` and waiting for it.
Completed members (`results.run_state`: a complete unit whose run ended) are skipped, so rerunning an
ensemble resumes it; incomplete and failed members run again. A failing member never stops the others.

SIGINT (Ctrl-C) or SIGTERM to the ensemble is forwarded once to every running member, which stops after
its current simulated second and saves its partial results (marked incomplete); no new member starts.
A second signal kills the members. Members run in their own sessions, so a Ctrl-C typed in the
terminal reaches them only through this forwarding, exactly once.
"""

import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigurationError
from ..files import STDERR_LOG, STDOUT_LOG
from ..interrupts import EXIT_STATUS
from ..results import run_state
from .plan import write_plan

#: Exit statuses of a member stopped by SIGINT / SIGTERM (it saved partial results), or killed by a signal.
INTERRUPTED_STATUSES = (*EXIT_STATUS.values(), -signal.SIGINT, -signal.SIGTERM, -signal.SIGKILL)


@dataclass
class MemberOutcome:
    """What became of one member in this invocation.

    Attributes
    ----------
    member : Member
    status : str
        ``"completed"`` (ran now), ``"skipped"`` (completed earlier), ``"failed"``, ``"interrupted"`` or
        ``"not started"`` (the ensemble was stopped first).
    returncode : int or None
    reason : str
        For failures, the last line the member wrote to stderr (or its exit status).
    wall_s : float
    """

    member: object
    status: str
    returncode: object = None
    reason: str = ""
    wall_s: float = 0.0


def member_state(folder):
    """Return ``"completed"``, ``"incomplete"`` (results or logs without completion) or ``"missing"``.

    The package's one test of completion, `results.run_state`, applied to a member's folder.
    """
    return run_state(folder)


def check_launch_command(python=None, launcher=None):
    """Refuse a `python` or `launcher` (see `member_command`) that cannot start a member; return the prefix.

    Checked once, before any member starts: a launcher must split like a shell command and name a program
    on ``PATH``; a Python must be an executable file (or a program on ``PATH``).

    Returns
    -------
    list of str
        The launcher's words.

    Raises
    ------
    ConfigurationError
    """
    if isinstance(launcher, str):
        try:
            prefix = shlex.split(launcher)
        except ValueError as exc:
            raise ConfigurationError(
                f"cannot read --launcher {launcher!r} ({exc}); write it as in a shell, e.g. 'srun -n 4'"
            ) from None
    else:
        prefix = [str(word) for word in launcher or ()]
    if prefix and shutil.which(prefix[0]) is None:
        raise ConfigurationError(
            f"--launcher {prefix[0]!r} is not a program on PATH; give e.g. 'srun -n 4' or 'mpirun -n 2'"
        )
    if python is not None and shutil.which(str(python)) is None:
        raise ConfigurationError(
            f"--python {python!r} is not an executable program; give the path of a Python, e.g. .venv-mpi/bin/python"
        )
    return prefix


def member_command(plan, member, folder, python=None, launcher=None):
    """Return the command (list of str) that runs `member` of `plan` into ``folder/<member folder>``.

    Parameters
    ----------
    python : str, optional
        Python interpreter of the members (default: this one); e.g. ``.venv-mpi/bin/python`` for MPI members.
    launcher : str or list of str, optional
        Prefix such as ``"srun -n 4"`` or ``"mpirun -n 2"`` for members that are MPI runs themselves.
    """
    prefix = check_launch_command(python, launcher)
    target = Path(folder) / member.folder
    return prefix + [python or sys.executable, "-m", "structural_plasticity"] + plan.member_argv(member, target)


class _Members:
    """The running member processes, so that a signal can be forwarded to all of them."""

    def __init__(self):
        self.lock = threading.RLock()  # re-entrant: the signal handler may run while the main thread holds it
        self.procs = set()
        self.stopped = None  # name of the signal that stopped the ensemble

    def start(self, command, **kwargs):
        with self.lock:
            if self.stopped:
                return None
            proc = subprocess.Popen(command, **kwargs)
            self.procs.add(proc)
            return proc

    def done(self, proc):
        with self.lock:
            self.procs.discard(proc)

    def signal_all(self, signum):
        with self.lock:
            for proc in list(self.procs):
                try:
                    proc.send_signal(signum)
                except ProcessLookupError:
                    pass


def run_member(plan, member, folder, python=None, launcher=None, env=None, members=None):
    """Run one member now, unless it is already completed; return its `MemberOutcome`.

    Its stdout and stderr go to ``stdout.log`` and ``stderr.log`` in its folder.

    Parameters
    ----------
    plan : Plan
    member : Member
    folder : str or path-like
        The ensemble folder.
    python, launcher : see `member_command`.
    env : dict, optional
        Environment of the member (default: this process's).
    members : _Members, optional
        Registry of running processes (used by `run_ensemble` to forward signals).
    """
    target = Path(folder) / member.folder
    if member_state(target) == "completed":
        return MemberOutcome(member, "skipped")
    members = members or _Members()
    if members.stopped:
        return MemberOutcome(member, "not started")
    created = not target.exists()
    started = time.perf_counter()
    try:
        target.mkdir(parents=True, exist_ok=True)
        out, err = open(target / STDOUT_LOG, "w"), open(target / STDERR_LOG, "w")
    except OSError as exc:  # a read-only mount, a file in the folder's place: this member fails, not the ensemble
        return MemberOutcome(member, "failed", None, f"cannot write {target} ({exc.strerror or exc})")
    with out, err:
        try:
            proc = members.start(
                member_command(plan, member, folder, python, launcher),
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # a terminal's Ctrl-C reaches members only through the ensemble, once
            )
        except OSError as exc:
            return MemberOutcome(member, "failed", None, f"cannot start the member ({exc.strerror or exc})")
        if proc is None:  # stopped between the check above and now: leave no trace
            out.close(), err.close()
            for log in (STDOUT_LOG, STDERR_LOG):
                (target / log).unlink(missing_ok=True)
            if created:
                target.rmdir()
            return MemberOutcome(member, "not started")
        try:
            returncode = proc.wait()
        finally:
            members.done(proc)
    wall = time.perf_counter() - started
    state = member_state(target)
    if returncode == 0 and state == "completed":
        return MemberOutcome(member, "completed", returncode, wall_s=wall)
    reason = _last_line(target / STDERR_LOG) or (
        f"exit status {returncode}" if returncode else "exited without completed results"
    )
    # A member stopped before its run began (e.g. while importing NEST) exits with a traceback: still a stop.
    status = "interrupted" if returncode in INTERRUPTED_STATUSES or members.stopped else "failed"
    return MemberOutcome(member, status, returncode, reason, wall)


def _last_line(path):
    try:
        lines = [line.strip() for line in Path(path).read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


@dataclass
class Report:
    """The outcomes of one invocation of `run_ensemble`, in member order.

    Attributes
    ----------
    outcomes : list of MemberOutcome
    stopped_by : str or None
        ``"SIGINT"`` or ``"SIGTERM"`` if the ensemble was stopped.
    wall_s : float
    """

    outcomes: list
    stopped_by: object = None
    wall_s: float = 0.0

    def count(self, status):
        return sum(o.status == status for o in self.outcomes)

    @property
    def ok(self):
        """bool: every member is completed (now or before)."""
        return all(o.status in ("completed", "skipped") for o in self.outcomes)

    def summary(self):
        """Return a few lines: counts per status, then each failed or interrupted member with its reason."""
        parts = [
            f"{self.count(s)} {s}"
            for s in ("completed", "skipped", "failed", "interrupted", "not started")
            if self.count(s)
        ]
        lines = [
            f"Ensemble of {len(self.outcomes)} members: {', '.join(parts)} ({self.wall_s:.1f} s wall time)"
            + (f"; stopped by {self.stopped_by}" if self.stopped_by else "")
        ]
        for o in self.outcomes:
            if o.status in ("failed", "interrupted"):
                lines.append(f"  {o.status}: {o.member.folder} (member {o.member.index}): {o.reason}")
        return "\n".join(lines)


def run_ensemble(plan, folder, jobs=1, python=None, launcher=None, progress=True, env=None):
    """Run every member of `plan` that is not completed, `jobs` at a time; return a `Report`.

    The plan is written to (or checked against) ``folder/ensemble.json`` first. While running, SIGINT and
    SIGTERM (in the main thread) stop the ensemble: each running member receives the same signal and
    saves its partial results, no new member starts; a second signal kills the running members. The
    previous signal handlers are restored afterwards.

    Parameters
    ----------
    plan : Plan
    folder : str or path-like
        The ensemble folder.
    jobs : int
        Members running at the same time (processes).
    python, launcher : see `member_command`.
    progress : bool
        Show a progress bar over members (only when stderr is a terminal).
    env : dict, optional
        Environment of the members.

    Raises
    ------
    ConfigurationError
        If `jobs` is not a positive whole number, or the folder holds another ensemble.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigurationError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    check_launch_command(python, launcher)
    write_plan(plan, folder)
    started = time.perf_counter()
    members = _Members()
    outcomes = {}
    todo = []
    for member in plan.members:
        if member_state(Path(folder) / member.folder) == "completed":
            outcomes[member.index] = MemberOutcome(member, "skipped")
        else:
            todo.append(member)
    bar = _bar(len(plan.members), len(outcomes), progress)
    restore = _forward_signals(members)
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_member, plan, m, folder, python, launcher, env, members) for m in todo]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[outcome.member.index] = outcome
                if bar is not None:
                    bar.update(1)
                    failed = sum(o.status == "failed" for o in outcomes.values())
                    if failed:
                        bar.set_postfix_str(f"{failed} failed", refresh=False)
    finally:
        restore()
        if bar is not None:
            bar.close()
    return Report([outcomes[m.index] for m in plan.members], members.stopped, time.perf_counter() - started)


def _bar(total, done, enabled):
    if not enabled:
        return None
    from tqdm.auto import tqdm  # noqa: PLC0415  (a third-party import, only when a bar is shown)

    # disable=None: tqdm turns itself off when stderr is not a terminal (logs, CI, batch jobs).
    return tqdm(total=total, initial=done, unit=" member", disable=None, dynamic_ncols=True)


def _forward_signals(members):
    """Install SIGINT/SIGTERM handlers that stop the ensemble; return a function restoring the old ones."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        name = signal.Signals(signum).name
        if members.stopped is None:
            members.stopped = name  # no new member starts
            members.signal_all(signum)  # each saves its partial results and exits
        else:
            members.signal_all(signal.SIGKILL)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore():
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def run_one(plan, folder, index, python=None, launcher=None, env=None):
    """Run exactly the member with position `index` (e.g. a Slurm array task); return its `MemberOutcome`.

    Writes or checks the plan file first, like `run_ensemble`. SIGINT and SIGTERM are forwarded to the
    member while it runs.

    Raises
    ------
    ConfigurationError
        If `index` is not a member of the plan.
    """
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(plan.members):
        raise ConfigurationError(
            f"member index {index!r} is out of range; this ensemble has members 0 to {len(plan.members) - 1}"
        )
    check_launch_command(python, launcher)
    write_plan(plan, folder)
    members = _Members()
    restore = _forward_signals(members)
    try:
        return run_member(plan, plan.members[index], folder, python, launcher, env, members)
    finally:
        restore()
