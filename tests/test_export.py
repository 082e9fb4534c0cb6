"""Exports: NWB, Neo (NIX), edge lists and SONATA, each written, read back with its own library and compared.

The numbers are compared with the package's own files: the recorded series, the recording of single
neurons (spike counts and times, Ca, elements) and the saved network (every synapse with weight and delay).
"""

import importlib.util
import json

import numpy as np
import pytest
from conftest import SMALL, fast_growth
from numpy.testing import assert_allclose, assert_array_equal

from structural_plasticity import StructuralPlasticityExample, load_results
from structural_plasticity.errors import ConfigurationError
from structural_plasticity.export import export, require, to_neo, to_nwb
from structural_plasticity.export.network import read_edges_csv
from structural_plasticity.files import MANIFEST_JSON, NIX_FILE, NWB_FILE
from structural_plasticity.networks.state import load_network
from structural_plasticity.recording import load_recording


def _needs(*modules):
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not installed (the test extra has them)")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A small growing network with every recording, saved as a results folder, and its network saved to a file."""
    root = tmp_path_factory.mktemp("export")
    example = StructuralPlasticityExample(recordings=["spikes", "ca", "elements"], **SMALL, **fast_growth())
    results = example.run()
    example.save_network(root / "grown.npz")
    results.save(root / "run")
    return root


