"""Run `AssemblyExperiment` for several seeds, one after the other, and print the signature as mean ± sd.

Each run is saved in ``<output>/seed-<n>/`` (results, metadata, snapshots and the assembly figure) and
skipped when that folder already holds a completed run, so an interrupted batch resumes where it stopped.
The table at the end (also written to ``<output>/signature.txt``) is `seeds_table` of all completed runs.

Usage (from the repository root; about 1.5 minutes per reduced run on one core)::

    python scripts/assembly_seeds.py --seeds 1 2 3 4 5 -o runs/assembly-reduced
    python scripts/assembly_seeds.py --seeds 1 2 3 4 5 --size full -o runs/assembly-full   # days; see docs
"""

import argparse
import sys
import time
from pathlib import Path

from structural_plasticity import load_results
from structural_plasticity.experiments import AssemblyExperiment
from structural_plasticity.experiments.assembly_analysis import PAPER_FULL_SIZE, seeds_table, signature_table
from structural_plasticity.results import METADATA_JSON


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5], help="rng seeds (default 1-5)")
    parser.add_argument("--size", choices=["reduced", "full"], default="reduced", help="network size")
    parser.add_argument("-o", "--output", default="runs/assembly", help="folder for the runs")
    parser.add_argument("--no-plot", action="store_true", help="skip the figure of each run")
    args = parser.parse_args(argv)
    root = Path(args.output)
    # The full-size protocol is compared at the paper's points; the reduced one at its phase ends.
    times_after = PAPER_FULL_SIZE["times_after_s"] if args.size == "full" else (10.0, 20.0, 60.0)
    runs = []
    for seed in args.seeds:
        folder = root / f"seed-{seed}"
        if (folder / METADATA_JSON).is_file() and load_results(folder).metadata.get("completed"):
            print(f"seed {seed}: already done in {folder}", flush=True)
        else:
            started = time.perf_counter()
            experiment = AssemblyExperiment(size=args.size, rng_seed=seed)
            results = experiment.run()
            results.save(folder)
            print(
                f"seed {seed}: {time.perf_counter() - started:.0f} s wall, target {results.metadata['target_rate']['rate_hz']:.2f} Hz",
                flush=True,
            )
            if not args.no_plot:
                from structural_plasticity.experiments.assembly_plotting import plot_assembly  # noqa: PLC0415
                from structural_plasticity.output import save_figure  # noqa: PLC0415

                save_figure(plot_assembly(results), folder, "assembly", ["png"])
        results = load_results(folder)
        print(signature_table(results, times_after), flush=True)
        runs.append(results)
    table = seeds_table(runs, times_after)
    (root / "signature.txt").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
