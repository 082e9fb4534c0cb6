"""Saving a grown network and rebuilding it: exact state, continued time, branching and bad files.

The reference for "exact" is read from NEST directly (status of every neuron, ``GetConnections``), not
through the package's own gathering code, so that a bug in saving and the same bug in reading cannot
hide each other.
"""

import io
import json
import zipfile

import numpy as np
import pytest
from conftest import SMALL, fast_growth
from numpy.testing import assert_array_equal

from structural_plasticity import ConfigurationError, StructuralPlasticityExample
from structural_plasticity.experiments import LesionExperiment, StimulationExperiment
from structural_plasticity.networks import state


def nest_snapshot(network):
    """Return every neuron's (id, Ca, V_m, {element: (z, z_connected)}) and the sorted synapse list, from NEST."""
    import nest

    everyone = network.nodes["e"] + network.nodes["i"]
    status = everyone.get(["global_id", "Ca", "V_m", "synaptic_elements"], output="")
    neurons = [
        (
            status["global_id"][k],
            status["Ca"][k],
            status["V_m"][k],
            {e: (v["z"], v["z_connected"]) for e, v in status["synaptic_elements"][k].items()},
        )
        for k in range(len(everyone))
    ]
    synapses = []
    for model in network.plastic_synapses():
        conns = nest.GetConnections(synapse_model=model)
        if len(conns):
            values = conns.get(["source", "target", "weight", "delay"])
            synapses += [
                (model, *row) for row in zip(values["source"], values["target"], values["weight"], values["delay"])
            ]
    return neurons, sorted(synapses)


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """A small network grown for 4 s (all four pathways have synapses), saved; with NEST's view of it."""
    params = dict(
        number_excitatory_neurons=80,
        number_inhibitory_neurons=20,
        t_sim=4000.0,
        record_interval=500.0,
        rng_seed=7,
        **fast_growth(),
    )
    network = StructuralPlasticityExample(**params)
    network.run()
    path = tmp_path_factory.mktemp("grown") / "network.npz"
    network.save_network(path)
    return {"params": params, "path": path, "nest": nest_snapshot(network), "results": network.results}


def test_restored_network_equals_the_saved_one_exactly(grown):
    neurons, synapses = grown["nest"]
    assert len(synapses) > 50 and {s[0] for s in synapses} == {"synapse_ex", "synapse_in"}
    assert any(z[1] > 0 for n in neurons for z in n[3].values())
    restored = StructuralPlasticityExample(**dict(grown["params"], initial_network=str(grown["path"])))
    restored.build()
    neurons_after, synapses_after = nest_snapshot(restored)
    assert synapses_after == synapses  # the multiset of (model, source, target, weight, delay)
    assert neurons_after == neurons  # id, Ca, V_m, and z and z_connected of every element, bit for bit


def test_multapses_are_restored(grown, tmp_path):
    """A repeated pair is two synapses and counts twice in z_connected; the chains keep it."""
    saved = state.load_network(grown["path"])
    pairs = list(zip(saved.arrays["synapse_model"], saved.arrays["synapse_source"], saved.arrays["synapse_target"]))
    n_repeated = len(pairs) - len(set(pairs))
    restored = StructuralPlasticityExample(**dict(grown["params"], initial_network=str(grown["path"])))
    restored.build()
    assert nest_snapshot(restored)[1] == grown["nest"][1]
    assert n_repeated >= 1  # this seed grows a multapse (measured: 1 of 127 synapses)
    after = [(m, s, t) for m, s, t, _, _ in nest_snapshot(restored)[1]]
    assert len(after) - len(set(after)) == n_repeated


