"""Cost per structural update of the package's deletion choice, uniform pairing and pairing by distance.

Pure numpy/scipy, no NEST. For each network size, one update's worth of work on realistic vacancies:

* deletion choice (``PlasticSynapses.choose_deletions``, side "pre", with removal) in a table of
  ``--synapses-per-neuron`` random synapses per neuron (100: 1e7 synapses at 1e5 neurons);
* ``pair_uniform`` (NEST's rule);
* ``pair_by_distance`` with Sinha et al.'s kernel width (sigma = 10 x 150 µm = 1500 µm) on a torus, for
  neurons on a grid at a fixed spacing of 150 µm (the sheet grows with the network: "fixed density") and
  on a fixed sheet of Sinha's E-grid area, 12 mm x 15 mm (the spacing shrinks: "fixed sheet").

Vacancies: ``--fraction`` of the neurons (0.2) have 1-3 vacant elements of each type (uniform), chosen
independently for pre and post; deficits likewise. Times are medians over ``--repeats`` of the process's
CPU time (steadier than wall time on a shared machine; both are written to the JSON).
The slope column is d log(time) / d log(size) between consecutive sizes: 1 is linear.

Example: ``python benchmarks/pairing_cost.py --sizes 1000,10000,100000 --repeats 3``.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from structural_plasticity.plasticity.pairing import pair_by_distance, pair_uniform  # noqa: E402
from structural_plasticity.plasticity.space import grid_positions  # noqa: E402
from structural_plasticity.plasticity.synapses import PlasticSynapses  # noqa: E402

SINHA_SPACING = 150.0  # grid spacing of Sinha et al.'s E neurons (µm)
SINHA_AREA = (80 * SINHA_SPACING) * (100 * SINHA_SPACING)  # their 80 x 100 E grid (µm^2)


def grid_shape(n):
    """Rows and columns of a grid of exactly n neurons, as square as possible."""
    rows = int(math.isqrt(n))
    while n % rows:
        rows -= 1
    return rows, n // rows


def vacancies(rng, n, fraction):
    """Ids of a random ``fraction`` of n neurons and 1-3 elements each."""
    ids = np.sort(rng.choice(n, size=int(round(fraction * n)), replace=False))
    return ids, rng.integers(1, 4, size=ids.size)


def clock():
    """(wall, CPU) seconds now. CPU time of this process is the steadier figure on a shared machine."""
    return time.perf_counter(), time.process_time()


def timed(fn, repeats):
    """Median CPU and wall times (s) of ``fn()`` over repeats, and its last result."""
    cpu, wall, result = [], [], None
    for _ in range(repeats):
        w0, c0 = clock()
        result = fn()
        w1, c1 = clock()
        cpu.append(c1 - c0)
        wall.append(w1 - w0)
    return {
        "s": statistics.median(cpu),
        "cpu_s_all": cpu,
        "wall_s": statistics.median(wall),
        "wall_s_all": wall,
    }, result


def measure(n, args, rng):
    """One row of the table: the costs at n neurons."""
    row = {"neurons": n}
    pre_ids, pre_vac = vacancies(rng, n, args.fraction)
    post_ids, post_vac = vacancies(rng, n, args.fraction)
    row["vacant_pre_elements"], row["vacant_post_elements"] = int(pre_vac.sum()), int(post_vac.sum())

    m = n * args.synapses_per_neuron
    src, tgt = rng.integers(0, n, m), rng.integers(0, n, m)
    deficit = np.zeros(n, dtype=np.int64)
    deficit[pre_ids] = pre_vac  # as many neurons with a deficit as with vacancies

    tables = [PlasticSynapses(n, src, tgt) for _ in range(args.repeats)]  # built outside the timing
    times, chosen = timed(lambda: tables.pop().choose_deletions(deficit, "pre", rng), args.repeats)
    row["deletion"] = {"synapses": m, "chosen": int(chosen.rows.size), **times}

    times, (pre, _) = timed(lambda: pair_uniform(pre_ids, pre_vac, post_ids, post_vac, rng, False), args.repeats)
    row["uniform"] = {"pairs": int(pre.size), **times}

    rows, cols = grid_shape(n)
    for name, spacing in (("distance_fixed_density", SINHA_SPACING), ("distance_fixed_sheet", None)):
        spacing = spacing or math.sqrt(SINHA_AREA / n)
        sheet, pos = grid_positions(rows, cols, spacing, jitter=0.1 * spacing, rng=rng, periodic=True)
        times, (pre, post) = timed(
            lambda: pair_by_distance(pre_ids, pre_vac, post_ids, post_vac, pos, sheet, args.sigma, rng, False),
            args.repeats,
        )
        d = sheet.distance(pos[pre], pos[post])
        row[name] = {
            "sheet_um": [sheet.width, sheet.height],
            "spacing_um": spacing,
            "pairs": int(pre.size),
            "mean_pair_distance_um": float(d.mean()) if d.size else None,
            **times,
        }
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="neuron counts (comma-separated)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fraction", type=float, default=0.2, help="fraction of neurons with vacancies")
    parser.add_argument("--synapses-per-neuron", type=int, default=100, help="plastic synapses per neuron")
    parser.add_argument("--sigma", type=float, default=10 * SINHA_SPACING, help="kernel width (µm)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--json", default=str(Path(__file__).resolve().parent / "results" / "pairing-cost.json"))
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = [measure(n, args, rng) for n in sizes]

    kinds = ("deletion", "uniform", "distance_fixed_density", "distance_fixed_sheet")
    print("CPU time per update (median), and its growth x^slope since the previous size")
    print(f"{'neurons':>8} {'vac pre':>8} " + " ".join(f"{k:>24}" for k in kinds))
    for i, row in enumerate(rows):
        cells = []
        for k in kinds:
            slope = ""
            if i:
                prev = rows[i - 1]
                slope = f" (x^{math.log(row[k]['s'] / prev[k]['s']) / math.log(row['neurons'] / prev['neurons']):.2f})"
                row[k]["slope_vs_previous"] = math.log(row[k]["s"] / prev[k]["s"]) / math.log(
                    row["neurons"] / prev["neurons"]
                )
            cells.append(f"{row[k]['s'] * 1e3:10.2f} ms{slope:>10}")
        print(f"{row['neurons']:>8} {row['vacant_pre_elements']:>8} " + " ".join(f"{c:>24}" for c in cells))
    report = {
        "what": "CPU time ('s', median over repeats; wall time beside it) of one structural update's "
        "deletion choice and pairing",
        "parameters": {**vars(args), "json": os.path.relpath(args.json, Path(__file__).resolve().parent.parent)},
        "rows": rows,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "note": "single-threaded numpy on a 2-core machine shared with other jobs: CPU time is the figure to use",
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {args.json}")


if __name__ == "__main__":
    main()
