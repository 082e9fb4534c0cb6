"""The ``compare`` sub-command: NEST's own example and the package side by side (see `fidelity`).

Its options are rows of the run's option table (the same flags, units and checks); only the defaults
differ, since they are those of `fidelity.compare_with_nest_example` (e.g. NEST 3.10's update interval
of 10 000 ms and ``ca_readout="state"``, with which the two programs agree bit for bit).
"""

from dataclasses import replace

from ..engine import quiet_nest_import
from ..fidelity import SHARED_PARAMETERS, compare_with_nest_example, nest_example_path
from .options import RUN_OPTIONS, add_options, add_set_option, function_defaults, only, parameters_from
from .parser import PROG, Parser

SUMMARY = "run NEST's own example and this package side by side and report the largest difference"

#: What some of the run's options mean in a comparison.
_HELP = {
    "rng_seed": "seed of NEST's random number generators, the same for both runs",
    "update_interval": "how often NEST updates synaptic elements and synapses; 10000 is NEST 3.10's example, "
    "100 the package's default",
    "ca_readout": "how the package reads Ca: 'state' reads NEST's stored Ca as NEST's example does (exact "
    "agreement); 'spikes' rebuilds it from spike times (agrees to rounding)",
}
#: The run's rows that `compare_with_nest_example` takes (same flags, units and checks).
OPTIONS = tuple(
    replace(row, help=_HELP.get(row.parameter, row.help))
    for row in only(
        RUN_OPTIONS,
        "t_sim",
        "rng_seed",
        "update_interval",
        "record_interval",
        "number_excitatory_neurons",
        "number_inhibitory_neurons",
        "ca_readout",
    )
)
#: Parameters both programs read that have no option of their own (set with --set).
SET_ONLY = tuple(name for name in SHARED_PARAMETERS if name not in {row.parameter for row in OPTIONS})


def build_parser():
    """Return the parser of ``compare``; defaults shown are those of `compare_with_nest_example`."""
    parser = Parser(
        prog=f"{PROG} compare",
        description=(
            "Run NEST's own structural plasticity example (shipped with the installed NEST) and this package with\n"
            "the same seed and parameters, one after the other, and report the largest absolute difference of each\n"
            "recorded series (mean Ca and connections of both populations) and of the final network state (V_m, Ca\n"
            "and synaptic elements of every neuron, and the synapses).\n\n"
            "Exit status: 0 when everything agrees exactly, 1 when anything differs, 2 for a usage error."
        ),
        epilog=(
            "examples:\n"
            f"  {PROG} compare                                 # 20 s, 1000 neurons\n"
            f"  {PROG} compare --update-interval 100 --seed 7  # the package's interval\n"
            f"  {PROG} compare --t-sim 10 --n-exc 160 --n-inh 40 --set bg_rate=12000"
        ),
    )
    add_options(parser, OPTIONS, function_defaults(compare_with_nest_example))
    add_set_option(
        parser.add_argument_group("any parameter"),
        help=f"set another parameter both programs read, VALUE in JSON; one of {', '.join(SET_ONLY)} (repeatable)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the verdict line")
    return parser


def main(argv):
    """Run ``python -m structural_plasticity compare [OPTIONS]``; return 0 when both runs agree exactly, else 1."""
    args = build_parser().parse_args(argv)
    params = parameters_from(args, OPTIONS)
    shown = {**function_defaults(compare_with_nest_example), **params}
    quiet_nest_import()
    if not args.quiet:
        print(
            f"Running NEST's example and the package: {shown['t_sim'] / 1000:g} s, "
            f"{shown['number_excitatory_neurons']} + {shown['number_inhibitory_neurons']} neurons, "
            f"update interval {shown['update_interval']:g} ms, seed {shown['rng_seed']} ...",
            flush=True,
        )
    report = compare_with_nest_example(**params)
    if not args.quiet:
        print(f"NEST's example: {nest_example_path()}")
        print(report.table())
        wall = report.wall_time_s
        print(f"wall time: NEST's example {wall['nest']:.1f} s, package {wall['package']:.1f} s")
        if not report.connections_formed:
            print(
                "note: no synapse formed during this run, so the connection series compared only zeros; "
                "simulate longer or use a shorter --update-interval to compare connectivity too"
            )
    if report.exact:
        print(f"largest difference: 0 (exact agreement over {len(report.nest['mean_ca_e'])} samples)")
        return 0
    print(f"largest difference: {report.largest_difference:.6g} (NOT exactly equal)")
    return 1
