"""Gallinaro & Rotter's network (`GallinaroRotterNetwork`) and the assembly experiment (`AssemblyExperiment`).

Fast tests use 80 E + 20 I neurons (static in-degrees 8 and 2), a 2 s target measurement and phases of
a few seconds; each run takes a second or two. Slow tests run the reduced network of the 2018 paper
(400 E + 100 I, 100 s) for five seeds and check the assembly signature (3 minutes on an idle core).
"""

import numpy as np
import pytest

from structural_plasticity import ConfigurationError, load_results
from structural_plasticity.analysis.assembly import (
    assembly_signature,
    check_signature,
    connectivity_matrix,
    group_order,
    seeds_summary,
    seeds_table,
    signature_table,
    value_at,
)
from structural_plasticity.experiments import AssemblyExperiment
from structural_plasticity.experiments.assembly import BLOCKS, possible_pairs
from structural_plasticity.networks import SIZES, GallinaroRotterNetwork

#: A small Gallinaro-Rotter network: 80 E + 20 I neurons, target measured in 2 s.
SMALL = dict(
    number_excitatory_neurons=80,
    number_inhibitory_neurons=20,
    target_measurement_time=2000.0,
    target_measurement_transient=500.0,
    record_interval=500.0,
    rng_seed=3,
)
PHASES = dict(growth_duration=4000.0, stimulation_duration=2000.0, after_duration=2000.0, decay_duration=2000.0)


def static_synapses(network):
    """Return the (source, target, model) triples of every static pathway's synapses."""
    import nest

    triples = []
    for pathway in network.static_pathways():
        conns = nest.GetConnections(synapse_model=pathway.name)
        status = conns.get(["source", "target", "weight"])
        triples += [(s, t, pathway.name, w) for s, t, w in zip(status["source"], status["target"], status["weight"])]
    return sorted(triples)


@pytest.fixture(scope="module")
def small_run():
    """A small network grown for 8 s, with its static synapses read before and after and its plastic ones after."""
    import nest

    # Slower growth than published (0.1 instead of 0.5 eps): with in-degrees of 8 the rate hardly depends
    # on E→E input, and the published growth rate overshoots to three times the connectivity first.
    network = GallinaroRotterNetwork(**SMALL, t_sim=8000.0, growth_rate_factor=0.1)
    network.build()
    before = static_synapses(network)
    results = network.simulate()
    after = static_synapses(network)
    conns = nest.GetConnections(synapse_model=network.SYNAPSE_E).get(["source", "target"])
    elements_i = network.nodes["i"].get("synaptic_elements")
    return network, results, {"before": before, "after": after, "plastic": conns, "elements_i": elements_i}


@pytest.fixture(scope="module")
def assembly_run(tmp_path_factory):
    """A small assembly experiment, saved and loaded again."""
    experiment = AssemblyExperiment(**SMALL, **PHASES)
    results = experiment.run()
    folder = tmp_path_factory.mktemp("assembly")
    results.save(folder)
    return experiment, results, load_results(folder)


# ----------------------------------------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------------------------------------
def test_sizes_set_the_published_values_and_explicit_values_win():
    reduced = GallinaroRotterNetwork()
    assert (reduced.number_excitatory_neurons, reduced.number_inhibitory_neurons) == (400, 100)
    assert (reduced.relative_inhibition, reduced.tau_ca, reduced.target_rate) == (12.0, 1000.0, "measure")
    full = GallinaroRotterNetwork(size="full")
    assert (full.number_excitatory_neurons, full.number_inhibitory_neurons) == (10_000, 2_500)
    assert (full.relative_inhibition, full.tau_ca, full.target_rate_hz) == (8.0, 10_000.0, 8.0)
    assert full.indegree("e") == 1000 and full.indegree("i") == 250
    mixed = GallinaroRotterNetwork(size="full", number_excitatory_neurons=2000, target_rate="measure")
    assert mixed.number_excitatory_neurons == 2000 and mixed.number_inhibitory_neurons == 2500
    assert mixed.target_rate_hz is None  # not measured yet
    assert GallinaroRotterNetwork.SIZES is SIZES
    experiment = AssemblyExperiment(size="full")
    assert experiment.t_sim == (500 + 150 + 500 + 5000) * 1000.0
    assert [p.name for p in experiment.phases()] == ["growth", "stimulation", "after", "decay"]
    assert AssemblyExperiment().t_sim == 100_000.0 and AssemblyExperiment().group_selection == "first"


