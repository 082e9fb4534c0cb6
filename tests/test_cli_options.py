"""The option table drives the command line: argparse options, help texts and the parameters of the class.

These tests parse arguments in-process (no simulation, no NEST) except `test_execute_returns_the_finished_example`,
`test_other_population_names_on_a_terminal` and `test_experiment_command_uses_results_in_memory`, which run tiny
networks.
"""

import argparse
import io
import json
import signal
import subprocess
import sys

import pytest
from conftest import cli_env, fast_growth

from structural_plasticity import ConfigurationError, PlasticNetwork, StructuralPlasticityExample
from structural_plasticity.cli import SUBCOMMANDS, SimulationCommand, compare, main
from structural_plasticity.cli.execution import Checkpoint, OutputSettings, execute
from structural_plasticity.cli.experiments import LESION, STIMULATE, experiment_command
from structural_plasticity.cli.options import (
    RUN_OPTIONS,
    SECONDS,
    Option,
    Unit,
    class_defaults,
    function_defaults,
    parameters_from,
    positive_float,
)
from structural_plasticity.cli.run import RUN
from structural_plasticity.experiments import LesionExperiment
from structural_plasticity.fidelity import compare_with_nest_example
from structural_plasticity.specs import Input, PlasticSynapse, Population

SIMULATION_COMMANDS = [command for command in SUBCOMMANDS.values() if isinstance(command, SimulationCommand)]


def _help(command):
    """The --help text of a sub-command, unwrapped to one line per option (argparse wraps at the terminal width)."""
    return " ".join(command.build_parser().format_help().split())


def test_subcommands_are_callables_with_a_summary():
    assert set(SUBCOMMANDS) == {
        "run",
        "plot",
        "compare",
        "export",
        "lesion",
        "stimulate",
        "assembly",
        "focal-lesion",
        "ensemble",
        "merge",
    }
    for name, command in SUBCOMMANDS.items():
        assert callable(command) and not isinstance(command, str), name
        assert command.summary and "\n" not in command.summary, name


@pytest.mark.parametrize("command", SIMULATION_COMMANDS, ids=lambda c: c.name)
def test_every_row_appears_in_help_with_its_unit_and_the_class_default(command):
    text = _help(command)
    defaults = class_defaults(command.default_model)
    for row in command.options:
        if defaults[row.parameter] in (None, ()):  # no value (e.g. --from-network): the help says what that means
            shown = f"default: {row.none or 'none'}"
            expected = f"({row.unit.word}, {shown}" if row.unit else f"({shown}"
            assert f"{row.flag} " in text and f"{row.help} {expected}" in text, (row.flag, expected)
            continue
        value = row.from_parameter(defaults[row.parameter])
        shown = f"{value:g}" if isinstance(value, (int, float)) else str(value)
        expected = f"({row.unit.word}, default: {shown}" if row.unit else f"(default: {shown}"
        assert f"{row.flag} " in text and expected in text, (row.flag, expected)  # then ")" or "; with --model"
    assert "--t-sim S simulated (biological) time (seconds, default: 200)" in _help(RUN)
    assert "--record-interval MS how often to record, in simulated time (ms, default: 1000)" in _help(RUN)
    assert "--bg-rate HZ rate of each neuron's Poisson input (Hz, default: 10000)" in _help(RUN)


@pytest.mark.parametrize("command", SIMULATION_COMMANDS, ids=lambda c: c.name)
def test_every_option_with_a_value_shows_its_default(command):
    """Every option that takes a value says its default; those that follow --size give the value of each size."""
    parser = command.build_parser()
    for action in parser._actions:
        if action.nargs == 0 or action.dest in ("help", "set"):
            continue  # flags (--overwrite, -q) and --set NAME=VALUE have no default to show
        assert "default: " in action.help % {"default": action.default}, action.option_strings
    text = _help(command)
    if command.name == "assembly":
        assert "--stimulation S duration of the stimulus (seconds, default: from --size: reduced 20, full 150)" in text
        assert "(default: from --size: reduced 400, full 10000)" in text  # --n-exc


def test_help_wraps_descriptions_and_options_at_one_width():
    for command in SIMULATION_COMMANDS:
        lines = command.build_parser().format_help().splitlines()
        assert max(len(line) for line in lines) <= 100, command.name
        assert max(len(line) for line in lines if line.startswith("  --")) > 80  # options use the width too


