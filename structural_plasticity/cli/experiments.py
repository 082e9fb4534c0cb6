"""The experiment sub-commands ``lesion`` and ``stimulate``.

Each accepts the run's options (network size, seed, output folder, ``--set``) except ``--t-sim``:
an experiment lasts the sum of its phase durations, which are options here, in seconds. Besides the
standard figures each writes ``<stem>.<format>`` (phases shaded; group Ca, rates, connectivity and
dendritic elements) and ``signature.txt`` (the table of `signature`), and prints that table.

A new experiment is one `experiment_command` call: its name, its class (or ``{name: class}`` for a
``--model`` choice), the rows of its own parameters and the stem of its figure.
"""

from functools import partial
from pathlib import Path

from ..experiments import LesionExperiment, StimulationExperiment, signature
from ..experiments.base import GROUP_SELECTIONS
from ..folder import Unit
from ..output import save_figure
from .command import SimulationCommand
from .options import (
    RUN_OPTIONS,
    SECONDS,
    Option,
    fraction,
    fraction_from_zero,
    non_negative_float,
    positive_float,
    without,
)

SIGNATURE_TXT = "signature.txt"

#: Run options that experiments do not take, with the reason given when one is used.
REFUSED = {"--t-sim": "the run lasts the sum of the phase durations (--growth etc.)"}

#: Rows of the parameters every experiment here has: its group and the growth before the intervention.
EXPERIMENT_OPTIONS = (
    Option(
        "--fraction",
        "group_fraction",
        fraction,
        "fraction of the excitatory neurons in the group",
        metavar="F",
        group="experiment",
    ),
    Option(
        "--selection",
        "group_selection",
        choices=GROUP_SELECTIONS,
        help="'random': a sample drawn with numpy from the seed; 'first': the lowest node ids",
        group="experiment",
    ),
    Option(
        "--growth",
        "growth_duration",
        positive_float,
        "growth phase before the intervention, in simulated time",
        SECONDS,
        group="experiment",
    ),
)


def save_experiment_figure(results, folder, formats, stem):
    """Draw `plot_experiment` of `results` into ``folder/stem.<format>``; return the paths."""
    from ..experiments.plotting import plot_experiment  # noqa: PLC0415  (matplotlib only when plotting)

    return save_figure(plot_experiment(results), folder, stem, formats)


def write_signature(results, unit):
    """Write ``signature.txt`` (the table of `signature`) into `unit` and return the table.

    `unit` is a `folder.Unit` (the file joins the folder's manifest) or a folder path.
    """
    phases = results.metadata.get("phases") or []
    # 10 s windows, or a quarter of the shortest phase in short runs.
    shortest = min(p["duration_s"] for p in phases) if phases else 40.0
    table = signature(results, window_s=min(10.0, shortest / 4.0))
    target = unit / SIGNATURE_TXT if isinstance(unit, Unit) else Path(unit) / SIGNATURE_TXT
    target.write_text(table + "\n", encoding="utf-8")
    return table


def experiment_command(name, model, options, stem, summary, description, default_output=None):
    """Return the `SimulationCommand` of an experiment.

    Parameters
    ----------
    name : str
        Sub-command name.
    model : type or dict of str to type
        An `Experiment` subclass, or ``{name: class}`` chosen with ``--model`` (the first is the default).
    options : tuple of Option
        Rows of the experiment's own parameters (beyond the run's and `EXPERIMENT_OPTIONS`).
    stem : str
        File name of the experiment's figure, without extension.
    summary, description : str
        One line for the list of sub-commands, and the text at the top of ``--help``.
    default_output : str, optional
        Default output folder; default `stem`.
    """
    return SimulationCommand(
        name=name,
        summary=summary,
        description=description,
        model=model,
        options=(*without(RUN_OPTIONS, "t_sim"), *EXPERIMENT_OPTIONS, *options),
        default_output=default_output or stem,
        extra_figures=partial(save_experiment_figure, stem=stem),
        extra_output=write_signature,
        refused=REFUSED,
    )


LESION = experiment_command(
    "lesion",
    LesionExperiment,
    (
        Option(
            "--recovery",
            "recovery_duration",
            positive_float,
            "time recorded after the lesion, in simulated time",
            SECONDS,
            group="experiment",
        ),
        Option(
            "--input-kept",
            "lesion_input_kept",
            fraction_from_zero,
            "fraction of its external input weight the lesioned group keeps",
            metavar="F",
            group="experiment",
        ),
    ),
    stem="lesion",
    summary="deafferent a group of excitatory neurons after growth and record how the network rewires",
    description=(
        "Grow the network, then remove the external input of a group of excitatory neurons (deafferentation, "
        "as after a retinal lesion) and record how structural plasticity rewires the network."
    ),
)

STIMULATE = experiment_command(
    "stimulate",
    StimulationExperiment,
    (
        Option(
            "--stimulation",
            "stimulation_duration",
            positive_float,
            "duration of the stimulus, in simulated time",
            SECONDS,
            group="experiment",
        ),
        Option(
            "--recovery",
            "recovery_duration",
            positive_float,
            "time recorded after the stimulus, in simulated time",
            SECONDS,
            group="experiment",
        ),
        Option(
            "--increase",
            "stimulus_increase",
            non_negative_float,
            "extra input rate of the group as a fraction of --bg-rate, e.g. 0.1 for +10 %",
            metavar="F",
            group="experiment",
        ),
    ),
    stem="stimulation",
    summary="raise the input of a group of excitatory neurons for a while and record assembly formation",
    description=(
        "Grow the network, raise the external input of a group of excitatory neurons for a while, then return "
        "it to baseline, and record how connectivity within the group changes (assembly formation)."
    ),
)
