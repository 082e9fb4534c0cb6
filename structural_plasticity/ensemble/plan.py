"""The definition of an ensemble: a sub-command run over seeds and a grid of class parameters.

An ensemble is the product of a sub-command (the default ``run``, ``lesion``, ``stimulate``, ...), a list
of seeds and a grid of parameter values (``NAME=V1,V2,...`` over parameters of the sub-command's class).
Each member runs in its own process as::

    python -m structural_plasticity [SUBCMD] --seed S --set NAME=V ... -o DIR/<member> -q [run options]

The plan is written to ``DIR/ensemble.json`` before any member starts; a folder whose plan differs (or
that holds anything else) is refused, so members of different ensembles never mix. Everything here is
checked without NEST: bad seeds, unknown parameter names and values the class rejects raise
`ConfigurationError` with one line.

The engine does not know the command line: which sub-commands members may run, and which class each
runs, is given to `make_plan` as ``commands`` (the command line passes its registry,
`structural_plasticity.cli.SIMULATIONS`).
"""

import hashlib
import itertools
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigurationError
from ..files import PLAN_JSON, UnreadableFile, jsonable, read_file, write_json
from ..validation import MAX_NESTING, nesting, parse_json_file
from ..version import __version__

#: Version of the plan file's layout; a plan of another format is refused.
PLAN_FORMAT = 1
#: Options the ensemble sets for every member itself; given among the run options they are refused.
RESERVED_OPTIONS = {
    "--seed": "give seeds with --seeds",
    "-o": "the member folders are chosen by the ensemble (its own -o is the ensemble folder)",
    "--output": "the member folders are chosen by the ensemble (its own -o is the ensemble folder)",
    "--overwrite": "the ensemble reruns incomplete members itself",
    "-q": "members always run quietly",
    "--quiet": "members always run quietly",
}
#: Parameters a grid may not vary, with the option to use instead.
RESERVED_PARAMETERS = {"rng_seed": "give seeds with --seeds"}
#: Most members of one ensemble (seeds x grid points). Each is a process and a folder; the plan file of
#: 100 000 members is about 10 MB, and listing them takes a second.
MAX_MEMBERS = 100_000
#: Longest text of one grid value in a folder name (characters); longer values are cut and given a digest.
MAX_VALUE_TEXT = 48
#: Longest name of a grid point's folder part (characters); longer names become a digest of the point.
MAX_POINT_NAME = 200
#: Largest plan file read (bytes): 100 000 members of long grid values.
MAX_PLAN_BYTES = 256 << 20


@dataclass
class Member:
    """One run of an ensemble: a grid point and a seed, in its own folder.

    Attributes
    ----------
    index : int
        Position in `Plan.members` (the ``--member-index`` of a Slurm array task).
    seed : int
    point : dict
        ``{parameter name: value}`` of its grid point (empty without a grid).
    folder : str
        Folder name inside the ensemble folder.
    """

    index: int
    seed: int
    point: dict
    folder: str

    @property
    def point_name(self):
        """str: name of the member's grid point (``"default"`` without a grid), as in its folder's name."""
        return self.folder[: -len(f"_seed-{self.seed}")] if self.point else "default"


