"""The experiment sub-commands ``lesion``, ``stimulate`` and ``assembly``.

Each accepts the run's options (network size, seed, output folder, ``--set``) except ``--t-sim``:
an experiment lasts the sum of its phase durations, which are options here, in seconds. Besides the
standard figures each writes ``<stem>.<format>`` (phases shaded; group Ca, rates, connectivity and
dendritic elements) and ``signature.txt`` (the table of `signature`), and prints that table.

A new experiment is one `experiment_command` call: its name, its class (or ``{name: class}`` for a
``--model`` choice), the rows of its own parameters and the stem of its figure.
"""

from dataclasses import replace
from functools import partial
from pathlib import Path

from ..analysis.assembly import signature_table
from ..analysis.assembly_figures import plot_assembly
from ..analysis.experiment_figures import plot_experiment
from ..analysis.figures import experiment_figures
from ..analysis.focal import focal_signature, signatures_table
from ..analysis.phases import signature
from ..analysis.recovery import recovery_table
from ..experiments import AssemblyExperiment, ButzLesionExperiment, LesionExperiment, StimulationExperiment
from ..experiments.catalog import FocalLesionExperiment
from ..experiments.intervention import GROUP_SELECTIONS
from ..files import (
    ASSEMBLY_FIGURE,
    FOCAL_FIGURE,
    LESION_FIGURE,
    SIGNATURE_TXT,
    STIMULATION_FIGURE,
    atomic_write,
)
from ..folder import Unit
from ..networks.gallinaro import SIZES
from ..output import save_figure
from .command import SimulationCommand
from .network_file import group_values_at_start
from .options import (
    HZ,
    RUN_OPTIONS,
    SECONDS,
    Option,
    fraction,
    fraction_from_zero,
    non_negative_float,
    positive_float,
    show_value,
    without,
)

ASSEMBLY_SIZES = tuple(SIZES)


def target_rate(text):
    """Parse ``--target-rate``: a positive rate in Hz, or the word ``measure``."""
    if text == "measure":
        return text
    return positive_float(text)


target_rate.__name__ = "rate"

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


def save_experiment_figure(results, folder, formats, stem, plot=plot_experiment):
    """Draw ``plot(results)`` into ``folder/stem.<format>``; return the paths."""
    return save_figure(plot(results), folder, stem, formats)


def phase_signature(results):
    """Return the table of `signature` with 10 s windows, or a quarter of the shortest phase in short runs."""
    return signature(results, window_s=_window(results))


def _window(results):
    """Averaging window (s): 10 s, or a quarter of the shortest phase in short runs."""
    phases = results.metadata.get("phases") or []
    shortest = min(p["duration_s"] for p in phases) if phases else 40.0
    return min(10.0, shortest / 4.0)


def lesion_signature(results):
    """Return `phase_signature` followed by the recovery measures (`recovery_table`) of a lesion run.

    The recovery measures need samples after the lesion; a run stopped before it gets the phase table alone.
    """
    table = phase_signature(results)
    recovery = [p for p in results.metadata.get("phases", []) if p["name"] == "recovery"]
    if recovery and len(results) and results["time"][-1] > recovery[0]["start_s"]:
        # From a saved network there is no growth phase: "before" is read from the network the run started from.
        starts = [group_values_at_start(results)]
        table += "\n\nRecovery of the lesioned group\n" + recovery_table([results], _window(results), starts=starts)
    return table


def write_signature(results, unit, table=phase_signature):
    """Write ``signature.txt`` (the text of ``table(results)``) into `unit` and return the text.

    `unit` is a `folder.Unit` (the file joins the folder's manifest) or a folder path.
    """
    table = table(results)
    if isinstance(unit, Unit):
        (unit / SIGNATURE_TXT).write_text(table + "\n", encoding="utf-8")  # committed with the unit
    else:
        with atomic_write(Path(unit) / SIGNATURE_TXT, "w", encoding="utf-8") as fh:
            fh.write(table + "\n")
    return table


