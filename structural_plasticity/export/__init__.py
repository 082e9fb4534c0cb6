"""Saved results and networks in the formats other tools of the field read.

==========  ===========================  =====================================  ==============================
format      from                         what                                   needs
==========  ===========================  =====================================  ==============================
``nwb``     a results folder             NWB 2 file: spikes as ``Units``,       ``pip install
                                         every series and each recorded         structural_plasticity[nwb]``
                                         neuron's Ca and elements as            (pynwb)
                                         ``TimeSeries``, parameters and
                                         provenance as metadata
``neo``     a results folder             Neo ``Block``/``Segment`` with a       ``[neo]`` (neo, nixio)
                                         ``SpikeTrain`` per recorded neuron
                                         and ``AnalogSignal`` s, as a NIX
                                         file (Elephant reads the Block)
``edges``   a saved network (NPZ) or     a plain edge list (CSV): source,       nothing (the standard library)
            a results folder with        target, populations, synapse model,
            connectivity snapshots       weight and delay (snapshots: the last
                                         one, without weights)
``sonata``  a saved network (NPZ)        SONATA nodes and edges (HDF5) with     ``[sonata]`` (h5py)
                                         their type tables and a circuit
                                         config, for tools that read SONATA
==========  ===========================  =====================================  ==============================

`export(source, format)` writes the files; `to_nwb` and `to_neo` return the objects in memory, for a
notebook. A results folder must be one complete unit of a completed run (`results.run_state`; a folder
that is half written, mixed or of an interrupted run is refused unless ``partial=True``). Without an
output path the files join the results folder's unit (``results.nwb``, ``results.nix``, ``edges.csv``,
``sonata_*``; `files.EXPORT_FILES`) and its manifest; with one they are written there. Either way a file is
written under a temporary name and moved into place only when complete: nothing is ever half written.

The third-party packages are imported only when a format needs them; importing this package imports none.
"""

import importlib.util
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from ..errors import ConfigurationError
from ..files import EDGES_CSV, NIX_FILE, NWB_FILE, PLAN_JSON, RECORDING_NPZ, temporary_path
from ..folder import ResultsFolder
from ..recording import load_recording
from ..results import load_results, run_state
from .network import SONATA_FILES, edge_table, network_source, write_edges_csv, write_sonata

#: The formats, the Python modules each needs and the extra of the package that installs them.
FORMATS = {
    "nwb": (("pynwb",), "nwb"),
    "neo": (("neo", "nixio"), "neo"),
    "edges": ((), None),
    "sonata": (("h5py",), "sonata"),
}
#: The file each format writes into a results folder (SONATA: several, `network.SONATA_FILES`).
DEFAULT_NAMES = {"nwb": NWB_FILE, "neo": NIX_FILE, "edges": EDGES_CSV}


def require(fmt):
    """Raise `ConfigurationError` saying which ``pip install`` to run unless the modules of format `fmt` import."""
    if fmt not in FORMATS:
        raise ConfigurationError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    modules, extra = FORMATS[fmt]
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigurationError(
            f"export to {fmt} needs {', '.join(missing)}, which is not installed; install it with "
            f"pip install 'structural_plasticity[{extra}]'"
        )


def read_run(folder, partial=False):
    """Return ``(results, recording or None)`` of the results folder `folder`, refusing what cannot be exported.

    Raises
    ------
    ConfigurationError
        For an ensemble folder, a folder that is not one complete unit (half written, mixed), or a run that
        did not complete (unless `partial`).
    """
    folder = Path(folder)
    if (folder / PLAN_JSON).is_file():
        raise ConfigurationError(
            f"{folder} is an ensemble folder; export one member's folder (e.g. {folder}/<member>) instead"
        )
    results = load_results(folder)  # one complete unit, or refused with one line
    if not partial and run_state(folder) != "completed":
        status = results.metadata.get("status", "unknown")
        raise ConfigurationError(
            f"{folder} holds an incomplete run ({status}); export completed runs, or pass --partial to export "
            "what was recorded"
        )
    recording = load_recording(folder) if (folder / RECORDING_NPZ).is_file() else None
    return results, recording


