"""Side-by-side benchmark: NEST's own example, the bare kernel, this package, and this package on 2 MPI ranks.

Each variant runs in a fresh process (NEST has one kernel per process), interleaved and repeated, so
that drifts of a noisy machine hit all variants alike. For each it reports the median and the spread of

* ``run_s``: wall time from network construction to the end of the simulation (NEST is already
  imported; no plotting), measured inside the process;
* ``wall_s``: wall time of the whole process, including Python and NEST start-up;
* ``peak_rss_mb``: the peak resident memory of the process (of the largest rank under MPI);

and the ratios ``package/nest_example``, ``package/bare``, ``mpi2/nest_example`` (and ``mpi2/package``),
``experiment/package``.

The main comparison is at equal settings: NEST's example runs with the package's update interval
(100 ms), so both simulate the same network with bit-identical trajectories and differ only in how they
record (``python -m structural_plasticity compare`` shows the agreement). NEST's example as shipped
(10 000 ms, a different and cheaper simulation) is a separate row.

Variants
--------
``nest_example``  NEST's example from the wheel with the package's update interval (100 ms): 200
                  ``Simulate`` calls and per-neuron status reads, without its final plot.
``nest_example_shipped``  the same with the update interval it ships with (10 000 ms).
``bare``          the package's network, one ``nest.Simulate(t_sim)`` call, no recording: the engine's limit.
``package``       ``StructuralPlasticityExample(...).run()`` with default settings, 1 process; the loop time
                  is the ``wall_time_s`` the run records in its results.
``experiment``    the package's network with the lesion experiment's recording (groups ``lesioned`` and
                  ``intact``, their Ca, rates, group-to-group synapses and elements) but no intervention, so
                  it simulates exactly what ``package`` simulates: experiment/package is the cost of the
                  experiments' recording.
``mpi2``          ``package`` under ``mpirun -n 2`` with an MPI build of NEST (``--mpi-python``), when available.
``chunked``       (diagnostic) the package's network simulated in ``record_interval`` steps, no recording:
                  package/chunked is the cost of recording alone, chunked/bare the cost of stepping.
``run_manager``   (diagnostic) like ``chunked``, with ``nest.RunManager`` and ``nest.Run`` steps.
``recorder``      (diagnostic) like ``chunked``, with the package's spike recorder connected but never read:
                  recorder/chunked is NEST's own cost of delivering every spike to the recorder.

Examples
--------
``python benchmarks/benchmark.py --t-sim 20 --repeats 3`` (a few minutes) or
``python benchmarks/benchmark.py`` (200 s, 3 repeats: about 40 minutes on 2 cores).
"""

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

VARIANTS = (
    "nest_example",
    "nest_example_shipped",
    "bare",
    "package",
    "experiment",
    "mpi2",
    "chunked",
    "run_manager",
    "recorder",
)
#: Run by default; the others isolate where time goes (see the module docstring).
DEFAULT_VARIANTS = ("nest_example", "nest_example_shipped", "bare", "package", "experiment", "mpi2")
#: The package's update interval (ms), given to NEST's example for the comparison at equal settings.
PACKAGE_UPDATE_INTERVAL = 100.0
HERE = Path(__file__).resolve()


