"""Wall time of the same run on 1 and on N MPI processes, side by side, and the speed-up.

Runs ``python -m structural_plasticity`` with identical options once per process count, in rounds: each
round runs every process count, and successive rounds reverse the order, so that a slow drift of the
machine's load (other users, thermal throttling) hits all process counts alike. The 1-process runs use
the same MPI build of NEST (started without mpirun), so that only the number of processes differs.

Usage (from the repository root, with the MPI environment of ``scripts/install-nest-mpi.sh``)::

    .venv-mpi/bin/python benchmarks/mpi_speedup.py                    # 200 s, 1 vs 2 processes, 3 rounds
    .venv-mpi/bin/python benchmarks/mpi_speedup.py --t-sim 20 --repeats 2 -o speedup-20s.json

Two times are reported per run: ``wall`` (the whole command, including Python and NEST start-up,
network construction and writing results) and ``simulation`` (the simulation loop alone, from the
run's ``metadata.json``). The speed-up is the ratio of medians over the rounds.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--t-sim",
        type=float,
        default=200.0,
        metavar="S",
        help="simulated (biological) time of each run in seconds (default: %(default)g)",
    )
    parser.add_argument(
        "--processes",
        default="1,2",
        metavar="LIST",
        help="comma-separated process counts to compare (default: %(default)s)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        metavar="N",
        help="rounds; each round runs every process count once (default: %(default)s)",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        metavar="PATH",
        help="python of an environment with an MPI build of NEST (default: this python)",
    )
    parser.add_argument("--mpirun", default="mpirun", metavar="CMD", help="MPI launcher (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=12345, metavar="N", help="NEST's seed (default: %(default)s)")
    parser.add_argument(
        "-o",
        "--output",
        default="mpi_speedup.json",
        metavar="FILE",
        help="JSON file for all timings and the settings (default: %(default)s)",
    )
    parser.add_argument(
        "extra",
        nargs="*",
        metavar="OPTION",
        help="further options for the run, after '--' (e.g. -- --n-exc 1600 --n-inh 400)",
    )
    args = parser.parse_args(argv)
    args.processes = [int(n) for n in args.processes.split(",")]
    return args


def run_once(args, n_processes, folder):
    """Run the example once on `n_processes`; return ``(wall_s, simulation_s, metadata)``."""
    command = [
        args.python,
        "-m",
        "structural_plasticity",
        "--t-sim",
        f"{args.t_sim:g}",
        "--seed",
        str(args.seed),
        "--no-plot",
        "--quiet",
        "-o",
        str(folder),
        *args.extra,
    ]
    if n_processes > 1:
        command = [args.mpirun, "-n", str(n_processes), *command]
    env = dict(os.environ, PYNEST_QUIET="1", MPLBACKEND="Agg")
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-3000:]}")
    metadata = json.loads((Path(folder) / "metadata.json").read_text())
    if metadata["n_processes"] != n_processes:
        sys.exit(
            f"asked for {n_processes} processes but NEST ran on {metadata['n_processes']}: "
            f"is {args.python} an MPI build of NEST (scripts/install-nest-mpi.sh)?"
        )
    return wall, metadata["wall_time_s"], metadata


def main(argv=None):
    args = parse_args(argv)
    if any(n > 1 for n in args.processes) and shutil.which(args.mpirun) is None:
        sys.exit(f"{args.mpirun} not found; install Open MPI (Debian: apt-get install openmpi-bin)")
    timings = {n: [] for n in args.processes}
    load_before = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="mpi_speedup_"))
    last = None
    try:
        for round_ in range(args.repeats):
            order = args.processes if round_ % 2 == 0 else args.processes[::-1]  # alternate to cancel drift
            for n in order:
                folder = scratch / f"r{round_}_n{n}"
                wall, simulation, last = run_once(args, n, folder)
                timings[n].append(
                    {
                        "round": round_,
                        "wall_s": wall,
                        "simulation_s": simulation,
                        "completed": last["completed"],
                        "load_average_1min": os.getloadavg()[0],
                    }
                )
                print(
                    f"round {round_ + 1}/{args.repeats}  {n} process(es): wall {wall:7.1f} s, "
                    f"simulation {simulation:7.1f} s",
                    flush=True,
                )
                shutil.rmtree(folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    base = args.processes[0]
    summary = {}
    for n in args.processes:
        wall = statistics.median(t["wall_s"] for t in timings[n])
        simulation = statistics.median(t["simulation_s"] for t in timings[n])
        summary[n] = {"median_wall_s": wall, "median_simulation_s": simulation}
    for n in args.processes:
        summary[n]["speedup_wall"] = summary[base]["median_wall_s"] / summary[n]["median_wall_s"]
        summary[n]["speedup_simulation"] = summary[base]["median_simulation_s"] / summary[n]["median_simulation_s"]

    print(f"\n{args.t_sim:g} s simulated, {args.repeats} round(s), medians; speed-up relative to {base} process(es)")
    print(
        f"{'processes':>9}  {'wall (s)':>9}  {'simulation (s)':>14}  {'speed-up wall':>13}  {'speed-up simulation':>19}"
    )
    for n in args.processes:
        s = summary[n]
        print(
            f"{n:>9}  {s['median_wall_s']:>9.1f}  {s['median_simulation_s']:>14.1f}  "
            f"{s['speedup_wall']:>12.2f}x  {s['speedup_simulation']:>18.2f}x"
        )
    report = {
        "t_sim_s": args.t_sim,
        "processes": args.processes,
        "repeats": args.repeats,
        "seed": args.seed,
        "extra_options": args.extra,
        "summary": {str(n): s for n, s in summary.items()},
        "runs": {str(n): t for n, t in timings.items()},
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "processor": platform.processor(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "versions": last["versions"] if last else {},
        "network": (
            {k: last["parameters"][k] for k in ("number_excitatory_neurons", "number_inhibitory_neurons")}
            if last
            else {}
        ),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
