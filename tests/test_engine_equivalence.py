"""Slow: the package's structural update gives NEST's statistics, over seeds (docs/structural-update.md).

Each study runs an ensemble with a grid over ``structural_update`` (or ``threads``) with
`scripts/engine_equivalence.py` (hours on 2 cores); ``SP_EQUIVALENCE_RUNS=DIR`` re-checks runs the script
saved in DIR instead of simulating. Every measure of every study must differ between the two by at most
twice the larger seed-to-seed sd (docs report each difference in units of that sd; one of 10 measures of
NEST's example is at 1.03 sd).
"""

import importlib.util
import os
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "engine_equivalence.py"
#: How far the two may differ, in units of the larger sd over seeds.
TOLERANCE_SD = 2.0


def _script():
    spec = importlib.util.spec_from_file_location("engine_equivalence", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize(
    "study, seeds", [("example", "1-5"), ("assembly", "1-5"), ("lesion", "1-3"), ("threads", "1-5")]
)
def test_the_package_update_has_nests_statistics(study, seeds, tmp_path):
    script = _script()
    saved = os.environ.get("SP_EQUIVALENCE_RUNS")
    folder = Path(saved) if saved else tmp_path
    if not saved:
        script.run_ensemble(folder / study, study, seeds, jobs=2)
    runs = script.member_measures(folder / study, study)
    first, last = (int(x) for x in seeds.split("-"))
    assert all(len(values) == last - first + 1 for values in runs.values()), {k: len(v) for k, v in runs.items()}
    rows = script.compare(runs)
    assert rows
    for row in rows:
        a, b = row["a"], row["b"]
        if a["n"] < 2 or b["n"] < 2:
            # Too few runs where it exists to have a spread (e.g. the time to recover of runs that fell below the
            # criterion: one of three package runs in the lesion study); docs/structural-update.md lists them.
            continue
        spread = max(a["sd"], b["sd"])
        assert abs(b["mean"] - a["mean"]) <= TOLERANCE_SD * spread + 1e-12, row
