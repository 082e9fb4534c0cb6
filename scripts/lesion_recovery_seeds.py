"""Run the lesion experiment for several seeds, one after the other, and summarise the recovery (mean ± sd).

This is how the signature in docs/experiments.md ("Recovery with per-element growth curves") was
measured:

    python scripts/lesion_recovery_seeds.py --model butz --seeds 1 2 3 4 5 -o lesion-seeds/butz
    python scripts/lesion_recovery_seeds.py --model example --seeds 1 2 3 4 5 -o lesion-seeds/example

Each seed's results go to ``<out>/seed-<n>/`` (results.npz, metadata.json); a seed whose folder
already holds completed results is not run again, so an interrupted series resumes where it stopped.
At the end ``<out>/recovery.txt`` holds the table of `recovery_table` and ``<out>/recovery.png`` the
figure of `plot_recovery`. One simulation runs at a time (NEST's structural plasticity uses one
thread); 1000 neurons for 400 s take about 8 minutes each on an idle core.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from structural_plasticity import load_results
from structural_plasticity.analysis.experiment_figures import plot_recovery
from structural_plasticity.analysis.recovery import recovery_table
from structural_plasticity.ensemble.run import member_state
from structural_plasticity.experiments import ButzLesionExperiment, LesionExperiment

MODELS = {"butz": ButzLesionExperiment, "example": LesionExperiment}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="butz", help="growth curves (default: butz)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5], help="rng_seed of each run")
    parser.add_argument("-o", "--out", type=Path, required=True, help="folder for the runs and the summary")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any parameter of the experiment class, VALUE in JSON (e.g. --set recovery_duration=500000)",
    )
    args = parser.parse_args(argv)
    parameters = {}
    for item in args.set:
        name, _, value = item.partition("=")
        parameters[name] = json.loads(value)
    experiment_class = MODELS[args.model]
    runs = []
    for seed in args.seeds:
        folder = args.out / f"seed-{seed}"
        if member_state(folder) == "completed":  # the ensemble's test: metadata.json says so
            print(f"seed {seed}: already in {folder}", flush=True)
        else:
            started = time.perf_counter()
            experiment = experiment_class(rng_seed=seed, **parameters)
            experiment.run()
            experiment.results.save(folder)
            print(f"seed {seed}: {time.perf_counter() - started:.0f} s wall, saved in {folder}", flush=True)
        runs.append(load_results(folder))
    table = recovery_table(runs)
    (args.out / "recovery.txt").write_text(f"{experiment_class.__name__} {json.dumps(parameters)}\n{table}\n")
    fig = plot_recovery(runs)
    fig.savefig(args.out / "recovery.png", dpi=120)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