@dataclass
class Plan:
    """What an ensemble runs: sub-command, seeds, grid and the run options shared by every member.

    Build it with `make_plan`, which checks everything; `members` is the product seeds x grid points,
    seeds outermost, so that a partly finished ensemble has some seeds of every grid point.

    Attributes
    ----------
    subcommand : str
        ``"run"`` (the default run), ``"lesion"``, ``"stimulate"`` or another sub-command of
        ``python -m structural_plasticity``.
    seeds : list of int
    grid : dict of str to list
        Parameter name -> values, in the order given.
    options : list of str
        Further command-line options of every member (e.g. ``["--n-exc", "40", "--t-sim", "2"]``).
    members : list of Member
    """

    subcommand: str
    seeds: list
    grid: dict
    options: list
    members: list = field(default_factory=list)
    #: By grid point name: the model (class path) and parameter values its members' results must show
    #: (found by the up-front check with the sub-command, see `make_plan`); empty without it.
    expected: dict = field(default_factory=dict)

    def definition(self):
        """Return the part of the plan that identifies the ensemble (compared with an existing plan file)."""
        return {
            "format": PLAN_FORMAT,
            "subcommand": self.subcommand,
            "seeds": list(self.seeds),
            "grid": {name: list(values) for name, values in self.grid.items()},
            "options": list(self.options),
        }

    @property
    def points(self):
        """list of dict: the grid points, in order (``[{}]`` without a grid)."""
        names = list(self.grid)
        return [dict(zip(names, values)) for values in itertools.product(*self.grid.values())]

    def member_argv(self, member, folder):
        """Return the arguments after ``python -m structural_plasticity`` that run `member` into `folder`."""
        argv = [] if self.subcommand == "run" else [self.subcommand]
        argv += ["--seed", str(member.seed)]
        for name, value in member.point.items():
            argv += ["--set", f"{name}={json.dumps(value)}"]
        # --overwrite: an incomplete member is rerun into its own folder (completed ones are never launched).
        return argv + ["-o", str(folder), "--overwrite", "-q"] + list(self.options)


def parse_seeds(text):
    """Parse seeds such as ``"1-10"``, ``"3,5,7"`` or ``"1-4,10"`` into a list of distinct ints.

    Ranges are counted before they are expanded: more than `MAX_MEMBERS` seeds are refused at once.

    Raises
    ------
    ConfigurationError
        For an empty list or range, a seed below 1 or above 2**32 - 1, a repeated seed, too many seeds or
        bad syntax.
    """
    seeds, total = [], 0
    for part in str(text).split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d{1,20})(?:\s*-\s*(\d{1,20}))?", part)
        if not match:
            raise ConfigurationError(
                f"bad seed list {_short(text)}: give whole numbers and ranges, e.g. --seeds 1-10 or --seeds 1,2,5"
            )
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise ConfigurationError(
                f"the seed range {part} is empty; write the smaller seed first, e.g. {last}-{first}"
            )
        if not (1 <= first and last < 2**32):
            raise ConfigurationError(f"seeds must be whole numbers from 1 to {2**32 - 1}, got {part}")
        total += last - first + 1
        if total > MAX_MEMBERS:
            raise ConfigurationError(
                f"--seeds {_short(text)} gives {total} seeds or more; an ensemble has at most {MAX_MEMBERS} members"
            )
        seeds += range(first, last + 1)
    return check_seeds(seeds)


def check_seeds(seeds):
    """Return `seeds` as a list of ints after checking that it is non-empty, distinct and within NEST's range."""
    seeds = list(seeds)
    if not seeds:
        raise ConfigurationError("the ensemble has no seeds; give at least one, e.g. --seeds 1-5")
    if len(seeds) > MAX_MEMBERS:
        raise ConfigurationError(f"{len(seeds)} seeds; an ensemble has at most {MAX_MEMBERS} members")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 1 <= seed < 2**32:
            raise ConfigurationError(f"seeds must be whole numbers from 1 to {2**32 - 1}, got {seed!r}")
    seen = set()
    for seed in seeds:  # in one pass: 100 000 seeds are checked at once
        if seed in seen:
            raise ConfigurationError(f"seed {seed} is given twice; each seed may appear once")
        seen.add(seed)
    return seeds


def _short(text, limit=60):
    text = repr(str(text))
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def parse_grid_item(text):
    """Parse ``NAME=V1,V2,...`` into ``(name, [values])``; values are JSON, bare words are strings.

    ``psc_e=500,600`` gives ``("psc_e", [500, 600])``; JSON objects work too:
    ``model_params={"tau_Ca": 5000.0},{"tau_Ca": 20000.0}``.
    """
    name, sep, rest = str(text).partition("=")
    name = name.strip()
    if not sep or not name or not rest.strip():
        raise ConfigurationError(f"bad grid {_short(text)}: write NAME=V1,V2,... (e.g. --grid psc_e=500,585,700)")
    try:
        values = json.loads(f"[{rest}]")
    except json.JSONDecodeError:
        values = []
        for item in rest.split(","):
            item = item.strip()
            try:
                values.append(json.loads(item))
            except json.JSONDecodeError:
                values.append(item)  # a bare word such as iaf_psc_exp
    except RecursionError:  # Python's parser recurses once per bracket
        raise ConfigurationError(
            f"a value of grid parameter {name} nests brackets more than {MAX_NESTING} levels deep; check the brackets"
        ) from None
    for value in values:
        nesting(f"a value of grid parameter {name}", value)
    if any(v == "" for v in values):
        raise ConfigurationError(f"grid {_short(text)} has an empty value; separate values by single commas")
    return name, values


