"""A results folder as one unit: locked while a run writes it, and written complete or not at all.

The package's files in a folder (data, metadata, figures, ``signature.txt``, ...) form one *unit*,
described by ``manifest.json``: the name, size and SHA-256 of every file, written last. A save writes
each new file under a temporary name; then, with Ctrl-C and SIGTERM held back (`interrupts.deferred`), it
marks the manifest as being written (listing the new unit and the previous one), moves the files it
replaces or removes aside, moves the new files into place and writes the new manifest. If any step fails,
every move is undone: the folder keeps its previous complete unit, and the error names the file and the
cause. Before anything is moved, each new file's place must be free or hold a file of the package (a
folder or a file of yours there is refused, and left alone).

A reader (`read_unit`, `verify`; `load_results` and `run_state` use them) accepts a folder only if the
manifest says ``complete`` and every file it lists is a regular file with its size and checksum. The
bytes it checks are the bytes it returns (read once, through one descriptor), so a save that replaces
the files meanwhile cannot hand it a file other than the one checked: it sees the change and reads the
new unit instead. A folder without a manifest (written before manifests existed) is read as it is.

The manifest itself is read with rules (`read_manifest`): a regular file of at most `MAX_MANIFEST_BYTES`,
JSON nested a few levels, listing at most `MAX_UNIT_FILES` plain file names of the folder (no paths, no
sub-folders, no hidden or control characters), each with its size and SHA-256.

A run holds an exclusive lock on its folder (``flock`` on the directory itself, released by the
system when the process ends, however it ends), so a second run into the same folder is refused.

**What the package removes** (`package_files`): the files its manifest lists (and, in a manifest left
``writing`` by a killed save, the files of the unit before it), its own temporary files, and, for
folders without a manifest (older than manifests), the names of the registry `files` (`files.PACKAGE_FILES`,
and `files.FIGURE_STEMS` in every figure format). Nothing else, for every sub-command: ``--overwrite``,
other ``--formats``, ``plot``.
"""

import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import struct
import sys
import time
from pathlib import Path

from .errors import ConfigurationError
from .files import (
    DATA_FILES,
    FIGURE_STEMS,
    MANIFEST_JSON,
    MAX_NAME_BYTES,
    TEMP_MARK,
    UnreadableFile,
    open_regular,
    package_names,
    read_file,
    temporary_path,
    temporary_target,
)
from .interrupts import deferred
from .validation import memory_budget, parse_json_file

MANIFEST_FORMAT = "structural_plasticity results folder"
MANIFEST_VERSION = 1
#: Largest ``manifest.json`` read (bytes). A unit lists a few dozen files, about 120 bytes each.
MAX_MANIFEST_BYTES = 1 << 20
#: Most files one unit may list (a run writes under 20; figures in every format add 25).
MAX_UNIT_FILES = 1000
#: How long a reader waits for a save that is under way (folder locked, manifest ``writing``) to finish (s).
WAIT_FOR_SAVE_S = 2.0
#: Pause between two attempts of a reader (s).
_RETRY_S = 0.05
_SHA256 = re.compile(r"[0-9a-f]{64}")


class OutputError(ConfigurationError):
    """The output folder cannot be used or written (in use, full, not writable, a file, ...)."""


class ManifestError(ConfigurationError):
    """``manifest.json`` exists but is not a manifest the package can trust (damaged, or not its format)."""


def _describe(exc):
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)


def _cause(exc):
    """The cause of a failed save in words: the system's reason and the file it concerns."""
    if not isinstance(exc, OSError):
        return str(exc)
    text = exc.strerror or str(exc)
    return f"{text}: {exc.filename}" if exc.filename else text


