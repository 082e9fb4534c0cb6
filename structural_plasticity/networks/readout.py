"""The read-out of one sample of a built network: activity of every population and group, synapses per pathway.

Everything is a sum over MPI ranks, appended to the run's `Results` under the names the package
documents (`results.SERIES_DOC`):

* `record_activity`: ``mean_ca_<name>``, ``std_ca_<name>`` and ``rate_<name>`` of every recorded
  population and group, from the recorder's spikes (O(spikes)) or, with ``ca_readout="state"``, NEST's
  stored Ca (one status read per neuron, as NEST's example reads it);
* `record_pathways`: ``connections_<source><target>`` for every plastic pathway and
  ``total_connections_<source>`` per sending population (`counting.pathway_counts`).

`Sampling` is the mixin of `PlasticNetwork` that owns the recorder's start and the sample of each
record interval (`record`); subclasses extend `record` (calling ``super().record()`` first) and
`populations` (to record groups).
"""

import numpy as np

from ..activity import population_statistics
from ..connectivity import SNAPSHOTS_NPZ, Snapshots
from ..engine import local_nodes


def population_sums(recorder, name, nodes=None):
    """Return ``[n, sum Ca, sum Ca², spikes]`` of population or group `name` on this rank.

    Parameters
    ----------
    recorder : recording.Recorder
    name : str
    nodes : nest.NodeCollection, optional
        The neurons of `name`: when given, their Ca is NEST's stored value instead of the recorder's.
    """
    sums = recorder.activity[name].sums()
    if nodes is not None:
        local = local_nodes(nodes)
        ca = np.atleast_1d(np.asarray(local.get("Ca"), dtype=float)) if len(local) else np.empty(0)
        sums[1:3] = [ca.sum(), np.dot(ca, ca)]
    return sums


def record_activity(results, recorder, comm, stored_ca=None):
    """Append mean and spread of Ca, and the firing rate, of every population and group the recorder follows.

    Parameters
    ----------
    results : results.Results
    recorder : recording.Recorder
        Sampled for this sample already.
    comm : parallel.Communicator
    stored_ca : dict of str to nest.NodeCollection, optional
        Populations and groups whose Ca is read from NEST's state (``ca_readout="state"``).
    """
    stored_ca = stored_ca or {}
    for name in recorder.activity:
        sums = comm.sum(population_sums(recorder, name, stored_ca.get(name)))
        mean, std, rate = population_statistics(sums, recorder.interval_ms)
        results.append(**{f"mean_ca_{name}": mean, f"std_ca_{name}": std, f"rate_{name}": rate})


def record_pathways(results, structure, nodes, comm, updater):
    """Append the plastic synapses of each pathway and per sending population, summed over MPI ranks.

    Parameters
    ----------
    results : results.Results
    structure : specs.Structure
    nodes : dict of str to nest.NodeCollection
        The populations.
    comm : parallel.Communicator
    updater : updates.NestUpdate or package_update.PackageUpdate
        Who counts: NEST (`counting.pathway_counts`) or the package's own lists of synapses.
    """
    counts = updater.pathway_counts(structure, nodes)
    totals = [int(round(x)) for x in comm.sum(list(counts.values()))] if counts else []
    values = {f"connections_{s}{t}": n for (s, t), n in zip(counts, totals)}
    for source in dict.fromkeys(s for s, _ in counts):
        values[f"total_connections_{source}"] = sum(n for (s, _), n in zip(counts, totals) if s == source)
    results.append(**values)


class Sampling:
    """Mixin: the recording of a `PlasticNetwork`, one sample per record interval (see the module docstring)."""

    def populations(self):
        """Return the populations whose activity is recorded, ``{name: NodeCollection}``.

        Subclasses may add groups (they may overlap the populations); each gets a `PopulationActivity`.
        """
        return dict(self.nodes)

    def start_recording(self):
        """Create the spike recorder and read the initial Ca of every local neuron.

        Called by `simulate` after all nodes exist, so that the recorder does not shift node ids of
        the network (they match NEST's example).
        """
        everyone = None
        for nodes in self.nodes.values():
            everyone = nodes if everyone is None else everyone + nodes
        self.recorder.start(everyone, self.populations())
        if self.snapshot_every is not None:
            ranges = {name: (nodes.tolist()[0], len(nodes)) for name, nodes in self.nodes.items()}
            self.snapshots = Snapshots(list(self.structure.synapses), ranges)
            self.results.attachments[SNAPSHOTS_NPZ] = self.snapshots.arrays

    @property
    def spike_recorder(self):
        """nest.NodeCollection: the recorder's spike recorder (None before `start_recording`)."""
        return self.recorder.spike_recorder

    def record(self):
        """Take one sample: read the spikes since the last sample, then record time, Ca, rates and connections."""
        t = self.recorder.sample()
        self.results.append(time=(t + self.time_offset_ms) / 1000.0)
        self.record_ca()
        self.record_connectivity()
        if self.snapshots is not None:
            steps = self.now_ms() / self.snapshot_every
            if abs(steps - round(steps)) < self.dt / (2 * self.snapshot_every):
                self.snapshots.take(self, self.now_ms() / 1000.0)

    def record_ca(self):
        """Record mean and spread of Ca, and the firing rate, of every recorded population (`record_activity`)."""
        stored = self.populations() if self.ca_readout == "state" else None
        record_activity(self.results, self.recorder, self.comm, stored)

    def record_connectivity(self):
        """Record the synapses of each plastic pathway (``connections_<source><target>``) and per source
        population (``total_connections_<source>``), summed over MPI ranks (`record_pathways`)."""
        record_pathways(self.results, self.structure, self.nodes, self.comm, self.updater)
