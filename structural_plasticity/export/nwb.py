"""A run as an NWB 2 file (pynwb): spikes as ``Units``, series as ``TimeSeries``, parameters as metadata.

* ``units``: one unit per recorded neuron (``--record spikes``), its id the NEST node id, with its spike
  times (s), its ``population`` and the interval it was observed in;
* ``processing["network"]``: every series of the results as a ``TimeSeries`` on the sample times (s), with
  the meaning and unit of ``metadata.json``'s ``series_doc``;
* ``processing["neurons"]``: with ``--record ca`` / ``elements``, ``ca`` (samples x recorded neurons, columns in
  the order of ``neuron_id``, also a ``TimeSeries`` of its own) and ``elements_<element>`` /
  ``connected_<element>`` per synaptic element;
* the file's ``notes`` hold the run's ``metadata.json`` (parameters, seed, versions, processes) as JSON, its
  ``identifier`` the SHA-256 of ``results.npz`` when the folder's manifest has it.

Simulated data carry no subject or electrodes; NWB does not require them.
"""

import datetime
import json
import uuid
import warnings

import numpy as np
from pynwb import NWBHDF5IO, NWBFile, TimeSeries

from ..files import jsonable
from ..results import series_doc
from ..version import __version__

#: NWB units of the series, by prefix (Ca is a dimensionless trace).
UNITS = {
    "mean_ca_": "a.u.",
    "std_ca_": "a.u.",
    "rate_": "Hz",
    "connections_": "synapses",
    "total_connections_": "synapses",
    "elements_": "elements per neuron",
    "connected_": "elements per neuron",
    "prob_": "probability",
    "phase": "index",
}


def _unit(name):
    return next((unit for prefix, unit in UNITS.items() if name.startswith(prefix)), "n.a.")


def _start_time(meta):
    try:
        return datetime.datetime.strptime(meta["started_at"], "%Y-%m-%dT%H:%M:%S%z")
    except (KeyError, TypeError, ValueError):
        return datetime.datetime.now(datetime.timezone.utc)


def to_nwb(results, recording=None, identifier=None):
    """Return the `pynwb.NWBFile` of `results` and its `recording` (module docstring).

    Parameters
    ----------
    results : Results
    recording : recording.Recording, optional
    identifier : str, optional
        The file's identifier; default a fresh UUID.

    Returns
    -------
    pynwb.NWBFile
    """
    meta = results.metadata
    model = str(meta.get("model", "structural_plasticity")).rsplit(".", 1)[-1]
    t = np.asarray(results["time"], dtype=float)
    nwb = NWBFile(
        session_description=f"{model}: {t[-1] if len(t) else 0:g} s of simulated time (NEST, structural plasticity)",
        identifier=identifier or str(uuid.uuid4()),
        session_start_time=_start_time(meta),
        experiment_description=f"simulated with structural_plasticity {__version__}, seed {meta.get('rng_seed')}",
        notes=json.dumps(jsonable(meta), sort_keys=True),
        source_script="python -m structural_plasticity " + " ".join(map(str, meta.get("command", [])[1:])),
        source_script_file_name="structural_plasticity",
    )
    groups = [g.get("name") for g in meta.get("groups") or () if isinstance(g, dict)]
    doc = series_doc(results.names, groups)
    network = nwb.create_processing_module("network", "series of the whole network, groups and pathways, per sample")
    stamps = None
    for name in results.names:
        if name == "time":
            continue
        series = TimeSeries(
            name=name,
            data=np.asarray(results[name], dtype=float),
            unit=_unit(name),
            timestamps=stamps if stamps is not None else t,
            description=doc.get(name, name),
        )
        if stamps is None:
            stamps = series  # every series shares the first one's timestamps
        network.add(series)
    if recording is None:
        return nwb
    if recording.spike_times_ms is not None:
        nwb.add_unit_column("population", "population of the neuron (NEST's example: e excitatory, i inhibitory)")
        interval = [[recording.t_start_s, recording.t_stop_s]]
        for node_id, times in recording.spike_trains().items():
            nwb.add_unit(
                id=node_id,
                spike_times=np.asarray(times) / 1000.0,
                population=recording.population_of(node_id),
                obs_intervals=interval,
            )
    if recording.ca is not None or recording.elements_z is not None:
        neurons = nwb.create_processing_module(
            "neurons", f"recorded neurons, columns in the order of the node ids {recording.neuron_id.tolist()}"
        )
        ids = ", ".join(map(str, recording.neuron_id))
        columns = f"columns: NEST node ids {ids}"
        if recording.ca is not None:
            neurons.add(
                TimeSeries(
                    name="ca",
                    data=recording.ca,
                    unit="a.u.",
                    timestamps=recording.time_s,
                    description=f"Ca of each recorded neuron at each sample; {columns}",
                )
            )
        if recording.elements_z is not None:
            for k, element in enumerate(recording.element_names):
                for key, array, what in (
                    ("elements", recording.elements_z, "grown"),
                    ("connected", recording.elements_connected, "connected"),
                ):
                    neurons.add(
                        TimeSeries(
                            name=f"{key}_{element}",
                            data=array[:, :, k],
                            unit="elements",
                            timestamps=recording.time_s,
                            description=f"{what} {element} elements of each recorded neuron (NaN: none); {columns}",
                        )
                    )
    return nwb


def write_nwb(path, results, recording=None, identifier=None):
    """Write `to_nwb` of `results` and `recording` to the file `path`."""
    nwb = to_nwb(results, recording, identifier)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not end in '.nwb'")  # a temporary name, moved into place
        with NWBHDF5IO(str(path), "w") as io:
            io.write(nwb)
