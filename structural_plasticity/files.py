"""Every file the package writes, by name, and the one way it writes a file atomically.

The registry: a results folder (the output of one run, one unit of `folder`) may hold

=========================  =========================================================================
file                       what
=========================  =========================================================================
``results.npz``            the recorded series, one value per sample (`results.Results.write_files`)
``results.csv``            the same columns, for spreadsheets and pandas
``metadata.json``          parameters and provenance; ``"completed"`` says whether the run ended
``arrays.npz``             arrays that are not series (`Results.arrays`, e.g. the assembly's synapses)
``connectivity.npz``       snapshots of the plastic synapses (`connectivity`)
``recording.npz``          spikes, Ca and elements of single neurons, with ``--record`` (`recording`)
``results.nwb``, ...       exports of the folder (`EXPORT_FILES`, `structural_plasticity.export`)
``signature.txt``          an experiment's table (``lesion``, ``stimulate``, ``assembly``)
``<stem>.<format>``        figures: a stem of `FIGURE_STEMS` in a format of `FIGURE_FORMATS`
``manifest.json``          name, size and SHA-256 of every file above, written last (`folder`)
``stdout.log``, ...        an ensemble member's output (``stderr.log`` too), beside its results
=========================  =========================================================================

and an ensemble folder holds ``ensemble.json`` (the plan), one results folder per member and
``merged/`` (`MERGED_DIR`: a folder per grid point with ``merged.npz``, ``.csv``, ``.json`` and figures,
and the summary tables).

Files written on their own, outside a results folder's unit (a saved network, the plan of an ensemble,
the merged files), are written with `atomic_write`: to a temporary sibling (`temporary_path`) that
replaces the file only once it is complete, so a reader never sees half a file. The files of a results
folder are written to temporary siblings of the same form by `folder.Unit`, and committed together.
"""

import hashlib
import inspect
import io
import json
import math
import os
import secrets
import stat
import struct
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigurationError

# ----------------------------------------------------------------------------------------------------
# A results folder
# ----------------------------------------------------------------------------------------------------
RESULTS_NPZ = "results.npz"
RESULTS_CSV = "results.csv"
METADATA_JSON = "metadata.json"
ARRAYS_NPZ = "arrays.npz"
CONNECTIVITY_NPZ = "connectivity.npz"
POSITIONS_NPZ = "positions.npz"  # neurons' positions on a sheet (networks with a Placement)
MAPS_NPZ = "maps.npz"  # Ca of every neuron at a few times (the focal lesion's maps)
SIGNATURE_TXT = "signature.txt"
MANIFEST_JSON = "manifest.json"
RECORDING_NPZ = "recording.npz"

#: Exports of a results folder into other tools' formats (`structural_plasticity.export`), files of its unit.
NWB_FILE = "results.nwb"
NIX_FILE = "results.nix"
EDGES_CSV = "edges.csv"
SONATA_NODES = "sonata_nodes.h5"
SONATA_EDGES = "sonata_edges.h5"
SONATA_NODE_TYPES = "sonata_node_types.csv"
SONATA_EDGE_TYPES = "sonata_edge_types.csv"
SONATA_CONFIG = "sonata_circuit_config.json"
EXPORT_FILES = (
    NWB_FILE,
    NIX_FILE,
    EDGES_CSV,
    SONATA_NODES,
    SONATA_EDGES,
    SONATA_NODE_TYPES,
    SONATA_EDGE_TYPES,
    SONATA_CONFIG,
)

#: Data files whose presence means a folder holds the results of a run (complete or not).
DATA_FILES = (RESULTS_NPZ, RESULTS_CSV, METADATA_JSON)
#: Every fixed file name of a results folder (figures are `FIGURE_STEMS` in `FIGURE_FORMATS`).
PACKAGE_FILES = (
    *DATA_FILES,
    ARRAYS_NPZ,
    SIGNATURE_TXT,
    CONNECTIVITY_NPZ,
    POSITIONS_NPZ,
    MAPS_NPZ,
    RECORDING_NPZ,
    MANIFEST_JSON,
)

