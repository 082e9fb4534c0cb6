"""Command line: ``python -m structural_plasticity [SUB-COMMAND] [OPTIONS]``.

Without a sub-command the full example runs (200 s of biological time by default) and its figures,
data, provenance and a summary are written to an output folder. ``plot FOLDER`` re-draws saved results
without simulating. Other sub-commands are registered in `SUBCOMMANDS`.

Only this module configures process-wide things (NEST's banner, signal handlers); the library does not.
"""

import argparse
import json
import signal
import sys
import time

from .engine import import_nest, quiet_nest_import
from .errors import ConfigurationError
from .model import CA_READOUTS, StructuralPlasticityExample
from .output import FIGURE_FORMATS, parse_formats, prepare_output_folder, save_standard_figures
from .results import load_results
from .summary import summarize
from .version import __version__

PROG = "python -m structural_plasticity"
EXIT_USER_ERROR = 2
EXIT_FAILURE = 1
#: How often (wall-clock seconds) a running simulation saves what it has recorded so far.
CHECKPOINT_EVERY_S = 60.0


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (no usage dump) and exits with status 2."""

    def error(self, message):
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def _number(kind, positive):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if kind is int else 'a number'}, got {text!r}"
            )
        if value != value or value in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        if not positive and value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


positive_float = _number(float, positive=True)
non_negative_float = _number(float, positive=False)
positive_int = _number(int, positive=True)


def _assignment(text):
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = value  # a bare word such as iaf_psc_exp is a string
    return name.strip(), parsed


def add_run_options(parser, model=StructuralPlasticityExample, default_output="results"):
    """Add the options of a simulation run to `parser`; defaults are read from `model`.

    Sub-commands that run a subclass (experiments) call this with their class, so their help shows
    their own defaults.
    """
    sim = parser.add_argument_group("simulation")
    sim.add_argument(
        "--t-sim",
        type=positive_float,
        metavar="S",
        default=model.t_sim / 1000.0,
        help="simulated (biological) time in seconds (default: %(default)g)",
    )
    sim.add_argument(
        "--record-interval",
        type=positive_float,
        metavar="MS",
        default=model.record_interval,
        help="how often to record, in ms of simulated time (default: %(default)g)",
    )
    sim.add_argument(
        "--update-interval",
        type=positive_float,
        metavar="MS",
        default=model.update_interval,
        help="structural plasticity update interval in ms; must be a multiple of --dt (default: %(default)g)",
    )
    sim.add_argument(
        "--dt",
        type=positive_float,
        metavar="MS",
        default=model.dt,
        help="simulation resolution in ms (default: %(default)g)",
    )
    sim.add_argument(
        "--seed",
        type=positive_int,
        metavar="N",
        default=model.rng_seed,
        help="seed of NEST's random number generators (default: %(default)s)",
    )
    sim.add_argument(
        "--threads",
        type=positive_int,
        metavar="N",
        default=model.threads,
        help="threads per process; NEST's structural plasticity allows only 1, "
        "use 'mpirun -n N' for parallel runs (default: %(default)s)",
    )
    net = parser.add_argument_group("network")
    net.add_argument(
        "--n-exc",
        type=positive_int,
        metavar="N",
        default=model.number_excitatory_neurons,
        help="number of excitatory neurons (default: %(default)s)",
    )
    net.add_argument(
        "--n-inh",
        type=positive_int,
        metavar="N",
        default=model.number_inhibitory_neurons,
        help="number of inhibitory neurons (default: %(default)s)",
    )
    net.add_argument(
        "--bg-rate",
        type=non_negative_float,
        metavar="HZ",
        default=model.bg_rate,
        help="rate of each neuron's Poisson input in Hz (default: %(default)g)",
    )
    net.add_argument(
        "--ca-readout",
        choices=CA_READOUTS,
        default=model.ca_readout,
        help="'spikes': Ca at each sample time, rebuilt from spikes (fast); 'state': NEST's stored Ca, "
        "as NEST's example reads it (default: %(default)s)",
    )
    net.add_argument(
        "--set",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set any parameter of the class, VALUE in JSON (e.g. --set psc_e=500 or "
        '--set \'growth_curve_e_e={"growth_curve": "gaussian", "growth_rate": 2e-4, "eps": 0.05}\'); '
        "repeatable",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default=default_output,
        help="folder for figures, data and metadata; must not already hold results (default: %(default)s)",
    )
    out.add_argument("--overwrite", action="store_true", help="replace results already in the output folder")
    out.add_argument(
        "--formats",
        type=parse_formats_arg,
        default=["png", "eps"],
        metavar="LIST",
        help=f"comma-separated figure formats out of {', '.join(FIGURE_FORMATS)} (default: png,eps)",
    )
    out.add_argument("--no-plot", action="store_true", help="write data and metadata but no figures")
    out.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors (no progress bar, no summary)"
    )


def parse_formats_arg(text):
    try:
        return parse_formats(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def parameters_from_args(args):
    """Return the class parameters that the run options of `args` set."""
    params = {
        "t_sim": args.t_sim * 1000.0,
        "record_interval": args.record_interval,
        "update_interval": args.update_interval,
        "dt": args.dt,
        "rng_seed": args.seed,
        "threads": args.threads,
        "number_excitatory_neurons": args.n_exc,
        "number_inhibitory_neurons": args.n_inh,
        "bg_rate": args.bg_rate,
        "ca_readout": args.ca_readout,
    }
    params.update(dict(args.set))
    return params


def build_run_parser():
    parser = _Parser(
        prog=PROG,
        description=(
            "Simulate NEST's structural plasticity example (Butz & van Ooyen 2013): 800 excitatory and 200 "
            "inhibitory neurons start without synapses and grow them until each population's mean calcium "
            "sits at its target. Writes figures, data (NPZ, CSV), metadata (JSON) and prints a summary."
        ),
        epilog=(
            "other sub-commands:\n"
            + "\n".join(f"  {name:<10} {spec[0]}" for name, spec in SUBCOMMANDS.items() if name != "run")
            + f"\n\nexamples:\n  {PROG}                      # the full 200 s example, into ./results\n"
            f"  {PROG} --t-sim 20 -o short    # 20 s into ./short\n"
            f"  mpirun -n 2 {PROG}            # on 2 MPI processes (needs an MPI build of NEST)\n"
            f"  {PROG} plot results           # re-draw the figures of saved results"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"structural_plasticity {__version__}")
    add_run_options(parser)
    return parser


def cmd_run(argv):
    args = build_run_parser().parse_args(argv)
    return execute(StructuralPlasticityExample, args)


def execute(model, args, extra_figures=None):
    """Run `model` with the run options in `args`, save everything to the output folder, print a summary.

    Parameters
    ----------
    model : type
        `StructuralPlasticityExample` or a subclass.
    args : argparse.Namespace
        Parsed options of `add_run_options` (sub-commands may add more and pass them via ``args.set``).
    extra_figures : callable, optional
        ``extra_figures(results, folder, formats) -> list of paths`` for figures beyond the standard two.

    Returns
    -------
    int
        Exit status: 0 done, 130/143 interrupted by SIGINT/SIGTERM (partial results saved).
    """
    example = model(**parameters_from_args(args))  # checks parameters before anything is imported
    from .parallel import Communicator, check_launch, check_launch_before_import  # noqa: PLC0415

    check_launch_before_import()  # NEST without MPI would exit on import under mpirun, without a hint
    quiet_nest_import()
    nest = import_nest()

    comm = Communicator(nest)
    check_launch(nest)
    say = print if (comm.is_root and not args.quiet) else (lambda *a, **k: None)
    # Only rank 0 touches the output folder; every rank learns whether it is usable.
    problem = None
    if comm.is_root:
        try:
            prepare_output_folder(args.output, overwrite=args.overwrite)
        except ConfigurationError as exc:
            problem = str(exc)
    problem = comm.bcast(problem)
    if problem:
        raise ConfigurationError(problem)

    signal.signal(signal.SIGTERM, lambda signum, frame: example.request_stop("SIGTERM"))
    say(
        f"Simulating {args.t_sim:g} s of {example.number_excitatory_neurons} + {example.number_inhibitory_neurons} "
        f"neurons on {comm.size} process(es); results go to {args.output}/"
    )
    progress = _Progress(example, enabled=comm.is_root and not args.quiet)
    checkpoint = _Checkpoint(args.output, enabled=comm.is_root)

    def on_sample(ex):
        progress.update(ex)
        checkpoint.maybe_save(ex.results)

    status = 0
    try:
        example.run(callback=on_sample)
    except KeyboardInterrupt:
        status = 143 if example.stop_reason == "SIGTERM" else 130
    finally:
        progress.close()
        if comm.is_root and len(example.results):
            example.results.save(args.output)  # whatever happened, keep what was recorded
    results = example.results
    if not comm.is_root:
        return status
    if not len(results):
        print(f"{PROG}: interrupted before the first sample; nothing was recorded or saved", file=sys.stderr)
        return status
    if not args.no_plot:
        save_standard_figures(results, args.output, args.formats)
        if extra_figures is not None:
            extra_figures(results, args.output, args.formats)
    if status:
        print(
            f"{PROG}: interrupted after {results.metadata.get('simulated_time_ms', 0) / 1000:g} s of simulated time; "
            f"the partial results are saved in {args.output}/ (marked incomplete)",
            file=sys.stderr,
        )
    say(summarize(results))
    say(
        f"Wrote {args.output}/: results.npz, results.csv, metadata.json"
        + ("" if args.no_plot else f", figures ({','.join(args.formats)})")
    )
    return status


class _Progress:
    """A tqdm bar over simulated seconds on a terminal; silent when output goes to a log or CI."""

    def __init__(self, example, enabled):
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm  # noqa: PLC0415

            # disable=None: tqdm turns itself off when stderr is not a terminal (logs, CI).
            self.bar = tqdm(
                total=example.t_sim / 1000.0,
                unit=" sim-s",
                disable=None,
                dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}, {rate_fmt}{postfix}]",
            )

    def update(self, example):
        if self.bar is not None:
            self.bar.update(example.record_interval / 1000.0)
            r = example.results
            self.bar.set_postfix_str(f"Ca E {r['mean_ca_e'][-1]:.3f} I {r['mean_ca_i'][-1]:.3f}", refresh=False)

    def close(self):
        if self.bar is not None:
            self.bar.close()


class _Checkpoint:
    """Saves recorded results every `CHECKPOINT_EVERY_S` wall seconds, so that even a killed run keeps data."""

    def __init__(self, folder, enabled):
        self.folder, self.enabled = folder, enabled
        self.last = time.monotonic()

    def maybe_save(self, results):
        if self.enabled and time.monotonic() - self.last >= CHECKPOINT_EVERY_S:
            results.save(self.folder)
            self.last = time.monotonic()


def build_plot_parser():
    parser = _Parser(prog=f"{PROG} plot", description="Re-draw the figures of saved results without simulating.")
    parser.add_argument("folder", help="output folder of an earlier run")
    parser.add_argument(
        "-o", "--output", metavar="DIR", help="where to write the figures (default: the results folder)"
    )
    parser.add_argument(
        "--formats",
        type=parse_formats_arg,
        default=["png", "eps"],
        metavar="LIST",
        help=f"comma-separated figure formats out of {', '.join(FIGURE_FORMATS)} (default: png,eps)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    return parser


def cmd_plot(argv):
    args = build_plot_parser().parse_args(argv)
    results = load_results(args.folder)
    folder = args.output or args.folder
    if args.output:
        prepare_output_folder(folder, overwrite=True)  # figures only: data in that folder is never touched
    paths = save_standard_figures(results, folder, args.formats)
    if not args.quiet:
        print("\n".join(str(p) for p in paths))
    return 0


#: Sub-commands: name -> (one-line description, function taking the remaining arguments).
SUBCOMMANDS = {
    "run": ("simulate the example and save figures, data and metadata (the default)", cmd_run),
    "plot": ("re-draw the figures of saved results without simulating", cmd_plot),
    "compare": (
        "run NEST's own example and this package side by side and report the largest difference",
        "structural_plasticity.fidelity:cmd_compare",
    ),
    "lesion": (
        "deafferent a group of excitatory neurons after growth and record how the network rewires",
        "structural_plasticity.experiments.cli:cmd_lesion",
    ),
    "stimulate": (
        "raise the input of a group of excitatory neurons for a while and record assembly formation",
        "structural_plasticity.experiments.cli:cmd_stimulate",
    ),
}


def _resolve(command):
    """Return the function of a sub-command; "module:function" strings are imported on first use."""
    if callable(command):
        return command
    import importlib  # noqa: PLC0415

    module, _, function = command.partition(":")
    return getattr(importlib.import_module(module), function)


def main(argv=None):
    """Run the command line; return the exit status.

    User errors (bad options, unusable folders, missing NEST) print one line and return 2, without a
    traceback.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        name, argv = argv[0], argv[1:]
    else:
        name = "run"
    try:
        return _resolve(SUBCOMMANDS[name][1])(argv)
    except ConfigurationError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