@_needs("pynwb")
def test_nwb_holds_spikes_series_and_single_neurons(run, tmp_path):
    from pynwb import NWBHDF5IO

    (path,) = export(run / "run", "nwb", tmp_path / "run.nwb")
    results, rec = load_results(run / "run"), load_recording(run / "run")
    with NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        units = nwb.units.to_dataframe()
        assert units.index.tolist() == rec.neuron_id.tolist()
        assert sum(len(t) for t in units["spike_times"]) == len(rec.spike_times_ms) > 0
        trains = rec.spike_trains()
        for node_id in rec.neuron_id[:: len(rec.neuron_id) // 5]:
            assert_allclose(units.loc[node_id, "spike_times"], trains[node_id] / 1000.0)
        assert set(units["population"]) == {"e", "i"}
        network = nwb.processing["network"]
        for name in ("mean_ca_e", "rate_i", "connections_ee"):
            assert_array_equal(network[name].data[:], results[name])
            assert_array_equal(network[name].timestamps[:], results["time"])
        assert network["rate_e"].unit == "Hz"
        neurons = nwb.processing["neurons"]
        assert_array_equal(neurons["ca"].data[:], rec.ca)
        assert_array_equal(neurons["elements_Den_ex"].data[:], rec.elements_z[:, :, rec.element_names.index("Den_ex")])
        assert json.loads(nwb.notes)["parameters"] == json.loads(json.dumps(results.metadata["parameters"]))


@_needs("neo", "nixio")
def test_neo_block_written_as_nix_is_read_back_and_by_elephant(run, tmp_path):
    import neo
    import quantities as pq

    (path,) = export(run / "run", "neo", tmp_path / "run.nix")
    results, rec = load_results(run / "run"), load_recording(run / "run")
    io = neo.NixIO(str(path), mode="ro")
    try:
        block = io.read_block()
    finally:
        io.close()
    segment = block.segments[0]
    assert len(segment.spiketrains) == len(rec.neuron_id)
    assert sum(len(st) for st in segment.spiketrains) == len(rec.spike_times_ms)
    trains = rec.spike_trains()
    for st in segment.spiketrains[:5]:
        assert_allclose(st.rescale(pq.ms).magnitude, trains[st.annotations["node_id"]])
    signals = {s.name: s for s in segment.analogsignals}
    assert_allclose(signals["mean_ca_e"].magnitude[:, 0], results["mean_ca_e"])
    assert_allclose(signals["mean_ca_e"].times.rescale(pq.s).magnitude, results["time"])
    assert_allclose(signals["ca"].magnitude, rec.ca)
    assert_array_equal(signals["ca"].array_annotations["node_id"], rec.neuron_id)
    assert json.loads(block.annotations["metadata_json"])["rng_seed"] == results.metadata["rng_seed"]
    if importlib.util.find_spec("elephant") is not None:  # the test extra installs it
        from elephant.statistics import mean_firing_rate

        st = max(segment.spiketrains, key=len)
        expected = len(trains[st.annotations["node_id"]]) / (rec.t_stop_s - rec.t_start_s)
        assert float(mean_firing_rate(st).rescale(pq.Hz).magnitude) == pytest.approx(expected)


def test_in_memory_objects_for_notebooks(run):
    results, rec = load_results(run / "run"), load_recording(run / "run")
    if importlib.util.find_spec("pynwb"):
        assert len(to_nwb(results, rec).units) == len(rec.neuron_id)
    if importlib.util.find_spec("neo"):
        assert len(to_neo(results, rec).segments[0].spiketrains) == len(rec.neuron_id)


def test_edge_list_of_a_saved_network_is_every_synapse(run):
    (path,) = export(run / "grown.npz", "edges")
    assert path == run / "grown.edges.csv"
    saved, results = load_network(run / "grown.npz"), load_results(run / "run")
    table = read_edges_csv(path)
    a = saved.arrays
    assert len(table["source"]) == saved.n_synapses > 0
    assert_array_equal(table["source"], a["synapse_source"])
    assert_array_equal(table["target"], a["synapse_target"])
    assert_allclose(table["weight"], a["synapse_weight"])
    assert_allclose(table["delay"], a["synapse_delay"])
    for pathway in ("ee", "ei", "ie", "ii"):
        mine = (table["source_population"] == pathway[0]) & (table["target_population"] == pathway[1])
        assert mine.sum() == results[f"connections_{pathway}"][-1], pathway


@_needs("h5py")
def test_sonata_nodes_and_edges_match_the_saved_network(run, tmp_path):
    import h5py

    (folder,) = export(run / "grown.npz", "sonata", tmp_path / "sonata")
    saved = load_network(run / "grown.npz")
    with h5py.File(folder / "sonata_nodes.h5", "r") as nodes, h5py.File(folder / "sonata_edges.h5", "r") as edges:
        sizes = {name: len(nodes[f"nodes/{name}/node_id"]) for name in nodes["nodes"]}
        assert sizes == {"e": SMALL["number_excitatory_neurons"], "i": SMALL["number_inhibitory_neurons"]}
        assert_array_equal(nodes["nodes/e/0/nest_id"][:], saved.population_ids("e"))
        total = sum(len(edges[f"edges/{p}/source_node_id"]) for p in edges["edges"])
        assert total == saved.n_synapses
        ee = edges["edges/e_to_e"]
        assert ee["source_node_id"].attrs["node_population"] == "e"
        source, target, weight, _ = saved.synapses("synapse_ex")
        e_ids = saved.population_ids("e")
        mine = np.isin(target, e_ids)
        assert_array_equal(np.asarray(e_ids)[ee["source_node_id"][:]], source[mine])
        assert_allclose(ee["0/syn_weight"][:], weight[mine])
    config = json.loads((folder / "sonata_circuit_config.json").read_text())
    assert config["networks"]["nodes"][0]["nodes_file"].endswith("sonata_nodes.h5")


def test_exports_into_the_folder_join_its_unit(run, tmp_path):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(run / "run", folder)
    formats = [f for f, m in (("nwb", "pynwb"), ("neo", "nixio")) if importlib.util.find_spec(m)]
    for fmt in formats:
        export(folder, fmt)
    manifest = json.loads((folder / MANIFEST_JSON).read_text())["files"]
    for fmt, name in (("nwb", NWB_FILE), ("neo", NIX_FILE)):
        assert (name in manifest) == (fmt in formats)
    load_results(folder)  # still one complete unit


def test_an_export_whose_extra_is_missing_says_which_pip_install(monkeypatch, run, tmp_path, capsys):
    from structural_plasticity.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pynwb" else real(name, *a))
    with pytest.raises(ConfigurationError, match=r"pip install 'structural_plasticity\[nwb\]'"):
        require("nwb")
    before = sorted(p.name for p in (run / "run").iterdir())
    assert main(["export", str(run / "run"), "--format", "nwb"]) == 2
    err = capsys.readouterr().err.strip()
    assert "structural_plasticity[nwb]" in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in (run / "run").iterdir()) == before  # nothing written


def test_exports_of_incomplete_mixed_or_unknown_sources_are_refused(run, tmp_path, cli):
    import shutil

    mixed = tmp_path / "mixed"
    shutil.copytree(run / "run", mixed)
    (mixed / "results.csv").write_text("time\n1\n")  # another run's file beside this one's
    out = cli("export", mixed, "--format", "edges")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "manifest" in out.stderr
    interrupted = tmp_path / "interrupted"
    results = load_results(run / "run")
    results.metadata.update(completed=False, status="interrupted")
    results.save(interrupted)
    with pytest.raises(ConfigurationError, match="incomplete run .interrupted.; .* --partial"):
        export(interrupted, "edges")
    assert not list(tmp_path.glob("**/edges.csv"))
    out = cli("export", run / "run", "--format", "mat")
    assert out.returncode == 2 and "invalid choice" in out.stderr
    with pytest.raises(ConfigurationError, match="no connectivity snapshot"):
        export(run / "run", "edges")
    out = cli("export", run / "grown.npz", "--format", "edges")  # exists from the test above, or not
    if (run / "grown.edges.csv").exists() and out.returncode:
        assert "--overwrite" in out.stderr
