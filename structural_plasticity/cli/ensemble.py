"""The sub-commands ``ensemble`` and ``merge``: the command line of `structural_plasticity.ensemble`.

``main_ensemble(argv, commands=...)`` and ``main_merge(argv, commands=...)`` take the arguments after the
sub-command's name and return the exit status; a `ConfigurationError` prints one line and returns 2.
`commands` are the sub-commands members may run, by name: the registry (`cli.SIMULATIONS`) passes
itself, so the engine (`structural_plasticity.ensemble`) never imports the command line. Options the
ensemble does not know are run options of every member (``--n-exc 40 --t-sim 2 --set psc_e=500``), also
after ``--``.
"""

import argparse
import sys

from ..ensemble.merge import left_out_report, merge_ensemble, summary_table
from ..ensemble.plan import make_plan
from ..ensemble.run import check_launch_command, run_ensemble, run_one
from ..errors import ConfigurationError
from .options import figure_formats, non_negative_int, positive_int
from .parser import EXIT_FAILURE, EXIT_STATUS_BY_SIGNAL, EXIT_USER_ERROR, PROG, Parser, one_line

ENSEMBLE_SUMMARY = "run a sub-command over many seeds and parameter values in parallel processes, resumably"
MERGE_SUMMARY = "combine the members of an ensemble: mean, sd and 95 % intervals of every series, figures with bands"


def build_ensemble_parser(commands):
    """Return the parser of ``ensemble`` (its own options; unknown options are the members' run options).

    `commands`: the sub-commands members may run, by name (listed in the description).
    """
    parser = Parser(
        prog=f"{PROG} ensemble",
        usage=f"{PROG} ensemble [SUBCMD] [--seeds LIST] [--grid NAME=V1,V2,...] [-j N] [-o DIR] [...] [RUN OPTIONS]",
        description=(
            "Run a sub-command over many seeds and a grid of parameters, each member in its own process, "
            "a few at a time; then merge them (mean, sd and 95 % confidence intervals over seeds for each grid "
            "point, figures with confidence bands, a summary table). Rerunning the same command resumes: "
            "completed members are skipped, incomplete and failed ones run again. Ctrl-C stops every member; "
            "each keeps its partial results. Options not listed here are run options of every member "
            f"(see '{PROG} --help' or '{PROG} SUBCMD --help'). SUBCMD is what every member runs: "
            f"{', '.join(commands)} (default: run, the plain example)."
        ),
        epilog=(
            "examples:\n"
            f"  {PROG} ensemble --seeds 1-10 -j 2 -o eq10 -- --t-sim 200\n"
            f"  {PROG} ensemble --seeds 1-5 --grid psc_e=500,585,700 --t-sim 50 --no-plot -o psc\n"
            f"  {PROG} ensemble lesion --seeds 1-4 --recovery 100 -o lesions\n"
            f"  {PROG} ensemble --seeds 1-20 -o big --list          # the members and their indices\n"
            f"  {PROG} ensemble --seeds 1-20 -o big --member-index $SLURM_ARRAY_TASK_ID   # one member\n"
            f"  {PROG} merge big                                    # merge whatever is completed"
        ),
    )
    parser.add_argument(
        "--seeds",
        default="1-5",
        metavar="LIST",
        help="seeds of the members: whole numbers and ranges, e.g. 1-10 or 1,2,5 or 1-4,10 (default: %(default)s)",
    )
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="values of a parameter of the sub-command's class (JSON values, bare words are strings), "
        "e.g. --grid psc_e=500,585,700; repeat for a product grid",
    )
    parser.add_argument(
        "-j", "--jobs", type=positive_int, default=1, metavar="N", help="members run at once (default: %(default)s)"
    )
    parser.add_argument(
        "-o", "--output", default="ensemble", metavar="DIR", help="the ensemble folder (default: %(default)s)"
    )
    parser.add_argument(
        "--member-index",
        type=non_negative_int,
        metavar="I",
        help="run only member I (0-based; e.g. $SLURM_ARRAY_TASK_ID) and do not merge",
    )
    parser.add_argument(
        "--list", action="store_true", help="print the members with their indices and folders, run nothing"
    )
    parser.add_argument(
        "--python", metavar="PATH", help="Python of the members (default: this one), e.g. .venv-mpi/bin/python"
    )
    parser.add_argument(
        "--launcher",
        metavar="CMD",
        help="prefix of each member's command for members that are MPI runs, e.g. 'srun -n 4' or 'mpirun -n 2'",
    )
    parser.add_argument("--no-merge", action="store_true", help="do not merge after running")
    parser.add_argument(
        "--merge-formats",
        type=figure_formats,
        default="png",
        metavar="LIST",
        help="figure formats of the merged figures (default: %(default)s)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors and the list of failed members"
    )
    return parser


