"""Ensembles: one protocol over many seeds and a grid of parameters, in parallel processes, merged.

NEST allows one kernel per process, so each member of an ensemble is its own
``python -m structural_plasticity`` process. The modules, one job each:

* `plan`: the definition (sub-command x seeds x grid) and the plan file ``ensemble.json``;
* `run`: run the members a bounded number at a time, resumable, stoppable with Ctrl-C;
* `stats`, `scalars`, `merge`: mean, sd and 95 % t-intervals over seeds per grid point, and a summary;
* `plot`: figures with confidence bands;
* `command`: the command-line front-ends ``main_ensemble`` and ``main_merge``.

Importing this package imports neither NEST nor pyplot.

Examples
--------
>>> from structural_plasticity.ensemble import make_plan, run_ensemble, merge_ensemble   # doctest: +SKIP
>>> plan = make_plan("run", seeds="1-4", grid=["psc_e=500,585"], options=["--t-sim", "20"])  # doctest: +SKIP
>>> report = run_ensemble(plan, "ens", jobs=2)                                            # doctest: +SKIP
>>> merged = merge_ensemble("ens")                                                        # doctest: +SKIP
"""

from .merge import MergedPoint, load_merged, merge_ensemble, merge_point, summary_table
from .plan import Member, Plan, load_plan, make_plan, parse_grid_item, parse_seeds
from .run import Outcome, Report, member_state, run_ensemble, run_member, run_one
from .stats import describe, t_critical

__all__ = [
    "Member",
    "MergedPoint",
    "Outcome",
    "Plan",
    "Report",
    "describe",
    "load_merged",
    "load_plan",
    "make_plan",
    "member_state",
    "merge_ensemble",
    "merge_point",
    "parse_grid_item",
    "parse_seeds",
    "run_ensemble",
    "run_member",
    "run_one",
    "summary_table",
    "t_critical",
]
