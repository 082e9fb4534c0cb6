"""Scaling in network size: cost per neuron-second and memory per neuron, bare kernel vs this package.

For each size (80 % excitatory, 20 % inhibitory, per-neuron parameters unchanged) the bare kernel
(one ``nest.Simulate``, no recording) and the package (recording every second) run in fresh processes,
interleaved and repeated, for a simulated time that shrinks with the size. It prints, per size,

* ``µs per neuron-second``: run time / (neurons x simulated seconds), median over repeats;
* the package's recording overhead over the bare kernel (ratio of medians - 1);
* peak memory, and memory per neuron from the slope between consecutive sizes.

Note that the cost per neuron-second depends on how far growth has progressed (early on there are few
synapses), so all sizes simulate the same first seconds of the run and compare like with like.

Example: ``python benchmarks/scaling.py --sizes 1000,5000,20000,50000 --t-sim 10,4,2,2 --repeats 2``.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import isolated  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000,50000", help="total neuron counts (comma-separated)")
    parser.add_argument("--t-sim", default="10,4,2,2", help="simulated seconds per size (comma-separated)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", default="scaling-results.json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    t_sims = [float(t) for t in args.t_sim.split(",")]
    if len(t_sims) == 1:
        t_sims *= len(sizes)
    if len(t_sims) != len(sizes):
        parser.error("give one --t-sim per size, or a single one for all")

    rows = []
    for size, t_sim in zip(sizes, t_sims):
        n_exc = int(round(0.8 * size))
        opts = argparse.Namespace(t_sim=t_sim, n_exc=n_exc, n_inh=size - n_exc, mpi_python=None)
        runs = {"bare": [], "package": []}
        for _ in range(args.repeats):
            for variant in runs:  # interleaved
                runs[variant].append(isolated(variant, opts))
        row = {"neurons": size, "t_sim_s": t_sim}
        for variant, records in runs.items():
            run_s = statistics.median(r["run_s"] for r in records)
            row[variant] = {
                "run_s": run_s,
                "setup_s": statistics.median(r["setup_s"] for r in records),
                "loop_s": statistics.median(r["loop_s"] for r in records),
                "run_s_all": [r["run_s"] for r in records],
                "us_per_neuron_second": run_s / (size * t_sim) * 1e6,
                "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in records),
            }
        row["overhead"] = row["package"]["run_s"] / row["bare"]["run_s"] - 1.0
        # The loop alone: the recurring cost of recording, without the one-time set-up of the recorder.
        row["loop_overhead"] = row["package"]["loop_s"] / row["bare"]["loop_s"] - 1.0
        rows.append(row)
        print(
            f"{size:>7} neurons, {t_sim:g} s: bare {row['bare']['us_per_neuron_second']:7.1f} µs/neuron-s, "
            f"package {row['package']['us_per_neuron_second']:7.1f} µs/neuron-s, overhead {row['overhead']:+.1%} "
            f"(loop {row['loop_overhead']:+.1%}, set-up {row['package']['setup_s']:.1f} s vs {row['bare']['setup_s']:.1f} s), "
            f"peak RSS bare {row['bare']['peak_rss_mb']:.0f} MB, package {row['package']['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    for previous, row in zip(rows, rows[1:]):
        dn = row["neurons"] - previous["neurons"]
        for variant in ("bare", "package"):
            slope = (row[variant]["peak_rss_mb"] - previous[variant]["peak_rss_mb"]) * 1024 / dn
            row[variant]["kb_per_neuron"] = slope
        print(
            f"memory per neuron between {previous['neurons']} and {row['neurons']}: "
            f"bare {row['bare']['kb_per_neuron']:.1f} kB, package {row['package']['kb_per_neuron']:.1f} kB"
        )
    Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
