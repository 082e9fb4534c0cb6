"""The focal lesion over seeds: a lesion run and a control run from the same grown network, per seed; signatures.

For each seed, ``python -m structural_plasticity focal-lesion`` grows the network, saves it at the end of the
growth phase (``grown_seed-S.npz``) and removes the input of the LPZ (``lesion_seed-S``); a second run continues
the saved network with the same recording and no lesion (``--input-kept 1``, ``control_seed-S``). Runs are
resumable (a completed folder is kept) and go ``-j`` at a time. Then the four signatures of
`structural_plasticity.analysis.focal` are computed per seed (bouton overshoot against the seed's control),
printed as mean ± sd and written as JSON (``signatures.json``) in the output folder.

Example: ``python scripts/focal_lesion_seeds.py runs/focal --seeds 1-5 -j 2`` (about an hour on 2 cores).
"""

import argparse
import json
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from structural_plasticity import load_results
from structural_plasticity.analysis.focal import flatten, focal_signature, signatures_table
from structural_plasticity.ensemble import parse_seeds
from structural_plasticity.experiments.catalog import FocalLesionExperiment
from structural_plasticity.results import run_state


def run(command, folder):
    """Run one command line into `folder` unless a completed run is there; return its exit status."""
    if run_state(folder) == "completed":
        return 0
    with open(f"{folder}.log", "w") as log:
        return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode


def seed_runs(out, seed, options, growth_s):
    """Run the lesion (saving the grown network) and then the control of one seed; return their exit statuses."""
    base = [sys.executable, "-m", "structural_plasticity", "focal-lesion", "--seed", str(seed), *options]
    grown = out / f"grown_seed-{seed}.npz"
    lesion = out / f"lesion_seed-{seed}"
    save = [] if grown.exists() else ["--save-network", str(grown), "--save-network-at", f"{growth_s:g}"]
    status = run([*base, *save, "-o", str(lesion), "--overwrite", "-q"], lesion)
    control = out / f"control_seed-{seed}"
    status_control = run(
        [
            *base,
            "--from-network",
            str(grown),
            "--input-kept",
            "1",
            "-o",
            str(control),
            "--overwrite",
            "-q",
            "--no-plot",
        ],
        control,
    )
    return status, status_control


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="output folder (one sub-folder per run)")
    parser.add_argument("--seeds", default="1-5")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="seeds at once (default 1)")
    parser.add_argument("--options", default="", help="more options of every run, e.g. '--threads 2'")
    parser.add_argument(
        "--compare-only", action="store_true", help="run nothing; compute the signatures of what is there"
    )
    args = parser.parse_args(argv)
    out = Path(args.folder)
    out.mkdir(parents=True, exist_ok=True)
    options = shlex.split(args.options)
    growth_s = FocalLesionExperiment.growth_duration / 1000.0
    if "--growth" in options:
        growth_s = float(options[options.index("--growth") + 1])
    seeds = parse_seeds(args.seeds)
    if not args.compare_only:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for seed, statuses in zip(seeds, pool.map(lambda s: seed_runs(out, s, options, growth_s), seeds)):
                print(f"seed {seed}: lesion exit {statuses[0]}, control exit {statuses[1]}", flush=True)
    signatures = {}
    for seed in seeds:
        lesion, control = out / f"lesion_seed-{seed}", out / f"control_seed-{seed}"
        if run_state(lesion) != "completed":
            continue
        other = load_results(control) if run_state(control) == "completed" else None
        signatures[seed] = focal_signature(load_results(lesion), other)
    print(f"{len(signatures)} seeds: {sorted(signatures)}")
    print(signatures_table(list(signatures.values())))
    (out / "signatures.json").write_text(json.dumps({s: flatten(v) for s, v in signatures.items()}, indent=2) + "\n")


if __name__ == "__main__":
    main()
