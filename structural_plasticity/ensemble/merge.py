"""Merging the members of an ensemble: statistics over seeds for each grid point, and a summary table.

`merge_ensemble` reads whatever completed members exist in an ensemble folder and writes, into
``DIR/merged/``:

* per grid point, a folder ``<point>/`` with ``merged.npz`` and ``merged.csv`` (``time`` and, for every
  recorded series, ``<series>_mean``, ``_sd``, ``_ci_low``, ``_ci_high`` over the seeds, 95 % Student-t
  intervals of the mean, clipped at 0 for quantities that are never negative), ``merged.json`` (grid
  point, seeds, the members' provenance, members left out and why) and the figures with confidence
  bands: the two standard ones (Ca and connections; overview) and, for an experiment, its own figure
  (``lesion``, ``stimulation``, ``assembly``, ``focal-lesion``: `analysis.figures.experiment_figures`);
* ``summary.csv`` / ``summary.json`` / ``summary.txt``: scalar outcomes (`scalars.member_scalars`) per
  grid point, with n, mean, sd and the 95 % interval; ``members.csv``: the same outcomes per member.

Incomplete members are left out (their series are shorter); the files say which. Grid points with fewer
than `stats.FEW_MEMBERS` members are marked in the summary and the figures: their bands say little.
"""

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis.ensemble_figures import plot_bands, plot_grid, plot_overview_bands
from ..analysis.figures import experiment_figures
from ..errors import ConfigurationError
from ..files import (
    GRID_FIGURE,
    MAIN_FIGURE,
    MEMBERS_CSV,
    MERGED_CSV,
    MERGED_DIR,
    MERGED_JSON,
    MERGED_NPZ,
    OVERVIEW_FIGURE,
    SUMMARY_CSV,
    SUMMARY_JSON,
    SUMMARY_TXT,
    atomic_write,
    jsonable,
    read_file,
    read_npz,
    write_json,
)
from ..output import save_figure
from ..results import load_results
from ..validation import memory_budget, parse_json_file
from .plan import load_plan, point_names
from .run import member_state
from .scalars import member_scalars
from .stats import CONFIDENCE, FEW_MEMBERS, describe

STATISTICS = ("mean", "sd", "ci_low", "ci_high")
#: Series that label samples rather than measure the network: copied from the first member, not averaged.
LABEL_SERIES = ("time", "phase")
#: Provenance kept from each member's metadata.json.
PROVENANCE_KEYS = ("model", "rng_seed", "completed", "status", "wall_time_s", "n_processes", "started_at", "versions")


@dataclass
class MergedPoint:
    """The statistics of one grid point over its completed members.

    Attributes
    ----------
    name : str
        Name of the grid point (``"default"`` without a grid).
    point : dict
        Its parameter values.
    seeds : list of int
        Seeds of the members merged.
    series : dict of str to numpy.ndarray
        ``time`` (and ``phase``), and ``<series>_<statistic>`` for each recorded series.
    scalars : dict of str to dict
        ``{outcome: {"n", "mean", "sd", "ci_low", "ci_high"}}``.
    member_scalars : list of dict
        The outcomes of each merged member, in the order of `seeds`.
    metadata : dict
        Targets, phases and groups of the first member, the members' provenance, left-out members.
    """

    name: str
    point: dict
    seeds: list
    series: dict = field(default_factory=dict)
    scalars: dict = field(default_factory=dict)
    member_scalars: list = field(default_factory=list)
    metadata: dict = field(default_factory=dict)

    @property
    def n(self):
        """int: number of members merged."""
        return len(self.seeds)

    def band(self, name):
        """Return ``(mean, ci_low, ci_high)`` arrays of recorded series `name`."""
        return tuple(self.series[f"{name}_{s}"] for s in ("mean", "ci_low", "ci_high"))

    def __contains__(self, name):
        return f"{name}_mean" in self.series


