"""`SimulationCommand`: a sub-command that runs a model class, described as data.

A sub-command that simulates is a name, the class it runs (or a dict of classes chosen by
``--model``), its option rows, and optionally figures and files of its own. Its parser is generated
from the rows (defaults shown from the class), its arguments become class parameters through the same
rows, and `execution.execute` runs the class and writes the standard output. The ``run``, ``lesion``,
``stimulate`` and ``assembly`` sub-commands are instances of it; the other sub-commands (``plot``,
``compare``, ``ensemble``, ``merge``) are plain functions, each a `Subcommand`.
"""

import textwrap
from dataclasses import dataclass, field

from ..state import check_output_file
from ..version import __version__
from .execution import OutputSettings, execute
from .network_file import adopt_saved_structure
from .options import add_options, add_output_options, add_set_option, class_defaults, parameters_from
from .parser import HELP_WIDTH, PROG, Parser


@dataclass
class SimulationCommand:
    """A sub-command that builds a model from its options, runs it and writes its results.

    Parameters
    ----------
    name : str
        Sub-command name (``python -m structural_plasticity NAME``).
    summary : str
        One line for the list of sub-commands.
    description : str
        Text at the top of ``--help``.
    model : type or dict of str to type
        The class to run, or ``{name: class}`` to choose with ``--model NAME`` (the first is the
        default, and its defaults are shown in ``--help``).
    options : tuple of Option
        The rows of this sub-command; each sets a parameter of the class.
    default_output : str
        Default output folder.
    extra_figures : callable, optional
        ``extra_figures(results, unit, formats) -> list of paths``: figures beyond the standard two, saved
        into the `folder.Unit` given (``output.save_figure`` accepts one).
    extra_output : callable, optional
        ``extra_output(results, unit) -> str or None``: files written after the figures (also for an
        interrupted run), each to ``unit / name`` so that it is part of the folder's unit and manifest;
        the text returned is printed unless ``--quiet``.
    refused : dict of str to str, optional
        Flags of other sub-commands that do not apply here, with the reason (e.g. ``--t-sim``).
    epilog : str or callable, optional
        Text at the end of ``--help`` (a callable is called when the parser is built).
    prog : str, optional
        Program name in messages; default ``python -m structural_plasticity NAME``.
    version : bool
        Offer ``--version``.
    """

    name: str
    summary: str
    description: str
    model: object
    options: tuple
    default_output: str
    extra_figures: object = None
    extra_output: object = None
    refused: dict = field(default_factory=dict)
    epilog: object = ""
    prog: str = None
    version: bool = False

    @property
    def models(self):
        """dict of str to type: the classes this sub-command can run, the default first."""
        return dict(self.model) if isinstance(self.model, dict) else {self.name: self.model}

    @property
    def default_model(self):
        """type: the class run without ``--model``."""
        return next(iter(self.models.values()))

    def build_parser(self):
        """Return the argparse parser: the option rows (defaults from the default class), ``--set``, output."""
        epilog = self.epilog() if callable(self.epilog) else self.epilog
        # Descriptions are written as paragraphs; the epilog keeps its layout (lists, examples).
        description = "\n\n".join(textwrap.fill(p, HELP_WIDTH) for p in self.description.split("\n\n"))
        parser = Parser(
            prog=self.prog or f"{PROG} {self.name}", description=description, epilog=epilog, refused=self.refused
        )
        if self.version:
            parser.add_argument("--version", action="version", version=f"structural_plasticity {__version__}")
        if isinstance(self.model, dict):
            choices = list(self.models)
            parser.add_argument(
                "--model",
                choices=choices,
                default=choices[0],
                help=f"which model to run (default: {choices[0]}); the defaults below are those of {choices[0]} "
                "unless another model's is named",
            )
        others = {name: class_defaults(model) for name, model in list(self.models.items())[1:]}
        add_options(parser, self.options, class_defaults(self.default_model), other_defaults=others)
        add_set_option(parser.add_argument_group("any parameter"))
        add_output_options(parser, self.default_output)
        return parser

    def model_for(self, args):
        """Return the class that `args` choose."""
        return self.models[args.model] if isinstance(self.model, dict) else self.model

    def parameters(self, args):
        """Return the class parameters that `args` set (options given, then ``--set``), and with ``--from-network``
        the structural ones the file records that `args` do not give (`network_file.adopt_saved_structure`)."""
        return adopt_saved_structure(self.model_for(args), parameters_from(args, self.options), self.options)

    def check(self, argv, read_files=True):
        """Check the arguments `argv` as a run of this sub-command would, without running it.

        For the members of an ensemble, checked once before any of them starts: the arguments are parsed,
        the model is built (every parameter checked) and, with `read_files`, a saved network to start from
        is read and checked.

        Returns
        -------
        tuple
            ``(model instance, names of the parameters the arguments set)``.

        Raises
        ------
        ConfigurationError
            One line, as the run itself would print it.
        """
        args = self.build_parser().check_args(argv)
        parameters = self.parameters(args)
        example = self.model_for(args)(**parameters)
        if read_files:
            example.load_initial_network()
        return example, sorted(parameters)

    def __call__(self, argv):
        """Run the sub-command with the arguments after its name; return the exit status."""
        args = self.build_parser().parse_args(argv)
        example = self.model_for(args)(**self.parameters(args))  # checks every parameter before NEST is imported
        example.load_initial_network()  # a saved network to start from is read and checked before anything is written
        settings = OutputSettings.from_args(args)
        if getattr(example, "save_network_path", None) is not None:  # every output path, before any simulation
            check_output_file(example.save_network_path, overwrite=settings.overwrite, output_folder=settings.folder)
        outcome = execute(example, settings, extra_figures=self.extra_figures, extra_output=self.extra_output)
        if outcome.extra_text:
            outcome.console.say(outcome.extra_text)
        return outcome.status


@dataclass(frozen=True)
class Subcommand:
    """A sub-command that is a plain function (``plot``, ``compare``, ``ensemble``, ``merge``), with its line in the
    list of sub-commands.

    Parameters
    ----------
    summary : str
        One line for the list of sub-commands.
    main : callable
        ``main(argv) -> exit status``, given the arguments after the sub-command's name.
    """

    summary: str
    main: object

    def __call__(self, argv):
        return self.main(argv)
