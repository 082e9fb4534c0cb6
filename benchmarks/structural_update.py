"""NEST's structural update against the package's, on 1 and 2 threads, at several network sizes.

For each size (80 % excitatory, 20 % inhibitory; NEST's example's neurons, synapses and growth curves) a
network is grown once (growth 20 times faster than the example's, so that it has the example's kind of
connectivity after a few simulated seconds) and saved; every variant then continues the SAME saved network
with the example's own growth curves, in a fresh process, for the same simulated time. Variants are
interleaved and repeated, so that drifts of a noisy machine hit all alike:

``nest``      NEST's own structural update, 1 thread (the package's recording, as every run has)
``package1``  the package's update, 1 thread
``package2``  the package's update, 2 threads
``bare1``     the same saved network without any plasticity: ``nest.Simulate`` in 100 ms steps, 1 thread
``bare2``     the same on 2 threads (the kernel's own limit of a 1 -> 2 thread speed-up)

It prints per size the median wall time of the simulation (the run's ``wall_time_s``; for ``bare`` the loop),
the ratios ``package1/nest`` (the package's cost at equal settings), ``nest/package2`` (the speed-up a user
gets) and ``bare1/bare2`` (the kernel's), and where the package's time goes (``metadata["structural_update"]``:
element integration, deletion choice, pairing, NEST's Disconnect and Connect, the Simulate calls), with
NEST's own time for rebuilding its connection tables (kernel status ``time_communicate_prepare``).

Example: ``python benchmarks/structural_update.py --sizes 1000,10000,50000 --t-sim 20,4,1 --repeats 2``.
"""

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("nest", "package1", "package2", "bare1", "bare2")
HERE = Path(__file__).resolve()
#: Growth of the saved network, before every variant continues it.
GROWTH_FACTOR = 20
GROWTH_S = 10.0


def sizes_of(total):
    """Return (excitatory, inhibitory) neurons of a network of `total` neurons."""
    n_exc = int(round(0.8 * total))
    return n_exc, total - n_exc


def grow(path, total, threads=1):
    """Grow a network of `total` neurons with fast growth and save it to `path` (the package's update, threads)."""
    from structural_plasticity import StructuralPlasticityExample

    n_exc, n_inh = sizes_of(total)
    network = StructuralPlasticityExample(
        **StructuralPlasticityExample.growth_curves_scaled(GROWTH_FACTOR),
        number_excitatory_neurons=n_exc,
        number_inhibitory_neurons=n_inh,
        t_sim=GROWTH_S * 1000.0,
        structural_update="package",
        threads=threads,
        save_network_path=str(path),
    )
    network.run()


def drive(variant, network_file, t_sim_ms):
    """Continue the saved network as `variant` for `t_sim_ms`; print one JSON line of measurements."""
    import resource

    import nest
    import numpy as np

    from structural_plasticity import StructuralPlasticityExample
    from structural_plasticity.networks import state

    saved = state.load_network(network_file)
    n_exc, n_inh = (p["size"] for p in saved.meta["populations"])
    threads = 2 if variant.endswith("2") else 1
    engine = "nest" if variant == "nest" else "package"
    network = StructuralPlasticityExample(
        number_excitatory_neurons=n_exc,
        number_inhibitory_neurons=n_inh,
        t_sim=t_sim_ms,
        initial_network=str(network_file),
        structural_update=engine,
        threads=threads,
    )
    record = {"variant": variant, "neurons": n_exc + n_inh, "t_sim_s": t_sim_ms / 1000.0}
    if variant.startswith("bare"):
        network.build()
        rebuild = nest.GetKernelStatus("time_communicate_prepare")
        started = time.perf_counter()
        for _ in range(int(round(t_sim_ms / 100.0))):
            nest.Simulate(100.0)
        record["loop_s"] = time.perf_counter() - started
    else:
        rebuild = None
        network.build()
        rebuild = nest.GetKernelStatus("time_communicate_prepare")
        results = network.simulate()
        record["loop_s"] = results.metadata["wall_time_s"]
        record["update"] = results.metadata.get("structural_update", {})
        record["synapses_end"] = int(sum(results[f"connections_{p}"][-1] for p in ("ee", "ei", "ie", "ii")))
    record["rebuild_s"] = float(np.max(nest.GetKernelStatus("time_communicate_prepare")) - np.max(rebuild))
    record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(record))


