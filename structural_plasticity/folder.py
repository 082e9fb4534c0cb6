"""A results folder as one unit: locked while a run writes it, and written complete or not at all.

The package's files in a folder (data, metadata, figures, ``signature.txt``, ...) form one *unit*,
described by ``manifest.json``: the name, size and SHA-256 of every file, written last. A save writes
each new file under a temporary name, then, with Ctrl-C and SIGTERM held back (`interrupts.deferred`):
marks the manifest as being written, moves the new files into place, removes the files of the previous
unit that the new one does not have (old figures, say), and writes the new manifest. A reader
(`verify`, called by `load_results`) accepts a folder only if the manifest says ``complete`` and every
file it lists is there with its size and checksum, so an interrupted or mixed save is refused, never
read as a finished run. A folder without a manifest (written before manifests existed) is read as it is.

A run holds an exclusive lock on its folder (``flock`` on the directory itself, released by the
system when the process ends, however it ends), so a second run into the same folder is refused.

Files of the package are those listed by the folder's manifest, plus, for folders without one, the
names of the registry `files` (`files.PACKAGE_FILES`, and `files.FIGURE_STEMS` in every figure format).
``--overwrite`` removes those and nothing else.
"""

import errno
import fcntl
import hashlib
import json
import os
import time
from pathlib import Path

from .errors import ConfigurationError
from .files import (
    DATA_FILES,
    FIGURE_STEMS,
    MANIFEST_JSON,
    TEMP_MARK,
    package_names,
    temporary_path,
    temporary_target,
    write_json,
)
from .interrupts import deferred

MANIFEST_FORMAT = "structural_plasticity results folder"
MANIFEST_VERSION = 1


class OutputError(ConfigurationError):
    """The output folder cannot be used or written (in use, full, not writable, a file, ...)."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(exc):
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)


def read_manifest(folder):
    """Return the manifest of `folder` as a dict, None if it has none.

    Raises
    ------
    ConfigurationError
        If ``manifest.json`` exists but cannot be read as a manifest.
    """
    path = Path(folder) / MANIFEST_JSON
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path} ({_describe(exc)})") from exc
    try:
        manifest = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{path} is damaged ({exc}); the folder's results cannot be trusted") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ConfigurationError(f"{path} is not a manifest of structural_plasticity results")
    return manifest


def verify(folder):
    """Check that `folder` holds one complete unit; return its manifest (None for a folder without one).

    Raises
    ------
    ConfigurationError
        If the last save into the folder did not finish, or a file differs from what the manifest lists
        (an interrupted save, or files changed or mixed in afterwards).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    if manifest.get("state") != "complete":
        raise ConfigurationError(
            f"{folder} holds an unfinished save (the process writing it was killed while saving); "
            "its files may come from two runs: run again into another folder or with --overwrite"
        )
    for name, entry in manifest["files"].items():
        path = folder / name
        try:
            size = path.stat().st_size
        except OSError:
            raise ConfigurationError(
                f"{folder} lacks {name}, which its manifest lists; the results are incomplete"
            ) from None
        if not isinstance(entry, dict) or size != entry.get("bytes") or _sha256(path) != entry.get("sha256"):
            raise ConfigurationError(
                f"{path} is not the file saved with these results (size or checksum differs from {MANIFEST_JSON}); "
                "the folder mixes files of different runs or was changed: run again into another folder"
            )
    return manifest


def package_files(folder):
    """Return the names of the files in `folder` that the package wrote (manifest, known names, temporaries)."""
    folder = Path(folder)
    names = set()
    try:
        manifest = read_manifest(folder)
    except ConfigurationError:
        manifest = None
    if manifest is not None:
        names |= {name for name in manifest["files"] if "/" not in name and name not in ("", ".", "..")}
    known = package_names()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return sorted(names)
    for entry in entries:
        if not entry.is_file(follow_symlinks=False):
            continue
        if entry.name in known or _is_our_temp(entry.name):
            names.add(entry.name)
    return sorted(name for name in names if (folder / name).exists() or (folder / name).is_symlink())