@pytest.mark.parametrize("command", SIMULATION_COMMANDS, ids=lambda c: c.name)
def test_every_row_sets_a_parameter_of_its_class(command):
    for model in command.models.values():
        names = model.parameter_names()
        for row in command.options:
            assert row.parameter in names, (command.name, model.__name__, row.flag)


def test_compare_rows_are_arguments_of_the_comparison():
    defaults = function_defaults(compare_with_nest_example)
    text = " ".join(compare.build_parser().format_help().split())
    for row in compare.OPTIONS:
        assert row.parameter in defaults, row.flag
        assert row.flag in text
    # Its defaults are the comparison's, not the class's: NEST 3.10's 10 000 ms interval and 20 s.
    assert "(ms, default: 10000)" in text and "(seconds, default: 20)" in text


def test_every_flag_is_unique_within_a_command():
    for command in SIMULATION_COMMANDS:
        flags = [flag for row in command.options for flag in row.flags]
        assert len(flags) == len(set(flags)), command.name


def test_help_shows_the_defaults_of_the_class_being_run():
    class Short(StructuralPlasticityExample):
        t_sim = 20_000.0  # (ms)
        number_excitatory_neurons = 400

    command = SimulationCommand("short", "a short run", "A short run.", Short, RUN_OPTIONS, "short")
    text = _help(command)
    assert "--t-sim S simulated (biological) time (seconds, default: 20)" in text
    assert "number of excitatory neurons (default: 400)" in text
    assert "(seconds, default: 150)" in _help(LESION)  # --growth: LesionExperiment.growth_duration / 1000


def test_options_become_parameters_with_units_converted():
    args = RUN.build_parser().parse_args(["--t-sim", "2.3", "--dt", "0.5", "--n-exc", "40", "--ca-readout", "state"])
    assert RUN.parameters(args) == {
        "t_sim": 2300.0,  # seconds to ms, without float noise (2.3 * 1000 is 2299.9999999999995)
        "dt": 0.5,
        "number_excitatory_neurons": 40,
        "ca_readout": "state",
    }


def test_growth_in_seconds_gives_growth_duration_in_ms():
    args = LESION.build_parser().parse_args(["--growth", "20", "--recovery", "5", "--fraction", "0.25"])
    params = LESION.parameters(args)
    assert params == {"growth_duration": 20000.0, "recovery_duration": 5000.0, "group_fraction": 0.25}
    assert LESION.model_for(args)(**params).t_sim == 25000.0  # the class derives t_sim from the phases


def test_options_not_given_leave_the_class_defaults():
    assert RUN.parameters(RUN.build_parser().parse_args([])) == {}
    example = StructuralPlasticityExample(**RUN.parameters(RUN.build_parser().parse_args([])))
    assert example.parameters() == StructuralPlasticityExample().parameters()


def test_set_wins_over_an_option():
    args = STIMULATE.build_parser().parse_args(
        ["--increase", "0.3", "--set", "stimulus_increase=0.5", "--seed", "3", "--set", "rng_seed=5"]
    )
    assert STIMULATE.parameters(args) == {"stimulus_increase": 0.5, "rng_seed": 5}


def test_set_values_are_json_or_words():
    args = RUN.build_parser().parse_args(
        ["--set", 'model_params={"tau_Ca": 5000.0}', "--set", "neuron_model=iaf_psc_exp", "--set", "psc_e=500"]
    )
    assert RUN.parameters(args) == {
        "model_params": {"tau_Ca": 5000.0},
        "neuron_model": "iaf_psc_exp",
        "psc_e": 500,
    }


def test_a_row_is_all_it_takes_to_add_an_option():
    row = Option("--psc-e", "psc_e", positive_float, "weight of excitatory synapses", Unit("pA", "pA"), group="network")
    command = SimulationCommand("run", "", "", StructuralPlasticityExample, (*RUN_OPTIONS, row), "results")
    assert "--psc-e PA weight of excitatory synapses (pA, default: 585)" in _help(command)
    assert command.parameters(command.build_parser().parse_args(["--psc-e", "500"])) == {"psc_e": 500.0}