def _advice(exc):
    """What to do about a failed save, by its cause."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "free some space or choose another folder with --output"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "make the folder and its files writable (chmod, chattr -i) or choose another folder with --output"
    return "choose another folder with --output"


# ----------------------------------------------------------------------------------------------------
# The manifest and its path rules
# ----------------------------------------------------------------------------------------------------
def name_problem(name):
    """Return why `name` cannot be a file of a unit (a plain name of a file in the folder), or None.

    The rule writers (`Unit.path`) and readers (`read_manifest`) share: a non-empty UTF-8 name of at most
    `files.MAX_NAME_BYTES` bytes, without ``/``, NUL or control characters, not hidden (temporary files
    are), not ``.``, ``..`` or the manifest itself.
    """
    if not isinstance(name, str) or not name:
        return "is not a file name"
    if "\0" in name:
        return "holds a NUL character"
    if "/" in name or "\\" in name:
        return "is a path, not a plain file name of the folder"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "holds a control character"
    if name.startswith("."):
        return "is hidden or leads out of the folder"
    if name == MANIFEST_JSON:
        return "is the manifest itself"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "is not UTF-8"
    if len(encoded) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    return None


def _entries(path, files, what):
    """Check the ``files`` of a manifest: plain names with a size and a SHA-256 each; return them."""
    if not isinstance(files, dict):
        raise ManifestError(f"{path} is not a manifest of structural_plasticity results ({what} is not a table)")
    if len(files) > MAX_UNIT_FILES:
        raise ManifestError(f"{path} lists {len(files)} files, more than a unit ever holds ({MAX_UNIT_FILES})")
    for name, entry in files.items():
        problem = name_problem(name)
        if problem:
            raise ManifestError(
                f"{path} lists {name!r}, which {problem}; the folder was changed: its results cannot be trusted"
            )
        size = entry.get("bytes") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size < 2**53:
            raise ManifestError(
                f"{path} gives {name!r} no valid size; the folder was changed: its results cannot be trusted"
            )
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ManifestError(
                f"{path} gives {name!r} no valid SHA-256; the folder was changed: its results cannot be trusted"
            )
    return dict(files)


def _manifest(folder):
    """Return ``(raw bytes, manifest)`` of `folder`, ``(None, None)`` if it has none (see `read_manifest`)."""
    path = Path(folder) / MANIFEST_JSON
    try:
        raw = read_file(path, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        return None, None
    except UnreadableFile as exc:
        raise ManifestError(f"{path} {exc.reason}; the folder's results cannot be trusted") from None
    except OSError as exc:
        raise ManifestError(f"cannot read {path} ({_describe(exc)})") from exc
    try:
        manifest = parse_json_file(raw, str(path), limit=4)
    except ConfigurationError as exc:
        raise ManifestError(f"{exc}; the folder's results cannot be trusted") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"{path} is not a manifest of structural_plasticity results")
    if manifest.get("version") != MANIFEST_VERSION:
        raise ManifestError(
            f"{path} has manifest version {manifest.get('version')!r}; this version of the package reads version "
            f"{MANIFEST_VERSION}"
        )
    state = manifest.get("state")
    if state == "complete":
        files = _entries(path, manifest.get("files"), "its list of files")
        previous = {}
    elif state == "writing":  # a save was under way (or killed): its new files and the unit before it
        files = _entries(path, manifest.get("files", {}), "its list of files")
        previous = _entries(path, manifest.get("previous", {}), "its list of previous files")
    else:
        raise ManifestError(f"{path} is not a manifest of structural_plasticity results (state {state!r})")
    # Earlier versions marked a save under way without listing its files: the known names are the package's.
    listed = state == "complete" or "files" in manifest or "previous" in manifest
    return raw, dict(manifest, files=files, previous=previous, listed=listed)


def read_manifest(folder):
    """Return the manifest of `folder` as a dict, None if it has none.

    The dict has ``state`` (``"complete"``, or ``"writing"`` while a save is under way or after one was
    killed), ``files`` (``{name: {"bytes": size, "sha256": digest}}``) and ``previous`` (for ``"writing"``:
    the files of the unit being replaced; empty otherwise). Every name is a plain file name of the folder
    (`name_problem`).

    Raises
    ------
    ManifestError
        If ``manifest.json`` exists but is not a regular file, is larger than `MAX_MANIFEST_BYTES`, is not
        JSON nested a few levels, is of another format or lists names or entries the rules refuse.
    """
    return _manifest(folder)[1]


def _unfinished(folder):
    return ConfigurationError(
        f"{folder} holds an unfinished save (the process writing it was killed while saving); "
        "its files may come from two runs: run again into another folder or with --overwrite"
    )


def locked_by_a_writer(folder):
    """Whether a process holds the folder's lock (a run or a save under way)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
    finally:
        os.close(fd)  # also releases the shared lock, if taken
    return False