def test_static_pathways_and_growth_curves_follow_the_parameters():
    network = GallinaroRotterNetwork(target_rate=10.0, relative_inhibition=5.0, growth_rate_factor=2.0)
    pathways = {p.name: p for p in network.static_pathways()}
    assert set(pathways) == {"static_ei", "static_ie", "static_ii"}  # never E→E
    assert pathways["static_ei"].conn_spec == {"rule": "fixed_indegree", "indegree": 40}
    assert pathways["static_ie"].conn_spec == {"rule": "fixed_indegree", "indegree": 10}
    assert pathways["static_ei"].weight == 0.1 and pathways["static_ie"].weight == pytest.approx(-0.5)
    specs = network.population_specs()
    assert specs["i"].elements == {}
    curve = specs["e"].elements["Den_exc"]
    assert curve == {"growth_curve": "linear", "growth_rate": 0.02, "eps": 0.01, "z": 1.0, "continuous": False}
    assert specs["e"].params["beta_Ca"] == 1 / specs["e"].params["tau_Ca"] == 1 / 1000.0
    assert network.ca_per_hz == pytest.approx(0.001)  # Ca is the rate in spikes/ms
    (synapse,) = network.plastic_synapses().values()
    assert (synapse.pre_element, synapse.post_element, synapse.allow_autapses) == ("Axon_exc", "Den_exc", False)
    assert network.input_spec().rate == 15_000.0 and network.input_spec().weight == 0.1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(size="huge"), "size must be one of"),
        (dict(size=["full"]), "size must be one of"),
        (dict(connection_probability=0.0), "connection_probability"),
        (dict(connection_probability=1.5), "connection_probability"),
        (dict(connection_probability=0.001), "in-degree of 0"),
        (dict(relative_inhibition=-1.0), "relative_inhibition"),
        (dict(growth_rate_factor=0.0), "growth_rate_factor"),
        (dict(target_rate="auto"), "target_rate"),
        (dict(target_rate=-8.0), "target_rate"),
        (dict(target_measurement_transient=10_000.0), "target_measurement_transient"),
        (dict(model_params={"tau_Ca": 500.0}), "set tau_ca instead"),
        (dict(tau_ca=0.0), "tau_ca"),
        (dict(input_rate=float("nan")), "input_rate"),
        (dict(psp=0.1), "unknown parameter"),
    ],
)
def test_bad_network_parameters_fail_with_one_line(kwargs, match):
    with pytest.raises(ConfigurationError, match=match) as info:
        GallinaroRotterNetwork(**kwargs)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(group_fraction=0.0), "group_fraction"),
        (dict(group_fraction=1.0), "group_fraction"),
        (dict(stimulus_increase=-0.1), "stimulus_increase"),
        (dict(after_duration=0.0), "after"),
        (dict(decay_duration=1500.0), "record_interval"),
        (dict(t_sim=1000.0), "sum of its phase durations"),
        (dict(size="medium"), "size must be one of"),
        (dict(group_selection="middle"), "group_selection"),
    ],
)
def test_bad_assembly_parameters_fail_with_one_line(kwargs, match):
    with pytest.raises(ConfigurationError, match=match) as info:
        AssemblyExperiment(**kwargs)
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------------------------------------------
# The builder
# ----------------------------------------------------------------------------------------------------
def test_static_pathways_never_change(small_run):
    network, results, read = small_run
    assert len(read["before"]) == 80 * 2 + 20 * 2 + 20 * 8  # I→E, I→I in-degree 2; E→I in-degree 8
    assert read["after"] == read["before"]  # same synapses, same weights, after 8 s of plasticity
    assert results.metadata["static_connections"] == {"static_ei": 160, "static_ie": 160, "static_ii": 40}
    weights = {name: {w for _, _, n, w in read["after"] if n == name} for name in ("static_ei", "static_ie")}
    assert weights == {"static_ei": {0.1}, "static_ie": {-12.0 * 0.1}}  # J and -g J


