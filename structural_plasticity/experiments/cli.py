"""Command-line sub-commands ``lesion`` and ``stimulate`` of ``python -m structural_plasticity``.

Both accept every run option of the main command (network size, seed, output folder, ``--set``) except
``--t-sim``: an experiment lasts the sum of its phase durations, given here in seconds. Besides the
standard figures they write ``<experiment>.<format>`` (phases shaded; group Ca, rates, connectivity
and dendritic elements) and ``signature.txt`` (the table of `signature`), and print that table.
"""

import argparse

from .. import cli
from ..output import save_figure
from .analysis import signature
from .base import GROUP_SELECTIONS
from .lesion import LesionExperiment
from .stimulation import StimulationExperiment

SIGNATURE_TXT = "signature.txt"


def _fraction(text, low_open=True):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not (0 < value < 1 if low_open else 0 <= value < 1):
        raise argparse.ArgumentTypeError(
            f"must be {'between 0 and 1' if low_open else 'from 0 to below 1'}, got {text}"
        )
    return value


def _parser(name, model, description, default_output):
    parser = cli._Parser(
        prog=f"{cli.PROG} {name}", description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cli.add_run_options(parser, model=model, default_output=default_output)
    # The run lasts the sum of the phases: hide --t-sim and reject it when given.
    for action in parser._actions:
        if action.dest == "t_sim":
            action.default = None
            action.help = argparse.SUPPRESS
    group = parser.add_argument_group(name)
    group.add_argument(
        "--fraction",
        type=_fraction,
        metavar="F",
        default=model.group_fraction,
        help="fraction of the excitatory neurons in the group (default: %(default)g)",
    )
    group.add_argument(
        "--selection",
        choices=GROUP_SELECTIONS,
        default=model.group_selection,
        help="'random': a sample drawn with numpy from the seed; 'first': the lowest node ids "
        "(default: %(default)s)",
    )
    group.add_argument(
        "--growth",
        type=cli.positive_float,
        metavar="S",
        default=model.growth_duration / 1000.0,
        help="growth phase before the intervention, in s of simulated time (default: %(default)g)",
    )
    return parser, group


def _finish_args(parser, args, model, options):
    """Turn the experiment's options into ``args.set`` pairs and derive ``args.t_sim`` from the phases."""
    if args.t_sim is not None:
        parser.error("--t-sim does not apply: the run lasts the sum of the phase durations (--growth etc.)")
    # The options go first, so that an explicit --set of the same parameter wins.
    args.set = [(name, value) for name, value in options] + list(args.set)
    params = cli.parameters_from_args(argparse.Namespace(**{**vars(args), "t_sim": 1.0}))
    params.pop("t_sim")
    args.t_sim = model(**params).t_sim / 1000.0  # also checks every parameter before NEST is imported
    return args


def _run(model, args, stem):
    def extra_figures(results, folder, formats):
        from .plotting import plot_experiment  # noqa: PLC0415  (matplotlib only when plotting)

        return save_figure(plot_experiment(results), folder, stem, formats)

    tables = []

    def extra_files(results):  # from the results in memory: never from an earlier run in the folder
        # 10 s windows, or a quarter of the shortest phase in short runs.
        shortest = min(p["duration_s"] for p in results.metadata["phases"]) if results.metadata.get("phases") else 40.0
        tables.append(signature(results, window_s=min(10.0, shortest / 4.0)))
        return {SIGNATURE_TXT: tables[-1] + "\n"}

    status = cli.execute(model, args, extra_figures=extra_figures, extra_files=extra_files)
    if tables and not args.quiet:
        print(tables[-1])
    return status


def build_lesion_parser():
    parser, group = _parser(
        "lesion",
        LesionExperiment,
        "Grow the network, then remove the external input of a group of excitatory neurons (deafferentation, "
        "as after a retinal lesion) and record how structural plasticity rewires the network.",
        "lesion",
    )
    group.add_argument(
        "--recovery",
        type=cli.positive_float,
        metavar="S",
        default=LesionExperiment.recovery_duration / 1000.0,
        help="time recorded after the lesion, in s of simulated time (default: %(default)g)",
    )
    group.add_argument(
        "--input-kept",
        type=lambda s: _fraction(s, low_open=False),
        metavar="F",
        default=LesionExperiment.lesion_input_kept,
        help="fraction of its external input weight the lesioned group keeps (default: %(default)g)",
    )
    return parser


def cmd_lesion(argv):
    """Run ``python -m structural_plasticity lesion [OPTIONS]``; return the exit status."""
    parser = build_lesion_parser()
    args = parser.parse_args(argv)
    _finish_args(
        parser,
        args,
        LesionExperiment,
        [
            ("group_fraction", args.fraction),
            ("group_selection", args.selection),
            ("growth_duration", args.growth * 1000.0),
            ("recovery_duration", args.recovery * 1000.0),
            ("lesion_input_kept", args.input_kept),
        ],
    )
    return _run(LesionExperiment, args, "lesion")


def build_stimulate_parser():
    parser, group = _parser(
        "stimulate",
        StimulationExperiment,
        "Grow the network, raise the external input of a group of excitatory neurons for a while, then return "
        "it to baseline, and record how connectivity within the group changes (assembly formation).",
        "stimulation",
    )
    group.add_argument(
        "--stimulation",
        type=cli.positive_float,
        metavar="S",
        default=StimulationExperiment.stimulation_duration / 1000.0,
        help="duration of the stimulus, in s of simulated time (default: %(default)g)",
    )
    group.add_argument(
        "--recovery",
        type=cli.positive_float,
        metavar="S",
        default=StimulationExperiment.recovery_duration / 1000.0,
        help="time recorded after the stimulus, in s of simulated time (default: %(default)g)",
    )
    group.add_argument(
        "--increase",
        type=cli.non_negative_float,
        metavar="F",
        default=StimulationExperiment.stimulus_increase,
        help="extra input rate of the group as a fraction of --bg-rate, e.g. 0.1 for +10 %% (default: %(default)g)",
    )
    return parser


def cmd_stimulate(argv):
    """Run ``python -m structural_plasticity stimulate [OPTIONS]``; return the exit status."""
    parser = build_stimulate_parser()
    args = parser.parse_args(argv)
    _finish_args(
        parser,
        args,
        StimulationExperiment,
        [
            ("group_fraction", args.fraction),
            ("group_selection", args.selection),
            ("growth_duration", args.growth * 1000.0),
            ("stimulation_duration", args.stimulation * 1000.0),
            ("recovery_duration", args.recovery * 1000.0),
            ("stimulus_increase", args.increase),
        ],
    )
    return _run(StimulationExperiment, args, "stimulation")