class _Mismatch(Exception):
    """A listed file differs from its entry (the message says how)."""


def _read_listed(folder, name, entry, keep):
    """Read the listed file `name` through one descriptor; check size and SHA-256; return its bytes if `keep`."""
    path = Path(folder) / name
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        raise _Mismatch(f"{folder} lacks {name}, which its manifest lists; the results are incomplete") from None
    except UnreadableFile as exc:
        raise _Mismatch(f"{path} {exc.reason}; it is not the file saved with these results") from None
    except OSError as exc:
        raise _Mismatch(f"cannot read {path} ({_describe(exc)})") from None
    mismatch = _Mismatch(
        f"{path} is not the file saved with these results (size or checksum differs from {MANIFEST_JSON}); "
        "the folder mixes files of different runs or was changed: run again into another folder"
    )
    try:
        if os.fstat(fd).st_size != entry["bytes"]:
            raise mismatch
        digest, chunks, total = hashlib.sha256(), [], 0
        while total <= entry["bytes"]:
            chunk = os.read(fd, 1 << 22)
            if not chunk:
                break
            digest.update(chunk)
            total += len(chunk)
            if keep:
                chunks.append(chunk)
        if total != entry["bytes"] or digest.hexdigest() != entry["sha256"]:
            raise mismatch
    finally:
        os.close(fd)
    return b"".join(chunks) if keep else None


def read_unit(folder, wanted=(), required=()):
    """Check that `folder` holds one complete unit and return the bytes of the files `wanted`, as checked.

    Every file the manifest lists is read once and checked against its size and SHA-256; the bytes of
    those in `wanted` are returned, so a caller parses exactly what was checked. If a save replaces the
    unit meanwhile (a run's checkpoint), the change is seen (the manifest differs) and the new unit is
    read; a save under way (the folder locked, the manifest ``writing``) is waited for, up to
    `WAIT_FOR_SAVE_S`. A folder without a manifest (older than manifests) is read as it is: the `wanted`
    files that exist, each a regular file of at most this process's memory.

    Parameters
    ----------
    folder : str or path-like
    wanted : iterable of str
        Names whose bytes to return. A name the manifest does not list is not part of the unit: it is
        absent from the answer, even if a file of that name is in the folder.
    required : iterable of str
        Names the manifest must list (e.g. ``metadata.json`` for the results of a run).

    Returns
    -------
    tuple
        ``(manifest, {name: bytes})``; the manifest is None for a folder without one.

    Raises
    ------
    ConfigurationError
        Naming the folder or file and the problem: an unfinished or mixed save, a file missing, changed,
        not a regular file, a required file not listed, a manifest the rules refuse.
    """
    folder, wanted, required = Path(folder), list(wanted), list(required)
    deadline = time.monotonic() + WAIT_FOR_SAVE_S
    while True:
        raw, manifest = _manifest(folder)
        if manifest is None:
            return None, _read_legacy(folder, wanted)
        if manifest["state"] != "complete":
            if time.monotonic() < deadline and locked_by_a_writer(folder):
                time.sleep(_RETRY_S)  # a save under way: its commit takes milliseconds
                continue
            raise _unfinished(folder)
        missing = [name for name in required if name not in manifest["files"]]
        if missing:
            raise ConfigurationError(
                f"{folder} does not hold the results of a run: its manifest lists no {', '.join(missing)}"
            )
        try:
            data = {}
            for name, entry in manifest["files"].items():
                content = _read_listed(folder, name, entry, keep=name in wanted)
                if name in wanted:
                    data[name] = content
        except _Mismatch as exc:
            try:
                changed = _manifest(folder)[0] != raw
            except ConfigurationError:
                changed = False
            if changed and time.monotonic() < deadline:
                continue  # a save replaced the unit while it was read: read the new one
            raise ConfigurationError(str(exc)) from None
        return manifest, data


