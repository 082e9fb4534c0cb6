"""Cost of the full-size assembly experiment (10 000 E + 2 500 I) per simulated second, and the projected protocol.

Builds `AssemblyExperiment(size="full")` and simulates a few seconds in one of two states:

* ``start``: as the protocol starts, without E→E synapses (the cheapest moment of the run);
* ``steady``: E→E synapses pre-wired at the grown connectivity (in-degree 1000 from random E neurons,
  no autapses) as plastic synapses whose elements NEST counts, every neuron's elements set to its
  connected ones and its Ca to the target, so that the network starts where growth ends. This is
  the state of 5650 of the protocol's 6150 simulated seconds.

For each simulated second it times ``nest.Simulate`` and the recording (spikes, Ca, the four block
counts, the stimulated group's elements) separately, in wall and in CPU time of the process (on a
machine shared with other work the CPU time is what an idle core would take), and prints one JSON object with the set-up time,
the per-second costs, the E→E synapse count before and after, rates and peak memory. With both states
measured, ``--project START.json STEADY.json`` prints the projected wall time of the whole protocol:
growth (500 s) at the mean of the two costs, the other 5650 s at the steady cost (each the median
over the simulated seconds after the first, whose cost is a one-time preparation).

Usage (from the repository root; set-up takes minutes, each simulated second tens of seconds)::

    python benchmarks/assembly_cost.py --state start --seconds 3 > start.json
    python benchmarks/assembly_cost.py --state steady --seconds 3 > steady.json
    mpirun -n 2 .venv-mpi/bin/python benchmarks/assembly_cost.py --state steady --seconds 3 > steady-2.json
    python benchmarks/assembly_cost.py --project start.json steady.json
"""

import argparse
import json
import os
import platform
import resource
import sys
import time

import numpy as np

#: The protocol of the full-size study (s): growth, stimulation, after, decay.
PROTOCOL_S = {"growth": 500.0, "stimulation": 150.0, "after": 500.0, "decay": 5000.0}
#: How often the full-size protocol records (s): `AssemblyExperiment(size="full").record_interval`.
RECORD_EVERY_S = 10.0


def prewire(experiment, seed):
    """Connect every E neuron to 1000 random other E neurons with the plastic model, elements counted by NEST.

    Each target gets its own ``Connect`` call (``all_to_all`` from a sorted set of sources): NEST's
    structural plasticity accepts only ``all_to_all`` and ``one_to_one`` for connections whose elements
    it counts. Every rank makes the same calls (same numpy seed); NEST creates the local synapses.
    """
    import nest

    from structural_plasticity.engine import local_nodes

    e = experiment.nodes["e"]
    ids = np.asarray(e.tolist())
    indegree = experiment.indegree("e")
    rng = np.random.default_rng(seed)
    (model,) = experiment.plastic_synapses()
    syn_spec = {"synapse_model": model, "pre_synaptic_element": "Axon_exc", "post_synaptic_element": "Den_exc"}
    for j, target in enumerate(ids):
        others = rng.choice(len(ids) - 1, size=indegree, replace=False)
        others = np.sort(np.where(others >= j, others + 1, others))  # skip the target itself: no autapses
        nest.Connect(nest.NodeCollection(ids[others].tolist()), e[j], "all_to_all", syn_spec)
    # Elements equal to the connected ones, Ca at the target: no element is free, nothing is deleted at once.
    local = local_nodes(e)
    if not len(local):
        return
    status = local.get("synaptic_elements")
    status = [status] if isinstance(status, dict) else status
    eps = experiment.target_rate_hz / 1000.0
    local.set(
        [
            {
                "synaptic_elements_param": {
                    "Axon_exc": {"z": float(s["Axon_exc"]["z_connected"])},
                    "Den_exc": {"z": float(s["Den_exc"]["z_connected"])},
                },
                "Ca": eps,
            }
            for s in status
        ]
    )


