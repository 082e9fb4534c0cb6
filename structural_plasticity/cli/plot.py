"""The ``plot`` sub-command: re-draw the figures of saved results without simulating."""

from ..output import prepare_output_folder, save_standard_figures
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
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    return parser


def main(argv):
    """Run ``python -m structural_plasticity plot FOLDER [OPTIONS]``; return the exit status."""
    args = build_parser().parse_args(argv)
    results = load_results(args.folder)
    folder = args.output or args.folder
    if args.output:
        prepare_output_folder(folder, overwrite=True)  # figures only: data in that folder is never touched
    paths = save_standard_figures(results, folder, args.formats)
    if not args.quiet:
        print("\n".join(str(p) for p in paths))
    return 0