def merge_point(results_list, name="default", point=None, seeds=None):
    """Merge the results of the members of one grid point (all completed, same sample times).

    Parameters
    ----------
    results_list : list of Results
    name : str
    point : dict, optional
    seeds : list of int, optional
        Default: each member's ``rng_seed``.

    Returns
    -------
    MergedPoint

    Raises
    ------
    ConfigurationError
        If the members' sample times differ (they must come from the same definition).
    """
    if not results_list:
        raise ConfigurationError(f"grid point {name} has no completed member to merge")
    first = results_list[0]
    for results in results_list[1:]:
        if len(results) != len(first) or not np.allclose(results["time"], first["time"]):
            raise ConfigurationError(
                f"the members of grid point {name} recorded at different times; merge only members of one ensemble"
            )
    seeds = list(seeds) if seeds is not None else [r.metadata.get("rng_seed") for r in results_list]
    merged = MergedPoint(name, dict(point or {}), seeds)
    names = [n for n in first.names if all(n in r for r in results_list)]
    for label in LABEL_SERIES:
        if label in names:
            merged.series[label] = first[label]
    for series in names:
        if series in LABEL_SERIES:
            continue
        stats = describe(np.stack([r[series] for r in results_list]), name=series)
        for statistic in STATISTICS:
            merged.series[f"{series}_{statistic}"] = stats[statistic]
    merged.member_scalars = [member_scalars(r) for r in results_list]
    outcomes = list(dict.fromkeys(k for values in merged.member_scalars for k in values))
    for outcome in outcomes:
        stats = describe([values.get(outcome, np.nan) for values in merged.member_scalars], name=outcome)
        merged.scalars[outcome] = {key: _scalar(value) for key, value in stats.items()}
    meta = first.metadata
    merged.metadata = {
        "grid_point": merged.point,
        "seeds": seeds,
        "n_members": len(results_list),
        "confidence": CONFIDENCE,
        "interval": "Student-t interval of the mean over seeds: mean -/+ t(n-1) sd / sqrt(n), clipped at 0 for "
        "quantities that are never negative (rates, Ca, sd, counts, elements, probabilities)",
        "few_members": len(results_list) < FEW_MEMBERS,
        "parameters": meta.get("parameters", {}),
        "target_ca": meta.get("target_ca", {}),
        "ca_per_hz": meta.get("ca_per_hz"),
        "phases": meta.get("phases", []),
        # Names, sizes and populations of the groups (not their neurons, which differ between seeds).
        "groups": [{k: g[k] for k in ("name", "size", "population") if k in g} for g in meta.get("groups", [])],
        "members": [{key: r.metadata.get(key) for key in PROVENANCE_KEYS} for r in results_list],
    }
    return merged


def _scalar(value):
    return np.asarray(value).item()  # 0-d array -> int or float


def merge_ensemble(folder, write=True, plot=True, formats=("png",), commands=None):
    """Merge whatever completed members an ensemble folder holds; write the merged files.

    Parameters
    ----------
    folder : str or path-like
        The ensemble folder (with ``ensemble.json``).
    write : bool
        Write the files into ``folder/merged/`` (see module doc).
    plot : bool
        Draw the two standard figures with confidence bands for each grid point (and a comparison figure of
        the grid points).
    formats : sequence of str
        Figure formats.
    commands : mapping of str to command, optional
        The sub-commands members may run: the plan is checked against its class again (see `load_plan`).

    Returns
    -------
    list of MergedPoint
        One per grid point with at least one completed member, in grid order.

    Raises
    ------
    ConfigurationError
        If the folder holds no ensemble, or no member is completed yet.
    """
    folder = Path(folder)
    plan = load_plan(folder, commands)
    by_point = {}
    for member in plan.members:
        by_point.setdefault(member.point_name, []).append(member)
    merged = []
    for point, name in zip(plan.points, point_names(plan.points)):
        done, results, left_out = [], [], []
        for member in by_point.get(name, []):
            state = member_state(folder / member.folder)
            entry = {"folder": member.folder, "seed": member.seed, "state": state}
            if state != "completed":
                left_out.append(entry)
                continue
            try:
                loaded = load_results(folder / member.folder)
            except ConfigurationError as exc:  # changed since it was judged complete, say: one member, not the merge
                left_out.append(dict(entry, state="unreadable", reason=str(exc)))
                continue
            reason = _not_this_member(loaded, member, plan.expected.get(name))
            if reason is None and results and not _same_times(loaded, results[0]):
                reason = "it recorded at other times than the other members of its grid point"
            if reason is not None:
                left_out.append(dict(entry, state="foreign", reason=reason))
                continue
            done.append(member)
            results.append(loaded)
        if not done:
            continue
        item = merge_point(results, name, point, [m.seed for m in done])
        item.metadata["member_folders"] = [m.folder for m in done]
        item.metadata["left_out"] = left_out
        merged.append(item)
    if not merged:
        raise ConfigurationError(
            f"no member of the ensemble in {folder} is completed yet; run the ensemble (or its array tasks) first"
        )
    if write:
        write_merged(merged, folder / MERGED_DIR, plan, plot=plot, formats=formats)
    return merged