def experiment_command(
    name,
    model,
    options,
    stem,
    summary,
    description,
    default_output=None,
    run_options=None,
    plot=plot_experiment,
    table=phase_signature,
):
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
    run_options : tuple of Option, optional
        The run's rows this experiment takes; default `RUN_OPTIONS` without ``--t-sim``.
    plot : callable
        ``plot(results) -> Figure``, saved as ``<stem>.<format>``.
    table : callable
        ``table(results) -> str``, written to ``signature.txt`` and printed.
    """
    return SimulationCommand(
        name=name,
        summary=summary,
        description=description,
        model=model,
        options=(*(run_options or without(RUN_OPTIONS, "t_sim")), *EXPERIMENT_OPTIONS, *options),
        default_output=default_output or stem,
        extra_figures=partial(save_experiment_figure, stem=stem, plot=plot),
        extra_output=partial(write_signature, table=table),
        refused=REFUSED,
    )


#: The time recorded after a lesion, a row of both lesion sub-commands.
LESION_RECOVERY = Option(
    "--recovery",
    "recovery_duration",
    positive_float,
    "time recorded after the lesion, in simulated time",
    SECONDS,
    group="experiment",
)

LESION = experiment_command(
    "lesion",
    # NEST's example's growth curves (the contrast: no recovery) or Butz & van Ooyen's per-element curves.
    {"example": LesionExperiment, "butz": ButzLesionExperiment},
    (
        LESION_RECOVERY,
        Option(
            "--input-kept",
            "lesion_input_kept",
            fraction_from_zero,
            "fraction of its external input weight the lesioned group keeps",
            metavar="F",
            group="experiment",
        ),
    ),
    stem=LESION_FIGURE,
    table=lesion_signature,
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
    stem=STIMULATION_FIGURE,
    summary="raise the input of a group of excitatory neurons for a while and record assembly formation",
    description=(
        "Grow the network, raise the external input of a group of excitatory neurons for a while, then return "
        "it to baseline, and record how connectivity within the group changes (assembly formation)."
    ),
)


def size_defaults(rows, model):
    """Return `rows`, each whose class default is None but set by ``--size`` saying so with the value of each size.

    ``--stimulation S ... (seconds, default: from --size: reduced 20, full 150)``, from ``model.SIZES``.
    """
    sized = []
    for row in rows:
        values = {size: spec[row.parameter] for size, spec in model.SIZES.items() if row.parameter in spec}
        if getattr(model, row.parameter, None) is None and values:
            shown = ", ".join(f"{size} {show_value(row.from_parameter(value))}" for size, value in values.items())
            row = replace(row, none=f"from --size: {shown}")
        sized.append(row)
    return tuple(sized)


ASSEMBLY = experiment_command(
    "assembly",
    AssemblyExperiment,
    (
        Option(
            "--size",
            "size",
            choices=ASSEMBLY_SIZES,
            help="'reduced': 400 E + 100 I (Gallinaro & Rotter 2018); 'full': 10 000 E + 2 500 I (2022); sets the "
            "defaults of the options that say 'from --size'",
            group="experiment",
        ),
        Option(
            "--input-rate", "input_rate", positive_float, "rate of each neuron's Poisson input", HZ, group="network"
        ),
        Option(
            "--target-rate",
            "target_rate",
            target_rate,
            "target rate of the excitatory neurons, or 'measure' (the rate of the same network with static E→E "
            "connections)",
            metavar="HZ|measure",
            group="experiment",
        ),
        Option(
            "--g",
            "relative_inhibition",
            positive_float,
            "inhibitory weight relative to the excitatory one",
            metavar="G",
            group="network",
        ),
        Option(
            "--stimulation",
            "stimulation_duration",
            positive_float,
            "duration of the stimulus",
            SECONDS,
            group="experiment",
        ),
        Option(
            "--after",
            "after_duration",
            positive_float,
            "first phase after the stimulus",
            SECONDS,
            group="experiment",
        ),
        Option(
            "--decay",
            "decay_duration",
            positive_float,
            "second phase after the stimulus",
            SECONDS,
            group="experiment",
        ),
        Option(
            "--increase",
            "stimulus_increase",
            non_negative_float,
            "extra input rate of the group as a fraction of --input-rate, e.g. 0.1 for +10 %",
            metavar="F",
            group="experiment",
        ),
    ),
    stem=ASSEMBLY_FIGURE,
    summary="Gallinaro & Rotter's assembly formation: stimulate a group, watch it wire to itself",
    description=(
        "Gallinaro & Rotter's network (iaf_psc_delta neurons; static E→I, I→E, I→I; only E→E plastic, linear "
        "growth): grow to the target rate, stimulate 10 % of the excitatory neurons with +10 % input, then record "
        "how connectivity within the group rises above baseline (after) and decays (decay). Writes the block "
        "connection probabilities, connectivity snapshots (arrays.npz) and assembly.<format>."
    ),
    run_options=tuple(row for row in RUN_OPTIONS if row.parameter not in ("t_sim", "bg_rate")),
    plot=plot_assembly,
    table=signature_table,
)
# The options whose defaults follow --size show the value of each size.
ASSEMBLY.options = size_defaults(ASSEMBLY.options, AssemblyExperiment)


def focal_signature_text(results):
    """Return `phase_signature` followed by the focal lesion's four signatures (`analysis.focal`) of a run."""
    table = phase_signature(results)
    recovery = [p for p in results.metadata.get("phases", []) if p["name"] == "recovery"]
    if recovery and len(results) and results["time"][-1] > recovery[0]["start_s"]:
        table += "\n\nFocal lesion: recovery by zone, new synapses by zone pair, boutons, spine turnover\n"
        table += signatures_table([focal_signature(results)])
    return table