def _is_our_temp(name):
    """Whether `name` is the temporary file (`files.temporary_path`) of a file of the package."""
    base = temporary_target(name)
    return base is not None and (base in package_names() or base.rsplit(".", 1)[0] in FIGURE_STEMS)


def holds_results(folder):
    """Return True if `folder` holds data files of a run (complete or not)."""
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except ConfigurationError:
        return True  # a damaged manifest: something of ours is there
    if manifest is not None and any(name in DATA_FILES for name in manifest["files"]):
        return True
    return any(_exists(folder / name) for name in DATA_FILES)


def _exists(path):
    try:
        return path.exists()
    except OSError:
        return False


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
    def open(self, require_new=True):
        """Create the folder if needed, lock it and check that it may be written.

        Parameters
        ----------
        require_new : bool
            Refuse a folder that holds results unless `overwrite` (true for runs).

        Returns
        -------
        ResultsFolder
            self

        Raises
        ------
        OutputError
            If the folder is a file, cannot be created or written, is locked by another process, or holds
            results and `overwrite` is false.
        """
        path = self.path
        try:
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
        if require_new and not self.overwrite:
            ours = [name for name in package_files(path) if TEMP_MARK not in name]
            if holds_results(path) or ours:
                self.close()
                raise OutputError(
                    f"output folder {path} already holds {'results' if holds_results(path) else 'figures'}; "
                    "choose another folder with --output, or pass --overwrite to replace them"
                )
        self._check_writable()
        return self

    def _make_dirs(self, path):
        """Create `path` and missing parents; return the ones created, deepest last."""
        missing = []
        current = path
        while not current.exists():
            missing.append(current)
            if current.parent == current:
                break
            current = current.parent
        for folder in reversed(missing):
            folder.mkdir(exist_ok=True)
        return list(reversed(missing))

    def _check_writable(self):
        probe = self.path / f".write-test{TEMP_MARK}{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            self.close()
            raise OutputError(
                f"cannot write to output folder {self.path} ({_describe(exc)}); choose a writable folder with --output"
            ) from exc

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
        """Move the unit's files into place and write its manifest (see the module docstring)."""
        folder = self.path
        files = {}
        for name, tmp in unit.temporaries.items():
            files[name] = {"bytes": tmp.stat().st_size, "sha256": _sha256(tmp)}
        for name in unit.kept:
            if name not in files and (folder / name).is_file():
                files[name] = {"bytes": (folder / name).stat().st_size, "sha256": _sha256(folder / name)}
        with deferred():
            write_json(
                folder / MANIFEST_JSON,
                {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "state": "writing"},
                indent=1,
            )
            for name, tmp in unit.temporaries.items():
                os.replace(tmp, folder / name)
            # Whatever of ours the new unit does not have goes: old figures, files of the last run, leftovers.
            for name in package_files(folder):
                if name not in files and name != MANIFEST_JSON:
                    try:
                        (folder / name).unlink()
                    except FileNotFoundError:
                        pass
            write_json(
                folder / MANIFEST_JSON,
                {
                    "format": MANIFEST_FORMAT,
                    "version": MANIFEST_VERSION,
                    "state": "complete",
                    "written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "files": dict(sorted(files.items())),
                },
                indent=1,
            )
        self._committed = True
        return [folder / name for name in sorted(files)]


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
        """Return the temporary path for the unit's file `name` (a plain file name, no folders)."""
        if not name or "/" in name or name in (".", "..", MANIFEST_JSON):
            raise ValueError(f"{name!r} cannot be a file of a results unit")
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
                    f"cannot write results to {self.folder.path} ({_describe(exc)}); the folder keeps what it held "
                    "before: free some space or choose another folder with --output"
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
                f"cannot write results to {self.folder.path} ({_describe(exc)}); free some space or choose "
                "another folder with --output"
            ) from exc
        except BaseException:
            self.abort()
            raise
        return False


def _short(path, limit=80):
    text = str(path)
    return text if len(text) <= limit else f"{text[:limit // 2]}...{text[-limit // 2:]}"
