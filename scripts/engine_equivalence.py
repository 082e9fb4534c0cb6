"""NEST's structural update against the package's, over seeds: run the ensembles, compare their statistics.

Three studies, each an ensemble with a grid over ``structural_update`` (one process per member, resumable):

* ``example``: NEST's example (800 + 200 neurons, 200 s): equilibrium Ca and rate of both populations (mean
  over the last 50 s), the four pathway counts (mean over the last 50 s) and the settling times (±5 %);
* ``assembly``: Gallinaro & Rotter's reduced network and protocol: the block probabilities of the assembly
  signature (S→S, S→R, R→S, R→R over the baseline, at the end of the stimulus, after it, at the end);
* ``lesion``: the lesion of `ButzLesionExperiment` (``lesion --model butz``): its recovery measures;
* ``threads``: NEST's example with the package's update on 1 and on 2 threads (members one at a time, so
  that the threads of one member have the cores to themselves).

For every measure the table gives mean ± sd (sample sd) of each update over the seeds, the difference of
the means in units of the larger sd, and Welch's t-test p-value; a measure is "within the spread" when the
means differ by at most the larger sd. Written as a Markdown table (stdout) and JSON (``--json``).

Examples
--------
``python scripts/engine_equivalence.py runs --study example --seeds 1-5 -j 2`` (about 25 minutes on 2 cores),
``python scripts/engine_equivalence.py runs --study all --compare-only`` (tables of what is there).
"""

import argparse
import json
import math
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import stats

from structural_plasticity import load_results
from structural_plasticity.analysis.assembly import BLOCK_LABELS, assembly_signature
from structural_plasticity.analysis.recovery import recovery_measures
from structural_plasticity.results import run_state

#: What each study runs: the ensemble's sub-command, the options of every member, the compared parameter and
#: its two values (the ensemble's grid), the measures of one run, and members at once at most.
STUDIES = {
    "example": ("run", ["--t-sim", "200", "--no-plot"], "structural_update", ("nest", "package"), "example", 2),
    "assembly": ("assembly", ["--no-plot"], "structural_update", ("nest", "package"), "assembly", 2),
    "lesion": ("lesion", ["--model", "butz", "--no-plot"], "structural_update", ("nest", "package"), "lesion", 2),
    "threads": (
        "run",
        ["--t-sim", "200", "--no-plot", "--structural-update", "package"],
        "threads",
        (1, 2),
        "example",
        1,
    ),
}
#: Averaging window of the example's equilibrium measures (s).
WINDOW_S = 50.0


def example_measures(results):
    """Equilibrium Ca and rate per population, the four pathways and the settling times of one run."""
    t = results["time"]
    last = t > t[-1] - WINDOW_S
    values = {}
    for pop in ("e", "i"):
        values[f"Ca {pop.upper()}"] = float(np.mean(results[f"mean_ca_{pop}"][last]))
        values[f"rate {pop.upper()} (Hz)"] = float(np.mean(results[f"rate_{pop}"][last]))
    for pathway in ("ee", "ei", "ie", "ii"):
        values[f"{pathway[0].upper()}→{pathway[1].upper()} synapses"] = float(
            np.mean(results[f"connections_{pathway}"][last])
        )
    for pop in ("e", "i"):
        settled = results.settling_time(pop, 0.05)
        values[f"settled {pop.upper()} (s)"] = float("nan") if settled is None else float(settled)
    return values


def assembly_measures(results):
    """The assembly signature: each block's probability over the baseline at each signature point."""
    signature = assembly_signature(results)
    values = {}
    for block in BLOCK_LABELS.values():
        for (label, _), value in zip(signature["points"], signature[block]):
            values[f"{block} / baseline, {label}"] = value / signature["baseline"]
    values["baseline"] = signature["baseline"]
    return values


def lesion_measures(results):
    """The recovery measures of a lesion run (`analysis.recovery.recovery_measures`)."""
    return {key: float(value) for key, value in recovery_measures(results).items() if np.isscalar(value)}


MEASURES = {"example": example_measures, "assembly": assembly_measures, "lesion": lesion_measures}