def model_class(subcommand, options=(), *, commands):
    """Return the class whose parameters a grid of `subcommand` varies.

    Parameters
    ----------
    subcommand : str
        A simulating sub-command (``run``, ``lesion``, ...).
    options : sequence of str
        The members' run options; a ``--model NAME`` among them picks the class of a sub-command that offers
        several (``lesion --model butz``).
    commands : mapping of str to command
        The sub-commands members may run, by name; each has ``models``, the dict of the classes its
        ``--model`` chooses from, the default first (a `cli.command.SimulationCommand`; the command
        line's registry is `structural_plasticity.cli.SIMULATIONS`).

    Raises
    ------
    ConfigurationError
        For a sub-command not in `commands`, or a model it does not offer.
    """
    if subcommand not in commands:
        raise ConfigurationError(
            f"unknown sub-command {subcommand!r} for an ensemble; use one of {', '.join(commands)}"
        )
    models = commands[subcommand].models
    options = list(options)
    choice = None
    for k, option in enumerate(options):
        if option == "--model" and k + 1 < len(options):
            choice = options[k + 1]
        elif option.startswith("--model="):
            choice = option.partition("=")[2]
    if choice is None:
        return next(iter(models.values()))
    if choice not in models:
        raise ConfigurationError(f"{subcommand} has no model {choice!r}; choose one of {', '.join(models)}")
    return models[choice]


def make_plan(subcommand="run", seeds=(1,), grid=None, options=(), model=None, commands=None, read_files=True):
    """Check an ensemble's definition and return its `Plan`.

    Parameters
    ----------
    subcommand : str
        Sub-command every member runs (``"run"`` for the default run).
    seeds : iterable of int or str
        Seeds, or a string for `parse_seeds`.
    grid : dict of str to list, or list of str, optional
        ``{name: [values]}`` or ``["NAME=V1,V2", ...]``; names must be parameters of the class.
    options : sequence of str
        Further run options of every member; ``--seed``, ``-o``, ``--overwrite`` and ``-q`` are set by the
        ensemble and refused here.
    model : type, optional
        The class whose parameters the grid varies; by default the class of `subcommand` in `commands`
        (see `model_class`).
    commands : mapping of str to command, optional
        The sub-commands members may run (see `model_class`), e.g. `structural_plasticity.cli.SIMULATIONS`;
        needed unless `model` is given. With them, every grid point is checked with the run options as
        its members will run (`_with_members`).
    read_files : bool
        With `commands`: also read and check the saved networks the members start from (false for a
        plan rebuilt to merge finished members, whose files may have moved since).

    Returns
    -------
    Plan

    Raises
    ------
    ConfigurationError
        For empty seeds, unknown or reserved parameter names, values the class rejects, duplicate values,
        reserved options, a sub-command not in `commands`.
    TypeError
        If neither `model` nor `commands` is given.

    Examples
    --------
    >>> from structural_plasticity.cli import SIMULATIONS                                    # doctest: +SKIP
    >>> make_plan("lesion", "1-4", ["lesion_input_kept=0,0.5"], commands=SIMULATIONS)         # doctest: +SKIP
    """
    if model is None and commands is None:
        raise TypeError("make_plan needs the class (model=...) or the sub-commands (commands=...) members may run")
    plan = _definition(subcommand, seeds, grid, options)
    command = commands.get(subcommand) if commands is not None and model is None else None
    return _with_members(plan, model or model_class(subcommand, plan.options, commands=commands), command, read_files)


