"""A run as a Neo ``Block`` (and a NIX file): what Elephant and the Neo ecosystem analyse.

One ``Segment`` (the run, from its start to its last sample) holds

* a ``SpikeTrain`` per recorded neuron (``--record spikes``; times in ms, NEST's unit), named by its node id,
  annotated with ``node_id`` and ``population``;
* an ``AnalogSignal`` per series of the results (sampled every record interval; ``t_start`` the first
  sample's time), named as the series, with its meaning and unit in the description;
* with ``--record ca`` / ``elements``, ``AnalogSignal`` s ``ca``, ``elements_<element>`` and
  ``connected_<element>`` of shape (samples, recorded neurons), with ``node_id`` and ``population`` as
  array annotations.

The Block's annotations hold the run's ``metadata.json`` as JSON (``metadata_json``) and the seed; NIX keeps
everything (`write_nix`; ``neo.NixIO(path, "ro").read_block()`` reads it back).
"""

import json

import neo
import numpy as np
import quantities as pq

from ..files import jsonable
from ..results import series_doc

#: Units of the series, by prefix (Ca is dimensionless).
UNITS = {"rate_": pq.Hz}


def _signal(name, data, times, description, **annotations):
    """An AnalogSignal of `data` at `times` (s): regularly sampled, else an IrregularlySampledSignal."""
    units = next((u for prefix, u in UNITS.items() if name.startswith(prefix)), pq.dimensionless)
    data = np.asarray(data, dtype=float)
    data = data[:, None] if data.ndim == 1 else data
    steps = np.diff(times)
    if len(times) > 1 and np.allclose(steps, steps[0], rtol=1e-9, atol=1e-12):
        signal = neo.AnalogSignal(
            data,
            units=units,
            sampling_period=steps[0] * pq.s,
            t_start=times[0] * pq.s,
            name=name,
            description=description,
        )
    else:
        signal = neo.IrregularlySampledSignal(times * pq.s, data, units=units, name=name, description=description)
    for key, values in annotations.items():
        signal.array_annotate(**{key: np.asarray(values)})
    return signal


def to_neo(results, recording=None):
    """Return the `neo.Block` of `results` and its `recording` (module docstring)."""
    meta = results.metadata
    t = np.asarray(results["time"], dtype=float)
    start = recording.t_start_s if recording is not None else (float(t[0]) if len(t) else 0.0)
    if len(t) > 1 and recording is None:
        start = float(t[0] - (t[1] - t[0]))  # the first sample closes the first interval
    stop = float(t[-1]) if len(t) else start
    block = neo.Block(
        name=str(meta.get("model", "structural_plasticity")).rsplit(".", 1)[-1],
        description="simulated with structural_plasticity (NEST)",
        metadata_json=json.dumps(jsonable(meta), sort_keys=True),
        rng_seed=int(meta.get("rng_seed", 0) or 0),
    )
    segment = neo.Segment(name="run", description=f"{start:g} s to {stop:g} s of simulated time")
    block.segments.append(segment)
    groups = [g.get("name") for g in meta.get("groups") or () if isinstance(g, dict)]
    doc = series_doc(results.names, groups)
    for name in results.names:
        if name != "time" and len(t):
            segment.analogsignals.append(_signal(name, results[name], t, doc.get(name, name)))
    if recording is None:
        return block
    populations = np.asarray(recording.population_names)[recording.neuron_population]
    if recording.spike_times_ms is not None:
        for node_id, times in recording.spike_trains().items():
            train = neo.SpikeTrain(
                np.asarray(times) * pq.ms,
                t_start=recording.t_start_s * pq.s,
                t_stop=recording.t_stop_s * pq.s,
                name=str(node_id),
                node_id=int(node_id),
                population=recording.population_of(node_id),
            )
            segment.spiketrains.append(train)
    columns = {"node_id": recording.neuron_id, "population": populations}
    if recording.ca is not None and len(recording.time_s):
        segment.analogsignals.append(
            _signal("ca", recording.ca, recording.time_s, "Ca of each recorded neuron", **columns)
        )
    if recording.elements_z is not None and len(recording.time_s):
        for k, element in enumerate(recording.element_names):
            for key, array in (("elements", recording.elements_z), ("connected", recording.elements_connected)):
                what = "grown" if key == "elements" else "connected"
                segment.analogsignals.append(
                    _signal(
                        f"{key}_{element}",
                        array[:, :, k],
                        recording.time_s,
                        f"{what} {element} elements of each recorded neuron (NaN: none)",
                        **columns,
                    )
                )
    return block


def write_nix(path, results, recording=None):
    """Write `to_neo` of `results` and `recording` to the NIX file `path` (Neo's lossless format)."""
    block = to_neo(results, recording)
    io = neo.NixIO(str(path), mode="ow")
    try:
        io.write_block(block)
    finally:
        io.close()