def _same_times(a, b):
    return len(a) == len(b) and np.allclose(a["time"], b["time"])


def _not_this_member(results, member, expected=None):
    """Why `results` are not those of `member` (another run copied into its folder, say), or None.

    The seed must be the member's, and its grid point's values (with `expected`, from the plan's check
    with the sub-command: the model and every parameter the member's arguments set) must be those of the
    results' metadata.
    """
    meta = results.metadata
    if meta.get("rng_seed") != member.seed:
        return f"its results are of seed {meta.get('rng_seed')!r}, not {member.seed}: the folder holds another run"
    parameters = meta.get("parameters") or {}
    wanted = dict(member.point) if expected is None else dict(expected["parameters"])
    if expected is not None and meta.get("model") != expected["model"]:
        return f"its results are of {meta.get('model')}, not {expected['model']}: the folder holds another run"
    for key, value in wanted.items():
        if jsonable(parameters.get(key)) != jsonable(value):
            return (
                f"its results have {key} = {json.dumps(jsonable(parameters.get(key)))[:60]}, not "
                f"{json.dumps(jsonable(value))[:60]}: the folder holds another run"
            )
    return None


def left_out_report(merged):
    """Return one line per member left out of `merged` because its folder did not hold its own results."""
    return [
        f"left out {entry['folder']} ({entry['state']}): {entry['reason']}"
        for item in merged
        for entry in item.metadata.get("left_out", ())
        if entry.get("reason")
    ]


def write_merged(merged, out, plan=None, plot=True, formats=("png",)):
    """Write the files of `merge_ensemble` for a list of `MergedPoint` into folder `out`; return the paths.

    Every file is written under a temporary name and moved into place (figures too), so a full disk or
    an unwritable folder leaves no part of a file; either is one `ConfigurationError` naming the cause.
    """
    out = Path(out)
    try:
        return _write_merged(merged, out, plan, plot, formats)
    except OSError as exc:
        cause = exc.strerror or str(exc)
        where = f"{cause}: {exc.filename}" if exc.filename else cause
        raise ConfigurationError(
            f"cannot write the merged results into {out} ({where}); free some space or make the folder writable"
        ) from None