#: Figure stems: Ca and connections (NEST's figure) and the overview of every run; an experiment's figure; the
#: raster and the figure of single neurons of a run with recordings (``--record``).
MAIN_FIGURE = "structural_plasticity"
OVERVIEW_FIGURE = "overview"
LESION_FIGURE = "lesion"
STIMULATION_FIGURE = "stimulation"
ASSEMBLY_FIGURE = "assembly"
FOCAL_FIGURE = "focal_lesion"
MAPS_FIGURE = "focal_lesion_maps"
RASTER_FIGURE = "raster"
NEURONS_FIGURE = "neurons"
FIGURE_STEMS = (
    MAIN_FIGURE,
    OVERVIEW_FIGURE,
    LESION_FIGURE,
    STIMULATION_FIGURE,
    ASSEMBLY_FIGURE,
    FOCAL_FIGURE,
    MAPS_FIGURE,
    RASTER_FIGURE,
    NEURONS_FIGURE,
)
FIGURE_FORMATS = ("png", "eps", "pdf", "svg", "ps")

#: What an ensemble writes beside each member's results.
STDOUT_LOG = "stdout.log"
STDERR_LOG = "stderr.log"

# ----------------------------------------------------------------------------------------------------
# An ensemble folder
# ----------------------------------------------------------------------------------------------------
PLAN_JSON = "ensemble.json"
MERGED_DIR = "merged"
#: In ``merged/<grid point>/``: the statistics over seeds (and the two standard figures).
MERGED_NPZ = "merged.npz"
MERGED_CSV = "merged.csv"
MERGED_JSON = "merged.json"
#: In ``merged/``: the scalar outcomes per grid point and per member, and the figure comparing grid points.
SUMMARY_CSV = "summary.csv"
SUMMARY_JSON = "summary.json"
SUMMARY_TXT = "summary.txt"
MEMBERS_CSV = "members.csv"
GRID_FIGURE = "grid"


def package_names():
    """Return the set of every fixed file name of a results folder, exports and figures in every format included."""
    return set(PACKAGE_FILES) | set(EXPORT_FILES) | {f"{stem}.{fmt}" for stem in FIGURE_STEMS for fmt in FIGURE_FORMATS}


# ----------------------------------------------------------------------------------------------------
# Writing a file atomically
# ----------------------------------------------------------------------------------------------------
#: Marks a temporary file: ``.<name>.tmp-<pid>-<token>`` beside the file ``<name>`` it becomes.
TEMP_MARK = ".tmp-"


#: Longest file name (bytes) of the file systems the package writes to (``NAME_MAX`` of Linux, macOS, NTFS).
MAX_NAME_BYTES = 255
#: Of a name too long for a temporary sibling, the bytes kept at its start (the rest becomes a digest).
_KEPT_OF_LONG_NAME = 100


def temporary_path(path):
    """Return a fresh temporary sibling of `path` (hidden, unique to this process and call).

    A name so long that its temporary sibling would exceed `MAX_NAME_BYTES` (a network file of 255
    characters, say) is shortened in the temporary name: its first bytes and a digest of the whole.
    """
    path = Path(path)
    suffix = f"{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
    name = path.name
    if len(os.fsencode(f".{name}{suffix}")) > MAX_NAME_BYTES:
        digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:16]
        start = os.fsencode(name)[:_KEPT_OF_LONG_NAME].decode("utf-8", "ignore")
        name = f"{start}~{digest}"
    return path.with_name(f".{name}{suffix}")


def temporary_target(name):
    """Return the name of the file that the temporary file `name` (see `temporary_path`) becomes, or None."""
    if not name.startswith(".") or TEMP_MARK not in name:
        return None
    return name[1:].split(TEMP_MARK, 1)[0]


@contextmanager
def atomic_write(path, mode="w", **kwargs):
    """Write the file `path` all at once: yield a file open on a temporary sibling, moved onto `path` at the end.

    The move (`os.replace`) happens only when the block ends without an exception; otherwise the
    temporary file is removed and `path` keeps what it held. Readers see the old file or the new one,
    never a part.

    Parameters
    ----------
    path : str or path-like
    mode : str
        ``"w"`` (text) or ``"wb"`` (binary), as for `open`.
    **kwargs
        Passed to `open` (``encoding``, ``newline``).

    Examples
    --------
    >>> with atomic_write("network.npz", "wb") as fh:   # doctest: +SKIP
    ...     np.savez(fh, **arrays)
    """
    path = Path(path)
    tmp = temporary_path(path)
    try:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass  # never there, or not removable: the error that matters is the one being raised
        raise


class UnreadableFile(OSError):
    """A file that `read_file` refuses: not a regular file, or larger than allowed. ``reason`` says which."""

    def __init__(self, path, reason):
        super().__init__(f"{path} {reason}")
        self.path, self.reason = path, reason