def isolated(variant, network_file, t_sim_s):
    """Measure `variant` in a fresh process (NEST has one kernel per process)."""
    command = [sys.executable, str(HERE), "--measure-one", variant, "--network", str(network_file)]
    out = subprocess.run([*command, "--t-sim", str(t_sim_s)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(records, key):
    return statistics.median(r[key] for r in records)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="total neuron counts (comma-separated)")
    parser.add_argument("--t-sim", default="20,4,1", help="simulated seconds per size (comma-separated)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--cache", help="folder for the grown networks (default: a temporary one)")
    parser.add_argument("--json", default="structural-update.json")
    parser.add_argument("--measure-one", help=argparse.SUPPRESS)
    parser.add_argument("--network", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_one:
        return drive(args.measure_one, args.network, float(args.t_sim) * 1000.0)
    sizes = [int(s) for s in args.sizes.split(",")]
    t_sims = [float(t) for t in args.t_sim.split(",")]
    t_sims = t_sims * len(sizes) if len(t_sims) == 1 else t_sims
    variants = args.variants.split(",")
    cache = Path(args.cache or tempfile.mkdtemp(prefix="sp-bench-"))
    cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for size, t_sim in zip(sizes, t_sims):
        network_file = cache / f"grown-{size}.npz"
        if not network_file.exists():
            started = time.perf_counter()
            grow(network_file, size)
            print(f"grew {size} neurons for {GROWTH_S:g} s in {time.perf_counter() - started:.0f} s", flush=True)
        records = {variant: [] for variant in variants}
        for _ in range(args.repeats):
            for variant in variants:  # interleaved
                records[variant].append(isolated(variant, network_file, t_sim))
        row = {"neurons": size, "t_sim_s": t_sim, "variants": {}}
        for variant, runs in records.items():
            entry = {
                "loop_s": median(runs, "loop_s"),
                "loop_s_all": [r["loop_s"] for r in runs],
                "s_per_simulated_s": median(runs, "loop_s") / t_sim,
                "rebuild_s": median(runs, "rebuild_s"),
                "peak_rss_mb": median(runs, "peak_rss_mb"),
            }
            if runs[0].get("update", {}).get("time_s"):
                entry["time_s"] = {
                    k: statistics.median(r["update"]["time_s"][k] for r in runs) for k in runs[0]["update"]["time_s"]
                }
                entry["updates"] = runs[0]["update"]["updates"]
                entry["synapses_end"] = runs[0]["synapses_end"]
            row["variants"][variant] = entry
        v = row["variants"]
        ratios = {}
        for num, den in (
            ("package1", "nest"),
            ("nest", "package2"),
            ("nest", "package1"),
            ("package1", "package2"),
            ("bare1", "bare2"),
        ):
            if num in v and den in v:
                ratios[f"{num}/{den}"] = v[num]["loop_s"] / v[den]["loop_s"]
        row["ratios"] = ratios
        rows.append(row)
        print(f"{size} neurons, {t_sim:g} s:", flush=True)
        for variant, entry in v.items():
            spread = ", ".join(f"{x:.1f}" for x in entry["loop_s_all"])
            line = f"  {variant:<9} {entry['loop_s']:7.2f} s ({spread})  rebuild {entry['rebuild_s']:.2f} s"
            if "time_s" in entry:
                line += "  " + ", ".join(f"{k} {x:.2f}" for k, x in entry["time_s"].items())
            print(line, flush=True)
        print("  ratios: " + ", ".join(f"{k} {x:.2f}" for k, x in ratios.items()), flush=True)
    out = {"machine": platform.platform(), "python": platform.python_version(), "repeats": args.repeats, "rows": rows}
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