def test_model_choice_picks_the_class_and_shows_the_first_ones_defaults():
    class SmallLesion(LesionExperiment):
        number_excitatory_neurons = 80
        growth_duration = 10_000.0

    command = experiment_command(
        "lesion",
        {"small": SmallLesion, "example": LesionExperiment},
        (),
        stem="lesion",
        summary="lesion",
        description="Lesion.",
    )
    text = _help(command)
    assert "--model {small,example}" in text
    assert "(seconds, default: 10; with --model example: 150)" in " ".join(text.split())  # where they differ
    assert "with --model example" not in " ".join(text.split()).split("--fraction", 1)[1].split("--growth")[0]
    parser = command.build_parser()
    assert command.model_for(parser.parse_args([])) is SmallLesion
    args = parser.parse_args(["--model", "example", "--growth", "3"])
    assert command.model_for(args) is LesionExperiment and command.parameters(args) == {"growth_duration": 3000.0}


def test_experiments_refuse_t_sim_with_the_reason(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["stimulate", "--t-sim", "10"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--t-sim does not apply: the run lasts the sum of the phase durations" in err
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit):
        main(["lesion", "--t-sim=10"])
    assert "--t-sim does not apply" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["lesion", "--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_bad_option_values_are_usage_errors(capsys):
    for argv, message in [
        (["lesion", "--fraction", "1.5"], "argument --fraction: must be between 0 and 1, got 1.5"),
        (["lesion", "--input-kept", "-0.1"], "argument --input-kept: must be from 0 to below 1"),
        (["stimulate", "--increase", "-1"], "argument --increase: must not be negative"),
        (["--selection", "first"], "unrecognized arguments: --selection first"),  # an experiment option
        (["--seed", "1.5"], "argument --seed: expected a whole number, got '1.5'"),
        (["--dt", "nan"], "argument --dt: expected a finite number"),
        (["--set", "=3"], "argument --set: expected NAME=VALUE"),
    ]:
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
        assert message in capsys.readouterr().err, argv


def test_parameters_from_uses_only_the_rows_given():
    parser = argparse.ArgumentParser()
    rows = (Option("--growth", "growth_duration", positive_float, "growth", SECONDS),)
    for row in rows:
        row.add_to(parser, 150_000.0)
    parser.add_argument("--set", type=lambda t: tuple(t.split("=")), action="append", default=[])
    assert parameters_from(parser.parse_args(["--growth", "0.5"]), rows) == {"growth_duration": 500.0}
    assert parameters_from(parser.parse_args([]), rows) == {}


def test_importing_the_command_line_imports_neither_nest_nor_pyplot():
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "structural_plasticity", "--help"],
        env=cli_env(),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "--t-sim" in out.stdout
    modules = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert "structural_plasticity.cli" in modules and "structural_plasticity.cli.experiments" in modules
    assert not {m for m in modules if m == "nest" or m.startswith("nest.")}
    assert "matplotlib.pyplot" not in modules and "matplotlib" not in modules
    # Nor the optional exports' packages, nor scipy.stats (seconds to import; only a merge needs it).
    assert "structural_plasticity.cli.export" in modules
    for heavy in ("pynwb", "neo", "nixio", "h5py", "scipy.stats"):
        assert heavy not in modules, heavy


def test_checkpoint_saves_only_after_its_interval(tmp_path):
    saved = []

    class FakeFolder:  # a ResultsFolder as far as Checkpoint uses it
        def save_results(self, results):
            saved.append(results)

    folder, results = FakeFolder(), object()
    Checkpoint(folder, enabled=True, every_s=3600).maybe_save(results)
    Checkpoint(folder, enabled=False, every_s=0).maybe_save(results)
    assert saved == []
    Checkpoint(folder, enabled=True, every_s=0).maybe_save(results)
    assert saved == [results]


# ----------------------------------------------------------------------------------------------------
# Execution (tiny networks, in this process)
# ----------------------------------------------------------------------------------------------------
def test_execute_returns_the_finished_example(tmp_path, small, capsys):
    before = signal.getsignal(signal.SIGTERM)
    example = StructuralPlasticityExample(**small)
    outcome = execute(example, OutputSettings(tmp_path / "out", plot=False))
    assert outcome.status == 0 and outcome.is_root and outcome.recorded
    assert outcome.example is example and len(outcome.results) == 8
    assert outcome.results.metadata["completed"] is True
    saved = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert saved["simulated_time_ms"] == 4000.0
    assert signal.getsignal(signal.SIGTERM) is before  # the SIGTERM handler lives only as long as the run
    out = capsys.readouterr().out
    assert out.startswith("Simulating 4 s of 80 E + 20 I neurons on 1 process(es)") and "Wrote" in out
    with pytest.raises(ConfigurationError, match="already holds results"):
        execute(StructuralPlasticityExample(**small), OutputSettings(tmp_path / "out", plot=False))


class ExcInhNetwork(PlasticNetwork):
    """Populations named "exc" and "inh" instead of NEST's example's "e" and "i"; the example's neurons, weights
    and input, growing `conftest.FAST_GROWTH_FACTOR` times faster."""

    number_exc = 40  # neurons of population "exc"
    number_inh = 10  # neurons of population "inh"
    t_sim = 2000.0  # simulated time (ms)
    record_interval = 500.0  # (ms)

    def population_specs(self):
        curves, neurons = fast_growth(), StructuralPlasticityExample.model_params
        exc = {"Den_ex": curves["growth_curve_e_e"], "Den_in": curves["growth_curve_e_i"]}
        inh = {"Den_ex": curves["growth_curve_i_e"], "Den_in": curves["growth_curve_i_i"]}
        return {
            "exc": Population(self.number_exc, "iaf_psc_alpha", neurons, dict(exc, Axon_ex=curves["growth_curve_e_e"])),
            "inh": Population(self.number_inh, "iaf_psc_alpha", neurons, dict(inh, Axon_in=curves["growth_curve_i_i"])),
        }

    def plastic_synapses(self):
        return {
            "synapse_exc": PlasticSynapse(585.0, 1.0, "Axon_ex", "Den_ex"),
            "synapse_inh": PlasticSynapse(-585.0, 1.0, "Axon_in", "Den_in"),
        }

    def input_spec(self):
        return Input(10_000.0, 50.0, 1.0)


class Terminal(io.StringIO):
    """A stderr that says it is a terminal, so that the progress bar draws (tqdm stays silent in logs)."""

    def isatty(self):
        return True


def test_other_population_names_on_a_terminal(tmp_path, capsys, monkeypatch):
    """Progress bar, messages and the series' documentation follow the network's population names."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    outcome = execute(ExcInhNetwork(), OutputSettings(tmp_path / "out", plot=False))
    assert outcome.status == 0 and len(outcome.results) == 4
    bar = terminal.getvalue()
    assert "2/2 s" in bar and "Ca EXC " in bar and " INH " in bar, bar
    last = outcome.results
    assert f"Ca EXC {last['mean_ca_exc'][-1]:.3f} INH {last['mean_ca_inh'][-1]:.3f}" in bar
    assert capsys.readouterr().out.startswith("Simulating 2 s of 40 EXC + 10 INH neurons")
    doc = json.loads((tmp_path / "out" / "metadata.json").read_text())["series_doc"]
    assert set(doc) == set(outcome.results.names)  # every series recorded is documented
    assert doc["mean_ca_exc"] == "mean Ca of 'exc' neurons" and "(Hz)" in doc["rate_inh"]
    assert doc["connections_excinh"] == "synapses from 'exc' to 'inh' neurons"
    assert doc["total_connections_inh"] == "'inh' synapses (INH->EXC + INH->INH)"


def test_experiment_command_uses_results_in_memory(tmp_path, monkeypatch, capsys):
    """The signature is computed from the results of the run, not read back from the folder."""
    import numpy

    def no_reading(*args, **kwargs):
        raise AssertionError("the command read its own output back")

    monkeypatch.setattr(numpy, "load", no_reading)  # what load_results reads results.npz with
    argv = ["--n-exc", "40", "--n-inh", "10", "--record-interval", "500", "--growth", "1", "--recovery", "1"]
    status = main(["lesion", *argv, "--no-plot", "-o", str(tmp_path / "l")])
    assert status == 0
    table = (tmp_path / "l" / "signature.txt").read_text()
    assert "rate_lesioned" in table and table in capsys.readouterr().out