# --------------------------------------------------------------------------------------------------
# Drivers: run inside the measured process, print one JSON line.
# --------------------------------------------------------------------------------------------------
def load_nest_example():
    """Import NEST's shipped example module from the installed wheel (its code is not copied here)."""
    import importlib.util

    import nest

    path = Path(nest.__file__).parent / "doc" / "examples" / "pynest" / "structural_plasticity.py"
    spec = importlib.util.spec_from_file_location("nest_structural_plasticity_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def drive(variant, t_sim_ms, n_exc, n_inh):
    """Build and simulate one variant; print ``run_s`` (all), ``setup_s`` (until the first simulated step)
    and ``loop_s`` (the simulation with its recording) as JSON."""
    import nest

    from structural_plasticity import StructuralPlasticityExample

    # Loading NEST's example imports matplotlib.pyplot: do it before the clock starts.
    shipped = variant.startswith("nest_example")
    nest_example_class = load_nest_example().StructralPlasticityExample if shipped else None
    start = time.perf_counter()
    if shipped:
        example = nest_example_class()
        if variant == "nest_example":
            example.update_interval = PACKAGE_UPDATE_INTERVAL
        example.t_sim = t_sim_ms
        example.number_excitatory_neurons, example.number_inhibitory_neurons = n_exc, n_inh
        with contextlib.redirect_stdout(io.StringIO()):  # its progress prints
            example.prepare_simulation()
            example.create_nodes()
            example.connect_external_input()
            setup_done = time.perf_counter()
            example.simulate()
    elif variant in ("package", "mpi2", "experiment"):
        model = _recorded_like_lesion() if variant == "experiment" else StructuralPlasticityExample
        example = model(t_sim=t_sim_ms, number_excitatory_neurons=n_exc, number_inhibitory_neurons=n_inh)
        results = example.run()
        # The run records the wall time of its simulation loop (recording included) in its results.
        setup_done = time.perf_counter() - results.metadata["wall_time_s"]
    else:
        example = StructuralPlasticityExample(
            t_sim=t_sim_ms, number_excitatory_neurons=n_exc, number_inhibitory_neurons=n_inh
        )
        example.build()
        nest.EnableStructuralPlasticity()
        steps = int(round(t_sim_ms / example.record_interval))
        # The diagnostic variants: the package does no recording.
        if variant == "recorder":
            recorder = nest.Create("spike_recorder")
            nest.Connect(example.nodes_e + example.nodes_i, recorder, syn_spec={"synapse_model": "static_synapse_hpc"})
        setup_done = time.perf_counter()
        if variant == "bare":
            nest.Simulate(t_sim_ms)
        elif variant in ("chunked", "recorder"):
            for _ in range(steps):
                nest.Simulate(example.record_interval)
        else:
            with nest.RunManager():
                for _ in range(steps):
                    nest.Run(example.record_interval)
    end = time.perf_counter()
    if nest.Rank() == 0:
        record = {"variant": variant, "run_s": end - start, "setup_s": setup_done - start, "loop_s": end - setup_done}
        print(json.dumps(dict(record, processes=nest.NumProcesses())))


def _recorded_like_lesion():
    """Return a class that records what `LesionExperiment` records, on an unchanged network (no lesion)."""
    from structural_plasticity import StructuralPlasticityExample
    from structural_plasticity.experiments import Phase
    from structural_plasticity.experiments.intervention import InterventionProtocol

    class RecordedLikeLesion(InterventionProtocol, StructuralPlasticityExample):
        element_groups = ("lesioned",)

        def define_groups(self):
            lesioned, intact = self.pick_from_population()
            return {"lesioned": lesioned, "intact": intact}

        def phases(self):
            return [Phase("growth", self.t_sim)]

    return RecordedLikeLesion


# --------------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------------
def measure(variant, args):
    """Run one variant in a fresh process; return its JSON record plus process wall time and peak RSS."""
    env = dict(os.environ, PYNEST_QUIET="1", MPLBACKEND="Agg")
    driver = ["--driver", variant, "--t-sim", str(args.t_sim), "--n-exc", str(args.n_exc), "--n-inh", str(args.n_inh)]
    if variant == "mpi2":
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        command = ["mpirun", "-n", "2", args.mpi_python, str(HERE), *driver]
    else:
        command = [sys.executable, str(HERE), *driver]
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{variant} failed ({proc.returncode}):\n{err[-2000:]}")
    record = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    record["wall_s"] = wall
    # The peak RSS of the largest process among the descendants we waited for (mpirun's ranks included).
    record["peak_rss_mb"] = peak_rss_of_children_mb()
    return record


def peak_rss_of_children_mb():
    """Peak RSS (MB) of the process just finished.

    getrusage(RUSAGE_CHILDREN) only reports the maximum over all children so far, so each variant runs
    in its own helper process (see `isolated`) where that maximum is this variant's alone.
    """
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def isolated(variant, args):
    """Measure `variant` from a fresh helper process so that its peak-RSS reading is its own."""
    command = [
        sys.executable,
        str(HERE),
        "--measure-one",
        variant,
        "--t-sim",
        str(args.t_sim),
        "--n-exc",
        str(args.n_exc),
        "--n-inh",
        str(args.n_inh),
    ]
    if args.mpi_python:
        command += ["--mpi-python", args.mpi_python]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarize(records, variants):
    table = {}
    for variant in variants:
        rows = [r for r in records if r["variant"] == variant]
        if not rows:
            continue
        entry = {"n": len(rows)}
        for key in ("run_s", "setup_s", "loop_s", "wall_s", "peak_rss_mb"):
            values = [r[key] for r in rows]
            entry[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
        table[variant] = entry
    ratios = {}
    for num, den in (
        ("package", "nest_example"),
        ("package", "nest_example_shipped"),
        ("package", "bare"),
        ("experiment", "package"),
        ("mpi2", "nest_example"),
        ("mpi2", "package"),
        ("nest_example", "bare"),
        ("package", "chunked"),
        ("chunked", "bare"),
        ("run_manager", "bare"),
        ("recorder", "chunked"),
        ("package", "recorder"),
    ):
        if num in table and den in table:
            ratios[f"{num}/{den}"] = {
                "run_s": table[num]["run_s"]["median"] / table[den]["run_s"]["median"],
                "loop_s": table[num]["loop_s"]["median"] / table[den]["loop_s"]["median"],
                "peak_rss_mb": table[num]["peak_rss_mb"]["median"] / table[den]["peak_rss_mb"]["median"],
            }
    return table, ratios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--t-sim", type=float, default=200.0, help="simulated time in s (default: 200)")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of each variant (default: 3)")
    parser.add_argument("--n-exc", type=int, default=800, help="excitatory neurons (default: 800)")
    parser.add_argument("--n-inh", type=int, default=200, help="inhibitory neurons (default: 200)")
    parser.add_argument(
        "--variants", default=",".join(DEFAULT_VARIANTS), help="comma-separated subset of " + ",".join(VARIANTS)
    )
    parser.add_argument(
        "--mpi-python",
        default=os.environ.get("SP_MPI_PYTHON"),
        help="python of an MPI build of NEST (default: $SP_MPI_PYTHON); mpi2 is skipped without it",
    )
    parser.add_argument("--json", default="benchmark-results.json", help="where to write the figures (JSON)")
    parser.add_argument("--driver", help=argparse.SUPPRESS)
    parser.add_argument("--measure-one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.driver:
        return drive(args.driver, args.t_sim * 1000.0, args.n_exc, args.n_inh)
    if args.measure_one:
        print(json.dumps(measure(args.measure_one, args)))
        return 0

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}; choose from {', '.join(VARIANTS)}")
    if "mpi2" in variants and not args.mpi_python:
        print("mpi2 skipped: no MPI build given (--mpi-python or SP_MPI_PYTHON)", file=sys.stderr)
        variants.remove("mpi2")
    records = []
    for repeat in range(args.repeats):
        for variant in variants:  # interleaved: every repeat runs every variant once
            record = isolated(variant, args)
            record["repeat"] = repeat
            records.append(record)
            print(
                f"repeat {repeat + 1}/{args.repeats} {variant:<13} run {record['run_s']:8.2f} s   "
                f"process {record['wall_s']:8.2f} s   peak RSS {record['peak_rss_mb']:7.1f} MB",
                flush=True,
            )
    table, ratios = summarize(records, variants)
    print(f"\n{'variant':<14}{'run (median)':>14}{'spread':>20}{'set-up':>10}{'loop':>10}{'peak RSS':>12}")
    for variant, entry in table.items():
        run = entry["run_s"]
        print(
            f"{variant:<14}{run['median']:>12.2f} s{run['min']:>9.2f}-{run['max']:<8.2f}s"
            f"{entry['setup_s']['median']:>8.2f} s{entry['loop_s']['median']:>8.2f} s"
            f"{entry['peak_rss_mb']['median']:>9.1f} MB"
        )
    print()
    for name, ratio in ratios.items():
        print(
            f"{name:<24} time {ratio['run_s']:.3f}   loop only {ratio['loop_s']:.3f}   "
            f"memory {ratio['peak_rss_mb']:.3f}"
        )
    report = {
        "settings": {"t_sim_s": args.t_sim, "repeats": args.repeats, "n_exc": args.n_exc, "n_inh": args.n_inh},
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "nest": _nest_version(),
        },
        "variants": table,
        "ratios": ratios,
        "records": records,
    }
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.json}")
    return 0


def _nest_version():
    out = subprocess.run(
        [sys.executable, "-c", "import nest; print(nest.__version__)"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYNEST_QUIET="1"),
    )
    return out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else None


if __name__ == "__main__":
    sys.exit(main())