def measure(state, seconds, seed, n_exc=None, n_inh=None):
    import nest

    from structural_plasticity.experiments import AssemblyExperiment

    started, cpu = time.perf_counter(), time.process_time()
    experiment = AssemblyExperiment(
        size="full",
        rng_seed=seed,
        record_interval=1000.0,
        number_excitatory_neurons=n_exc,  # None: the full size's 10 000
        number_inhibitory_neurons=n_inh,  # None: 2 500
    )
    experiment.build()
    setup_s, setup_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    prewire_s = prewire_cpu_s = 0.0
    if state == "steady":
        started, cpu = time.perf_counter(), time.process_time()
        prewire(experiment, seed)
        prewire_s, prewire_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    nest.EnableStructuralPlasticity()
    experiment.start_recording()
    comm = experiment.comm
    synapses_before = int(comm.sum([len(nest.GetConnections(synapse_model=experiment.SYNAPSE_E))])[0])
    simulate, record, simulate_cpu, record_cpu = [], [], [], []
    with experiment.running():
        for _ in range(int(seconds)):
            t0, c0 = time.perf_counter(), time.process_time()
            nest.Simulate(1000.0)
            t1, c1 = time.perf_counter(), time.process_time()
            experiment.record()
            t2, c2 = time.perf_counter(), time.process_time()
            simulate.append(t1 - t0)
            record.append(t2 - t1)
            simulate_cpu.append(c1 - c0)
            record_cpu.append(c2 - c1)
    r = experiment.results
    peak_mb = comm.sum([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0])[0]
    return {
        "state": state,
        "processes": comm.size,
        "seed": seed,
        "simulated_s": float(seconds),
        "neurons": [len(experiment.nodes["e"]), len(experiment.nodes["i"])],
        "setup_s": setup_s,
        "setup_cpu_s": setup_cpu_s,
        "prewire_s": prewire_s,
        "prewire_cpu_s": prewire_cpu_s,
        "simulate_s_per_s": simulate,
        "record_s_per_sample": record,
        "simulate_cpu_s_per_s": simulate_cpu,
        "record_cpu_s_per_sample": record_cpu,
        "load_average": list(os.getloadavg()),
        "connections_ee_before": synapses_before,
        "connections_ee": r["connections_ee"].tolist(),
        "rate_e_hz": r["rate_e"].tolist(),
        "rate_i_hz": r["rate_i"].tolist(),
        "peak_rss_mb_all_ranks": float(peak_mb),
        "nest": nest.__version__,
        "machine": platform.machine(),
    }


def project(start, steady, clock="cpu"):
    """Return the projected time (s) of the whole protocol from a ``start`` and a ``steady`` measurement.

    ``clock="cpu"`` uses the process's CPU time (what an otherwise idle core would take; on a shared
    machine wall time also counts the other users), ``"wall"`` the wall time. Under MPI the CPU time is
    rank 0's.
    """
    suffix = "_cpu" if clock == "cpu" else ""
    cost = {}
    for name, run in (("start", start), ("steady", steady)):
        # The first second holds NEST's one-time preparation of the connection tables (minutes after
        # pre-wiring 10 million synapses): the median of the later seconds, when there are any.
        # The protocol records every RECORD_EVERY_S, the benchmark every second.
        record = np.asarray(run[f"record{suffix}_s_per_sample"]) / RECORD_EVERY_S
        per_second = np.add(run[f"simulate{suffix}_s_per_s"], record)
        cost[name] = float(np.median(per_second[1:] if len(per_second) > 1 else per_second))
    growth = PROTOCOL_S["growth"] * (cost["start"] + cost["steady"]) / 2
    rest = (sum(PROTOCOL_S.values()) - PROTOCOL_S["growth"]) * cost["steady"]
    return {
        "clock": clock,
        "cost_s_per_simulated_s": cost,
        "processes": steady["processes"],
        "growth_s": growth,
        "rest_s": rest,
        "total_s": growth + rest,
        "total_h": (growth + rest) / 3600.0,
        "setup_s": steady[f"setup{suffix}_s"],
        "prewire_s": steady[f"prewire{suffix}_s"],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", choices=["start", "steady"], default="steady")
    parser.add_argument("--seconds", type=int, default=3, help="simulated seconds to time (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n-exc", type=int, default=None, help="E neurons (default: the full size's 10 000)")
    parser.add_argument("--n-inh", type=int, default=None, help="I neurons (default: 2 500)")
    parser.add_argument("--project", nargs=2, metavar=("START", "STEADY"), help="project from two JSON results")
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu", help="time used by --project")
    args = parser.parse_args(argv)
    if args.project:
        start, steady = (json.loads(open(path).read()) for path in args.project)
        print(json.dumps(project(start, steady, args.clock), indent=2))
        return 0
    result = measure(args.state, args.seconds, args.seed, args.n_exc, args.n_inh)
    import nest

    if nest.Rank() == 0:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