def test_only_excitatory_synapses_form_and_no_autapses(small_run):
    network, results, read = small_run
    sources, targets = np.asarray(read["plastic"]["source"]), np.asarray(read["plastic"]["target"])
    excitatory = set(network.nodes["e"].tolist())
    assert len(sources) > 200  # synapses did form
    assert set(sources) <= excitatory and set(targets) <= excitatory
    assert not np.any(sources == targets)
    assert results["connections_ee"][-1] == len(sources)
    assert "connections_ei" not in results and "connections_ie" not in results  # no other plastic pathway


def test_inhibitory_neurons_have_no_synaptic_elements(small_run):
    _, _, read = small_run
    assert all(elements == {} for elements in read["elements_i"])


def test_rates_settle_at_the_measured_target(small_run):
    network, results, _ = small_run
    info = results.metadata["target_rate"]
    assert info["measured"] and info["rate_hz"] == network.measured_target_rate > 1.0
    assert results.metadata["target_ca"]["e"] == pytest.approx(info["rate_hz"] / 1000.0)
    late = results["time"] > 6.0
    early = results["time"] <= 1.0
    assert results["rate_e"][early].mean() < 0.95 * info["rate_hz"]  # below target before E→E synapses grew
    assert results["rate_e"][late].mean() == pytest.approx(info["rate_hz"], rel=0.03)
    # Ca is the rate in spikes/ms (beta_Ca = 1 / tau_Ca).
    assert results["mean_ca_e"][late].mean() == pytest.approx(results["rate_e"][late].mean() / 1000.0, rel=0.03)
    # Growing toward the connectivity of the static reference network (in-degree 8 of 79 possible sources);
    # it gets there slowly (0.087 at 10 s), since 8 synapses change the rate by only a few per cent.
    assert results["connections_ee"][-1] / (80 * 79) == pytest.approx(8 / 79, rel=0.3)


def test_summary_shows_static_inhibition(small_run):
    from structural_plasticity.summary import summarize

    _, results, _ = small_run
    text = summarize(results)
    assert "(not plastic)" in text  # inhibitory neurons have no target
    assert f"E→E {int(results['connections_ee'][-1])}" in text and "E→I" not in text
    assert "static connections: static_ei 160, static_ie 160, static_ii 40" in text


def test_measured_target_is_the_static_reference_rate():
    import nest

    network = GallinaroRotterNetwork(**SMALL, t_sim=1000.0)
    reference = network.static_reference()
    assert [p.name for p in reference.static_pathways()] == ["static_ee", "static_ei", "static_ie", "static_ii"]
    rate = network.measure_target_rate()
    assert len(nest.GetConnections(synapse_model="static_ee")) == 80 * 8  # E→E static, in-degree 8
    # An independent count: the spikes of the E neurons of the same reference network, read from a recorder.
    reference = network.static_reference()
    reference.build()
    recorder = nest.Create("spike_recorder", params={"start": network.target_measurement_transient})
    nest.Connect(reference.nodes["e"], recorder)
    nest.Simulate(network.target_measurement_time)
    window_s = (network.target_measurement_time - network.target_measurement_transient) / 1000.0
    assert rate == pytest.approx(recorder.n_events / 80 / window_s, rel=1e-12)
    assert network.target_rate_hz == rate
    network.rng_seed = 4  # another seed: the measurement no longer applies
    assert network.target_rate_hz is None


def test_given_target_skips_the_measurement():
    network = GallinaroRotterNetwork(**SMALL, t_sim=1000.0, target_rate=30.0)
    results = network.run()
    assert network.measured_target_rate is None
    assert results.metadata["target_rate"] == {"rate_hz": 30.0, "eps_spikes_per_ms": 0.03, "measured": False}
    elements = network.nodes["e"][0].get("synaptic_elements")
    assert elements["Axon_exc"]["eps"] == 0.03 and elements["Den_exc"]["growth_rate"] == 0.015


