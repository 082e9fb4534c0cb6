"""The option table: one row per command-line option that sets a parameter of the model class.

A row (`Option`) says everything the command line needs to know about one parameter: its flag(s),
the parameter it sets, the unit it is given in on the command line (and so the conversion to the
class's unit, e.g. seconds to ms), how its text is checked, its help, metavar and help group. From
the rows of a sub-command, `add_options` generates the argparse options and `parameters_from`
derives the class parameters, so adding an option is adding a row. The defaults shown in ``--help``
come from the class (or function) being run, converted to the command line's unit.

Options given on the command line are passed to the class; options left out are not, so the class
supplies its own defaults. ``--set NAME=VALUE`` sets any parameter (VALUE in JSON, in the class's
units) and wins over the options.
"""

import argparse
import inspect
from dataclasses import dataclass

from ..errors import ConfigurationError
from ..files import FIGURE_FORMATS
from ..networks.checks import CA_READOUTS, STRUCTURAL_UPDATES
from ..output import parse_formats
from ..recording import RECORDABLE
from ..validation import parse_json_value


# ----------------------------------------------------------------------------------------------------
# Units
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    """The unit an option is given in on the command line.

    Attributes
    ----------
    symbol : str
        Short name; upper-cased it is the option's metavar (``S``, ``MS``, ``HZ``).
    word : str
        Name shown in ``--help``.
    scale : float
        Parameter value (in the class's unit) per command-line value: 1000 for seconds to ms.
    """

    symbol: str
    word: str
    scale: float = 1.0


SECONDS = Unit("s", "seconds", 1000.0)  # of simulated time; the classes count ms
MS = Unit("ms", "ms")
HZ = Unit("Hz", "Hz")


# ----------------------------------------------------------------------------------------------------
# Checks of option text (argparse types): each failure becomes a one-line usage error
# ----------------------------------------------------------------------------------------------------
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
non_negative_int = _number(int, positive=False)


def _fraction(include_zero):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
        if not (0 <= value < 1 if include_zero else 0 < value < 1):
            raise argparse.ArgumentTypeError(
                f"must be {'from 0 to below 1' if include_zero else 'between 0 and 1'}, got {text}"
            )
        return value

    parse.__name__ = "float"
    return parse


#: A fraction strictly between 0 and 1.
fraction = _fraction(include_zero=False)
#: A fraction from 0 (included) to below 1.
fraction_from_zero = _fraction(include_zero=True)


def assignment(text):
    """Parse ``NAME=VALUE`` of ``--set``; VALUE is JSON, or a bare word taken as a string."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        # A bare word such as iaf_psc_exp is a string; text that looks like JSON but is not is an error.
        return name.strip(), parse_json_value(name.strip(), value)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def recording_names(text):
    """Parse ``--record`` (``spikes,ca``) into a list of names out of `recording.RECORDABLE`."""
    names = [word.strip() for word in str(text).split(",") if word.strip()]
    unknown = [name for name in names if name not in RECORDABLE]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown recording {', '.join(map(repr, unknown)) or repr(text)}; give a comma-separated list of "
            f"{', '.join(RECORDABLE)} (e.g. --record spikes,ca)"
        )
    return list(dict.fromkeys(names))


recording_names.__name__ = "list"


def figure_formats(text):
    """Parse ``--formats`` (``png,eps``) into a list of formats."""
    try:
        return parse_formats(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc))


# ----------------------------------------------------------------------------------------------------
# A row of the table
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """One command-line option that sets one class parameter.

    Parameters
    ----------
    flags : str or tuple of str
        ``"--t-sim"``, or several spellings.
    parameter : str
        The class parameter it sets (also the attribute of the parsed namespace).
    type : callable, optional
        argparse type: parses and checks the text (``positive_float``, ...); plain text if omitted.
    help : str
        What the option means, without unit and default (both are added).
    unit : Unit, optional
        Unit on the command line; its ``scale`` converts to the class's unit. None for counts,
        fractions and words.
    metavar : str, optional
        Placeholder in ``--help``; default the unit's symbol in capitals, ``N`` for whole numbers.
    group : str
        Help section, e.g. ``"simulation"`` or ``"network"``.
    choices : tuple, optional
        The allowed words.
    none : str, optional
        What the class's default means when it is None or empty (``"grow from no synapses"``, ``"all"``);
        shown as the default in ``--help`` (``none`` when not given).
    """

    flags: tuple
    parameter: str
    type: object = None
    help: str = ""
    unit: Unit = None
    metavar: str = None
    group: str = "simulation"
    choices: tuple = None
    none: str = None

    def __post_init__(self):
        if isinstance(self.flags, str):
            object.__setattr__(self, "flags", (self.flags,))

    @property
    def flag(self):
        """str: the long flag, as used in messages."""
        return self.flags[-1]

    def to_parameter(self, value):
        """Convert a parsed command-line value to the parameter's value (e.g. s to ms)."""
        if self.unit is None or self.unit.scale == 1.0:
            return value
        # Rounded so that e.g. 2.3 s becomes 2300.0 ms, not 2299.9999999999995.
        return round(value * self.unit.scale, 9)

    def from_parameter(self, value):
        """Convert a parameter's value to the command line's unit (for the defaults in --help)."""
        if self.unit is None or self.unit.scale == 1.0:
            return value
        return value / self.unit.scale

    def help_text(self, default, others=None):
        """Return the help of the option with its unit and `default` (a parameter value, class units).

        `others` maps the names of other models a sub-command can run (``--model``) to their default;
        those that differ from `default` are named after it.
        """
        details = [self.unit.word] if self.unit is not None else []
        if default is None or (isinstance(default, (tuple, list)) and not default):
            shown = f"default: {self.none or 'none'}"
        else:
            shown = f"default: {show_value(self.from_parameter(default))}"
        for name, value in (others or {}).items():
            if value is not None and value != default:
                shown += f"; with --model {name}: {show_value(self.from_parameter(value))}"
        details.append(shown)
        text = f"{self.help} ({', '.join(details)})"
        return text.replace("%", "%%")  # argparse %-formats help strings

    def add_to(self, parser, default, others=None):
        """Add this option to `parser` (a parser or argument group), showing `default` in its help.

        `others`: the defaults of other models, as for `help_text`.

        The option has no argparse default: an option that is not given is absent from the parsed
        namespace, and the class then uses its own default.
        """
        metavar = self.metavar
        if metavar is None and self.unit is not None:
            metavar = self.unit.symbol.upper()
        elif metavar is None and self.type is positive_int:
            metavar = "N"
        parser.add_argument(
            *self.flags,
            dest=self.parameter,
            type=self.type,
            choices=self.choices,
            metavar=metavar,
            default=argparse.SUPPRESS,
            help=self.help_text(default, others),
        )


