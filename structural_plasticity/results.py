"""The recorded time series of a run, with its provenance, and their files.

A `Results` holds named series (one value per sample) and a metadata dictionary. It saves to plain
formats only: NPZ (arrays, loaded without pickle), CSV (the same columns, for spreadsheets and pandas)
and JSON (parameters, versions, process count, wall time, whether the run completed). Arrays that are
not series (e.g. the synapse lists of a connectivity snapshot) go to a second NPZ file, ``arrays.npz``.
"""

import csv
import json
from pathlib import Path

import numpy as np

from .errors import ConfigurationError
from .files import ARRAYS_NPZ, METADATA_JSON, RESULTS_CSV, RESULTS_NPZ, jsonable, read_npz
from .folder import ResultsFolder, read_unit
from .validation import memory_budget, parse_json_file

#: How the series documentation names populations of NEST's example; any other population by its name.
POPULATION_WORDS = {"e": "excitatory", "i": "inhibitory"}
#: Meaning and unit of the series every network records per population (see `series_doc`).
_PER_POPULATION = {
    "mean_ca_": "mean Ca of {p} neurons",
    "std_ca_": "standard deviation of Ca over {p} neurons",
    "rate_": "mean firing rate of {p} neurons over the interval (Hz)",
}


def series_doc(names, groups=()):
    """Return the meaning and unit of the series `names` that a network records, ``{name: text}``.

    Each saved ``metadata.json`` carries this as ``series_doc``. Documented are ``time`` and, for every
    population the series name, ``mean_ca_<p>``, ``std_ca_<p>``, ``rate_<p>``,
    ``connections_<source><target>`` and ``total_connections_<source>`` (`PlasticNetwork.record`);
    the populations are read from the names themselves, so any population names work. Series of an
    experiment's `groups` and other series are left out.

    Parameters
    ----------
    names : iterable of str
        Names of the recorded series.
    groups : iterable of str
        Names of neuron groups (an experiment's), whose series are not documented.

    Returns
    -------
    dict of str to str
        In the order of `names`.
    """
    names, groups = list(names), set(groups)
    populations = {}
    for name in names:
        for prefix in _PER_POPULATION:
            if name.startswith(prefix) and name[len(prefix) :] and name[len(prefix) :] not in groups:
                populations.setdefault(name[len(prefix) :], None)
    pathways = {}
    for name in names:
        if name.startswith("connections_"):
            pair = _split_pathway(name[len("connections_") :], populations)
            if pair is not None:
                pathways[name] = pair

    def words(population):
        return POPULATION_WORDS.get(population, repr(population))

    doc = {}
    for name in names:
        if name == "time":
            doc[name] = "end of the sample interval (s)"
        elif name in pathways:
            source, target = pathways[name]
            doc[name] = f"synapses from {words(source)} to {words(target)} neurons"
        elif name.startswith("total_connections_") and name[len("total_connections_") :] in populations:
            source = name[len("total_connections_") :]
            parts = " + ".join(f"{s.upper()}->{t.upper()}" for s, t in pathways.values() if s == source)
            doc[name] = f"{words(source)} synapses ({parts})" if parts else f"{words(source)} synapses"
        else:
            for prefix, text in _PER_POPULATION.items():
                if name.startswith(prefix) and name[len(prefix) :] in populations:
                    doc[name] = text.format(p=words(name[len(prefix) :]))
    return doc


def _split_pathway(suffix, populations):
    """Return ``(source, target)`` whose names make up `suffix` (``"ei"``, ``"excinh"``), or None."""
    for cut in range(1, len(suffix)):
        if suffix[:cut] in populations and suffix[cut:] in populations:
            return suffix[:cut], suffix[cut:]
    return None


