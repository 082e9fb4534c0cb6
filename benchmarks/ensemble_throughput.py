"""Throughput of an ensemble on 1 and on N parallel jobs, and the memory of one member.

Runs the same small ensemble (default: 4 seeds of the default network for 20 s of simulated time,
no figures) with ``jobs=1`` and ``jobs=N`` into fresh folders, in rounds whose order alternates, so that
a drift of the machine's load hits both alike. Prints, per job count, the wall time of the whole
ensemble, members per minute, the ratio of throughputs, the peak resident memory of a member (from
``getrusage(RUSAGE_CHILDREN)``: the largest member process so far) and the load average before and
after, which says how busy the machine was with other work.

Usage (from the repository root)::

    .venv/bin/python benchmarks/ensemble_throughput.py                         # 4 members, 1 vs 2 jobs
    .venv/bin/python benchmarks/ensemble_throughput.py --members 8 --t-sim 10 --repeats 2 -o ens.json
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from structural_plasticity.cli import SIMULATIONS  # noqa: E402
from structural_plasticity.ensemble import make_plan, run_ensemble  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--members", type=int, default=4, metavar="N", help="seeds, one member each (default: %(default)s)"
    )
    parser.add_argument("--jobs", default="1,2", metavar="LIST", help="job counts to compare (default: %(default)s)")
    parser.add_argument(
        "--t-sim", type=float, default=20.0, metavar="S", help="simulated time per member, s (default: %(default)g)"
    )
    parser.add_argument("--n-exc", type=int, default=800, metavar="N", help="excitatory neurons (default: %(default)s)")
    parser.add_argument("--n-inh", type=int, default=200, metavar="N", help="inhibitory neurons (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=1, metavar="N", help="rounds (default: %(default)s)")
    parser.add_argument("-o", "--output", metavar="JSON", help="also write the measurements to this JSON file")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    jobs_list = [int(j) for j in args.jobs.split(",")]
    options = ["--t-sim", f"{args.t_sim:g}", "--n-exc", str(args.n_exc), "--n-inh", str(args.n_inh), "--no-plot"]
    plan = make_plan("run", list(range(1, args.members + 1)), None, options, commands=SIMULATIONS)
    env = dict(os.environ, MPLBACKEND="Agg", PYNEST_QUIET="1")
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    walls = {j: [] for j in jobs_list}
    sims = {j: [] for j in jobs_list}
    loads = []
    for round_index in range(args.repeats):
        order = jobs_list if round_index % 2 == 0 else jobs_list[::-1]
        for jobs in order:
            folder = Path(tempfile.mkdtemp(prefix="ensemble-bench-")) / "ens"
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            report = run_ensemble(plan, folder, jobs=jobs, progress=False, env=env)
            wall = time.perf_counter() - started
            load_after = os.getloadavg()[0]
            if not report.ok:
                sys.exit(f"ensemble failed:\n{report.summary()}")
            sim = [json.loads((folder / m.folder / "metadata.json").read_text())["wall_time_s"] for m in plan.members]
            shutil.rmtree(folder.parent)
            walls[jobs].append(wall)
            sims[jobs].append(statistics.median(sim))
            loads.append((jobs, load_before, load_after))
            print(
                f"round {round_index + 1}, {jobs} job(s): {wall:.1f} s for {args.members} members "
                f"({60 * args.members / wall:.2f} members/min; median simulation loop {statistics.median(sim):.1f} s "
                f"per member); load average {load_before:.2f} -> {load_after:.2f}",
                flush=True,
            )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    base = statistics.median(walls[jobs_list[0]])
    print(
        f"\n{args.members} members of {args.n_exc} + {args.n_inh} neurons, {args.t_sim:g} s each, "
        f"on {os.cpu_count()} CPUs, median of {args.repeats} round(s):"
    )
    for jobs in jobs_list:
        wall = statistics.median(walls[jobs])
        print(
            f"  {jobs} job(s): {wall:6.1f} s, {60 * args.members / wall:5.2f} members/min, "
            f"throughput x{base / wall:.2f} vs {jobs_list[0]} job(s)"
        )
    print(f"  peak memory of a member: {peak_mb:.0f} MB")
    if args.output:
        Path(args.output).write_text(
            json.dumps(
                {
                    "members": args.members,
                    "t_sim_s": args.t_sim,
                    "neurons": [args.n_exc, args.n_inh],
                    "cpus": os.cpu_count(),
                    "machine": platform.platform(),
                    "wall_s": walls,
                    "member_simulation_s": sims,
                    "load_average": loads,
                    "peak_member_rss_mb": peak_mb,
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
