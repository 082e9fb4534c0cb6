"""Minimal script: NEST 3.10 crashes when synapses are disconnected between Simulate calls on MPI x threads.

Run it as ``mpirun -n 2 python scripts/nest_mpi_threads_disconnect.py THREADS [SEED]`` with an MPI build of
NEST (scripts/install-nest-mpi.sh). Every 100 ms of simulated time it disconnects a few random synapses
(found with GetConnections, every rank asking the same) and connects a few new ones, as the package's
structural update does. It prints "completed" on every rank, or dies with a segmentation fault. NEST issue
#3489 (open) reports the same crash for Connect/Disconnect/Simulate sequences under MPI.
"""

import sys

import nest
import numpy as np

threads = int(sys.argv[1])
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
nest.verbosity = nest.VerbosityLevel.ERROR
nest.local_num_threads = threads
nest.rng_seed = seed
nest.CopyModel("static_synapse", "plastic", {"weight": 585.0, "delay": 1.0})
neurons = nest.Create("iaf_psc_alpha", 100)
noise = nest.Create("poisson_generator", params={"rate": 10_000.0})
nest.Connect(noise, neurons, syn_spec={"weight": 6.2, "delay": 1.0})
recorder = nest.Create("spike_recorder")
nest.Connect(neurons, recorder)
rng = np.random.default_rng(seed)  # the same on every rank, so every rank makes the same calls
first = neurons.tolist()[0]
for step in range(60):
    existing = nest.GetConnections(synapse_model="plastic")
    if len(existing):
        pick = rng.permutation(len(existing))[: max(1, len(existing) // 10)]
        nest.Disconnect(
            nest.SynapseCollection([existing._datum[i] for i in sorted(set(pick.tolist()) & set(range(len(existing))))])
        )
    else:
        nest.Disconnect(nest.SynapseCollection([]))
    pre, post = rng.integers(first, first + 100, (2, 10))
    nest.Connect(
        pre, post, "one_to_one", {"synapse_model": "plastic", "weight": np.full(10, 585.0), "delay": np.ones(10)}
    )
    nest.Simulate(100.0)
print(f"rank {nest.Rank()}: completed 60 steps on {threads} thread(s)", flush=True)
