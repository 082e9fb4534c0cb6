"""The recorder of a run, and the optional recordings of single neurons.

`Recorder` owns everything a run needs between samples: the NEST spike recorder (one per run), the
`SpikeSorter` with one `PopulationActivity` per recorded population or group, and the time of the last
sample. A network creates it (empty) in ``__init__``, starts it once all nodes exist, and asks it for
one sample per `record_interval`. Its events are read in one place, `Recorder.read_events`, which
every reader calls: `Recorder.sample` once per sample and, between samples, a structural update done by the
package with `Recorder.collect` (the spikes advance the activity too, so nothing is read twice).

Recordings of single neurons are off by default, so a default run stays as fast and as small as
before. `NeuronRecordings` (a mixin of every network) adds two parameters:

* ``recordings``: any of ``"spikes"`` (senders and times of every spike), ``"ca"`` (each neuron's Ca at
  every sample) and ``"elements"`` (each neuron's synaptic elements at every sample: grown ``z`` and
  ``z_connected``, read through the structural update's ``element_table``, never from NEST directly);
* ``record_neurons``: how many neurons of each population to record (a random sample drawn with numpy
  from ``rng_seed``, so that recording never changes the simulated network); None records every neuron.

What is recorded is gathered on MPI rank 0 at every sample (`NeuronRecording.take`, a collective call)
and saved with every save of the results (checkpoints included) as ``recording.npz``, a file of the
results folder's unit. `load_recording` reads it back (numpy only, nothing unpickled) as a `Recording`:

==========================  =================  ========================================================
array                       dtype, shape       meaning
==========================  =================  ========================================================
``recorded``                str (K)            what was recorded: ``spikes``, ``ca``, ``elements``
``neuron_id``               int64 (N)          NEST node ids of the recorded neurons, by population
``neuron_population``       int16 (N)          index into ``population_names``
``population_names``        str (P)            the network's populations
``population_size``         int64 (P)          neurons per population (all, not only those recorded)
``t_start_s``               float64 ()         start of the recording (s; later than 0 after a restore)
``time_s``                  float64 (T)        sample times (s), the ``time`` series of the results
``spike_senders``           int32 (S)          sender of each spike (``spikes``; NEST's node ids fit in 31 bits)
``spike_times_ms``          float64 (S)        its time (ms, NEST's unit), in time order (``spikes``)
``ca``                      float64 (T, N)     Ca of each neuron at each sample (``ca``)
``element_names``           str (E)            synaptic elements (``elements``)
``elements_z``              float64 (T, N, E)  grown elements; NaN where a neuron lacks the element
``elements_connected``      float64 (T, N, E)  elements bound in synapses (``z_connected``)
==========================  =================  ========================================================

Times continue a saved network's clock, as the results' ``time`` does. Sizes are in docs/recording.md.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import validation as check
from .activity import PopulationActivity, SpikeSorter
from .engine import import_nest, local_nodes
from .errors import ConfigurationError
from .files import RECORDING_NPZ
from .results import load_unit_arrays

#: What can be recorded of single neurons (the values of ``recordings``).
RECORDABLE = ("spikes", "ca", "elements")
#: The numpy stream of the neuron sample: ``default_rng((rng_seed, RECORDING_STREAM))``, independent of the
#: streams that pick experiment groups (``default_rng(rng_seed)``).
RECORDING_STREAM = 0x5EC0


class Recorder:
    """Spikes of the recorded populations, read once per sample (O(spikes), no per-neuron status reads).

    Attributes
    ----------
    spike_recorder : nest.NodeCollection or None
        The device, after `start`.
    activity : dict of str to PopulationActivity
        Ca and spike counts of the local neurons of each recorded population.
    last_sample_ms : float
        Simulated time (ms) of the last sample (or of `start`).
    interval_ms : float
        Length of the last sampled interval (ms).
    """

    def __init__(self):
        self.spike_recorder = None
        self.activity = {}
        self._sorter = None
        self._new_interval = True
        self._spike_log = None
        self.last_sample_ms = 0.0
        self.interval_ms = 0.0

    @property
    def started(self):
        """bool: whether `start` has run."""
        return self.spike_recorder is not None

    def start(self, neurons, populations):
        """Create the spike recorder, connect `neurons` to it and read each population's initial Ca.

        Parameters
        ----------
        neurons : nest.NodeCollection
            Every neuron whose spikes are recorded (the union of `populations`).
        populations : dict of str to nest.NodeCollection
            The populations and groups to keep statistics of (they may overlap).
        """
        nest = import_nest()
        self.spike_recorder = nest.Create("spike_recorder")
        # NEST keeps a separate connection block (1024 slots) for every neuron connected to a device:
        # 32 kB per neuron with static_synapse, 16 kB with the compact static_synapse_hpc (same events).
        compact = "static_synapse_hpc" if "static_synapse_hpc" in nest.synapse_models else "static_synapse"
        nest.Connect(neurons, self.spike_recorder, syn_spec={"synapse_model": compact})
        t0 = float(nest.biological_time)
        self.activity = {name: _initial_activity(nodes, t0) for name, nodes in populations.items()}
        self._sorter = SpikeSorter(self.activity)
        self._new_interval = True
        self._spike_log = None
        self.last_sample_ms = t0
        self.interval_ms = 0.0

    def keep_spikes(self, node_ids):
        """Keep the spikes of the neurons `node_ids` from now on (each `read_events` adds them; `take_spikes`)."""
        self._spike_log = SpikeLog(node_ids)

    def take_spikes(self):
        """Return ``(senders, times_ms)`` of the kept spikes read since the last call (empty without `keep_spikes`)."""
        if self._spike_log is None:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        return self._spike_log.take()

    def read_events(self, t):
        """Read and clear the spikes since the last read; bring every population's Ca to `t` (ms).

        The one method that reads the recorder's events: each spike is read once, fed to the populations'
        Ca and counts (a new count after a sample, else added to it) and, after `keep_spikes`, kept.

        Returns
        -------
        senders, times : numpy.ndarray
            Node ids and times (ms) of this rank's spikes since the last read.
        """
        events = self.spike_recorder.get("events")
        self.spike_recorder.n_events = 0  # keep memory flat: each spike is read once
        senders = np.asarray(events["senders"], dtype=np.int64)
        times = np.asarray(events["times"], dtype=np.float64)
        self._sorter.advance(senders, times, t, restart=self._new_interval)
        self._new_interval = False
        if self._spike_log is not None:
            self._spike_log.add(senders, times)
        return senders, times

    def collect(self):
        """Read the spikes since the last read (`read_events`) between samples; they count toward the next sample.

        Returns
        -------
        senders, times : numpy.ndarray
        """
        return self.read_events(float(import_nest().biological_time))

    def sample(self):
        """Read and clear the spikes since the last read and bring every population's Ca to now; end the interval.

        Returns
        -------
        float
            The sample's simulated time (ms).
        """
        nest = import_nest()
        t = float(nest.biological_time)
        self.read_events(t)
        self._new_interval = True  # the next read starts counting the next interval
        self.interval_ms = t - self.last_sample_ms
        self.last_sample_ms = t
        return t


def _initial_activity(nodes, t0):
    """Return a `PopulationActivity` of the local neurons of `nodes` with their Ca, beta_Ca and tau_Ca at `t0`."""
    local = local_nodes(nodes)
    if not len(local):
        return PopulationActivity(np.empty(0), np.empty(0), np.empty(0), np.empty(0), t0)
    status = local.get(["Ca", "beta_Ca", "tau_Ca"], output="")
    ca, beta, tau = (np.atleast_1d(status[key]) for key in ("Ca", "beta_Ca", "tau_Ca"))
    return PopulationActivity(np.asarray(local.tolist()), ca, beta, tau, t0)


class SpikeLog:
    """The spikes of chosen neurons, kept between reads of the recorder (one array look-up per spike).

    Parameters
    ----------
    node_ids : array_like of int
        The neurons whose spikes are kept (this rank's).
    """

    def __init__(self, node_ids):
        ids = np.asarray(node_ids, dtype=np.int64)
        self._keep = np.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=bool)
        self._keep[ids] = True
        self._senders, self._times = [], []

    def add(self, senders, times):
        """Keep those of the spikes (`senders`, `times` in ms) whose sender is one of the chosen neurons."""
        senders = np.asarray(senders, dtype=np.int64)
        inside = senders < len(self._keep)
        mine = np.zeros(len(senders), dtype=bool)
        mine[inside] = self._keep[senders[inside]]
        if mine.any():
            self._senders.append(senders[mine])
            self._times.append(np.asarray(times, dtype=np.float64)[mine])

    def take(self):
        """Return ``(senders, times_ms)`` kept since the last call, and forget them."""
        senders = np.concatenate(self._senders) if self._senders else np.empty(0, np.int64)
        times = np.concatenate(self._times) if self._times else np.empty(0, np.float64)
        self._senders, self._times = [], []
        return senders, times


# =====================================================================================================
# Recordings of single neurons: the mixin of the networks, and what it collects
# =====================================================================================================
class NeuronRecordings:
    """Mixin of `PlasticNetwork`: optional recordings of single neurons (see the module docstring).

    Off by default. ``recordings=["spikes"]`` keeps every spike of the recorded neurons,
    ``["ca", "elements"]`` each neuron's Ca and synaptic elements at every sample; ``record_neurons=N``
    records N neurons per population instead of all. Everything goes to ``recording.npz`` with the results.

    Attributes
    ----------
    neuron_recording : NeuronRecording or None
        What is being recorded, after `start_recording` (None without ``recordings``).
    """

    # === Recordings of single neurons (off by default; docs/recording.md) =============================
    # What to record of single neurons: any of "spikes" (senders and times), "ca" (each neuron's Ca at every
    # sample), "elements" (each neuron's grown and connected synaptic elements at every sample).
    recordings = ()
    record_neurons = None  # neurons recorded per population: a random sample of this many (numpy, rng_seed); None: all

    _neuron_recording = None

    @property
    def neuron_recording(self):
        """NeuronRecording or None: what is being recorded of single neurons (None without ``recordings``)."""
        return self._neuron_recording

    def recording(self):
        """Return what was recorded of single neurons so far as a `Recording` (on MPI rank 0), or None.

        The same as `load_recording` of the saved results, without saving them first (e.g. in a notebook).
        """
        if self._neuron_recording is None:
            return None
        return Recording.from_arrays(self._neuron_recording.arrays(), "the run's recording")

    def check_recordings(self, structure):
        """Check `recordings` and `record_neurons` against the populations of `structure`; raise `ConfigurationError`."""
        what = self.recordings
        if isinstance(what, str) or not isinstance(what, (list, tuple)):
            raise ConfigurationError(
                f"recordings must be a list of names out of {', '.join(RECORDABLE)}, got {what!r} "
                "(on the command line: --record spikes,ca)"
            )
        unknown = [w for w in what if w not in RECORDABLE]
        if unknown:
            raise ConfigurationError(
                f"unknown recording {', '.join(map(repr, unknown))}; choose from {', '.join(RECORDABLE)} "
                "(e.g. --record spikes,ca)"
            )
        self.recordings = tuple(dict.fromkeys(what))
        if self.record_neurons is None:
            return
        n = check.count("record_neurons", self.record_neurons)
        self.record_neurons = n
        if not self.recordings:
            raise ConfigurationError(
                f"record_neurons={n} records nothing without recordings; say what to record (e.g. --record spikes)"
            )
        sizes = {name: pop.size for name, pop in structure.populations.items()}
        smallest = min(sizes, key=sizes.get)
        if n > sizes[smallest]:
            raise ConfigurationError(
                f"record_neurons={n} is more than the {sizes[smallest]} neurons of population {smallest!r}; give at "
                f"most {sizes[smallest]} (neurons per population), or leave it out to record every neuron"
            )

    def recorded_neurons(self):
        """Return the node ids recorded of each population, ``{name: sorted array}`` (the same on every rank)."""
        rng = np.random.default_rng((int(self.rng_seed), RECORDING_STREAM))
        chosen = {}
        for name, nodes in self.nodes.items():
            ids = np.asarray(nodes.tolist(), dtype=np.int64)
            if self.record_neurons is not None and self.record_neurons < len(ids):
                ids = np.sort(rng.choice(ids, size=self.record_neurons, replace=False))
            chosen[name] = ids
        return chosen

    def start_recording(self):
        """Start the recorder (`Sampling.start_recording`), then the recordings of single neurons, if any."""
        super().start_recording()
        self._neuron_recording = None
        if not self.recordings:
            return
        chosen = self.recorded_neurons()
        self._neuron_recording = NeuronRecording(
            self.recordings,
            chosen,
            {name: len(nodes) for name, nodes in self.nodes.items()},
            self.structure.element_names,
            t_start_s=(self.recorder.last_sample_ms + self.time_offset_ms) / 1000.0,
        )
        self.neuron_recording.start(self)
        self.results.attachments[RECORDING_NPZ] = self.neuron_recording.arrays
        self.results.metadata["recordings"] = {
            "recorded": list(self.recordings),
            "neurons": {name: int(len(ids)) for name, ids in chosen.items()},
            "file": RECORDING_NPZ,
        }

    def record(self):
        """Take one sample (`Sampling.record`), then one of the recordings of single neurons (collective)."""
        super().record()
        if self.neuron_recording is not None:
            self.neuron_recording.take(self)


class NeuronRecording:
    """Spikes, Ca and elements of chosen neurons, gathered on MPI rank 0 at every sample.

    Parameters
    ----------
    recorded : sequence of str
        Out of `RECORDABLE`.
    chosen : dict of str to numpy.ndarray
        The node ids recorded per population (sorted; the same on every rank).
    sizes : dict of str to int
        Neurons per population.
    element_names : sequence of str
        The synaptic elements of the structure (`Structure.element_names`).
    t_start_s : float
        Time (s) from which spikes are kept.
    """

    def __init__(self, recorded, chosen, sizes, element_names, t_start_s=0.0):
        self.recorded = tuple(recorded)
        self.population_names = list(chosen)
        self.population_size = [int(sizes[name]) for name in chosen]
        self.neuron_id = np.concatenate([chosen[n] for n in chosen]).astype(np.int64) if chosen else np.empty(0, int)
        self.neuron_population = np.concatenate(
            [np.full(len(ids), k, dtype=np.int16) for k, ids in enumerate(chosen.values())]
        )
        self.element_names = list(element_names)
        self.t_start_s = float(t_start_s)
        self._position = np.full(int(self.neuron_id.max()) + 1 if len(self.neuron_id) else 0, -1, dtype=np.int64)
        self._position[self.neuron_id] = np.arange(len(self.neuron_id))
        self.time_s = []
        self._ca, self._z, self._connected = [], [], []
        self._senders, self._times = [], []
        self._local_ca = []  # (population, index into its activity arrays, local node ids)
        self._local_nodes = None

    def start(self, network):
        """Find this rank's recorded neurons in the recorder and in NEST; keep their spikes from now on."""
        recorder = network.recorder
        local_ids = []
        for name in self.population_names:
            ids = recorder.activity[name].node_ids
            inside = ids < len(self._position)
            member = np.zeros(len(ids), dtype=bool)
            member[inside] = self._position[ids[inside]] >= 0
            mine = np.flatnonzero(member)
            self._local_ca.append((name, mine, ids[mine]))
            local_ids.append(ids[mine])
        ids = np.sort(np.concatenate(local_ids)) if local_ids else np.empty(0, np.int64)
        if "spikes" in self.recorded:
            recorder.keep_spikes(ids)
        if "elements" in self.recorded:
            self._local_nodes = import_nest().NodeCollection(ids.tolist()) if len(ids) else None

    def take(self, network):
        """Gather this sample's spikes, Ca and elements from every rank; rank 0 keeps them. Collective."""
        part = {}
        if "spikes" in self.recorded:
            senders, times = network.recorder.take_spikes()
            part["spikes"] = (senders, times + network.time_offset_ms)
        if "ca" in self.recorded:
            ids = [i for _, _, i in self._local_ca]
            values = [network.recorder.activity[name].ca[index] for name, index, _ in self._local_ca]
            part["ca"] = (np.concatenate(ids) if ids else np.empty(0, int), np.concatenate(values) if values else [])
        if "elements" in self.recorded:
            n_el = len(self.element_names)
            if self._local_nodes is not None:
                # Through the structural update, whoever does it (NEST, or the package with its own elements).
                table = network.updater.element_table(self._local_nodes)
                ids = np.asarray(self._local_nodes.tolist(), dtype=np.int64)
                part["elements"] = (ids, table["z"], table["z_connected"])
            else:
                part["elements"] = (np.empty(0, np.int64), np.empty((0, n_el)), np.empty((0, n_el)))
        gathered = network.comm.gather(part)
        if gathered is None:
            return
        self.time_s.append((network.recorder.last_sample_ms + network.time_offset_ms) / 1000.0)
        n = len(self.neuron_id)
        if "spikes" in self.recorded:
            senders = np.concatenate([np.asarray(g["spikes"][0], dtype=np.int64) for g in gathered])
            times = np.concatenate([np.asarray(g["spikes"][1], dtype=np.float64) for g in gathered])
            order = np.lexsort((senders, times))
            self._senders.append(senders[order].astype(np.int32))  # 12 bytes per spike with its float64 time
            self._times.append(times[order])
        if "ca" in self.recorded:
            row = np.full(n, np.nan)
            for g in gathered:
                ids, values = g["ca"]
                row[self._position[np.asarray(ids, dtype=np.int64)]] = values
            self._ca.append(row)
        if "elements" in self.recorded:
            z = np.full((n, len(self.element_names)), np.nan)
            connected = np.full_like(z, np.nan)
            for g in gathered:
                ids, zs, cs = g["elements"]
                rows = self._position[np.asarray(ids, dtype=np.int64)]
                z[rows], connected[rows] = zs, cs
            self._z.append(z)
            self._connected.append(connected)

    def arrays(self):
        """Return the arrays of ``recording.npz`` (module docstring), for what was recorded."""
        n, n_el = len(self.neuron_id), len(self.element_names)
        arrays = {
            "recorded": np.asarray(self.recorded, dtype=str),
            "neuron_id": self.neuron_id,
            "neuron_population": self.neuron_population,
            "population_names": np.asarray(self.population_names, dtype=str),
            "population_size": np.asarray(self.population_size, dtype=np.int64),
            "t_start_s": np.asarray(self.t_start_s),
            "time_s": np.asarray(self.time_s, dtype=np.float64),
        }
        if "spikes" in self.recorded:
            arrays["spike_senders"] = np.concatenate(self._senders) if self._senders else np.empty(0, np.int32)
            arrays["spike_times_ms"] = np.concatenate(self._times) if self._times else np.empty(0, np.float64)
        if "ca" in self.recorded:
            arrays["ca"] = np.array(self._ca) if self._ca else np.empty((0, n))
        if "elements" in self.recorded:
            arrays["element_names"] = np.asarray(self.element_names, dtype=str)
            arrays["elements_z"] = np.array(self._z) if self._z else np.empty((0, n, n_el))
            arrays["elements_connected"] = np.array(self._connected) if self._connected else np.empty((0, n, n_el))
        return arrays


# =====================================================================================================
# Reading a recording back
# =====================================================================================================
@dataclass
class Recording:
    """The recordings of single neurons of a run, as `load_recording` reads them (module docstring).

    Attributes
    ----------
    recorded : tuple of str
    neuron_id : numpy.ndarray of int64
    neuron_population : numpy.ndarray of int16
    populations : dict of str to int
        Every population and its size (also those of which no neuron was recorded).
    t_start_s : float
    time_s : numpy.ndarray
    spike_senders, spike_times_ms : numpy.ndarray or None
    ca : numpy.ndarray or None
        ``(samples, neurons)``.
    element_names : list of str
    elements_z, elements_connected : numpy.ndarray or None
        ``(samples, neurons, elements)``.
    """

    recorded: tuple
    neuron_id: np.ndarray
    neuron_population: np.ndarray
    populations: dict
    t_start_s: float
    time_s: np.ndarray
    spike_senders: np.ndarray = None
    spike_times_ms: np.ndarray = None
    ca: np.ndarray = None
    element_names: list = None
    elements_z: np.ndarray = None
    elements_connected: np.ndarray = None

    @classmethod
    def from_arrays(cls, arrays, where="the arrays"):
        """Return the `Recording` of the arrays of ``recording.npz``; raise `ConfigurationError` if they do not fit."""
        needed = ("recorded", "neuron_id", "neuron_population", "population_names", "population_size", "time_s")
        missing = [name for name in needed if name not in arrays]
        if missing:
            raise ConfigurationError(f"{where} is not a recording of the package (missing {', '.join(missing)})")
        recorded = tuple(str(r) for r in arrays["recorded"])
        n, t = len(arrays["neuron_id"]), len(arrays["time_s"])
        shapes = {"ca": (t, n), "spike_times_ms": None, "spike_senders": None}
        if "elements" in recorded:
            shapes["elements_z"] = shapes["elements_connected"] = (t, n, len(arrays.get("element_names", ())))
        for name, shape in shapes.items():
            if name in arrays and shape is not None and arrays[name].shape != shape:
                raise ConfigurationError(f"{where}: {name} has shape {arrays[name].shape}, expected {shape}")
        if "spikes" in recorded and len(arrays.get("spike_senders", ())) != len(arrays.get("spike_times_ms", (0,))):
            raise ConfigurationError(f"{where}: spike_senders and spike_times_ms differ in length")
        for kind in recorded:
            key = {"spikes": "spike_times_ms", "ca": "ca", "elements": "elements_z"}.get(kind)
            if key is None or key not in arrays:
                raise ConfigurationError(f"{where} says it recorded {kind!r} but holds no {key or 'such'} array")
        names = [str(name) for name in arrays["population_names"]]
        return cls(
            recorded=recorded,
            neuron_id=np.asarray(arrays["neuron_id"], dtype=np.int64),
            neuron_population=np.asarray(arrays["neuron_population"], dtype=np.int16),
            populations=dict(zip(names, (int(s) for s in arrays["population_size"]))),
            t_start_s=float(arrays.get("t_start_s", 0.0)),
            time_s=np.asarray(arrays["time_s"], dtype=np.float64),
            spike_senders=arrays.get("spike_senders"),
            spike_times_ms=arrays.get("spike_times_ms"),
            ca=arrays.get("ca"),
            element_names=[str(e) for e in arrays.get("element_names", ())],
            elements_z=arrays.get("elements_z"),
            elements_connected=arrays.get("elements_connected"),
        )

    @property
    def population_names(self):
        """list of str: the populations, in the network's order."""
        return list(self.populations)

    @property
    def t_stop_s(self):
        """float: end of the recording (s): the last sample, or its start when there is none."""
        return float(self.time_s[-1]) if len(self.time_s) else self.t_start_s

    def neurons_of(self, population):
        """Return a boolean mask over the recorded neurons: those of `population`."""
        return self.neuron_population == self.population_names.index(population)

    def population_of(self, node_id):
        """Return the name of the population of the recorded neuron `node_id`."""
        k = int(np.flatnonzero(self.neuron_id == node_id)[0])
        return self.population_names[self.neuron_population[k]]

    def spike_trains(self):
        """Return the spike times (ms) of every recorded neuron, ``{node id: sorted array}`` (empty when silent)."""
        if self.spike_times_ms is None:
            raise ConfigurationError("this recording holds no spikes; record them with --record spikes")
        order = np.argsort(self.spike_senders, kind="stable")  # stable: each train stays in time order
        senders, times = self.spike_senders[order], self.spike_times_ms[order]
        cuts = np.searchsorted(senders, self.neuron_id)
        ends = np.searchsorted(senders, self.neuron_id, side="right")
        return {int(i): times[a:b] for i, a, b in zip(self.neuron_id, cuts, ends)}

    def rates_hz(self):
        """Return each recorded neuron's mean firing rate over the recording (Hz), in the order of `neuron_id`."""
        if self.spike_times_ms is None:
            raise ConfigurationError("this recording holds no spikes; record them with --record spikes")
        position = np.zeros(int(self.neuron_id.max()) + 1 if len(self.neuron_id) else 0, dtype=np.int64)
        position[self.neuron_id] = np.arange(len(self.neuron_id))
        counts = np.bincount(position[self.spike_senders], minlength=len(self.neuron_id))
        span = self.t_stop_s - self.t_start_s
        return counts / span if span > 0 else np.full(len(self.neuron_id), np.nan)


def load_recording(folder):
    """Read the recordings of single neurons a run saved with its results (numpy only, nothing unpickled).

    Parameters
    ----------
    folder : str or path-like
        The results folder (or its ``recording.npz``); it must hold one complete unit.

    Returns
    -------
    Recording

    Raises
    ------
    ConfigurationError
        If the folder holds no recording (the run had no ``--record``), is incomplete or mixed, or the file
        is damaged.
    """
    path = Path(folder)
    if path.is_dir():
        path = path / RECORDING_NPZ
    if not path.is_file():
        raise ConfigurationError(
            f"{path.parent} holds no recording of single neurons ({RECORDING_NPZ}); run with --record spikes,ca "
            "(and --record-neurons N for a sample), see docs/recording.md"
        )
    # Only as part of its complete unit: the bytes parsed are the bytes checked against the manifest.
    arrays = load_unit_arrays(path.parent, (path.name,)).get(path.name)
    if arrays is None:
        raise ConfigurationError(
            f"{path} is not part of the results in {path.parent} (their manifest does not list it); "
            "give the output folder of a run with --record"
        )
    return Recording.from_arrays(arrays, str(path))