def _read_legacy(folder, wanted):
    limit = memory_budget() or 2**40
    data = {}
    for name in wanted:
        path = folder / name
        try:
            data[name] = read_file(path, limit)
        except FileNotFoundError:
            continue
        except UnreadableFile as exc:
            raise ConfigurationError(f"{path} {exc.reason}; it is not a file the package wrote") from None
        except OSError as exc:
            raise ConfigurationError(f"cannot read {path} ({_describe(exc)})") from exc
    return data


def verify(folder, required=()):
    """Check that `folder` holds one complete unit; return its manifest (None for a folder without one).

    See `read_unit`, which this is with nothing `wanted`.

    Raises
    ------
    ConfigurationError
        If the last save into the folder did not finish, or a file differs from what the manifest lists
        (an interrupted save, or files changed or mixed in afterwards).
    """
    return read_unit(folder, (), required)[0]


# ----------------------------------------------------------------------------------------------------
# Which files are the package's: the one deletion rule
# ----------------------------------------------------------------------------------------------------
def _regular(path):
    """Whether `path` is a regular file itself (not a symbolic link, folder, FIFO, ...)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _lexists(path):
    try:
        os.lstat(path)
        return True
    except OSError:
        return False


def package_files(folder):
    """Return the names of the files in `folder` that the package wrote: the only ones it ever removes.

    Those its manifest lists (with a manifest left ``writing`` by a killed save, also the files of the unit
    before it), its temporary files, and, in a folder without a manifest (older than manifests), the known
    names of the registry (`files.package_names`). Only regular files: a folder or a link of that name is
    not the package's. ``manifest.json`` is among them when it exists.

    Raises
    ------
    ManifestError
        If the folder's manifest is damaged: its files cannot then be told from others.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is not None and manifest["listed"]:
        listed = set(manifest["files"]) | set(manifest["previous"])
        names = {name for name in listed if _regular(folder / name)}
        known = listed | set(package_names())
        if _regular(folder / MANIFEST_JSON):
            names.add(MANIFEST_JSON)
    else:
        known = set(package_names())
        names = {name for name in known if _regular(folder / name)}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return sorted(names)
    for entry in entries:
        if entry.name.startswith(".") and _is_our_temp(entry.name, known) and entry.is_file(follow_symlinks=False):
            names.add(entry.name)
    return sorted(names)


def _is_our_temp(name, known):
    """Whether `name` is the temporary file (`files.temporary_path`) of a file of the package."""
    base = temporary_target(name)
    if base is None:
        return False
    return base in known or base.rsplit(".", 1)[0] in FIGURE_STEMS or base == _WRITE_TEST


def holds_results(folder):
    """Return True if `folder` holds data files of a run (complete or not)."""
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except ConfigurationError:
        return True  # a damaged manifest: something of ours is there
    if manifest is not None and manifest["listed"]:
        return any(name in DATA_FILES for name in (*manifest["files"], *manifest["previous"]))
    return any(_regular(folder / name) for name in DATA_FILES)


#: Name of the probe file that checks a folder is writable (`ResultsFolder._check_writable`).
_WRITE_TEST = ".write-test"