def _definition(subcommand, seeds, grid, options):
    """Return a `Plan` without members after the checks of seeds, grid syntax and options."""
    seeds = parse_seeds(seeds) if isinstance(seeds, str) else check_seeds(seeds)
    if grid is None:
        grid = {}
    elif not isinstance(grid, dict):
        items = [parse_grid_item(item) for item in grid]
        names = [name for name, _ in items]
        for name in names:
            if names.count(name) > 1:
                raise ConfigurationError(
                    f"grid parameter {name} is given twice; list all its values once: {name}=V1,V2"
                )
        grid = dict(items)
    options = [str(o) for o in options]
    for option in options:
        key = option.split("=", 1)[0]
        if key in RESERVED_OPTIONS:
            raise ConfigurationError(f"option {key} cannot be a run option of an ensemble: {RESERVED_OPTIONS[key]}")
    return Plan(subcommand, seeds, grid, options)


def _with_members(plan, model=None, command=None, read_files=True):
    """Check the grid of `plan` (against `model`'s parameters and own checks, if given), add the members.

    With the `command` members run (its ``check(argv)`` parses a member's arguments and builds its model,
    as the member itself will), every grid point is checked with the run options too, once, before any
    member starts; what each member's results must then say about it is kept (`Plan.expected`).
    """
    known = model.parameter_names() if model is not None else None
    for name, values in plan.grid.items():
        if name in RESERVED_PARAMETERS:
            raise ConfigurationError(f"grid parameter {name} is not allowed: {RESERVED_PARAMETERS[name]}")
        if known is not None and name not in known:
            raise ConfigurationError(
                f"grid parameter {name!r} is not a parameter of {model.__name__}; known parameters are: "
                f"{', '.join(known)}"
            )
        if not isinstance(values, (list, tuple)) or not values:
            raise ConfigurationError(f"grid parameter {name} has no values; write {name}=V1,V2,...")
        texts = [json.dumps(v, sort_keys=True) for v in values]
        if len(set(texts)) != len(texts):
            repeated = next(t for t in texts if texts.count(t) > 1)
            raise ConfigurationError(f"grid parameter {name} lists the value {_short(repeated)} twice")
        for value in values if model is not None else ():
            _check_type(model, name, value, getattr(model, name))
    plan.grid = {name: list(values) for name, values in plan.grid.items()}
    n_points = math.prod(len(values) for values in plan.grid.values())
    if n_points * len(plan.seeds) > MAX_MEMBERS:
        raise ConfigurationError(
            f"{len(plan.seeds)} seeds x {n_points} grid points are {n_points * len(plan.seeds)} members; an ensemble "
            f"has at most {MAX_MEMBERS}"
        )
    points = plan.points
    names = point_names(points)
    plan.expected = {}
    for point, name in zip(points, names) if model is not None else ():
        where = f"grid point {name}: " if point else ""
        try:
            if command is not None and hasattr(command, "check"):
                probe = Member(0, plan.seeds[0], point, member_folder(point, plan.seeds[0], name))
                argv = plan.member_argv(probe, Path("ensemble") / probe.folder)
                argv = argv[1:] if plan.subcommand != "run" else argv  # the arguments after its name
                example, given = command.check(argv, read_files=read_files)
                plan.expected[name] = {
                    "model": f"{type(example).__module__}.{type(example).__qualname__}",
                    "parameters": {key: jsonable(getattr(example, key)) for key in given if key != "rng_seed"},
                }
                _check_network_files(example, plan, name)
            else:
                model(**point, rng_seed=plan.seeds[0])  # the class's own checks, before any member starts
        except ConfigurationError as exc:
            raise ConfigurationError(f"{where}{exc}") from None
    plan.members = [
        Member(index, seed, point, member_folder(point, seed, name))
        for index, (seed, (point, name)) in enumerate((s, pn) for s in plan.seeds for pn in zip(points, names))
    ]
    return plan