def show_value(value):
    """Return `value` as ``--help`` shows a default: whole floats without decimals, lists comma-separated."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# ----------------------------------------------------------------------------------------------------
# The rows every simulation run has
# ----------------------------------------------------------------------------------------------------
RUN_OPTIONS = (
    Option("--t-sim", "t_sim", positive_float, "simulated (biological) time", SECONDS),
    Option("--record-interval", "record_interval", positive_float, "how often to record, in simulated time", MS),
    Option(
        "--update-interval",
        "update_interval",
        positive_float,
        "how often synaptic elements and synapses are updated; a multiple of --dt",
        MS,
    ),
    Option(
        "--structural-update",
        "structural_update",
        choices=STRUCTURAL_UPDATES,
        help="who grows the elements and pairs synapses: 'nest' (NEST's own, one thread per process, bit-exact with "
        "NEST's example) or 'package' (the package, between Simulate calls, with NEST's rules; NEST then runs on "
        "--threads threads)",
    ),
    Option("--dt", "dt", positive_float, "simulation resolution", MS),
    Option("--seed", "rng_seed", positive_int, "seed of NEST's random number generators"),
    Option(
        "--threads",
        "threads",
        positive_int,
        "threads per process; more than 1 needs --structural-update package (NEST's own allows only 1); "
        "'mpirun -n N' runs N processes with either",
    ),
    Option("--n-exc", "number_excitatory_neurons", positive_int, "number of excitatory neurons", group="network"),
    Option("--n-inh", "number_inhibitory_neurons", positive_int, "number of inhibitory neurons", group="network"),
    Option("--bg-rate", "bg_rate", non_negative_float, "rate of each neuron's Poisson input", HZ, group="network"),
    Option(
        "--ca-readout",
        "ca_readout",
        choices=CA_READOUTS,
        help="'spikes': Ca at each sample time, rebuilt from spikes (fast); 'state': NEST's stored Ca, "
        "as NEST's example reads it",
        group="network",
    ),
    # Network state: grow once, branch many (docs/network-state.md).
    Option(
        "--from-network",
        "initial_network",
        help="start from a network saved with --save-network instead of growing one (experiments skip their growth); "
        "population sizes and other structural parameters the file records are taken from it unless given",
        metavar="PATH",
        group="network state",
        none="grow from no synapses",
    ),
    Option(
        "--save-network",
        "save_network_path",
        help="save the complete network (neurons, elements, synapses) into this NPZ file at the end of the run",
        metavar="PATH",
        group="network state",
        none="not saved",
    ),
    Option(
        "--save-network-at",
        "save_network_at",
        positive_float,
        "save the network at this simulated time instead of at the end (a sample time; needs --save-network)",
        SECONDS,
        group="network state",
        none="the end of the run",
    ),
    Option(
        "--snapshot-every",
        "snapshot_every",
        positive_float,
        "keep the list of plastic synapses this often (written to connectivity.npz); a multiple of "
        "--record-interval",
        SECONDS,
        group="network state",
        none="never",
    ),
    # Recordings of single neurons, off by default (docs/recording.md).
    Option(
        "--record",
        "recordings",
        recording_names,
        "record single neurons into recording.npz: a comma-separated list of spikes (senders and times), ca "
        "(each neuron's Ca at every sample), elements (its synaptic elements at every sample)",
        metavar="LIST",
        group="recording",
    ),
    Option(
        "--record-neurons",
        "record_neurons",
        positive_int,
        "record this many neurons of each population (a random sample drawn from --seed) instead of all",
        group="recording",
        none="all",
    ),
)


def without(rows, *parameters):
    """Return `rows` except those that set one of `parameters`."""
    missing = set(parameters) - {row.parameter for row in rows}
    if missing:
        raise ValueError(f"no option sets {', '.join(sorted(missing))}")
    return tuple(row for row in rows if row.parameter not in parameters)


def only(rows, *parameters):
    """Return the rows of `rows` that set one of `parameters`, in the order of `parameters`."""
    by_name = {row.parameter: row for row in rows}
    missing = [name for name in parameters if name not in by_name]
    if missing:
        raise ValueError(f"no option sets {', '.join(missing)}")
    return tuple(by_name[name] for name in parameters)


# ----------------------------------------------------------------------------------------------------
# From rows to argparse, and from parsed arguments to parameters
# ----------------------------------------------------------------------------------------------------
def class_defaults(model):
    """Return ``{parameter: default}`` of a model class (what ``--help`` shows)."""
    return {name: getattr(model, name) for name in model.parameter_names()}


def function_defaults(function):
    """Return ``{argument: default}`` of a function's keyword arguments (what ``--help`` shows)."""
    return {name: p.default for name, p in inspect.signature(function).parameters.items() if p.default is not p.empty}


