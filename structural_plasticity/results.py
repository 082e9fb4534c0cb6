"""The recorded time series of a run, with its provenance, and their files.

A `Results` holds named series (one value per sample) and a metadata dictionary. It saves to plain
formats only: NPZ (arrays, loaded without pickle), CSV (the same columns, for spreadsheets and pandas)
and JSON (parameters, versions, process count, wall time, whether the run completed). Arrays that are
not series (e.g. the synapse lists of a connectivity snapshot) go to a second NPZ file, ``arrays.npz``.
"""

import csv
import json
import os
from pathlib import Path

import numpy as np

from .errors import ConfigurationError

DATA_NPZ = "results.npz"
DATA_CSV = "results.csv"
METADATA_JSON = "metadata.json"
ARRAYS_NPZ = "arrays.npz"
#: Files whose presence means a folder already holds results.
RESULT_FILES = (DATA_NPZ, DATA_CSV, METADATA_JSON, ARRAYS_NPZ)

#: Unit and meaning of the series every run records (others, such as group series, may be added).
SERIES_DOC = {
    "time": "end of the sample interval (s)",
    "mean_ca_e": "mean Ca of excitatory neurons",
    "mean_ca_i": "mean Ca of inhibitory neurons",
    "std_ca_e": "standard deviation of Ca over excitatory neurons",
    "std_ca_i": "standard deviation of Ca over inhibitory neurons",
    "rate_e": "mean firing rate of excitatory neurons over the interval (Hz)",
    "rate_i": "mean firing rate of inhibitory neurons over the interval (Hz)",
    "total_connections_e": "excitatory synapses (E->E + E->I)",
    "total_connections_i": "inhibitory synapses (I->E + I->I)",
    "connections_ee": "synapses from excitatory to excitatory neurons",
    "connections_ei": "synapses from excitatory to inhibitory neurons",
    "connections_ie": "synapses from inhibitory to excitatory neurons",
    "connections_ii": "synapses from inhibitory to inhibitory neurons",
}


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
        """Write NPZ, CSV and JSON into `folder` (created if needed).

        Each file is written to a temporary name and then renamed, so an interrupted save never
        leaves a half-written file behind.

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = self.as_dict()
        written = []
        with _atomic(folder / DATA_NPZ, "wb") as fh:
            np.savez(fh, **arrays)
        written.append(folder / DATA_NPZ)
        with _atomic(folder / DATA_CSV, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(arrays)
            writer.writerows(zip(*(a.tolist() for a in arrays.values())))
        written.append(folder / DATA_CSV)
        with _atomic(folder / METADATA_JSON, "w") as fh:
            json.dump(_jsonable(self.metadata), fh, indent=2, sort_keys=True)
            fh.write("\n")
        written.append(folder / METADATA_JSON)
        if self.arrays:
            with _atomic(folder / ARRAYS_NPZ, "wb") as fh:
                np.savez(fh, **self.arrays)
            written.append(folder / ARRAYS_NPZ)
        return written


def load_results(folder):
    """Load results saved by `Results.save` (or the command line) without unpickling anything.

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
        If the folder does not hold results.
    """
    folder = Path(folder)
    npz, meta = folder / DATA_NPZ, folder / METADATA_JSON
    missing = [p.name for p in (npz, meta) if not p.is_file()]
    if missing:
        raise ConfigurationError(
            f"{folder} does not hold saved results (missing {', '.join(missing)}); "
            "give the output folder of a run of 'python -m structural_plasticity'"
        )
    with np.load(npz, allow_pickle=False) as data:
        series = {name: data[name] for name in data.files}
    with open(meta) as fh:
        metadata = json.load(fh)
    arrays = {}
    if (folder / ARRAYS_NPZ).is_file():
        with np.load(folder / ARRAYS_NPZ, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    return Results(series, metadata, arrays)


def holds_results(folder):
    """Return True if `folder` contains any file a run writes as results."""
    folder = Path(folder)
    return any((folder / name).exists() for name in RESULT_FILES)


class _atomic:
    """Open a temporary file beside `path` and move it onto `path` only when closed successfully."""

    def __init__(self, path, mode, **kwargs):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.tmp{os.getpid()}")
        self.fh = open(self.tmp, mode, **kwargs)

    def __enter__(self):
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
        return False


def _jsonable(value):
    """Convert numpy scalars and arrays (and tuples) inside `value` to plain JSON types."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
