"""Ensembles: one protocol over many seeds and a grid of parameters, in parallel processes, merged.

NEST allows one kernel per process, so each member of an ensemble is its own
``python -m structural_plasticity`` process. The modules, one job each:

* `plan`: the definition (sub-command x seeds x grid) and the plan file ``ensemble.json``;
* `run`: run the members a bounded number at a time, resumable, stoppable with Ctrl-C;
* `stats`, `scalars`, `merge`: mean, sd and 95 % t-intervals over seeds per grid point, and a summary;
* `plot`: figures with confidence bands.

This is the engine; its command line, the sub-commands ``ensemble`` and ``merge``, is
`structural_plasticity.cli.ensemble`. The engine does not import the command line: `make_plan` is given
the sub-commands members may run (``commands``, the command line's `structural_plasticity.cli.SIMULATIONS`).
Importing this package imports neither NEST nor pyplot.

Examples
--------
>>> from structural_plasticity.cli import SIMULATIONS                                    # doctest: +SKIP
>>> from structural_plasticity.ensemble import make_plan, run_ensemble, merge_ensemble   # doctest: +SKIP
>>> plan = make_plan("run", "1-4", ["psc_e=500,585"], ["--t-sim", "20"], commands=SIMULATIONS)  # doctest: +SKIP
>>> report = run_ensemble(plan, "ens", jobs=2)                                            # doctest: +SKIP
>>> merged = merge_ensemble("ens")                                                        # doctest: +SKIP
"""

from .merge import MergedPoint, load_merged, merge_ensemble, merge_point, summary_table
from .plan import Member, Plan, load_plan, make_plan, parse_grid_item, parse_seeds
from .run import MemberOutcome, Report, member_state, run_ensemble, run_member, run_one
from .stats import describe, t_critical

__all__ = [
    "Member",
    "MemberOutcome",
    "MergedPoint",
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