def run_ensemble(folder, study, seeds, jobs, extra=()):
    """Run (or resume) the ensemble of `study` into `folder` with the command line; `extra`: more member options."""
    subcommand, options, name, values, _, most = STUDIES[study]
    options = [*options, *extra]  # given later, they win
    command = [sys.executable, "-m", "structural_plasticity", "ensemble", subcommand, "--seeds", seeds]
    command += ["--grid", f"{name}=" + ",".join(map(str, values)), "-j", str(min(jobs, most)), "-o", str(folder)]
    subprocess.run([*command, "--no-merge", "--", *options], check=False)


def member_measures(folder, study):
    """Return ``{value: [measures of each completed member]}`` of the ensemble in `folder`, by compared value."""
    _, _, name, values, measures, _ = STUDIES[study]
    plan = json.loads((Path(folder) / "ensemble.json").read_text())
    runs = {value: [] for value in values}
    for member in plan["members"]:
        path = Path(folder) / member["folder"]
        if run_state(path) == "completed":
            runs[member["point"][name]].append(MEASURES[measures](load_results(path)))
    return runs


def compare(runs):
    """Return one row per measure: mean, sd and n of each compared value, difference / larger sd, Welch's p.

    `runs` has two keys (the first is the reference); rows name them ``"a"`` and ``"b"``.
    """
    reference, other = runs
    rows = []
    names = list(dict.fromkeys(name for key in runs for run in runs[key] for name in run))
    for name in names:
        row = {"measure": name, "values": [str(reference), str(other)]}
        samples = {}
        for engine, key in (("a", reference), ("b", other)):
            values = np.array([run.get(name, np.nan) for run in runs[key]], dtype=float)
            values = values[np.isfinite(values)]
            samples[engine] = values
            sd = float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")
            row[engine] = {"mean": float(np.mean(values)) if len(values) else float("nan"), "sd": sd, "n": len(values)}
        spread = max(row["a"]["sd"], row["b"]["sd"])
        difference = row["b"]["mean"] - row["a"]["mean"]
        if not np.isfinite(difference):
            row["difference_over_sd"] = float("nan")
        else:
            row["difference_over_sd"] = difference / spread if spread > 0 else (0.0 if difference == 0 else math.inf)
        row["within_spread"] = bool(abs(difference) <= spread) if np.isfinite(spread) else None
        enough = all(len(samples[e]) > 1 for e in "ab") and spread > 0
        row["welch_p"] = float(stats.ttest_ind(samples["a"], samples["b"], equal_var=False).pvalue) if enough else None
        rows.append(row)
    return rows


def table(study, rows):
    """Return the Markdown table of `rows` (see `compare`)."""

    def cell(stat):
        return f"{stat['mean']:.4g} ± {stat['sd']:.2g} ({stat['n']})" if stat["n"] else "–"

    name = STUDIES[study][2]
    a, b = rows[0]["values"] if rows else ("a", "b")
    lines = [
        f"**{study}**",
        "",
        f"| measure | {name} {a} | {name} {b} | Δ / sd | Welch p | within spread |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        p = f"{row['welch_p']:.2f}" if row["welch_p"] is not None else "–"
        delta = f"{row['difference_over_sd']:+.2f}" if np.isfinite(row["difference_over_sd"]) else "–"
        within = {True: "yes", False: "**no**", None: "–"}[row["within_spread"]]
        lines.append(f"| {row['measure']} | {cell(row['a'])} | {cell(row['b'])} | {delta} | {p} | {within} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="folder of the ensembles (one sub-folder per study)")
    parser.add_argument("--study", choices=[*STUDIES, "all"], default="example")
    parser.add_argument("--seeds", default="1-5", help="seeds of every ensemble (default 1-5)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="members at once (default 2)")
    parser.add_argument("--compare-only", action="store_true", help="run nothing; compare what is there")
    parser.add_argument("--json", help="write the comparison as JSON to this file")
    parser.add_argument("--options", default="", help="more options of every member, e.g. '--t-sim 20' (they win)")
    args = parser.parse_args(argv)
    studies = list(STUDIES) if args.study == "all" else [args.study]
    report = {}
    for study in studies:
        folder = Path(args.folder) / study
        if not args.compare_only:
            run_ensemble(folder, study, args.seeds, args.jobs, shlex.split(args.options))
        if not (folder / "ensemble.json").exists():
            continue
        rows = compare(member_measures(folder, study))
        report[study] = rows
        print(table(study, rows) + "\n", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