def _write_merged(merged, out, plan, plot, formats):
    for folder in (out, *(out / item.name for item in merged)):
        if folder.exists() and not folder.is_dir():
            raise ConfigurationError(f"{folder} is a file, where the merge writes a folder; move it away")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for item in merged:
        target = out / item.name
        target.mkdir(exist_ok=True)
        with atomic_write(target / MERGED_NPZ, "wb") as fh:
            np.savez(fh, **item.series)
        with atomic_write(target / MERGED_CSV, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(item.series)
            writer.writerows(zip(*(np.asarray(a).tolist() for a in item.series.values())))
        write_json(target / MERGED_JSON, jsonable(dict(item.metadata, scalars=item.scalars)))
        paths += [target / MERGED_NPZ, target / MERGED_CSV, target / MERGED_JSON]
        if plot:
            paths += _save_figure(plot_bands(item), target, MAIN_FIGURE, formats)
            paths += _save_figure(plot_overview_bands(item), target, OVERVIEW_FIGURE, formats)
            for stem, draw in experiment_figures(item):  # an experiment's own figures, with bands
                paths += _save_figure(draw(item), target, stem, formats)
    if plot and len(merged) > 1:
        paths += _save_figure(plot_grid(merged), out, GRID_FIGURE, formats)
    paths += _write_summary(merged, out, plan)
    return paths


def _save_figure(fig, folder, stem, formats):
    """`output.save_figure` into a hidden folder beside the files, then each figure moved into place."""
    staging = Path(tempfile.mkdtemp(prefix=".figures-tmp-", dir=folder))
    try:
        written = save_figure(fig, staging, stem, formats)
        for path in written:
            os.replace(path, folder / path.name)
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()
    return [folder / path.name for path in written]


def _write_summary(merged, out, plan):
    names = list(plan.grid) if plan is not None else sorted({k for m in merged for k in m.point})
    outcomes = list(dict.fromkeys(k for m in merged for k in m.scalars))
    rows = []
    for item in merged:
        for outcome in outcomes:
            stats = item.scalars.get(outcome)
            if stats is None:
                continue
            rows.append(
                {"point": item.name, **{n: json.dumps(item.point.get(n)) for n in names}, "quantity": outcome, **stats}
            )
    with atomic_write(out / SUMMARY_CSV, "w", newline="") as fh:
        writer = csv.DictWriter(fh, ["point", *names, "quantity", "n", "mean", "sd", "ci_low", "ci_high"])
        writer.writeheader()
        writer.writerows(rows)
    content = {
        "confidence": CONFIDENCE,
        "definition": plan.definition() if plan is not None else None,
        "points": [{"name": m.name, "point": m.point, "seeds": m.seeds, "scalars": m.scalars} for m in merged],
    }
    write_json(out / SUMMARY_JSON, jsonable(content))
    with atomic_write(out / MEMBERS_CSV, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["point", *names, "seed", *outcomes])
        for item in merged:
            for seed, values in zip(item.seeds, item.member_scalars):
                point = [json.dumps(item.point.get(n)) for n in names]
                writer.writerow([item.name, *point, seed, *(values.get(o, float("nan")) for o in outcomes)])
    with atomic_write(out / SUMMARY_TXT, "w", encoding="utf-8") as fh:
        fh.write(summary_table(merged) + "\n")
    return [out / SUMMARY_CSV, out / SUMMARY_JSON, out / MEMBERS_CSV, out / SUMMARY_TXT]


def summary_table(merged):
    """Return a text table: one row per scalar outcome, one column per grid point, ``mean ± sd (n)``."""
    outcomes = list(dict.fromkeys(k for m in merged for k in m.scalars))
    cells = {}
    for item in merged:
        for outcome in outcomes:
            s = item.scalars.get(outcome)
            cells[item.name, outcome] = "" if s is None else _cell(s)
    width = max([len("quantity")] + [len(o) for o in outcomes])
    col = {m.name: max([len(m.name)] + [len(cells[m.name, o]) for o in outcomes]) + 2 for m in merged}
    lines = ["mean ± sd over seeds (n members with a value); 95 % t-intervals in summary.csv"]
    few = [m.name for m in merged if m.n < FEW_MEMBERS]
    if few:
        lines.append(
            f"n < {FEW_MEMBERS} at {', '.join(few)}: sd and intervals of so few members say little; run more seeds"
        )
    lines.append(f"{'quantity':<{width}}" + "".join(f"{m.name:>{col[m.name]}}" for m in merged))
    for outcome in outcomes:
        lines.append(f"{outcome:<{width}}" + "".join(f"{cells[m.name, outcome]:>{col[m.name]}}" for m in merged))
    return "\n".join(lines)


def _cell(stats):
    mean, sd, n = stats["mean"], stats["sd"], stats["n"]
    if n == 0:
        return "-"
    digits = (lambda v: f"{v:.4g}") if abs(mean) < 1000 else (lambda v: f"{v:.0f}")
    return f"{digits(mean)} ± {digits(sd) if np.isfinite(sd) else '-'} ({n})"


def load_merged(folder, name="default"):
    """Load the merged series and metadata of one grid point written by `merge_ensemble`.

    Parameters
    ----------
    folder : str or path-like
        The ensemble folder (or its ``merged`` folder).
    name : str
        Name of the grid point.

    Returns
    -------
    MergedPoint
    """
    folder = Path(folder)
    base = folder / MERGED_DIR if (folder / MERGED_DIR).is_dir() else folder
    target = base / name
    if not (target / MERGED_NPZ).is_file():
        raise ConfigurationError(f"{target} holds no merged results; run the merge of the ensemble first")
    budget = memory_budget() or 2**42
    try:
        series = read_npz(read_file(target / MERGED_NPZ, budget // 4), str(target / MERGED_NPZ), budget // 4)
        meta = parse_json_file(read_file(target / MERGED_JSON, 256 << 20), str(target / MERGED_JSON))
    except OSError as exc:
        raise ConfigurationError(f"cannot read the merged results in {target} ({exc.strerror or exc})") from None
    if not isinstance(meta, dict):
        raise ConfigurationError(f"{target / MERGED_JSON} is not the metadata of merged results")
    scalars = meta.pop("scalars", {})
    return MergedPoint(name, meta.get("grid_point", {}), meta.get("seeds", []), series, scalars, [], meta)


__all__ = [
    "MergedPoint",
    "left_out_report",
    "load_merged",
    "merge_ensemble",
    "merge_point",
    "summary_table",
    "write_merged",
]