def test_saved_file_is_plain_numpy_and_documented(grown):
    with np.load(grown["path"], allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        assert meta["format"] == state.FORMAT and meta["format_version"] == state.FORMAT_VERSION
        assert meta["time_ms"] == 4000.0 and meta["rng_seed"] == 7
        assert meta["versions"]["nest"].startswith("3.")
        assert data["neuron_id"].tolist() == list(range(1, 101))
        assert len(data["synapse_source"]) == len(grown["nest"][1])
        assert data["element_z"].shape == (100, len(meta["element_names"]))
        assert len(data["input_target"]) == 100
        for name in data.files:
            assert data[name].dtype.kind != "O"


def test_time_continues_from_the_saved_time(grown):
    restored = StructuralPlasticityExample(**dict(grown["params"], initial_network=str(grown["path"]), t_sim=1000.0))
    results = restored.run()
    assert results["time"].tolist() == [4.5, 5.0]
    assert results.metadata["initial_network"]["time_ms"] == 4000.0
    assert results.metadata["initial_network"]["changed_parameters"] == []
    # The synapses carried over: the first sample counts roughly what the grown network had, not 0.
    grown_e = grown["results"]["total_connections_e"][-1]
    assert results["total_connections_e"][0] > 0.5 * grown_e


def test_changed_parameters_are_listed(grown):
    restored = StructuralPlasticityExample(
        **dict(grown["params"], initial_network=str(grown["path"]), t_sim=500.0, psc_ext=6.0)
    )
    restored.build()
    info = restored.results.metadata["initial_network"]
    assert info["changed_parameters"] == ["psc_ext"] and info["input_weights_restored"] is False


def test_increasing_chains_cover_every_pair_once_with_both_ends_increasing():
    rng = np.random.default_rng(3)
    source = rng.integers(1, 60, size=2000)
    target = rng.integers(1, 60, size=2000)
    chains = state.increasing_chains(source, target)
    everything = np.sort(np.concatenate(chains))
    assert_array_equal(everything, np.arange(2000))
    for chain in chains:
        assert np.all(np.diff(source[chain]) > 0) and np.all(np.diff(target[chain]) > 0)
    # Fewest chains: at least as many as pairs repeated most often, and far fewer than pairs.
    _, counts = np.unique(np.stack([source, target]), axis=1, return_counts=True)
    assert counts.max() <= len(chains) < 300


# === Branching: experiments start from a grown network ================================================


def test_lesion_from_grown_network_skips_growth(grown):
    experiment = LesionExperiment(
        **{k: v for k, v in grown["params"].items() if k != "t_sim"},
        initial_network=str(grown["path"]),
        growth_duration=100_000.0,  # would take minutes; skipped
        recovery_duration=1000.0,
    )
    assert experiment.t_sim == 1000.0
    results = experiment.run()
    assert [p["name"] for p in results.metadata["phases"]] == ["recovery"]
    assert results.metadata["phases"][0]["start_s"] == 4.0
    assert results.metadata["lesion"]["time_s"] == 4.0
    assert results["time"].tolist() == [4.5, 5.0]
    assert results["connections_intact_lesioned"][0] > 0


def test_experiment_saves_the_grown_network_after_growth_and_branches_from_it(tmp_path):
    params = dict(
        number_excitatory_neurons=40,
        number_inhibitory_neurons=10,
        record_interval=500.0,
        rng_seed=3,
        **fast_growth(),
    )
    path = tmp_path / "after-growth.npz"
    first = StimulationExperiment(
        **params,
        growth_duration=2000.0,
        stimulation_duration=500.0,
        recovery_duration=500.0,
        save_network_path=str(path),
        save_network_at=2000.0,
    )
    first.run()
    assert state.load_network(path).time_ms == 2000.0
    branch = StimulationExperiment(
        **params, stimulation_duration=500.0, recovery_duration=500.0, initial_network=str(path), stimulus_increase=0.5
    )
    results = branch.run()
    assert [p["name"] for p in results.metadata["phases"]] == ["stimulation", "recovery"]
    assert results["time"][0] == 2.5
    assert "stimulus_increase" in results.metadata["initial_network"]["changed_parameters"]


def test_a_network_of_another_shape_is_refused_in_one_line(grown):
    # The file is read when the network is built, not when the object is made.
    params = dict(grown["params"], initial_network=str(grown["path"]), number_excitatory_neurons=40)
    with pytest.raises(ConfigurationError, match=r"population 'e' has 80 neurons in the file, 40 in the model") as info:
        StructuralPlasticityExample(**params).build()
    assert "\n" not in str(info.value)
    params = dict(grown["params"], initial_network=str(grown["path"]), neuron_model="iaf_psc_exp")
    with pytest.raises(ConfigurationError, match=r"population 'e' is iaf_psc_alpha in the file, iaf_psc_exp"):
        StructuralPlasticityExample(**params).load_initial_network()


def test_a_network_file_is_read_when_the_network_is_built_not_when_it_is_made(tmp_path):
    example = StructuralPlasticityExample(initial_network=str(tmp_path / "later.npz"))  # no file I/O here
    with pytest.raises(ConfigurationError, match="does not exist"):
        example.load_initial_network()


def test_save_parameters_are_checked():
    with pytest.raises(ConfigurationError, match="save_network_at needs save_network_path"):
        StructuralPlasticityExample(t_sim=2000.0, save_network_at=1000.0)
    with pytest.raises(ConfigurationError, match="must be a sample time"):
        StructuralPlasticityExample(t_sim=2000.0, save_network_path="x.npz", save_network_at=3000.0)
    with pytest.raises(ConfigurationError, match="initial_network must be a file path"):
        StructuralPlasticityExample(initial_network=3)


# === Bad files: one line, nothing unpickled ===========================================================


def _rewrite(src, dst, change):
    """Copy the network file `src` to `dst`, letting `change(arrays, meta)` edit it."""
    with np.load(src, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(str(arrays.pop("meta")))
    change(arrays, meta)
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(dst, **arrays)
    return dst


def _resign(arrays, meta):
    meta["sha256"] = state._digest(arrays)


def _bad_files(grown, tmp_path):
    raw = grown["path"].read_bytes()
    (tmp_path / "truncated.npz").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "text.npz").write_text("not a network\n")
    np.savez(tmp_path / "other.npz", time=np.arange(3.0))
    np.savez(tmp_path / "pickled.npz", meta=np.array([{"format": state.FORMAT}], dtype=object))

    def version(arrays, meta):
        meta["format_version"] = 99

    def weight(arrays, meta):
        arrays["synapse_weight"][0] += 1.0

    def unconnected(arrays, meta):
        arrays["element_z_connected"][0, 0] += 1
        _resign(arrays, meta)

    def nan(arrays, meta):
        arrays["neuron_Ca"][0] = np.nan
        _resign(arrays, meta)

    return {
        "missing.npz": "does not exist",
        "truncated.npz": "is not a readable network file",
        "text.npz": "is not a readable network file",
        "other.npz": "is not a network file of structural_plasticity",
        "pickled.npz": "is not a readable network file",
        _rewrite(grown["path"], tmp_path / "version.npz", version).name: "format version 99",
        _rewrite(grown["path"], tmp_path / "weight.npz", weight).name: "do not match the checksum",
        _rewrite(grown["path"], tmp_path / "unconnected.npz", unconnected).name: "z_connected do not match",
        _rewrite(grown["path"], tmp_path / "nan.npz", nan).name: "NaN or infinite",
    }


def test_bad_network_files_are_refused_in_one_line(grown, tmp_path):
    for name, message in _bad_files(grown, tmp_path).items():
        with pytest.raises(ConfigurationError, match=message) as info:
            StructuralPlasticityExample(**dict(grown["params"], initial_network=str(tmp_path / name))).build()
        assert "\n" not in str(info.value), name


def test_models_missing_in_this_nest_are_refused(grown):
    import nest

    saved = state.load_network(grown["path"])
    saved.meta["populations"][0]["model"] = "iaf_from_a_module_not_loaded"
    with pytest.raises(ConfigurationError, match="neuron model 'iaf_from_a_module_not_loaded'.*does not have"):
        state.check_models_exist(saved, nest)


def test_loading_never_unpickles(grown, tmp_path, monkeypatch):
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("pickle.load was called")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    np.savez(tmp_path / "pickled.npz", meta=np.array([{"format": state.FORMAT}], dtype=object))
    with pytest.raises(ConfigurationError):
        state.load_network(tmp_path / "pickled.npz")
    assert state.load_network(grown["path"]).n_neurons == 100
    with zipfile.ZipFile(grown["path"]) as archive:  # an ordinary zip of .npy files
        assert sorted(archive.namelist())[0].endswith(".npy")
        np.lib.format.read_array(io.BytesIO(archive.read("meta.npy")), allow_pickle=False)


# === Connectivity snapshots ==========================================================================


def test_snapshots_match_recorded_counts_and_are_saved_with_results(tmp_path):
    from structural_plasticity import connectivity
    from structural_plasticity.folder import verify

    params = dict(SMALL, snapshot_every=1000.0, **fast_growth())
    network = StructuralPlasticityExample(**params)
    results = network.run()
    written = results.save(tmp_path)
    assert tmp_path / connectivity.SNAPSHOTS_NPZ in written
    assert connectivity.SNAPSHOTS_NPZ in verify(tmp_path)["files"]  # part of the results' unit
    snapshots = connectivity.load_snapshots(tmp_path)
    assert snapshots.times_s == [1.0, 2.0, 3.0, 4.0]
    every_second = results["time"] % 1.0 == 0
    for k, snapshot in enumerate(snapshots):
        d = connectivity.degrees(snapshot)
        for pathway in ("ee", "ei", "ie", "ii"):
            recorded = results[f"connections_{pathway}"][every_second][k]
            assert d[pathway]["in"].sum() == d[pathway]["out"].sum() == recorded
    last = snapshots[len(snapshots) - 1]
    assert connectivity.connectivity_matrix(last).sum() == len(last.source) > 50
    change = connectivity.turnover(snapshots[2], last)
    assert change["kept"] + change["removed"] == len(snapshots[2].source)
    assert change["kept"] + change["formed"] == len(last.source)
    assert connectivity.turnover(last, last) == {
        "kept": len(last.source),
        "removed": 0,
        "formed": 0,
        "fraction_replaced": 0.0,
    }
    fig = connectivity.plot_connectivity_matrix(last)
    assert fig.axes and fig.axes[0].images[0].get_array().shape == (100, 100)


def test_output_file_checks(tmp_path):
    state.check_output_file(tmp_path / "new" / "network.npz")
    (tmp_path / "old.npz").write_bytes(b"")
    with pytest.raises(ConfigurationError, match="exists; choose another name, or pass --overwrite"):
        state.check_output_file(tmp_path / "old.npz")
    state.check_output_file(tmp_path / "old.npz", overwrite=True)
    with pytest.raises(ConfigurationError, match="is a folder"):
        state.check_output_file(tmp_path)
    with pytest.raises(ConfigurationError, match="is a folder"):
        StructuralPlasticityExample(save_network_path=str(tmp_path))


def test_command_line_saves_a_network_and_an_experiment_branches_from_it(tmp_path):
    """``--save-network`` writes a network that ``lesion --from-network`` starts from, skipping its growth."""
    from conftest import run_cli

    small = ["--n-exc", "40", "--n-inh", "10", "--seed", "3", "--no-plot", "-q"]
    network = tmp_path / "grown.npz"
    grown = run_cli("--t-sim", "2", "--save-network", network, "-o", tmp_path / "grow", *small)
    assert grown.returncode == 0, grown.stderr
    assert network.is_file()
    again = run_cli("--t-sim", "2", "--save-network", network, "-o", tmp_path / "grow2", *small)
    assert again.returncode == 2 and "exists" in again.stderr and not (tmp_path / "grow2").exists()
    branch = run_cli("lesion", "--from-network", network, "--recovery", "2", "-o", tmp_path / "branch", *small)
    assert branch.returncode == 0, branch.stderr
    meta = json.loads((tmp_path / "branch" / "metadata.json").read_text())
    assert [p["name"] for p in meta["phases"]] == ["recovery"]
    assert meta["phases"][0]["start_s"] == pytest.approx(2.0)
