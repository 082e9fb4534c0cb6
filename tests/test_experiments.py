"""The lesion and stimulation experiments: groups, phases, interventions, command line and examples.

Fast tests use 160 + 40 neurons whose synaptic elements grow 20 times faster than the defaults, so
that synapses form within a few seconds; each run takes about a second. Tests marked ``slow`` run the
experiments at their default sizes and check the scientific signatures (minutes each).
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import cli_env, fast_growth, run_cli

from structural_plasticity import ConfigurationError, StructuralPlasticityExample
from structural_plasticity.experiments import (
    Experiment,
    LesionExperiment,
    LesionProtocol,
    Phase,
    StimulationExperiment,
    group_sizes,
    phase_values,
    recovery_measures,
    recovery_table,
    signature,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: A small network that grows synapses within seconds (growth rates 20 times the defaults).
FAST = dict(
    number_excitatory_neurons=160,
    number_inhibitory_neurons=40,
    rng_seed=7,
    record_interval=500.0,
    **fast_growth(),
)
#: The same network without structural plasticity: no synapse ever forms, neurons see only their input.
NO_GROWTH = dict(FAST, **StructuralPlasticityExample.growth_curves_scaled(0))
_FAST = FAST["growth_curve_e_e"]

LESION_PHASES = dict(growth_duration=4000.0, recovery_duration=3000.0)
STIM_PHASES = dict(growth_duration=3000.0, stimulation_duration=2000.0, recovery_duration=2000.0)


def count_independently(experiment):
    """Count synapses between the experiment's groups and populations from every synapse's source and target.

    Reads all plastic synapses once and counts with numpy, a different path from the experiment's
    pairwise ``GetConnections`` queries.
    """
    import nest

    src, tgt = [], []
    for model in (experiment.SYNAPSE_E, experiment.SYNAPSE_I):
        conns = nest.GetConnections(synapse_model=model)
        if len(conns):
            src += list(np.atleast_1d(conns.get("source")))
            tgt += list(np.atleast_1d(conns.get("target")))
    src, tgt = np.asarray(src), np.asarray(tgt)
    members = {name: np.asarray(nodes.tolist()) for name, nodes in experiment.populations().items()}
    return {
        f"connections_{a}_{b}": int(np.sum(np.isin(src, members[a]) & np.isin(tgt, members[b])))
        for a, b in experiment.connection_pairs()
    }


@pytest.fixture(scope="module")
def lesion_run():
    """A fast lesion run, with synapse counts taken independently right after it."""
    experiment = LesionExperiment(**FAST, **LESION_PHASES)
    results = experiment.run()
    independent = count_independently(experiment)
    # NEST's kernel is reset by later tests: read the lesioned neurons' elements now.
    elements = experiment.groups["lesioned"].get("synaptic_elements")
    independent["den_ex"] = [(e["Den_ex"]["z"], e["Den_ex"]["z_connected"]) for e in elements]
    return experiment, results, independent


@pytest.fixture(scope="module")
def stimulation_run():
    experiment = StimulationExperiment(**FAST, **STIM_PHASES)
    results = experiment.run()
    return experiment, results, count_independently(experiment)


# ----------------------------------------------------------------------------------------------------
# Parameters and groups
# ----------------------------------------------------------------------------------------------------
def test_protocol_parameters_and_derived_t_sim():
    names = LesionExperiment.parameter_names()
    for name in ("growth_duration", "recovery_duration", "group_fraction", "lesion_input_kept", "element_groups"):
        assert name in names
    for name in ("stimulation_duration", "stimulus_increase"):
        assert name in StimulationExperiment.parameter_names()
    assert LesionExperiment(growth_duration=2000.0, recovery_duration=3000.0).t_sim == 5000.0
    assert StimulationExperiment(**STIM_PHASES).t_sim == 7000.0

    class LongerRecovery(LesionExperiment):
        recovery_duration = 500_000.0  # the class attribute t_sim is stale; t_sim still follows the phases

    assert LongerRecovery().t_sim == LesionExperiment.growth_duration + 500_000.0


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(t_sim=1000.0),  # disagrees with the phases
        dict(group_fraction=0.0),
        dict(group_fraction=1.5),
        dict(lesion_input_kept=1.0),
        dict(growth_duration=1500.0),  # not a multiple of record_interval (1000 ms)
        dict(element_groups="lesioned"),  # a string, not a list of names
        dict(group_selection="middle"),
        dict(recovery_time=1000.0),  # misspelled
    ],
)
def test_bad_lesion_parameters_fail_loudly(kwargs):
    with pytest.raises(ConfigurationError):
        LesionExperiment(**kwargs)


def test_negative_stimulus_fails():
    with pytest.raises(ConfigurationError, match="stimulus_increase"):
        StimulationExperiment(stimulus_increase=-0.1)


def _groups_after_create(**kwargs):
    experiment = LesionExperiment(**{**FAST, **kwargs})
    experiment.prepare_simulation()
    experiment.create_nodes()
    return experiment, {name: nodes.tolist() for name, nodes in experiment.groups.items()}


def test_groups_partition_excitatory_neurons_reproducibly():
    experiment, groups = _groups_after_create()
    excitatory = experiment.nodes_e.tolist()
    assert len(groups["lesioned"]) == round(0.1 * 160)
    assert not set(groups["lesioned"]) & set(groups["intact"])
    assert sorted(groups["lesioned"] + groups["intact"]) == excitatory
    assert groups["lesioned"] != excitatory[:16]  # random, not the first neurons
    _, again = _groups_after_create()
    assert again == groups  # same seed, same group
    _, other_seed = _groups_after_create(rng_seed=8)
    assert other_seed["lesioned"] != groups["lesioned"]
    experiment, first = _groups_after_create(group_selection="first", group_fraction=0.25)
    assert first["lesioned"] == experiment.nodes_e.tolist()[:40]


def test_groups_come_from_group_population_and_record_it():
    experiment, groups = _groups_after_create()
    assert experiment.population_acted_on() == "e"  # the excitatory population by default
    assert {g["name"]: g["population"] for g in experiment.results.metadata["groups"]} == {
        "lesioned": "e",
        "intact": "e",
    }
    experiment, groups = _groups_after_create(group_population="i")
    inhibitory = experiment.nodes_i.tolist()
    assert len(groups["lesioned"]) == round(0.1 * 40)
    assert sorted(groups["lesioned"] + groups["intact"]) == inhibitory
    assert [g["population"] for g in experiment.results.metadata["groups"]] == ["i", "i"]


@pytest.mark.parametrize("value", ["x", "lesioned", 1, ["e"]])
def test_group_population_must_name_a_population(value):
    with pytest.raises(ConfigurationError, match="group_population must be the name of a population") as error:
        LesionExperiment(group_population=value)
    assert "\n" not in str(error.value) and "'e', 'i'" in str(error.value)


class RenamedExample(StructuralPlasticityExample):
    """NEST's example with its populations named ``exc`` and ``inh``: nothing outside a configuration may assume
    the names ``e`` and ``i``."""

    EXCITATORY_POPULATION = "exc"

    def population_specs(self):
        specs = super().population_specs()
        return {"exc": specs["e"], "inh": specs["i"]}


class RenamedLesion(LesionProtocol, RenamedExample):
    pass


@pytest.fixture(scope="module")
def renamed_lesion():
    return RenamedLesion(**FAST, **LESION_PHASES).run()


def test_a_protocol_on_other_population_names_acts_on_the_excitatory_population(renamed_lesion):
    results = renamed_lesion
    assert [g["population"] for g in results.metadata["groups"]] == ["exc", "exc"]
    assert group_sizes(results) == {"lesioned": 16, "intact": 144}
    assert "connections_exc_lesioned" in results and "connections_inh_lesioned" in results
    m = recovery_measures(results, window_s=1.0)
    before = phase_values(results, "mean_ca_lesioned", 1.0)["growth"] / results.metadata["target_ca"]["exc"]
    assert m["ca_lesioned_before"] == pytest.approx(before)
    growth_end = results["phase"] == 0
    per_neuron = results["connections_inh_lesioned"][growth_end][-2:].mean() / 16  # the last 1 s of growth
    assert m["i_input_lesioned_before"] == pytest.approx(per_neuron)
    table = recovery_table([results], window_s=1.0)
    assert "exc synapses per lesioned neuron, before" in table and "inh synapses per lesioned neuron" in table


def test_summary_and_figures_show_every_population_under_its_name(renamed_lesion):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from structural_plasticity.analysis.experiment_figures import plot_experiment
    from structural_plasticity.plotting import plot_ca_and_connections, plot_overview
    from structural_plasticity.summary import summarize

    results = renamed_lesion
    text = summarize(results)
    assert "\nexc " in text and "\ninh " in text and "exc→inh" in text and "inh→exc" in text
    assert "lesioned" not in text  # groups are not populations
    labels = [line.get_label() for line in plot_ca_and_connections(results).axes[0].get_lines()]
    assert labels == ["target Ca (exc)", "Ca, exc neurons", "target Ca (inh)", "Ca, inh neurons"]
    pathways = [line.get_label() for line in plot_overview(results).axes[0].get_lines()]
    assert pathways == ["exc→exc", "exc→inh", "inh→exc", "inh→inh"]
    lines = {line.get_label(): line for line in plot_experiment(results).axes[0].get_lines()}
    assert lines["target Ca (exc)"].get_ydata()[0] == results.metadata["target_ca"]["exc"]


def test_group_names_are_checked():
    class BadName(Experiment, StructuralPlasticityExample):
        def define_groups(self):
            return {"e": self.nodes_e[:3]}

    experiment = BadName(**FAST, t_sim=1000.0)
    experiment.prepare_simulation()
    with pytest.raises(ConfigurationError, match="group name 'e'"):
        experiment.create_nodes()


# ----------------------------------------------------------------------------------------------------
# Recording of groups
# ----------------------------------------------------------------------------------------------------
def test_group_activity_series_and_sizes(lesion_run):
    experiment, results, _ = lesion_run
    assert group_sizes(results) == {"lesioned": 16, "intact": 144}
    stored = {g["name"]: g["node_ids"] for g in results.metadata["groups"]}
    assert stored["lesioned"] == experiment.groups["lesioned"].tolist()
    # The groups partition E, so the size-weighted group means are the population's.
    for series in ("mean_ca", "rate"):
        weighted = (16 * results[f"{series}_lesioned"] + 144 * results[f"{series}_intact"]) / 160
        np.testing.assert_allclose(weighted, results[f"{series}_e"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("run", ["lesion_run", "stimulation_run"])
def test_group_connections_add_up_to_pathways(run, request):
    experiment, results, independent = request.getfixturevalue(run)
    g, h = list(experiment.groups)
    r = results
    assert r["connections_ee"].max() > 50  # synapses did form, so the sums below are not 0 == 0
    assert r[f"connections_{h}_{g}"].max() > 0 and r[f"connections_i_{g}"].max() > 0
    np.testing.assert_array_equal(r[f"connections_{g}_{g}"] + r[f"connections_{h}_{g}"], r[f"connections_e_{g}"])
    np.testing.assert_array_equal(r[f"connections_{g}_{h}"] + r[f"connections_{h}_{h}"], r[f"connections_e_{h}"])
    np.testing.assert_array_equal(r[f"connections_e_{g}"] + r[f"connections_e_{h}"], r["connections_ee"])
    np.testing.assert_array_equal(r[f"connections_{g}_e"] + r[f"connections_{h}_e"], r["connections_ee"])
    np.testing.assert_array_equal(r[f"connections_i_{g}"] + r[f"connections_i_{h}"], r["connections_ie"])
    np.testing.assert_array_equal(r[f"connections_{g}_i"] + r[f"connections_{h}_i"], r["connections_ei"])
    # The last sample agrees with counting every synapse's source and target.
    counted = {name: n for name, n in independent.items() if name.startswith("connections_")}
    assert {name: int(r[name][-1]) for name in counted} == counted


def test_dendritic_elements_of_the_group_are_recorded(lesion_run):
    _, results, independent = lesion_run
    z, connected = np.mean(independent["den_ex"], axis=0)
    assert results["elements_den_ex_lesioned"][-1] == pytest.approx(z)
    assert results["connected_den_ex_lesioned"][-1] == pytest.approx(connected)
    # Each connected excitatory spine of a lesioned neuron is one incoming excitatory synapse.
    assert results["connected_den_ex_lesioned"][-1] * 16 == pytest.approx(results["connections_e_lesioned"][-1])
    assert results["elements_den_ex_lesioned"].max() > 0.5  # spines did grow


# ----------------------------------------------------------------------------------------------------
# Phases
# ----------------------------------------------------------------------------------------------------
def test_phases_switch_at_the_right_times(lesion_run, stimulation_run):
    _, lesion, _ = lesion_run
    assert lesion.metadata["phases"] == [
        {"name": "growth", "start_s": 0.0, "end_s": 4.0, "duration_s": 4.0},
        {"name": "recovery", "start_s": 4.0, "end_s": 7.0, "duration_s": 3.0},
    ]
    np.testing.assert_array_equal(lesion["phase"], [0] * 8 + [1] * 6)
    np.testing.assert_allclose(lesion["time"], np.arange(1, 15) * 0.5)
    assert lesion.metadata["lesion"]["time_s"] == 4.0
    assert lesion.metadata["lesion"]["input_connections_changed"] == 16  # one Poisson connection per neuron
    _, stim, _ = stimulation_run
    assert [(p["name"], p["start_s"], p["end_s"]) for p in stim.metadata["phases"]] == [
        ("growth", 0.0, 3.0),
        ("stimulation", 3.0, 5.0),
        ("recovery", 5.0, 7.0),
    ]
    np.testing.assert_array_equal(stim["phase"], [0] * 6 + [1] * 4 + [2] * 4)
    assert stim.metadata["stimulus"] == [{"time_s": 3.0, "rate_hz": 1000.0}, {"time_s": 5.0, "rate_hz": 0.0}]


@pytest.mark.parametrize("model, phases", [(LesionExperiment, LESION_PHASES), (StimulationExperiment, STIM_PHASES)])
def test_growth_phase_is_the_plain_model(model, phases):
    """Before the intervention nothing differs from `StructuralPlasticityExample` with the same seed."""
    results = model(**FAST, **phases).run()
    plain = StructuralPlasticityExample(**FAST, t_sim=phases["growth_duration"]).run()
    before = results["phase"] == 0
    assert before.sum() == len(plain)
    for name in ("mean_ca_e", "mean_ca_i", "rate_e", "connections_ee", "connections_ie"):
        np.testing.assert_array_equal(results[name][before], plain[name])
    assert not np.array_equal(results["rate_e"][~before][:2], results["rate_e"][before][-2:])  # then it differs


def test_custom_protocol_runs_actions_at_phase_starts():
    calls = []

    class Protocol(Experiment, StructuralPlasticityExample):
        first = 1000.0  # (ms)
        second = 2000.0  # (ms)

        def phases(self):
            import nest

            return [
                Phase("a", self.first, lambda: calls.append(("a", nest.biological_time))),
                Phase("b", self.second, lambda: calls.append(("b", nest.biological_time))),
            ]

    results = Protocol(**FAST).run()
    assert calls == [("a", 0.0), ("b", 1000.0)]
    np.testing.assert_array_equal(results["phase"], [0, 0, 1, 1, 1, 1])
    assert "connections_e_i" not in results  # no groups: only the population series


# ----------------------------------------------------------------------------------------------------
# The interventions act on the group's input
# ----------------------------------------------------------------------------------------------------
def test_lesion_silences_the_group_when_it_has_no_other_input():
    results = LesionExperiment(**NO_GROWTH, **LESION_PHASES).run()
    assert results["connections_ee"].max() == 0 and results["connections_ie"].max() == 0
    before, after = results["phase"] == 0, results["phase"] == 1
    assert results["rate_lesioned"][before].min() > 1.0  # driven by its input until the lesion
    # The first sample after the lesion may hold spikes of input already on its way (1 ms delay).
    assert results["rate_lesioned"][after][0] < 2.0
    np.testing.assert_array_equal(results["rate_lesioned"][after][1:], 0.0)
    # Ca decays with tau_Ca = 10 s: over the 3 s after the lesion by about exp(-0.3).
    ca = results["mean_ca_lesioned"]
    assert ca[-1] == pytest.approx(ca[before][-1] * np.exp(-3.0 / 10.0), rel=0.05)
    intact = results["rate_intact"]
    assert intact[after].mean() == pytest.approx(intact[before][2:].mean(), rel=0.2)


def test_partial_lesion_keeps_part_of_the_input():
    import nest

    experiment = LesionExperiment(**NO_GROWTH, **LESION_PHASES, lesion_input_kept=0.95)
    partial = experiment.run()
    weights = {
        name: np.atleast_1d(nest.GetConnections(source=experiment.noise, target=nodes).weight)
        for name, nodes in experiment.groups.items()
    }
    assert len(weights["lesioned"]) == 16 and len(weights["intact"]) == 144
    np.testing.assert_allclose(weights["lesioned"], 0.95 * 6.2)
    np.testing.assert_array_equal(weights["intact"], 6.2)
    assert partial.metadata["lesion"]["input_weight_pA"] == pytest.approx(0.95 * 6.2)
    # 5 % less input: the lesioned neurons still fire, but far less than intact ones.
    after = partial["phase"] == 1
    assert 0 < partial["rate_lesioned"][after].mean() < 0.5 * partial["rate_intact"][after].mean()


def test_lesion_with_recurrence_drops_group_activity(lesion_run):
    _, results, _ = lesion_run
    before = phase_values(results, "rate_lesioned", window_s=1.0)["growth"]
    just_after = phase_values(results, "rate_lesioned", window_s=1.0, at="start")["recovery"]
    intact_after = phase_values(results, "rate_intact", window_s=1.0, at="start")["recovery"]
    assert just_after < 0.2 * before
    assert just_after < 0.2 * intact_after


def test_stimulation_raises_the_group_rate_only_while_on():
    results = StimulationExperiment(**NO_GROWTH, **STIM_PHASES).run()
    s, rest, phase = results["rate_stimulated"], results["rate_rest"], results["phase"]
    # Skip the first second, in which Ca and rates start from zero.
    growth, stim, recovery = (phase == 0) & (results["time"] > 1.0), phase == 1, phase == 2
    assert s[stim].mean() > 1.5 * s[growth].mean()
    assert s[stim].mean() > 1.5 * rest[stim].mean()
    assert rest[stim].mean() == pytest.approx(rest[growth].mean(), rel=0.2)
    assert s[recovery].mean() == pytest.approx(rest[recovery].mean(), rel=0.25)


def test_signature_table_lists_group_series(lesion_run):
    _, results, _ = lesion_run
    table = signature(results, window_s=1.0)
    assert "growth end" in table and "recovery start" in table and "recovery end" in table
    row = next(line for line in table.splitlines() if line.startswith("rate_lesioned "))
    values = [float(x) for x in row.split()[1:]]
    assert values[0] == pytest.approx(phase_values(results, "rate_lesioned", 1.0)["growth"], rel=1e-3)
    assert values[1] < values[0]


@pytest.mark.parametrize("module", ["intervention", "lesion", "stimulation", "assembly"])
def test_protocols_import_no_network_configuration(module):
    """Protocols say what is done to a network; only `experiments/catalog.py` names the networks."""
    import ast

    import structural_plasticity.experiments as experiments

    tree = ast.parse((Path(experiments.__file__).parent / f"{module}.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    networks = {"model", "butz", "ei_network", "networks", "networks.gallinaro", "networks.static"}
    assert not imported & networks, imported & networks


#: The modules that moved to `structural_plasticity.analysis` and the re-exports left at their old paths.
MOVED = {
    "structural_plasticity.experiments.analysis": "structural_plasticity.analysis.phases",
    "structural_plasticity.experiments.recovery": "structural_plasticity.analysis.recovery",
    "structural_plasticity.experiments.assembly_analysis": "structural_plasticity.analysis.assembly",
    "structural_plasticity.experiments.plotting": "structural_plasticity.analysis.experiment_figures",
    "structural_plasticity.experiments.assembly_plotting": "structural_plasticity.analysis.assembly_figures",
    "structural_plasticity.ensemble.plot": "structural_plasticity.analysis.ensemble_figures",
}


@pytest.mark.parametrize("old, new", MOVED.items(), ids=lambda name: name.rsplit(".", 1)[-1])
def test_old_module_paths_re_export_every_public_function(old, new):
    import importlib
    import inspect

    old_module, new_module = importlib.import_module(old), importlib.import_module(new)
    functions = {
        name
        for name, value in vars(new_module).items()
        if inspect.isfunction(value) and value.__module__ == new and not name.startswith("_")
    }
    assert functions and functions <= set(old_module.__all__), functions - set(old_module.__all__)
    for name in old_module.__all__:
        assert getattr(old_module, name) is getattr(new_module, name), name


# ----------------------------------------------------------------------------------------------------
# Command line and examples
# ----------------------------------------------------------------------------------------------------
FAST_CLI = [
    "--n-exc",
    160,
    "--n-inh",
    40,
    "--record-interval",
    500,
    "--seed",
    7,
    "--formats",
    "png",
    "-q",
    "--set",
    "growth_curve_e_e=" + json.dumps(_FAST),
    "--set",
    "growth_curve_e_i=" + json.dumps(_FAST),
]


def test_cli_lesion_writes_data_metadata_and_figure(tmp_path):
    out = run_cli("lesion", *FAST_CLI, "--growth", 3, "--recovery", 2, "--fraction", 0.25, "-o", tmp_path / "l")
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "l"
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["completed"] and meta["parameters"]["t_sim"] == 5000.0
    assert meta["parameters"]["group_fraction"] == 0.25 and meta["parameters"]["growth_duration"] == 3000.0
    assert [p["end_s"] for p in meta["phases"]] == [3.0, 5.0]
    assert [g["size"] for g in meta["groups"]] == [40, 120]
    data = np.load(folder / "results.npz")
    assert len(data["time"]) == 10 and "connections_intact_lesioned" in data.files
    assert (folder / "lesion.png").stat().st_size > 10_000
    table = (folder / "signature.txt").read_text()
    assert "rate_lesioned" in table and "time from lesion back to 80 % of target" in table  # with recovery measures


def test_cli_stimulate_runs_and_rejects_t_sim(tmp_path):
    out = run_cli(
        "stimulate",
        *FAST_CLI,
        "--growth",
        2,
        "--stimulation",
        1,
        "--recovery",
        1,
        "--increase",
        0.3,
        "-o",
        tmp_path / "s",
    )
    assert out.returncode == 0, out.stderr
    meta = json.loads((tmp_path / "s" / "metadata.json").read_text())
    assert meta["parameters"]["stimulus_increase"] == 0.3 and meta["parameters"]["t_sim"] == 4000.0
    assert meta["stimulus"][0] == {"time_s": 2.0, "rate_hz": 3000.0}
    assert (tmp_path / "s" / "stimulation.png").exists()
    bad = run_cli("stimulate", "--t-sim", 10, "-o", tmp_path / "bad")
    assert bad.returncode == 2 and "--t-sim does not apply" in bad.stderr
    assert not (tmp_path / "bad" / "results.npz").exists()


#: Options that make the experiments' examples short: a small network whose elements grow 20 times faster.
SHORT_EXAMPLE = ["--n-exc", "160", "--n-inh", "40", "--faster", "20"]


@pytest.mark.parametrize(
    "script, folder, options, expect",
    [
        ("lesion.py", "lesion", ["--growth", "4", "--recovery", "3"], "the lesion changed 16 input connections"),
        (
            "stimulation.py",
            "stimulation",
            ["--growth", "3", "--stimulation", "2", "--recovery", "2"],
            "synapses within the stimulated group",
        ),
    ],
)
def test_example_scripts_run_short(tmp_path, script, folder, options, expect):
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *options, *SHORT_EXAMPLE],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert expect in out.stdout and "What you should see" in out.stdout
    assert (tmp_path / folder / "results.npz").exists() and (tmp_path / folder / f"{folder}.png").exists()


# ----------------------------------------------------------------------------------------------------
# Scientific signatures at the default sizes (minutes each)
# ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def default_lesion():
    """The lesion experiment at its default size and protocol (about 8 minutes on 1 core)."""
    return LesionExperiment().run()


@pytest.mark.slow
def test_lesion_signature_default(default_lesion):
    results, window = default_lesion, 10.0
    ca = phase_values(results, "mean_ca_lesioned", window)
    target = results.metadata["target_ca"]["e"]
    assert ca["growth"] == pytest.approx(target, rel=0.1)  # settled before the lesion
    rate_before = phase_values(results, "rate_lesioned", window)["growth"]
    rate_after = phase_values(results, "rate_lesioned", window, at="start")["recovery"]
    assert rate_after < 0.1 * rate_before  # activity drops
    assert results["mean_ca_lesioned"][results["phase"] == 1].min() < 0.2 * ca["growth"]  # Ca drops
    dendrites = phase_values(results, "elements_den_ex_lesioned", window)
    assert dendrites["recovery"] > 1.5 * dendrites["growth"]  # dendritic elements grow
    inputs = phase_values(results, "connections_intact_lesioned", window)
    assert inputs["recovery"] > 1.5 * inputs["growth"]  # more synapses from intact neurons
    intact = phase_values(results, "mean_ca_intact", window)
    assert intact["recovery"] == pytest.approx(target, rel=0.1)  # the intact neurons stay at their target


# The recovery of the lesioned group over seeds, for both models: tests/test_lesion_recovery.py.


@pytest.fixture(scope="module")
def default_stimulation():
    """The stimulation experiment at its default size and protocol (about 7 minutes on 1 core)."""
    return StimulationExperiment().run()


@pytest.mark.slow
def test_stimulation_signature_default(default_stimulation):
    results, window = default_stimulation, 10.0
    target = results.metadata["target_ca"]["e"]
    target_rate = target / results.metadata["ca_per_hz"]
    rate = phase_values(results, "rate_stimulated", window)
    assert rate["stimulation"] > 1.5 * rate["growth"]  # the stimulus drives the group above its set point
    ca = phase_values(results, "mean_ca_stimulated", window)
    assert ca["stimulation"] > 1.5 * target
    # Above its target the group retracts elements: its excitatory spines shrink during the stimulus.
    dendrites = phase_values(results, "elements_den_ex_stimulated", window)
    assert dendrites["stimulation"] < 0.5 * dendrites["growth"]
    # After the stimulus the rates return to target.
    assert rate["recovery"] == pytest.approx(target_rate, rel=0.2)
    assert ca["recovery"] == pytest.approx(target, rel=0.1)
    assert phase_values(results, "rate_rest", window)["recovery"] == pytest.approx(target_rate, rel=0.2)


@pytest.mark.slow
def test_example_parameters_form_no_assembly(default_stimulation):
    """Documents a negative result: on NEST's example network the stimulus leaves no assembly behind.

    Measured: +10 % input disconnects the group completely during the stimulus; 150 s after it S->S is 3
    against 9.7 before (docs/experiments.md). The assembly appears on Gallinaro & Rotter's network instead
    (`AssemblyExperiment`, tests/test_assembly.py). Should this test fail, the example network now forms an
    assembly: update the docs.
    """
    within = phase_values(default_stimulation, "connections_stimulated_stimulated", 10.0)
    assert within["stimulation"] < 0.1 * within["growth"]  # the group is disconnected by the stimulus
    assert within["recovery"] < within["growth"]  # and S->S ends below its pre-stimulation level
