"""Spike counts and calcium traces of neuron populations, rebuilt from recorded spikes.

Reading a neuron property from NEST (``nodes.Ca``) builds a status dictionary per neuron and costs
about 13 µs per neuron per read. A spike recorder's events cost O(spikes) instead, and NEST's calcium
trace follows exactly from the spike times: at every spike Ca decays since the last event and then
jumps by ``beta_Ca``; between spikes it decays with ``tau_Ca``. So the package reads spikes once per
sample and derives firing rates and Ca of every neuron from them.

The Ca computed here is each neuron's value at the sample time. NEST 3.10 also brings every neuron's
stored ``Ca`` up to the current time at the end of each ``Simulate`` call, so the two agree to rounding
(measured: 1.7e-16 in mean Ca); the ``"state"`` read-out of `StructuralPlasticityExample` reads NEST's
stored values instead, exactly as NEST's example does, at the cost of one status dictionary per neuron.
"""

import numpy as np


class PopulationActivity:
    """Calcium and spike counts of the local neurons of one population.

    Parameters
    ----------
    node_ids : array_like of int
        Global NEST ids of the population's neurons on this MPI rank.
    ca : array_like of float
        Ca of those neurons at `t0`.
    beta_ca, tau_ca : array_like of float
        Their ``beta_Ca`` (Ca increment per spike) and ``tau_Ca`` (ms).
    t0 : float
        Time (ms) at which `ca` holds.
    """

    def __init__(self, node_ids, ca, beta_ca, tau_ca, t0):
        self.node_ids = np.asarray(node_ids, dtype=np.int64)
        self.ca = np.array(ca, dtype=np.float64)
        self.beta_ca = np.asarray(beta_ca, dtype=np.float64)
        self.tau_ca = np.asarray(tau_ca, dtype=np.float64)
        self.t = float(t0)
        self.spike_count = 0

    def advance(self, local_index, times, t, restart=True):
        """Bring Ca to time `t`, adding the given spikes, and count them.

        Parameters
        ----------
        local_index : numpy.ndarray of int
            Index (into `node_ids`) of the neuron of each spike.
        times : numpy.ndarray of float
            Spike times (ms), each in ``(self.t, t]``.
        t : float
            New time (ms).
        restart : bool
            Start a new count (the first read of a sampled interval); else add to the count.
        """
        decay = np.exp(-(t - self.t) / self.tau_ca)
        self.ca *= decay
        if len(times):
            contribution = self.beta_ca[local_index] * np.exp(-(t - times) / self.tau_ca[local_index])
            self.ca += np.bincount(local_index, weights=contribution, minlength=len(self.ca))
        self.spike_count = len(times) if restart else self.spike_count + len(times)
        self.t = float(t)

    def sums(self):
        """Return ``[n_neurons, sum Ca, sum Ca², spikes]`` of this rank, ready for a sum over ranks."""
        return [len(self.ca), self.ca.sum(), np.dot(self.ca, self.ca), self.spike_count]


class SpikeSorter:
    """Assigns recorded spikes to populations with one array look-up per spike.

    Parameters
    ----------
    populations : dict of str to PopulationActivity
        Populations to feed; each neuron id may belong to several (groups overlap populations).
    """

    def __init__(self, populations):
        self.populations = populations
        max_id = max((int(p.node_ids.max()) for p in populations.values() if len(p.node_ids)), default=0)
        # One look-up table per population: global id -> local index, -1 when not a member.
        self._index = {}
        for name, pop in populations.items():
            table = np.full(max_id + 1, -1, dtype=np.int64)
            table[pop.node_ids] = np.arange(len(pop.node_ids))
            self._index[name] = table

    def advance(self, senders, times, t, restart=True):
        """Feed the spikes recorded since the last call to every population and bring them to `t` (ms).

        `restart` starts new spike counts (see `PopulationActivity.advance`).
        """
        senders = np.asarray(senders, dtype=np.int64)
        times = np.asarray(times, dtype=np.float64)
        for name, pop in self.populations.items():
            table = self._index[name]
            inside = senders < len(table)
            local = np.full(len(senders), -1, dtype=np.int64)
            local[inside] = table[senders[inside]]
            mine = local >= 0
            pop.advance(local[mine], times[mine], t, restart=restart)


def population_statistics(sums, interval_ms):
    """Turn summed ``[n, sum Ca, sum Ca², spikes]`` into mean Ca, std of Ca and rate.

    Parameters
    ----------
    sums : array_like
        Sums over all ranks, as returned by `PopulationActivity.sums` and reduced.
    interval_ms : float
        Length of the interval in which the spikes were counted (ms).

    Returns
    -------
    tuple of float
        ``(mean_ca, std_ca, rate_hz)``.
    """
    n, total, total_sq, spikes = (float(x) for x in sums)
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = total / n
    variance = max(total_sq / n - mean * mean, 0.0)  # clip rounding below zero
    rate = spikes / n / (interval_ms / 1000.0) if interval_ms > 0 else np.nan
    return mean, np.sqrt(variance), rate