def open_regular(path, follow_symlinks=False):
    """Open `path` for reading if it is a regular file; return the file descriptor (close it).

    FIFOs, devices, folders and sockets are refused without waiting (a FIFO would block, ``/dev/zero``
    never ends), and so are symbolic links unless `follow_symlinks`.

    Raises
    ------
    UnreadableFile
        For anything but a regular file.
    OSError
        If it cannot be opened (missing, no permission, ...).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow_symlinks and os.path.islink(path):
            raise UnreadableFile(path, "is a symbolic link, not a file the package wrote") from exc
        if os.path.isdir(path):
            raise UnreadableFile(path, "is a folder, not a file") from exc
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
        raise UnreadableFile(path, f"is {kind}, not a regular file")
    os.set_blocking(fd, True)
    return fd


def read_file(path, max_bytes, follow_symlinks=False):
    """Return the bytes of the regular file `path`, refusing files of more than `max_bytes` before reading them.

    The file is read once, through one descriptor: a writer that replaces it meanwhile (`atomic_write`) does
    not change what is read. See `open_regular` for what is refused besides size.

    Raises
    ------
    UnreadableFile
        Not a regular file, or larger than `max_bytes` (also if it grew while being read).
    OSError
    """
    fd = open_regular(path, follow_symlinks)
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise UnreadableFile(path, f"has {size} bytes, more than the {max_bytes} expected")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 24, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise UnreadableFile(path, f"grew beyond the {max_bytes} bytes expected while it was read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_json(path, value, indent=2):
    """Write `value` as JSON (and a final newline) to `path` with `atomic_write`."""
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(value, fh, indent=indent)
        fh.write("\n")


def jsonable(value):
    """Convert numpy scalars and arrays (and tuples) inside `value` to plain JSON types (a float NaN or inf: None)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


# ----------------------------------------------------------------------------------------------------
# Reading NPZ files: headers first, nothing decompressed that the headers do not allow
# ----------------------------------------------------------------------------------------------------
#: Longest header of one array in an NPZ (bytes). numpy writes headers of about 100 bytes; numpy's own
#: reader reads a header of any declared length (up to 4 GB) before it checks it.
MAX_NPY_HEADER_BYTES = 1 << 16
#: Most arrays one NPZ file of the package may hold (a network file holds about 30, results a few hundred).
MAX_NPZ_MEMBERS = 10_000
_NPY_MAGIC = b"\x93NUMPY"
_HEADER_LENGTH = {(1, 0): "<H", (2, 0): "<I"}
_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
_LIMITED = "max_header_size" in inspect.signature(np.lib.format.read_array_header_1_0).parameters


@dataclass(frozen=True)
class NpyHeader:
    """What the header of one array of an NPZ file declares, read before any of its data.

    Attributes
    ----------
    name : str
        The array's name (the member's name without ``.npy``).
    shape : tuple of int
    dtype : numpy.dtype
    fortran_order : bool
    info : zipfile.ZipInfo
        The member, with its declared (uncompressed) ``file_size``.
    """

    name: str
    shape: tuple
    dtype: object
    fortran_order: bool
    info: object

    @property
    def nbytes(self):
        """int: bytes of the array's data, as its header declares them."""
        return math.prod(self.shape) * self.dtype.itemsize


class NpzError(ConfigurationError):
    """An NPZ file the package refuses to read; ``problem`` says why, without the file's name."""

    def __init__(self, message, problem):
        super().__init__(message)
        self.problem = problem


def _npz_error(what, problem):
    return NpzError(f"{what} is damaged or not an NPZ file of the package ({problem})", problem)


