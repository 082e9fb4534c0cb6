"""The ``export`` sub-command: saved results or a saved network in the formats other tools read.

``export RUN --format nwb|neo`` writes ``RUN/results.nwb`` or ``RUN/results.nix`` into the results folder's
unit (``-o PATH`` writes elsewhere); ``export grown.npz --format edges|sonata`` writes a saved network as an
edge list or as SONATA files. See `structural_plasticity.export`.
"""

import textwrap

from ..export import FORMATS, export
from ..parallel import launcher_rank
from .parser import HELP_WIDTH, PROG, Parser

SUMMARY = "write saved results as NWB or Neo (NIX), or a saved network as an edge list (CSV) or SONATA"


def build_parser():
    """Return the parser of ``export``."""
    parser = Parser(
        prog=f"{PROG} export",
        description=textwrap.fill(
            "Write the results of a run in the formats of the field: NWB (spikes as Units, series and each "
            "recorded neuron's Ca and elements as TimeSeries, parameters as metadata) or Neo (a Block with a "
            "SpikeTrain per recorded neuron and AnalogSignals, as a NIX file that Elephant reads); or a grown "
            "network (a file of --save-network, or a results folder's last connectivity snapshot) as an edge "
            "list (CSV) or SONATA (HDF5). Spikes and single neurons are in the results only when the run had "
            "--record. Without -o the file joins the results folder (results.nwb, results.nix, edges.csv, "
            "sonata_*); beside a network file it is <name>.edges.csv or <name>_sonata/.",
            HELP_WIDTH,
        ),
        epilog=(
            "optional packages (never needed for a run):\n"
            "  nwb     pip install 'structural_plasticity[nwb]'     (pynwb)\n"
            "  neo     pip install 'structural_plasticity[neo]'     (neo, nixio)\n"
            "  sonata  pip install 'structural_plasticity[sonata]'  (h5py)\n"
            "  edges   nothing\n\n"
            "examples:\n"
            f"  {PROG} --t-sim 20 --record spikes,ca -o short\n"
            f"  {PROG} export short --format nwb\n"
            f"  {PROG} export short --format neo -o short.nix\n"
            f"  {PROG} export grown.npz --format edges        # grown.edges.csv"
        ),
    )
    parser.add_argument("source", help="a results folder, or a network file saved with --save-network")
    parser.add_argument(
        "--format", required=True, choices=list(FORMATS), help="the format to write (nwb, neo: results folders)"
    )
    for flags, options in (
        (
            ("-o", "--output"),
            {"metavar": "PATH", "help": "where to write (default: the results folder, or beside the file)"},
        ),
        (("--overwrite",), {"action": "store_true", "help": "replace what PATH holds"}),
        (
            ("--partial",),
            {"action": "store_true", "help": "export a run that did not complete (interrupted, a checkpoint)"},
        ),
        (("-q", "--quiet"), {"action": "store_true", "help": "print nothing but errors"}),
    ):
        parser.add_argument(*flags, **options)
    return parser


def main(argv):
    """Run ``python -m structural_plasticity export SOURCE --format FMT [OPTIONS]``; return the exit status."""
    args = build_parser().parse_args(argv)
    if launcher_rank() == 0:  # under mpirun every process would write the same files: rank 0 does it
        written = export(args.source, args.format, args.output, overwrite=args.overwrite, partial=args.partial)
        if not args.quiet:
            print(*written, sep="\n")
    return 0