def _check_network_files(example, plan, name):
    """Refuse a network file that several members would write (each member would replace the others')."""
    path = getattr(example, "save_network_path", None)
    own_per_point = "save_network_path" in plan.grid and len(plan.seeds) == 1
    if path is not None and not own_per_point and len(plan.seeds) * len(plan.points) > 1:
        raise ConfigurationError(
            f"every member would save its network to the same file {path}; save the network of one member "
            "(--member-index), or give each grid point of one seed its own file (--grid save_network_path=A,B)"
        )


def _check_type(model, name, value, default):
    """Refuse a value whose JSON type differs from the default's (a number for a number, a dict for a dict)."""
    if isinstance(default, bool):
        ok, kind = isinstance(value, bool), "true/false"
    elif isinstance(default, (int, float)):
        ok, kind = isinstance(value, (int, float)) and not isinstance(value, bool), "number"
    elif isinstance(default, str):
        ok, kind = isinstance(value, str), "string"
    elif isinstance(default, dict):
        ok, kind = isinstance(value, dict), "JSON object"
    elif isinstance(default, (list, tuple)):
        ok, kind = isinstance(value, (list, tuple)), "list"
    else:
        return  # no default type to compare with: the class's own checks decide
    if not ok:
        raise ConfigurationError(
            f"grid parameter {name} of {model.__name__} takes {kind} values (default {json.dumps(default)}), "
            f"got {json.dumps(value)}"
        )


def _digest(value):
    return hashlib.sha1(json.dumps(value, sort_keys=True).encode()).hexdigest()[:8]


def _value_text(value, exact=False):
    """A short, file-name-safe text of a grid value (a hash for objects and lists).

    Characters other than letters, digits, ``.``, ``+``, ``-`` become ``_``; with `exact` (for values
    that would otherwise share a folder, such as ``a/b`` and ``a_b``), a changed text gets a digest of the
    value. Texts longer than `MAX_VALUE_TEXT` are cut and given the digest.
    """
    if isinstance(value, (dict, list, tuple)):
        return "h" + _digest(value)
    raw = json.dumps(value).strip('"')
    text = re.sub(r"[^A-Za-z0-9.+\-]", "_", raw) or "_"
    if len(text) > MAX_VALUE_TEXT:
        return f"{text[: MAX_VALUE_TEXT - 10]}-h{_digest(value)}"
    if exact and text != raw:
        return f"{text}-h{_digest(value)}"
    return text


def point_name(point, exact=False):
    """Return the name of a grid point, e.g. ``"psc_e-500_bg_rate-9000"`` (``"default"`` without a grid).

    A name longer than `MAX_POINT_NAME` becomes ``point-h<digest>``; see `point_names` for names that
    must differ.
    """
    name = "_".join(f"{key}-{_value_text(value, exact)}" for key, value in point.items()) or "default"
    return name if len(name) <= MAX_POINT_NAME else f"point-h{_digest(point)}"


def point_names(points):
    """Return one distinct name per grid point: `point_name`, with digests where two would coincide.

    Raises
    ------
    ConfigurationError
        If two points still share a name (values that differ only in ways a file name cannot show).
    """
    names = [point_name(point) for point in points]
    counts = Counter(names)
    names = [point_name(point, exact=True) if counts[name] > 1 else name for point, name in zip(points, names)]
    counts = Counter(names)
    clash = next((name for name in names if counts[name] > 1), None)
    if clash is not None:
        raise ConfigurationError(f"two grid points would share the folder {clash!r}; give values that differ more")
    return names


def member_folder(point, seed, name=None):
    """Return a member's folder name: its grid point (`name`, default `point_name`) and seed, e.g. ``"psc_e-500_seed-3"``."""
    return f"{name or point_name(point)}_seed-{seed}" if point else f"seed-{seed}"


def plan_path(folder):
    """Return the path of the plan file in an ensemble folder."""
    return Path(folder) / PLAN_JSON