def save_focal_figures(results, folder, formats):
    """Draw the focal lesion's figures (`analysis.figures.experiment_figures`: its zones and, when the maps were
    taken, the maps of the sheet); return the paths."""
    return [
        path for stem, plot in experiment_figures(results) for path in save_figure(plot(results), folder, stem, formats)
    ]


FOCAL_LESION = experiment_command(
    "focal-lesion",
    FocalLesionExperiment,
    (
        Option(
            "--size",
            "size",
            choices=("reduced", "full"),
            help="'reduced': 32 x 40 + 16 x 20 neurons, lengths 0.4 of Sinha et al.'s sheet; 'full': their 80 x 100 + "
            "40 x 50 on 12 x 15 mm",
            group="experiment",
        ),
        LESION_RECOVERY,
        Option(
            "--input-kept",
            "lesion_input_kept",
            non_negative_float,
            "fraction of their external input weight the LPZ neurons keep, 0 to 1 (1: a control run, no lesion)",
            metavar="F",
            group="experiment",
        ),
        Option(
            "--lpz-fraction",
            "lpz_fraction",
            fraction,
            "fraction of the neurons, nearest the centre of the sheet, that lose their input",
            metavar="F",
            group="experiment",
        ),
    ),
    stem=FOCAL_FIGURE,
    summary="Butz & van Ooyen's focal lesion on a 2D sheet: a disc loses its input, the cortex rewires into it",
    description=(
        "ButzNetwork on Sinha et al.'s sheet (reduced by default), partners chosen by distance by the package's "
        "structural update: grow, remove the external input of the neurons nearest the centre of the sheet (the LPZ), "
        "and record by zone (LPZ centre, border, peri-LPZ, far) Ca, elements, new synapses by zone pair and turnover. "
        "Writes focal_lesion.<format>, focal_lesion_maps.<format> (each neuron's Ca on the sheet) and signature.txt."
    ),
    table=focal_signature_text,
)
FOCAL_LESION.options = tuple(
    row for row in FOCAL_LESION.options if row.parameter not in ("group_fraction", "group_selection")
)
FOCAL_LESION.extra_figures = save_focal_figures