class Results:
    """Time series recorded by a run, one value per sample, plus metadata.

    Series are read as attributes or items and are numpy arrays (``results.mean_ca_e``,
    ``results["rate_i"]``); `names` lists them in recording order.

    Parameters
    ----------
    series : dict of str to array_like, optional
        Initial series.
    metadata : dict, optional
        Parameters and provenance (JSON-serialisable).
    arrays : dict of str to array_like, optional
        Named arrays of any shape that are not series (saved to ``arrays.npz``).

    Attributes
    ----------
    arrays : dict of str to numpy.ndarray
        Arrays that are not one value per sample, e.g. ``synapses_before_source``.
    """

    def __init__(self, series=None, metadata=None, arrays=None):
        self._series = {name: list(np.asarray(values).tolist()) for name, values in (series or {}).items()}
        self.metadata = dict(metadata or {})
        #: Extra NPZ files written by `save`: ``{file name: callable returning a dict of arrays}``
        #: (e.g. connectivity snapshots, see `structural_plasticity.connectivity`).
        self.attachments = {}
        self.arrays = {name: np.asarray(values) for name, values in (arrays or {}).items()}

    # --- recording -----------------------------------------------------------------------------
    def append(self, **values):
        """Append one value to each named series (creating series on first use)."""
        for name, value in values.items():
            self._series.setdefault(name, []).append(value.item() if hasattr(value, "item") else value)

    # --- access --------------------------------------------------------------------------------
    @property
    def names(self):
        """list of str: names of the recorded series."""
        return list(self._series)

    def __len__(self):
        return len(self._series.get("time", ()))

    def __contains__(self, name):
        return name in self._series

    def __getitem__(self, name):
        return np.asarray(self._series[name])

    def __getattr__(self, name):
        series = self.__dict__.get("_series", {})
        if name in series:
            return np.asarray(series[name])
        raise AttributeError(f"{type(self).__name__!s} has no series or attribute {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._series))

    def __repr__(self):
        status = "completed" if self.metadata.get("completed") else "incomplete"
        return f"<Results: {len(self)} samples of {len(self._series)} series, {status}>"

    def as_dict(self):
        """Return the series as a dict of numpy arrays."""
        return {name: self[name] for name in self._series}

    # --- derived quantities --------------------------------------------------------------------
    def settling_time(self, population, tolerance=0.05):
        """Time (s) from which a population's mean Ca stays within `tolerance` of its target.

        Parameters
        ----------
        population : {"e", "i"}
        tolerance : float
            Relative tolerance (0.05 means 5 %).

        Returns
        -------
        float or None
            The first sample time after which every sample is within tolerance, or None if the last
            sample is not.
        """
        target = self.metadata["target_ca"][population]
        ca = self[f"mean_ca_{population}"]
        inside = np.abs(ca - target) <= tolerance * abs(target)
        if len(ca) == 0 or not inside[-1]:
            return None
        outside = np.flatnonzero(~inside)
        first = outside[-1] + 1 if len(outside) else 0
        return float(self["time"][first])

    # --- files ---------------------------------------------------------------------------------
    def save(self, folder):
        """Write NPZ, CSV and JSON into `folder` (created if needed) as one complete unit.

        The files are written under temporary names and moved into place together with a manifest
        (see `structural_plasticity.folder`): an interrupted save leaves the folder as it was, and files
        of the package from an earlier save there (figures, say) are removed, since they would no
        longer match. Files of others in the folder are never touched. The folder is locked meanwhile.

        Returns
        -------
        list of pathlib.Path
            The files of the unit.
        """
        with ResultsFolder(folder, overwrite=True) as target:
            return target.save_results(self)

    def write_files(self, unit):
        """Write NPZ, CSV and JSON to the paths `unit.path(name)` gives (see `folder.Unit`)."""
        arrays = self.as_dict()
        with open(unit.path(RESULTS_NPZ), "wb") as fh:
            np.savez(fh, **arrays)
        with open(unit.path(RESULTS_CSV), "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(arrays)
            writer.writerows(zip(*(a.tolist() for a in arrays.values())))
        groups = [group.get("name") for group in self.metadata.get("groups") or () if isinstance(group, dict)]
        documented = series_doc(self.names, groups)
        with open(unit.path(METADATA_JSON), "w", encoding="utf-8") as fh:
            json.dump(jsonable(dict(self.metadata, series_doc=documented)), fh, indent=2, sort_keys=True)
            fh.write("\n")
        # Attachments (connectivity snapshots, ...) and arrays that are not series are files of the same unit:
        # in the manifest, saved together.
        for name, arrays in self.attachments.items():
            with open(unit.path(name), "wb") as fh:
                np.savez(fh, **arrays())
        if self.arrays:
            with open(unit.path(ARRAYS_NPZ), "wb") as fh:
                np.savez(fh, **self.arrays)


def load_results(folder):
    """Load results saved by `Results.save` (or the command line) without unpickling anything.

    The folder must hold one complete unit (its manifest's checksums match) that lists ``results.npz`` and
    ``metadata.json``, and the files must be what the package writes: an NPZ of one-dimensional numeric
    series of equal length with ``time`` among them, and a UTF-8 JSON object of metadata. The bytes parsed
    are the bytes checked (`folder.read_unit`), also while a run saves checkpoints into the folder.

    Parameters
    ----------
    folder : str or path-like
        Output folder of a run.

    Returns
    -------
    Results

    Raises
    ------
    ConfigurationError
        If the folder does not hold complete, readable results; the message names the file and the problem.
    """
    folder = Path(folder)
    try:
        is_folder = folder.is_dir()
    except OSError as exc:
        raise ConfigurationError(f"cannot read results folder {folder} ({exc.strerror or exc})") from exc
    hint = "give the output folder of a run of 'python -m structural_plasticity'"
    if not is_folder:
        raise ConfigurationError(f"{folder} does not hold saved results (it is not a folder); {hint}")
    _, data = read_unit(folder, (RESULTS_NPZ, METADATA_JSON, ARRAYS_NPZ), required=(RESULTS_NPZ, METADATA_JSON))
    missing = [name for name in (RESULTS_NPZ, METADATA_JSON) if name not in data]
    if missing:
        raise ConfigurationError(f"{folder} does not hold saved results (missing {', '.join(missing)}); {hint}")
    arrays = _read_arrays(folder / ARRAYS_NPZ, data[ARRAYS_NPZ]) if ARRAYS_NPZ in data else {}
    metadata = _read_metadata(folder / METADATA_JSON, data[METADATA_JSON])
    metadata.pop("series_doc", None)  # written by every save (`series_doc`), not part of the run's metadata
    return Results(_read_series(folder / RESULTS_NPZ, data[RESULTS_NPZ]), metadata, arrays)


def load_unit_arrays(folder, names):
    """Read NPZ files of a results folder's unit (e.g. ``recording.npz``, ``maps.npz``), as `load_results` does.

    The bytes parsed are the bytes checked against the manifest (`folder.read_unit`), read without unpickling.

    Parameters
    ----------
    folder : str or path-like
        Output folder of a run.
    names : iterable of str
        File names; those the unit does not list are absent from the answer.

    Returns
    -------
    dict
        ``{name: {array name: numpy.ndarray}}``.

    Raises
    ------
    ConfigurationError
        If the folder does not hold one complete unit, or a file is damaged.
    """
    folder = Path(folder)
    _, data = read_unit(folder, names)
    return {name: read_npz(raw, str(folder / name), _npz_limit()) for name, raw in data.items()}


def run_state(folder):
    """Return whether `folder` holds a completed run: ``"completed"``, ``"incomplete"`` or ``"missing"``.

    The one test of completion the package uses (ensembles skip completed members by it): the folder
    holds one complete unit (`folder.read_unit`: its manifest says ``complete``, lists the run's
    ``metadata.json`` and ``results.npz``, and every file it lists is there, unchanged), and the unit's
    ``metadata.json`` says the run ended (``"completed": true``; a checkpoint of a running run or an
    interrupted run says false). A folder written before manifests existed is judged by its
    ``metadata.json`` alone.

    Parameters
    ----------
    folder : str or path-like

    Returns
    -------
    str
        ``"completed"``; ``"incomplete"`` for anything else that exists (partial results, an unfinished
        or mixed save, only logs); ``"missing"`` when there is no such folder.
    """
    folder = Path(folder)
    if not folder.exists():
        return "missing"
    try:
        _, data = read_unit(folder, (METADATA_JSON,), required=(RESULTS_NPZ, METADATA_JSON))
        if METADATA_JSON not in data:
            return "incomplete"
        completed = _read_metadata(folder / METADATA_JSON, data[METADATA_JSON]).get("completed") is True
    except ConfigurationError:
        return "incomplete"
    return "completed" if completed else "incomplete"


def _npz_limit():
    """Most bytes of arrays read from one NPZ of results: a quarter of what this process may use."""
    budget = memory_budget()
    return budget // 4 if budget else 2**40


def _read_arrays(path, raw):
    """Read ``arrays.npz`` (arrays that are not series) without unpickling; damaged files are refused."""
    return read_npz(raw, str(path), _npz_limit())


def _read_series(path, raw):
    """Read the series of an NPZ written by `Results.write_files`, refusing anything else."""
    series = read_npz(raw, str(path), _npz_limit())
    if "time" not in series:
        raise ConfigurationError(f"{path} has no 'time' series, so it is not a results file of the package")
    length = None
    for name, values in series.items():
        if values.ndim != 1 or values.dtype.kind not in "biuf":
            raise ConfigurationError(
                f"{path}: series {name!r} is a {values.dtype} array of shape {values.shape}; "
                "results hold one-dimensional numeric series"
            )
        if length is not None and len(values) != length:
            raise ConfigurationError(f"{path}: series {name!r} has {len(values)} values, 'time' and others {length}")
        length = len(values)
    return series


def _read_metadata(path, raw):
    """Read metadata.json: UTF-8 JSON holding an object whose known keys have the types the package writes."""
    metadata = parse_json_file(raw, str(path))
    if not isinstance(metadata, dict):
        raise ConfigurationError(f"{path} holds a {type(metadata).__name__}, not the metadata object of a run")
    expected = {"target_ca": dict, "parameters": dict, "phases": list, "groups": list, "completed": bool}
    for key, kind in expected.items():
        if key in metadata and metadata[key] is not None and not isinstance(metadata[key], kind):
            raise ConfigurationError(f"{path}: {key!r} is {metadata[key]!r}, not a {kind.__name__}")
    targets = metadata.get("target_ca") or {}
    for key in ("ca_per_hz",):
        value = metadata.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ConfigurationError(f"{path}: {key!r} is {value!r}, not a number")
    for pop, value in targets.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ConfigurationError(f"{path}: target_ca[{pop!r}] is {value!r}, not a number")
    return metadata