def write_plan(plan, folder):
    """Create the ensemble folder with its plan file, or check that it already holds this ensemble.

    Raises
    ------
    ConfigurationError
        If the folder holds another ensemble, or files of something else (hidden files are ignored), or
        cannot be written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"ensemble folder {folder} is a file; choose another folder with -o")
    path = plan_path(folder)
    if path.exists():
        existing = read_plan_definition(folder)
        if existing != plan.definition():
            differs = [key for key in plan.definition() if existing.get(key) != plan.definition()[key]]
            raise ConfigurationError(
                f"{folder} holds another ensemble (its {', '.join(differs)} differ); choose another folder with -o, "
                "or repeat the original definition to resume it"
            )
        return path
    if folder.is_dir() and any(not p.name.startswith(".") for p in folder.iterdir()):
        raise ConfigurationError(f"{folder} is not empty and holds no ensemble; choose an empty or new folder with -o")
    content = dict(
        plan.definition(),
        members=[{"index": m.index, "seed": m.seed, "point": m.point, "folder": m.folder} for m in plan.members],
        created_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        structural_plasticity=__version__,
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_json(path, content)  # concurrent array tasks write the same content; each write is atomic
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write the ensemble folder {folder} ({exc.strerror or exc}); choose another with -o"
        )
    return path


def read_plan_definition(folder):
    """Return the definition stored in an ensemble folder's plan file (see `Plan.definition`).

    The file is read with bounds (at most `MAX_PLAN_BYTES`, JSON nested a few levels) and its definition
    must have the types a plan has; a damaged or edited plan is refused with one line.
    """
    path = plan_path(folder)
    try:
        content = parse_json_file(read_file(path, MAX_PLAN_BYTES, follow_symlinks=True), str(path))
    except (OSError, ConfigurationError) as exc:
        reason = exc.reason if isinstance(exc, UnreadableFile) else getattr(exc, "strerror", None) or exc
        raise ConfigurationError(
            f"cannot read the ensemble plan {path} ({reason}); is {folder} an ensemble folder?"
        ) from None
    definition = (
        {key: content.get(key) for key in ("format", "subcommand", "seeds", "grid", "options")}
        if isinstance(content, dict)
        else None
    )

    def damaged(what):
        return ConfigurationError(
            f"the ensemble plan {path} is damaged or was edited: {what}; rerun the ensemble into a new folder"
        )

    if definition is None:
        raise damaged("it is not a plan")
    if definition["format"] != PLAN_FORMAT:
        raise ConfigurationError(f"{path} has format {definition['format']}, this version reads {PLAN_FORMAT}")
    if not isinstance(definition["subcommand"], str):
        raise damaged("'subcommand' is not a sub-command's name")
    if not isinstance(definition["seeds"], list):
        raise damaged("'seeds' is not a list of seeds")
    grid = definition["grid"]
    if not isinstance(grid, dict) or not all(isinstance(v, list) for v in grid.values()):
        raise damaged("'grid' is not a table of parameter values")
    options = definition["options"]
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise damaged("'options' is not a list of run options")
    return definition


def load_plan(folder, commands=None):
    """Rebuild the `Plan` of an existing ensemble folder (for merging).

    Parameters
    ----------
    folder : str or path-like
    commands : mapping of str to command, optional
        The sub-commands members may run (see `model_class`): the grid is checked against the class
        again, as `make_plan` does. Without them the plan is rebuilt from its file with the checks that
        need no class (seeds, grid, options); the file was checked in full when it was written.

    Raises
    ------
    ConfigurationError
        If the folder holds no ensemble plan, or one of another format.
    """
    if not plan_path(folder).is_file():
        raise ConfigurationError(
            f"{folder} holds no ensemble ({PLAN_JSON} missing); "
            "give the folder of 'python -m structural_plasticity ensemble'"
        )
    definition = read_plan_definition(folder)
    if definition["format"] != PLAN_FORMAT:
        raise ConfigurationError(
            f"{plan_path(folder)} has format {definition['format']}, this version reads {PLAN_FORMAT}"
        )
    arguments = (definition["subcommand"], definition["seeds"], definition["grid"], definition["options"])
    if commands is not None:
        return make_plan(*arguments, commands=commands, read_files=False)
    return _with_members(_definition(*arguments))
