"""The ``plot`` sub-command: re-draw every figure of saved results without simulating.

``plot RUN`` draws what the sub-command that made RUN drew: the two standard figures, an experiment's own
figure (lesion, stimulation, assembly, focal lesion with its maps of the sheet; recognised from the results,
`analysis.figures`) and, when the run
recorded single neurons (``--record``), the raster and the figure of single neurons. An ensemble folder is
refused with a pointer to ``merge``, which draws an ensemble's figures with bands.
"""

from pathlib import Path

from ..analysis.figures import experiment_figures
from ..errors import ConfigurationError
from ..files import MAPS_NPZ, PLAN_JSON, POSITIONS_NPZ, RECORDING_NPZ
from ..folder import ResultsFolder
from ..output import save_figure, save_standard_figures
from ..parallel import launcher_rank
from ..recording import load_recording
from ..results import load_results, load_unit_arrays
from .options import add_formats_option
from .parser import PROG, Parser

SUMMARY = "re-draw every figure of saved results without simulating"


def build_parser():
    """Return the parser of ``plot``."""
    parser = Parser(prog=f"{PROG} plot", description=SUMMARY[0].upper() + SUMMARY[1:] + ".")
    parser.add_argument("folder", help="output folder of an earlier run (for an ensemble folder use 'merge')")
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
    if (Path(args.folder) / PLAN_JSON).is_file():
        raise ConfigurationError(
            f"{args.folder} is an ensemble folder, not the results of one run; draw its figures with bands with "
            f"'{PROG} merge {args.folder}' (or plot one member: {PROG} plot {args.folder}/<member folder>)"
        )
    results = load_results(args.folder)
    attach_saved_arrays(results, args.folder)
    recording = load_recording(args.folder) if (Path(args.folder) / RECORDING_NPZ).is_file() else None
    target = args.output or args.folder
    # The figures join the results' unit in place, or form a unit of their own in another folder (which must
    # not hold another run's results; figures drawn there before are replaced only with --overwrite).
    with ResultsFolder(target, overwrite=args.overwrite).open_for_figures(args.folder) as folder:
        paths = folder.add_files(lambda unit: draw(results, recording, unit, args.formats))
    if not args.quiet:
        print("\n".join(str(p) for p in paths))
    return 0


def draw(results, recording, unit, formats):
    """Draw every figure of a run into `unit`: the standard ones (with recordings, raster and single neurons) and an
    experiment's own (`analysis.figures.experiment_figures`); return the paths."""
    paths = save_standard_figures(results, unit, formats, recording)
    for stem, plot in experiment_figures(results):
        paths += save_figure(plot(results), unit, stem, formats)
    return paths


def attach_saved_arrays(results, folder):
    """Give `results` the extra arrays its run attached and a figure needs (``maps.npz``, ``positions.npz``)."""
    for name, arrays in load_unit_arrays(folder, (MAPS_NPZ, POSITIONS_NPZ)).items():
        results.attachments[name] = lambda arrays=arrays: arrays