class ResultsFolder:
    """An output folder, locked for as long as it is open; results and figures are written as units.

    Parameters
    ----------
    path : str or path-like
    overwrite : bool
        Allow a folder that already holds results; the package's files there are replaced at the
        first save, and nothing else in the folder is touched.

    Examples
    --------
    >>> with ResultsFolder("out", overwrite=True) as folder:                     # doctest: +SKIP
    ...     folder.save_results(results)                                         # one complete unit
    ...     folder.add_files(lambda unit: save_standard_figures(results, unit, ["png"]))  # data kept, figures added
    """

    def __init__(self, path, overwrite=False):
        if path is None or str(path).strip() == "":
            raise OutputError("the output folder name is empty; give a folder with --output (e.g. -o results)")
        self.path = Path(path)
        self.overwrite = overwrite
        self._fd = None
        self._created = []
        self._committed = False
        self._keep_current = True
        self._persistent = set()  # files added with persistent=True: carried over by later saves

    # --- opening and closing -------------------------------------------------------------------
    def open(self, require_new=True, writes=()):
        """Create the folder if needed, lock it and check that it may be written.

        Parameters
        ----------
        require_new : bool
            Refuse a folder that holds results unless `overwrite` (true for runs).
        writes : iterable of str
            Names of files the caller will write (a run: its data and figures); refused now, before
            anything is simulated, if a folder, a link or a file that is not the package's is in the place
            of one.

        Returns
        -------
        ResultsFolder
            self

        Raises
        ------
        OutputError
            If the folder is a file, cannot be created or written, is locked by another process, holds
            results and `overwrite` is false, or holds something in the place of a file to be written.
        """
        path = self.path
        try:
            if path.is_symlink() and not path.exists():
                raise OutputError(
                    f"output folder {_short(path)} is a symbolic link to {_short(os.readlink(path))}, which does "
                    "not exist; create that folder or choose another with --output"
                )
            if path.exists() and not path.is_dir():
                raise OutputError(f"output folder {path} is a file; choose another folder with --output")
            self._created = self._make_dirs(path)
            self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OutputError:
            raise
        except OSError as exc:
            self.close()
            raise OutputError(
                f"cannot write to output folder {_short(path)} ({_describe(exc)}); choose another folder with --output"
            ) from exc
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                self.close()
                raise OutputError(
                    f"output folder {path} is in use by another run (it holds the folder's lock); "
                    "wait for it to finish or choose another folder with --output"
                ) from None
            # A file system without locks (some network mounts): go on without one rather than refuse to work.
        try:
            ours = package_files(path)
        except ManifestError as exc:
            self.close()
            raise OutputError(
                f"{exc}. The package cannot tell its files there from yours: remove {path / MANIFEST_JSON} "
                "(its known files are then replaced) or choose another folder with --output"
            ) from None
        if require_new and not self.overwrite:
            results = holds_results(path)
            if results or [name for name in ours if TEMP_MARK not in name]:
                self.close()
                unfinished = (read_manifest(path) or {}).get("state") == "writing"
                held = "an unfinished save (a process was killed while saving)" if unfinished else "results"
                raise OutputError(
                    f"output folder {path} already holds {held if results else 'figures'}; "
                    "choose another folder with --output, or pass --overwrite to replace them"
                )
        self._check_writable()
        try:
            for name in writes:
                problem = _target_problem(path, name, ours)
                if problem:
                    raise OutputError(problem)
            if require_new and self.overwrite:
                self._check_replaceable(ours)
        except OutputError:
            self.close()
            raise
        return self

    def _make_dirs(self, path):
        """Create `path` and missing parents; return the ones created, deepest last."""
        missing = []
        current = path
        while not current.exists():
            if current.is_symlink():
                raise OutputError(
                    f"{_short(current)} is a symbolic link to {_short(os.readlink(current))}, which does not exist; "
                    "create that folder or choose another with --output"
                )
            missing.append(current)
            if current.parent == current:
                break
            current = current.parent
        for folder in reversed(missing):
            folder.mkdir(exist_ok=True)
        return list(reversed(missing))

    def _check_writable(self):
        probe = self.path / f"{_WRITE_TEST}{TEMP_MARK}{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            self.close()
            raise OutputError(
                f"cannot write to output folder {self.path} ({_describe(exc)}); choose a writable folder with --output"
            ) from exc

    def _check_replaceable(self, ours):
        """Refuse, before anything is simulated, a file of the package here that a save could not replace.

        An immutable or append-only file (``chattr +i``/``+a``) can be neither moved nor removed, not even by
        root; finding it now saves the run instead of failing at its first save.
        """
        for name in ours:
            if _immutable(self.path / name):
                raise OutputError(
                    f"cannot replace {self.path / name} (Operation not permitted: it is immutable or append-only), a "
                    "file of the results already there; make it changeable (chattr -i -a) or choose another folder "
                    "with --output"
                )

    def close(self):
        """Release the lock; remove the folder again if this object created it and nothing was saved."""
        if self._fd is not None:
            try:
                os.close(self._fd)  # also releases the lock
            finally:
                self._fd = None
        if not self._committed:
            for folder in reversed(self._created):
                try:
                    folder.rmdir()  # only if empty: never removes anything written there
                except OSError:
                    break
        self._created = []

    def __enter__(self):
        if self._fd is None:
            self.open()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    # --- writing units -------------------------------------------------------------------------
    def unit(self, keep=()):
        """Return a `Unit` that replaces the package's files here when committed.

        Parameters
        ----------
        keep : iterable of str
            Names of files of the current unit to carry over unchanged (e.g. the data when only
            figures are re-drawn).
        """
        return Unit(self, keep=keep)

    def save_results(self, results, extra_files=None):
        """Write `results` (NPZ, CSV, JSON) and `extra_files` as a new unit; signals wait until it is done.

        Parameters
        ----------
        results : Results
        extra_files : dict of str to str, optional
            Further text files of the unit, e.g. ``{"signature.txt": table}``.

        Returns
        -------
        list of pathlib.Path
        """
        with deferred():
            with self.unit(keep=self._persistent_names()) as unit:
                results.write_files(unit)
                for name, text in (extra_files or {}).items():
                    with open(unit.path(name), "w", encoding="utf-8") as fh:
                        fh.write(text)
        return unit.paths

    def add_files(self, write, persistent=False):
        """Add files (figures, tables, a saved network) to the unit in this folder: ``write(unit)`` writes them.

        The files of the current unit are kept (they describe the same run), unless the folder was
        opened with `open_for_figures` for the results of another folder: then the new files replace
        every file of the package here.

        Parameters
        ----------
        write : callable
            ``write(unit)``; writes each file to ``unit / name`` (see `Unit.path`).
        persistent : bool
            Carry the files over into every later `save_results` of this open folder. For files that
            stay valid while the run goes on (snapshots of the network taken during the run); figures
            and tables drawn from the results are not, since the next save changes the results.

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        keep = []
        if self._keep_current:
            manifest = verify(self.path)
            if manifest is not None:
                keep = list(manifest["files"])
            else:  # a folder saved before manifests existed: keep every file of ours
                keep = [name for name in package_files(self.path) if name != MANIFEST_JSON and TEMP_MARK not in name]
        with self.unit(keep=keep) as unit:
            write(unit)
        if persistent:
            self._persistent |= unit.new_names
        return [self.path / name for name in sorted(unit.new_names)]

    def _persistent_names(self):
        """Names of persistent files that the current unit still lists (checked again when it is read)."""
        if not self._persistent:
            return []
        manifest = read_manifest(self.path) or {"files": {}}
        return sorted(name for name in self._persistent if name in manifest["files"])

    def open_for_figures(self, source):
        """Open this folder to receive figures drawn from the results in folder `source`.

        The results' own folder is updated in place (its data stay). Any other folder must not hold the
        results of a run (its figures would then not match its data), and figures drawn there before
        are replaced only with `overwrite`.

        Returns
        -------
        ResultsFolder
            self

        Raises
        ------
        OutputError
        """
        self.open(require_new=False)
        try:
            same = Path(source).resolve() == self.path.resolve()
        except OSError:
            same = False
        self._keep_current = same
        if not same:
            if holds_results(self.path):
                self.close()
                raise OutputError(
                    f"{self.path} holds the results of another run; figures of {source} there would not match "
                    "its data: choose another folder with -o (or leave -o out to draw into the results' folder)"
                )
            if package_files(self.path) and not self.overwrite:
                self.close()
                raise OutputError(
                    f"{self.path} already holds figures; pass --overwrite to replace them, or choose another folder"
                )
        return self

    def _commit(self, unit):
        """Put the unit in place as one step that completes or is undone (see the module docstring)."""
        folder = self.path
        raw, current = _manifest(folder)
        ours = package_files(folder)
        files = {name: _entry(tmp) for name, tmp in unit.temporaries.items()}
        for name in unit.kept:
            listed = current is None or name in current["files"]
            if name not in files and listed and _regular(folder / name):
                files[name] = _entry(folder / name)
        # Before anything changes: the place of every new file is free or holds a file of ours.
        for name in unit.temporaries:
            problem = _target_problem(folder, name, ours)
            if problem:
                raise OutputError(problem)
        leftovers = [name for name in ours if name.startswith(".")]  # temporaries of killed saves
        carried = set(files) - set(unit.temporaries)  # files of the current unit kept as they are
        # Moved aside: every file of ours that is not carried over (those the new unit replaces or no longer has).
        replaced = sorted(
            name for name in ours if name not in leftovers and name != MANIFEST_JSON and name not in carried
        )
        header = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION}
        # The files that may still be here if this save is killed: both units of a save killed before, too.
        previous = {**current["previous"], **current["files"]} if current is not None else {}
        staged = []
        with deferred():
            try:
                writing = _stage(folder, _json(dict(header, state="writing", files=files, previous=previous)), staged)
                complete = dict(header, state="complete", written_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
                complete = _stage(folder, _json(dict(complete, files=dict(sorted(files.items())))), staged)
                backup = _stage(folder, raw, staged) if raw is not None else None
            except BaseException:
                _remove(staged)
                raise
            moved, placed, marked = [], [], False
            try:
                os.replace(writing, folder / MANIFEST_JSON)
                marked = True
                for name in replaced:
                    if _lexists(folder / name):
                        aside = temporary_path(folder / name)
                        os.rename(folder / name, aside)
                        moved.append((folder / name, aside))
                for name, tmp in unit.temporaries.items():
                    os.rename(tmp, folder / name)
                    placed.append((folder / name, tmp))
                os.replace(complete, folder / MANIFEST_JSON)
            except BaseException:
                # Undo every move: the new files back to their temporary names (the unit removes them), the
                # previous files and manifest back into place.
                for target, tmp in reversed(placed):
                    _quietly(os.rename, target, tmp)
                for target, aside in reversed(moved):
                    _quietly(os.rename, aside, target)
                if marked:
                    if backup is not None:
                        _quietly(os.replace, backup, folder / MANIFEST_JSON)
                    else:
                        _quietly(os.unlink, folder / MANIFEST_JSON)
                _remove(staged)
                raise
            _remove([aside for _, aside in moved] + [folder / name for name in leftovers] + staged)
        self._committed = True
        return [folder / name for name in sorted(files)]


def _target_problem(folder, name, ours):
    """Why the file `name` of a unit cannot be put into `folder` (something not the package's is there), or None."""
    target = Path(folder) / name
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot use {target} ({_describe(exc)}); choose another folder with --output"
    if stat.S_ISDIR(info.st_mode):
        kind = "a folder"
    elif stat.S_ISLNK(info.st_mode):
        kind = "a symbolic link"
    elif not stat.S_ISREG(info.st_mode):
        kind = "a device, FIFO or socket"
    elif name not in ours:
        return (
            f"{target} is not a file of the package (its manifest does not list it), where the package writes its "
            f"{name}; move it away or choose another folder with --output"
        )
    else:
        return None
    return f"{target} is {kind}, where the package writes its file {name}; move it away or choose another folder with --output"


#: ``FS_IOC_GETFLAGS`` of Linux (``_IOR('f', 1, long)``) and the flags that forbid moving or removing a file.
_FS_IOC_GETFLAGS = (2 << 30) | (struct.calcsize("l") << 16) | (ord("f") << 8) | 1
_FS_IMMUTABLE_FL, _FS_APPEND_FL = 0x10, 0x20


def _immutable(path):
    """Whether the file `path` is immutable or append-only (Linux file attributes); False where unknown."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        flags = bytearray(8)
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags)
    except OSError:
        return False  # a file system without attributes
    finally:
        os.close(fd)
    return bool(int.from_bytes(flags[:4], sys.byteorder) & (_FS_IMMUTABLE_FL | _FS_APPEND_FL))


def _entry(path):
    """Size and SHA-256 of the regular file `path`, as a manifest lists them."""
    fd = open_regular(path)
    try:
        digest, size = hashlib.sha256(), 0
        for block in iter(lambda: os.read(fd, 1 << 22), b""):
            digest.update(block)
            size += len(block)
    finally:
        os.close(fd)
    return {"bytes": size, "sha256": digest.hexdigest()}


def _json(value):
    return (json.dumps(value, indent=1) + "\n").encode("utf-8")


def _stage(folder, content, staged):
    """Write `content` (bytes) to a temporary sibling of the manifest; return its path (also added to `staged`)."""
    path = temporary_path(Path(folder) / MANIFEST_JSON)
    staged.append(path)
    with open(path, "wb") as fh:
        fh.write(content)
    return path


def _quietly(action, *args):
    try:
        action(*args)
    except OSError:
        pass  # undoing after an error: the error that matters is the one being raised


def _remove(paths):
    for path in paths:
        _quietly(os.unlink, path)


class Unit:
    """Files being written for one commit of a `ResultsFolder` (use as a context manager).

    `path` gives the temporary path to write a file of the unit to; leaving the ``with`` block
    commits all of them at once, and an exception removes them, leaving the folder as it was.
    """

    def __init__(self, folder, keep=()):
        self.folder = folder
        self.kept = list(keep)
        self.temporaries = {}
        self.paths = []

    @property
    def new_names(self):
        """set of str: names of the files written in this unit (not carried over)."""
        return set(self.temporaries)

    def path(self, name):
        """Return the temporary path for the unit's file `name` (a plain file name, see `name_problem`)."""
        problem = name_problem(name)
        if problem:
            raise ValueError(f"{name!r} cannot be a file of a results unit: it {problem}")
        if name not in self.temporaries:
            self.temporaries[name] = temporary_path(self.folder.path / name)
        return self.temporaries[name]

    def __truediv__(self, name):
        return self.path(name)

    def abort(self):
        """Remove the temporary files; the folder keeps its previous unit."""
        for tmp in self.temporaries.values():
            try:
                tmp.unlink()
            except OSError:
                pass
        self.temporaries = {}

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort()
            if isinstance(exc, OSError):
                raise OutputError(
                    f"cannot write results to {self.folder.path} ({_cause(exc)}); the folder keeps what it held "
                    f"before: {_advice(exc)}"
                ) from exc
            return False
        try:
            missing = [name for name, tmp in self.temporaries.items() if not tmp.is_file()]
            if missing:
                raise OutputError(f"the files {', '.join(missing)} of the unit were never written")
            self.paths = self.folder._commit(self)
        except OSError as exc:
            self.abort()
            raise OutputError(
                f"cannot write results to {self.folder.path} ({_cause(exc)}); the folder keeps what it held before: "
                f"{_advice(exc)}"
            ) from exc
        except BaseException:
            self.abort()
            raise
        return False


def _short(path, limit=80):
    text = str(path)
    return text if len(text) <= limit else f"{text[:limit // 2]}...{text[-limit // 2:]}"
