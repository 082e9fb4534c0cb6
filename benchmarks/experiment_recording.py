"""What the experiments' recording costs per sample, measured inside one process on a grown network.

Grows the lesion experiment's network (default size, ``--growth`` seconds), then times, interleaved and
repeated on the same network and the same synapses:

* the group-to-group synapse counts as they were counted before (one ``GetConnections(source, target)``
  query per pair and model, after a ``GetConnections(source)`` probe of what each source sends);
* the same counts by `PathwayCounter` (derived counts, models filtered by element names), checked equal;
* the read of the lesioned group's synaptic elements;
* one simulated second (``nest.Simulate(record_interval)``), the work each sample records.

Timing inside one process side by side is far less sensitive to other load on the machine than
comparing whole runs; the ratio to a simulated second is the recording overhead of an experiment over
the plain model. Prints the medians and writes them as JSON.

Example: ``python benchmarks/experiment_recording.py --growth 150 --repeats 7``.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--growth", type=float, default=150.0, help="growth before timing, in s (default: 150)")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repetitions (default: 7)")
    parser.add_argument("--json", default="experiment-recording.json", help="where to write the figures")
    args = parser.parse_args(argv)

    import nest

    from structural_plasticity.experiments import LesionExperiment
    from structural_plasticity.networks.counting import PathwayCounter

    experiment = LesionExperiment(growth_duration=args.growth * 1000.0, recovery_duration=1000.0)
    experiment.run()
    nodes = experiment.populations()
    pairs = experiment.connection_pairs()
    models = tuple(experiment.plastic_synapses())

    def pairwise():
        sends = {
            (n, m): len(nest.GetConnections(source=nodes[n], synapse_model=m)) > 0 for n, _ in pairs for m in models
        }
        return [
            sum(
                len(nest.GetConnections(source=nodes[s], target=nodes[t], synapse_model=m))
                for m in models
                if sends[(s, m)]
            )
            for s, t in pairs
        ]

    counter = PathwayCounter(experiment.structure, nodes)

    def derived():
        counter.reset()
        return [counter.count(s, t) for s, t in pairs]

    if pairwise() != derived():
        raise SystemExit("the two ways of counting disagree")
    timings = {"pairwise_counts": [], "derived_counts": [], "elements": [], "simulate_interval": []}
    for _ in range(args.repeats):
        for name, work in (
            ("pairwise_counts", pairwise),
            ("derived_counts", derived),
            ("elements", experiment.record_group_elements),
            ("simulate_interval", lambda: nest.Simulate(experiment.record_interval)),
        ):
            start = time.perf_counter()
            work()
            timings[name].append(time.perf_counter() - start)
    medians_ms = {name: statistics.median(values) * 1e3 for name, values in timings.items()}
    interval = medians_ms["simulate_interval"]
    report = {
        "growth_s": args.growth,
        "repeats": args.repeats,
        "synapses": int(sum(experiment.results[f"connections_{p}"][-1] for p in ("ee", "ei", "ie", "ii"))),
        "median_ms": medians_ms,
        "overhead_per_sample": {
            "pairwise": (medians_ms["pairwise_counts"] + medians_ms["elements"]) / interval,
            "derived": (medians_ms["derived_counts"] + medians_ms["elements"]) / interval,
        },
    }
    for name, value in medians_ms.items():
        print(f"{name:<18} {value:9.2f} ms")
    for name, value in report["overhead_per_sample"].items():
        print(f"experiment recording, {name} counts: {100 * value:.2f} % of a simulated second")
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