def add_options(parser, rows, defaults, groups=None, other_defaults=None):
    """Add the options of `rows` to `parser`, each in its help group, with its default from `defaults`.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    rows : sequence of Option
    defaults : mapping of str to object
        Parameter values (class units), e.g. `class_defaults` of the class the sub-command runs.
    groups : dict of str to argparse group, optional
        Groups made so far; new ones are added to it.
    other_defaults : dict of str to mapping, optional
        Defaults of the other models a sub-command can run, by ``--model`` name; where they differ from
        `defaults` the help names them.

    Returns
    -------
    dict of str to argparse group
        The help groups by name, in order of first use.
    """
    groups = {} if groups is None else groups
    for row in rows:
        if row.group not in groups:
            groups[row.group] = parser.add_argument_group(row.group)
        others = {name: d.get(row.parameter) for name, d in (other_defaults or {}).items()}
        row.add_to(groups[row.group], defaults.get(row.parameter), others)
    return groups


def add_set_option(parser, help=None):
    """Add ``--set NAME=VALUE`` (repeatable; parsed into ``args.set``, a list of pairs)."""
    parser.add_argument(
        "--set",
        type=assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=help
        or "set any parameter of the class, VALUE in JSON and in the class's units (e.g. --set psc_e=500 or "
        '--set \'growth_curve_e_e={"growth_curve": "gaussian", "growth_rate": 2e-4, "eps": 0.05}\'); '
        "wins over the options above; repeatable",
    )


def parameters_from(args, rows):
    """Return the class parameters set by the parsed `args`: the options of `rows` given, then ``--set``.

    Parameters
    ----------
    args : argparse.Namespace
        From a parser built with `add_options` (and `add_set_option`).
    rows : sequence of Option
        The rows the parser was built from.

    Returns
    -------
    dict
        Parameter name to value in the class's units; ``--set`` pairs win over options.
    """
    params = {row.parameter: row.to_parameter(getattr(args, row.parameter)) for row in rows if row.parameter in args}
    params.update(dict(getattr(args, "set", ())))
    return params


# ----------------------------------------------------------------------------------------------------
# Options that are not parameters: where and how results are written
# ----------------------------------------------------------------------------------------------------
DEFAULT_FORMATS = ("png", "eps")


def add_formats_option(parser):
    """Add ``--formats LIST`` (parsed into a list of figure formats)."""
    parser.add_argument(
        "--formats",
        type=figure_formats,
        default=list(DEFAULT_FORMATS),
        metavar="LIST",
        help=f"comma-separated figure formats out of {', '.join(FIGURE_FORMATS)} "
        f"(default: {','.join(DEFAULT_FORMATS)})",
    )


def add_output_options(parser, default_output):
    """Add the output options of a simulating sub-command: folder, overwrite, formats, no plot, quiet."""
    out = parser.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default=default_output,
        help="folder for figures, data and metadata; must not already hold results (default: %(default)s)",
    )
    out.add_argument("--overwrite", action="store_true", help="replace results already in the output folder")
    add_formats_option(out)
    out.add_argument("--no-plot", action="store_true", help="write data and metadata but no figures")
    out.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors (no progress bar, no summary)"
    )
    return out