def npz_headers(archive, what):
    """Return ``{name: NpyHeader}`` of the arrays of the open NPZ `archive`, from their headers alone.

    Refused (before any array's data is read): members that are not ``.npy`` arrays or repeat a name, more
    than `MAX_NPZ_MEMBERS`, headers longer than `MAX_NPY_HEADER_BYTES` or of an unknown version, object
    arrays (pickles, which the package never writes nor loads), and members whose declared size is not
    the size their header describes (so that reading one can never produce more than its header says).

    Parameters
    ----------
    archive : zipfile.ZipFile
    what : str
        The file, for the messages.

    Raises
    ------
    ConfigurationError
    """
    members = archive.infolist()
    if len(members) > MAX_NPZ_MEMBERS:
        raise _npz_error(what, f"{len(members)} arrays, more than the {MAX_NPZ_MEMBERS} a file of the package holds")
    headers = {}
    for info in members:
        if not info.filename.endswith(".npy") or info.is_dir():
            raise _npz_error(what, f"member {info.filename!r} is not an array")
        name = info.filename[: -len(".npy")]
        if name in headers:
            raise _npz_error(what, f"array {name!r} is stored twice")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _npz_error(what, f"array {name!r} is compressed in a way numpy never writes")
        try:
            magic, length_bytes, header = _npy_header_bytes(archive, info, what, name)
        except NpzError:
            raise
        except _DAMAGED_ZIP as exc:
            raise _npz_error(what, f"array {name!r}: {type(exc).__name__}: {exc}") from None
        version = (magic[-2], magic[-1])
        size, length = len(length_bytes), struct.unpack(_HEADER_LENGTH[version], length_bytes)[0]
        if len(header) != length:
            raise _npz_error(what, f"the header of array {name!r} is cut short")
        limit = {"max_header_size": MAX_NPY_HEADER_BYTES} if _LIMITED else {}
        try:
            shape, fortran_order, dtype = _READERS[version](io.BytesIO(length_bytes + header), **limit)
        except (ValueError, TypeError, SyntaxError) as exc:
            raise _npz_error(what, f"the header of array {name!r} is not numpy's ({exc})") from None
        if dtype.hasobject:
            problem = (
                f"array {name!r} is an object array (pickled Python objects, which allow_pickle=False refuses); "
                "the package never writes those and never loads them"
            )
            raise NpzError(f"{what} holds an object array: {problem}", problem)
        found = NpyHeader(name, tuple(shape), dtype, bool(fortran_order), info)
        if info.file_size != len(magic) + size + length + found.nbytes:
            raise _npz_error(
                what, f"array {name!r} declares {info.file_size} bytes, its header {found.nbytes} bytes of data"
            )
        headers[name] = found
    return headers


#: What zipfile and zlib raise for a damaged archive (bad CRC, bad headers, truncated or corrupt data).
_DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)


def _npy_header_bytes(archive, info, what, name):
    """Return the magic (with version), the header length's bytes and the header of one member, checked."""
    with archive.open(info) as fh:
        magic = fh.read(len(_NPY_MAGIC) + 2)
        if len(magic) < len(_NPY_MAGIC) + 2 or magic[: len(_NPY_MAGIC)] != _NPY_MAGIC:
            raise _npz_error(what, f"array {name!r} is not in numpy's format")
        version = (magic[-2], magic[-1])
        if version not in _HEADER_LENGTH:
            raise _npz_error(what, f"array {name!r} has a header of format version {version}")
        size = struct.calcsize(_HEADER_LENGTH[version])
        length_bytes = fh.read(size)
        length = struct.unpack(_HEADER_LENGTH[version], length_bytes)[0] if len(length_bytes) == size else -1
        if not 0 < length <= MAX_NPY_HEADER_BYTES:
            raise _npz_error(what, f"array {name!r} has a header of {length} bytes")
        return magic, length_bytes, fh.read(length)


def npz_array(archive, header, what):
    """Read the array of `header` (from `npz_headers`) out of `archive`, without unpickling.

    Raises
    ------
    ConfigurationError
        If the member is damaged (checksum, truncation, a header that differs from the one checked).
    """
    try:
        with archive.open(header.info) as fh:
            array = np.lib.format.read_array(fh, allow_pickle=False)
    except (*_DAMAGED_ZIP, KeyError) as exc:
        raise _npz_error(what, f"array {header.name!r}: {exc}") from None
    if array.shape != header.shape or array.dtype != header.dtype:
        raise _npz_error(what, f"array {header.name!r} differs from its header")
    return array


def open_npz(source, what):
    """Open `source` (bytes, or a binary file object) as a zip archive; a damaged one is a `ConfigurationError`."""
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
    except _DAMAGED_ZIP as exc:
        raise _npz_error(what, f"{type(exc).__name__}: {exc}") from None


def read_npz(source, what, max_bytes):
    """Read every array of the NPZ `source` (bytes or a binary file object), checking the headers first.

    Parameters
    ----------
    source : bytes or file object
    what : str
        The file, for the messages.
    max_bytes : int
        Most bytes all arrays together may hold, as their headers declare them; more is refused before
        anything is decompressed (a small file of deflated zeros can declare gigabytes).

    Returns
    -------
    dict of str to numpy.ndarray

    Raises
    ------
    ConfigurationError
    """
    with open_npz(source, what) as archive:
        headers = npz_headers(archive, what)
        total = sum(header.nbytes for header in headers.values())
        if total > max_bytes:
            raise ConfigurationError(
                f"{what} declares {total} bytes of arrays, more than the {max_bytes} this process can read; "
                "it was not written by the package"
            )
        return {name: npz_array(archive, header, what) for name, header in headers.items()}