def main_ensemble(argv=None, *, commands):
    """Run ``ensemble`` with the arguments `argv` (after the sub-command's name); return the exit status.

    `commands`: the sub-commands members may run, by name (see `ensemble.plan.model_class`).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _ensemble(argv, commands)
    except ConfigurationError as exc:
        print(f"{PROG} ensemble: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR


def _ensemble(argv, commands):
    parser = build_ensemble_parser(commands)
    passed = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passed = argv[:cut], argv[cut + 1 :]
    subcommand = "run"
    if argv and not argv[0].startswith("-"):
        subcommand, argv = argv[0], argv[1:]  # checked by make_plan
    args, unknown = parser.parse_known_args(argv)
    options = unknown + passed
    plan = make_plan(subcommand, args.seeds, args.grid, options, commands=commands)  # every member's options checked
    if not args.list:
        check_launch_command(args.python, args.launcher)  # before anything is written or said
    say = (lambda *a, **k: None) if args.quiet else print
    if args.list:
        print(f"{'index':>5}  {'seed':>6}  folder")
        for member in plan.members:
            print(f"{member.index:>5}  {member.seed:>6}  {member.folder}")
        return 0
    if args.member_index is not None:
        outcome = run_one(plan, args.output, args.member_index, args.python, args.launcher)
        if outcome.status in ("completed", "skipped"):
            say(f"member {outcome.member.index} ({outcome.member.folder}): {outcome.status}")
            return 0
        print(
            f"{PROG} ensemble: member {outcome.member.index} ({outcome.member.folder}) {outcome.status}: "
            f"{outcome.reason}",
            file=sys.stderr,
        )
        # The member's own signal is not known here: a stop reads as Ctrl-C's, as it always has.
        return EXIT_STATUS_BY_SIGNAL["SIGINT"] if outcome.status == "interrupted" else EXIT_FAILURE
    say(
        f"Ensemble of {len(plan.members)} members ({len(plan.seeds)} seeds x {len(plan.points)} grid points) "
        f"of '{plan.subcommand}' in {args.output}/, {args.jobs} at a time"
    )
    report = run_ensemble(
        plan, args.output, jobs=args.jobs, python=args.python, launcher=args.launcher, progress=not args.quiet
    )
    summary = report.summary()
    if report.ok:
        say(summary)
    else:
        print(summary, file=sys.stderr)
    if not args.no_merge and not report.stopped_by and (report.count("completed") or report.count("skipped")):
        merged = merge_ensemble(args.output, formats=args.merge_formats, commands=commands)
        for line in left_out_report(merged):
            print(f"{PROG} ensemble: {one_line(line)}", file=sys.stderr)
        say(summary_table(merged))
        say(f"Merged into {args.output}/merged/")
    if report.stopped_by:
        return EXIT_STATUS_BY_SIGNAL.get(report.stopped_by, EXIT_FAILURE)
    return 0 if report.ok else EXIT_FAILURE


def build_merge_parser():
    """Return the parser of ``merge``."""
    parser = Parser(
        prog=f"{PROG} merge",
        formatter_class=argparse.HelpFormatter,  # the description is one paragraph, wrapped to the terminal
        description=(
            "Merge the completed members of an ensemble folder: for each grid point mean, sd and 95 % confidence "
            "interval over seeds of every recorded series (merged/<point>/merged.npz, .csv, .json), figures with "
            "confidence bands, and a summary table of final Ca, rates, connections, settle times and experiment "
            "signatures (merged/summary.csv, .json, .txt; members.csv)."
        ),
    )
    parser.add_argument("folder", help="the ensemble folder (with ensemble.json)")
    parser.add_argument(
        "--formats", type=figure_formats, default="png", metavar="LIST", help="figure formats (default: %(default)s)"
    )
    parser.add_argument("--no-plot", action="store_true", help="write data and tables, no figures")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    return parser


def main_merge(argv=None, *, commands=None):
    """Run ``merge`` with the arguments `argv`; return the exit status.

    `commands`: the sub-commands members may run; given, the plan is checked against its class again.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_merge_parser().parse_args(argv)
    try:
        merged = merge_ensemble(args.folder, plot=not args.no_plot, formats=args.formats, commands=commands)
    except ConfigurationError as exc:
        print(f"{PROG} merge: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    for line in left_out_report(merged):
        print(f"{PROG} merge: {one_line(line)}", file=sys.stderr)
    if not args.quiet:
        print(summary_table(merged))
        print(f"Merged {sum(m.n for m in merged)} members of {len(merged)} grid point(s) into {args.folder}/merged/")
    return 0