# ----------------------------------------------------------------------------------------------------
# The assembly experiment
# ----------------------------------------------------------------------------------------------------
def test_phases_groups_and_stimulus(assembly_run):
    experiment, results, _ = assembly_run
    assert [(p["name"], p["start_s"], p["end_s"]) for p in results.metadata["phases"]] == [
        ("growth", 0.0, 4.0),
        ("stimulation", 4.0, 6.0),
        ("after", 6.0, 8.0),
        ("decay", 8.0, 10.0),
    ]
    np.testing.assert_array_equal(results["phase"], [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4)
    assert results.metadata["stimulus"] == [{"time_s": 4.0, "rate_hz": 1500.0}, {"time_s": 6.0, "rate_hz": 0.0}]
    groups = {g["name"]: g["node_ids"] for g in results.metadata["groups"]}
    assert groups["stimulated"] == experiment.nodes["e"].tolist()[:8]  # the first 10 %, as the authors chose


def test_block_probabilities_are_synapses_per_pair(assembly_run):
    _, results, _ = assembly_run
    sizes = {"stimulated": 8, "rest": 72}
    for source, target in BLOCKS:
        pairs = possible_pairs(sizes[source], sizes[target], source == target)
        expected = results[f"connections_{source}_{target}"] / pairs
        np.testing.assert_allclose(results[f"prob_{source}_{target}"], expected)
    blocks = sum(results[f"connections_{s}_{t}"] for s, t in BLOCKS)
    np.testing.assert_array_equal(blocks, results["connections_ee"])
    np.testing.assert_allclose(results["prob_e_e"], results["connections_ee"] / (80 * 79))
    assert results["connections_stimulated_stimulated"].max() > 0


def test_snapshots_hold_the_synapses_and_survive_saving(assembly_run):
    experiment, results, loaded = assembly_run
    assert [(s["name"], s["time_s"]) for s in results.metadata["snapshots"]] == [
        ("before", 4.0),
        ("stimulus_end", 6.0),
        ("after", 8.0),
    ]
    order, n_stimulated = group_order(results)
    stimulated = set(order[:n_stimulated].tolist())
    for snapshot in results.metadata["snapshots"]:
        name = snapshot["name"]
        sources, targets = results.arrays[f"synapses_{name}_source"], results.arrays[f"synapses_{name}_target"]
        assert len(sources) == len(targets) == snapshot["synapses"]
        # The snapshot is taken at a sample time: it agrees with that sample's counts.
        assert len(sources) == value_at(results, "connections_ee", snapshot["time_s"])
        in_s = np.array([s in stimulated for s in sources]) & np.array([t in stimulated for t in targets])
        assert in_s.sum() == value_at(results, "connections_stimulated_stimulated", snapshot["time_s"])
        np.testing.assert_array_equal(loaded.arrays[f"synapses_{name}_source"], sources)
    matrix, bin_size = connectivity_matrix(
        results.arrays["synapses_after_source"], results.arrays["synapses_after_target"], order
    )
    assert bin_size == 1 and matrix.shape == (80, 80)
    assert matrix[:8, :8].sum() == value_at(results, "connections_stimulated_stimulated", 8.0)
    binned, size = connectivity_matrix(
        results.arrays["synapses_after_source"], results.arrays["synapses_after_target"], order, max_bins=20
    )
    assert size == 4 and binned.shape == (20, 20)
    assert binned.mean() == pytest.approx(matrix.mean())


def test_connectivity_matrix_rows_are_targets():
    matrix, size = connectivity_matrix([5, 5, 6], [6, 7, 7], order=[7, 6, 5])
    assert size == 1
    np.testing.assert_array_equal(matrix, [[0, 1, 1], [0, 0, 1], [0, 0, 0]])


def test_signature_tables_and_figure(assembly_run, tmp_path):
    _, results, loaded = assembly_run
    signature = assembly_signature(loaded)
    assert [label for label, _ in signature["points"]] == ["baseline", "stimulus end", "+2 s", "+4 s"]
    assert signature["S→S"][0] == pytest.approx(value_at(loaded, "prob_stimulated_stimulated", 4.0))
    assert signature["baseline"] == pytest.approx(value_at(loaded, "prob_e_e", 4.0))
    table = signature_table(loaded)
    assert "S→S" in table and "R→R" in table and "rise:" in table
    assert set(check_signature(loaded)) == {"rise", "persists", "rest_returns"}
    summary = seeds_summary([loaded, results])
    assert summary["n"] == 2
    np.testing.assert_allclose(summary["S→S"][1], 0.0)  # the same run twice: no spread
    assert "2 runs" in seeds_table([loaded, results])
    from structural_plasticity.analysis.assembly_figures import plot_assembly
    from structural_plasticity.output import save_figure

    (path,) = save_figure(plot_assembly(loaded), tmp_path, "assembly", ["png"])
    assert path.stat().st_size > 20_000


def test_growth_phase_is_the_plain_network(assembly_run):
    """Before the stimulus nothing differs from `GallinaroRotterNetwork` with the same seed."""
    _, results, _ = assembly_run
    plain = GallinaroRotterNetwork(**SMALL, t_sim=PHASES["growth_duration"]).run()
    before = results["phase"] == 0
    for name in ("mean_ca_e", "rate_e", "rate_i", "connections_ee"):
        np.testing.assert_array_equal(results[name][before], plain[name])


# ----------------------------------------------------------------------------------------------------
# The signature over seeds (reduced network of the 2018 paper, as published)
# ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reduced_seeds():
    """The reduced assembly experiment for seeds 1-5 (about 35 s each on an idle core)."""
    return [AssemblyExperiment(rng_seed=seed).run() for seed in range(1, 6)]


@pytest.mark.slow
def test_reduced_network_forms_an_assembly_for_every_seed(reduced_seeds):
    for results in reduced_seeds:
        checks = check_signature(results)
        failed = {name: text for name, (passed, text) in checks.items() if not passed}
        assert not failed, f"seed {results.metadata['rng_seed']}: {failed}"


@pytest.mark.slow
def test_reduced_network_signature_mean_over_seeds(reduced_seeds):
    summary = seeds_summary(reduced_seeds)
    means = {label: summary[label][0] for label in ("S→S", "S→R", "R→R")}
    baseline = summary["baseline"][0]
    assert baseline == pytest.approx(0.1, rel=0.05)  # grows to the connectivity of the static reference
    assert means["S→S"][1] < 0.5 * baseline  # the stimulus disconnects the group (reduced network)
    assert means["S→S"][2] > 1.3 * baseline and means["S→S"][3] > 1.3 * baseline  # assembly after it
    assert means["S→R"][1] < means["S→R"][0]  # S loses input and output during the stimulus
    assert abs(means["R→R"][-1] / baseline - 1) < 0.1


def test_assembly_command_line_writes_its_figure_signature_and_snapshots(tmp_path):
    """``python -m structural_plasticity assembly`` on a tiny network: one unit with assembly.png, signature.txt
    and the connectivity snapshots in arrays.npz; ``--bg-rate`` belongs to NEST's example, not to this network."""
    from conftest import run_cli

    out = tmp_path / "asm"
    tiny = ["--n-exc", "40", "--n-inh", "10", "--target-rate", "10", "--record-interval", "500"]
    phases = ["--growth", "1", "--stimulation", "1", "--after", "1", "--decay", "1"]
    proc = run_cli("assembly", *tiny, *phases, "--formats", "png", "-o", out)
    assert proc.returncode == 0, proc.stderr
    for name in ("assembly.png", "signature.txt", "arrays.npz", "results.npz", "metadata.json"):
        assert (out / name).is_file(), name
    assert "S→S" in proc.stdout or "stimulated" in proc.stdout
    refused = run_cli("assembly", "--bg-rate", "9000", "-o", tmp_path / "x")
    assert refused.returncode == 2 and "--bg-rate" in refused.stderr
