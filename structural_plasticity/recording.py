"""The recorder: one spike recorder whose events become each population's Ca, spread and rate.

`Recorder` owns everything a run needs between samples: the NEST spike recorder, the `SpikeSorter`
with one `PopulationActivity` per recorded population or group, and the time of the last sample.
A network creates it (empty) in ``__init__``, starts it once all nodes exist, and asks it for one
sample per `record_interval`. Between samples, a structural update done by the package reads the new
spikes with `collect` (they also advance the activity, so nothing is read twice).
"""

import numpy as np

from .activity import PopulationActivity, SpikeSorter
from .engine import import_nest, local_nodes


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
        self.last_sample_ms = t0
        self.interval_ms = 0.0

    def collect(self):
        """Read and clear the spikes since the last `collect` or `sample`, and bring every population's Ca to now.

        The spikes count toward the interval of the next `sample`.

        Returns
        -------
        senders, times : numpy.ndarray
            Node ids and times (ms) of this rank's spikes since the last read.
        """
        nest = import_nest()
        t = float(nest.biological_time)
        events = self.spike_recorder.get("events")
        self.spike_recorder.n_events = 0  # keep memory flat: each spike is read once
        senders = np.asarray(events["senders"], dtype=np.int64)
        times = np.asarray(events["times"], dtype=np.float64)
        self._sorter.advance(senders, times, t, restart=self._new_interval)
        self._new_interval = False
        return senders, times

    def sample(self):
        """Read and clear the spikes since the last read and bring every population's Ca to now; end the interval.

        Returns
        -------
        float
            The sample's simulated time (ms).
        """
        self.collect()
        t = float(import_nest().biological_time)
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