def to_nwb(results, recording=None):
    """Return an `pynwb.NWBFile` of `results` and its `recording` (see `export.nwb.to_nwb`)."""
    require("nwb")
    from .nwb import to_nwb as build  # noqa: PLC0415  (imports pynwb, an optional dependency)

    return build(results, recording)


def to_neo(results, recording=None):
    """Return a `neo.Block` of `results` and its `recording` (see `export.neo.to_neo`)."""
    require("neo")
    from .neo import to_neo as build  # noqa: PLC0415  (imports neo, an optional dependency)

    return build(results, recording)


@contextmanager
def atomic_path(path):
    """Yield a temporary sibling of `path` to write to; it replaces `path` only when the block ends without error."""
    path = Path(path)
    tmp = temporary_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()
        raise


def export(source, fmt, output=None, overwrite=False, partial=False):
    """Write `source` (a results folder or a saved network) in format `fmt`; return the paths written.

    Parameters
    ----------
    source : str or path-like
        A results folder (``nwb``, ``neo``, ``edges`` of its last connectivity snapshot) or a network file
        saved with ``--save-network`` (``edges``, ``sonata``).
    fmt : {"nwb", "neo", "edges", "sonata"}
    output : str or path-like, optional
        Where to write: a file (a folder for ``sonata``). Default: into the results folder's unit, or beside
        the network file (``<name>.edges.csv``, ``<name>_sonata/``).
    overwrite : bool
        Replace an existing `output`.
    partial : bool
        Export a run that did not complete (interrupted, or a checkpoint).

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    ConfigurationError
        One line: unknown format, its extra not installed (with the ``pip install`` to run), a source that
        cannot be exported (incomplete, mixed, an ensemble, no network in it), or an output that exists.
    """
    require(fmt)
    source = Path(source)
    if fmt in ("nwb", "neo"):
        if not source.is_dir():
            raise ConfigurationError(f"export to {fmt} needs a results folder; {source} is not a folder")
        results, recording = read_run(source, partial)
        writer = _write_nwb if fmt == "nwb" else _write_nix

        def write(path):
            writer(path, results, recording)

    else:
        if source.is_dir():
            read_run(source, partial)  # the folder must be one complete unit
        network = network_source(source, fmt)

        def write(path):
            if fmt == "edges":
                write_edges_csv(path, edge_table(network))
            else:
                write_sonata(path, network)

    if output is None and source.is_dir():
        return _into_unit(source, fmt, write)
    if output is None:
        output = source.with_name(f"{source.stem}.edges.csv" if fmt == "edges" else f"{source.stem}_sonata")
    output = Path(output)
    if output.exists() and not overwrite:
        raise ConfigurationError(f"{output} exists; pass --overwrite to replace it, or choose another path with -o")
    if not output.parent.is_dir():
        raise ConfigurationError(f"cannot write {output}: folder {output.parent} does not exist")
    with atomic_path(output) as tmp:
        if fmt == "sonata":
            tmp.mkdir()
            write(tmp)
        else:
            write(tmp)
        if output.is_dir() and fmt == "sonata":
            shutil.rmtree(output)  # --overwrite of an earlier export (os.replace cannot replace a folder)
    return [output]


def _into_unit(folder, fmt, write):
    """Write the export into the results folder's unit (with the folder's lock and manifest); return the paths."""
    with ResultsFolder(folder).open_for_figures(folder) as target:
        if fmt == "sonata":
            return target.add_files(lambda unit: write(unit))
        return target.add_files(lambda unit: write(unit.path(DEFAULT_NAMES[fmt])))


def _write_nwb(path, results, recording):
    from .nwb import write_nwb  # noqa: PLC0415  (imports pynwb, an optional dependency)

    write_nwb(path, results, recording)


def _write_nix(path, results, recording):
    from .neo import write_nix  # noqa: PLC0415  (imports neo, an optional dependency)

    write_nix(path, results, recording)


__all__ = ["FORMATS", "SONATA_FILES", "edge_table", "export", "read_run", "require", "to_neo", "to_nwb"]
