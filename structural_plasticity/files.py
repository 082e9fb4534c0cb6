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

import json
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import numpy as np

# ----------------------------------------------------------------------------------------------------
# A results folder
# ----------------------------------------------------------------------------------------------------
RESULTS_NPZ = "results.npz"
RESULTS_CSV = "results.csv"
METADATA_JSON = "metadata.json"
ARRAYS_NPZ = "arrays.npz"
CONNECTIVITY_NPZ = "connectivity.npz"
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
PACKAGE_FILES = (*DATA_FILES, ARRAYS_NPZ, SIGNATURE_TXT, CONNECTIVITY_NPZ, RECORDING_NPZ, MANIFEST_JSON)

#: Figure stems: Ca and connections (NEST's figure) and the overview of every run; an experiment's figure; the
#: raster and the figure of single neurons of a run with recordings (``--record``).
MAIN_FIGURE = "structural_plasticity"
OVERVIEW_FIGURE = "overview"
LESION_FIGURE = "lesion"
STIMULATION_FIGURE = "stimulation"
ASSEMBLY_FIGURE = "assembly"
RASTER_FIGURE = "raster"
NEURONS_FIGURE = "neurons"
FIGURE_STEMS = (
    MAIN_FIGURE,
    OVERVIEW_FIGURE,
    LESION_FIGURE,
    STIMULATION_FIGURE,
    ASSEMBLY_FIGURE,
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


def temporary_path(path):
    """Return a fresh temporary sibling of `path` (hidden, unique to this process and call)."""
    path = Path(path)
    return path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")


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
