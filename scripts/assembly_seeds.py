"""Run `AssemblyExperiment` for several seeds, one after the other, and print the signature as mean ± sd.

Each run is saved in ``<output>/seed-<n>/`` (results, metadata, snapshots and the assembly figure) and
skipped when that folder already holds a completed run, so an interrupted batch resumes with the next
seed (an interrupted run starts again from the beginning). While a run goes on, what it recorded is
saved every 10 minutes of wall time; SIGTERM (the end of a batch job's time) stops it after the current
sample, marked incomplete.
The table at the end (also written to ``<output>/signature.txt``) is `seeds_table` of all completed runs.

Usage (from the repository root; about 35 s per reduced run on an idle core)::

    python scripts/assembly_seeds.py --seeds 1 2 3 4 5 -o runs/assembly-reduced
    mpirun -n 32 python scripts/assembly_seeds.py --size full --seeds 1 -o runs/assembly-full   # see docs

Under MPI every rank simulates its share and rank 0 alone writes files and prints.
"""

import argparse
import signal
import sys
import time
from pathlib import Path

from structural_plasticity import load_results
from structural_plasticity.analysis.assembly import PAPER_FULL_SIZE, seeds_table, signature_table
from structural_plasticity.experiments import AssemblyExperiment
from structural_plasticity.results import METADATA_JSON


class _Checkpoint:
    """Save the results recorded so far every `every_s` wall seconds (long full-size runs)."""

    def __init__(self, folder, enabled, every_s=600.0):
        self.folder, self.enabled, self.every_s = folder, enabled, every_s
        self.last = time.monotonic()

    def __call__(self, experiment):
        if self.enabled and time.monotonic() - self.last >= self.every_s:
            experiment.results.save(self.folder)
            self.last = time.monotonic()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5], help="rng seeds (default 1-5)")
    parser.add_argument("--size", choices=["reduced", "full"], default="reduced", help="network size")
    parser.add_argument("-o", "--output", default="runs/assembly", help="folder for the runs")
    parser.add_argument("--no-plot", action="store_true", help="skip the figure of each run")
    args = parser.parse_args(argv)
    import nest  # noqa: PLC0415  (after parsing, so that --help needs no NEST)

    is_root = nest.Rank() == 0
    say = print if is_root else (lambda *a, **k: None)
    root = Path(args.output)
    # The full-size protocol is compared at the paper's points; the reduced one at its phase ends.
    times_after = PAPER_FULL_SIZE["times_after_s"] if args.size == "full" else (10.0, 20.0, 60.0)
    runs = []
    for seed in args.seeds:
        folder = root / f"seed-{seed}"
        if (folder / METADATA_JSON).is_file() and load_results(folder).metadata.get("completed"):
            say(f"seed {seed}: already done in {folder}", flush=True)
        else:
            started = time.perf_counter()
            experiment = AssemblyExperiment(size=args.size, rng_seed=seed)
            # A batch job's time limit ends in SIGTERM: stop after the current sample and keep what was recorded.
            signal.signal(signal.SIGTERM, lambda signum, frame: experiment.request_stop("SIGTERM"))
            checkpoint = _Checkpoint(folder, enabled=is_root)
            try:
                results = experiment.run(callback=checkpoint)
            except KeyboardInterrupt:
                if is_root:
                    experiment.results.save(folder)
                    say(f"seed {seed}: stopped ({experiment.stop_reason}); partial results in {folder}", flush=True)
                return 143 if experiment.stop_reason == "SIGTERM" else 130
            if not is_root:
                continue
            results.save(folder)
            wall = time.perf_counter() - started
            say(
                f"seed {seed}: {wall:.0f} s wall, target {results.metadata['target_rate']['rate_hz']:.2f} Hz",
                flush=True,
            )
            if not args.no_plot:
                from structural_plasticity.analysis.assembly_figures import plot_assembly  # noqa: PLC0415
                from structural_plasticity.output import save_figure  # noqa: PLC0415

                save_figure(plot_assembly(results), folder, "assembly", ["png"])
        if is_root:
            results = load_results(folder)
            say(signature_table(results, times_after), flush=True)
            runs.append(results)
    if is_root and runs:
        table = seeds_table(runs, times_after)
        (root / "signature.txt").write_text(table + "\n")
        say(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
