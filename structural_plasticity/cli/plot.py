"""The ``plot`` sub-command: re-draw the figures of saved results without simulating."""

from ..folder import ResultsFolder
from ..output import save_standard_figures
from ..parallel import launcher_rank
from ..results import load_results
from .options import add_formats_option
from .parser import PROG, Parser

SUMMARY = "re-draw the figures of saved results without simulating"


def build_parser():
    """Return the parser of ``plot``."""
    parser = Parser(prog=f"{PROG} plot", description=SUMMARY[0].upper() + SUMMARY[1:] + ".")
    parser.add_argument("folder", help="output folder of an earlier run")
    parser.add_argument(
        "-o", "--output", metavar="DIR", help="where to write the figures (default: the results folder)"
    )
    add_formats_option(parser)
    parser.add_argument(
        "--overwrite", action="store_true", help="replace figures that an earlier 'plot -o' wrote into DIR"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    return parser


def main(argv):
    """Run ``python -m structural_plasticity plot FOLDER [OPTIONS]``; return the exit status."""
    args = build_parser().parse_args(argv)
    if launcher_rank() != 0:
        return 0  # under mpirun every process would draw the same files: rank 0 does it
    results = load_results(args.folder)
    target = args.output or args.folder
    # The figures join the results' unit in place, or form a unit of their own in another folder (which must
    # not hold another run's results; figures drawn there before are replaced only with --overwrite).
    with ResultsFolder(target, overwrite=args.overwrite).open_for_figures(args.folder) as folder:
        paths = folder.add_files(lambda unit: save_standard_figures(results, unit, args.formats))
    if not args.quiet:
        print("\n".join(str(p) for p in paths))
    return 0
