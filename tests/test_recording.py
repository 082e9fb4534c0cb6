"""Recording: what is sampled, and that it agrees with NEST's own view of the network."""

import numpy as np
import pytest

from structural_plasticity import StructuralPlasticityExample

nest = pytest.importorskip("nest")


@pytest.fixture
def grown():
    """A small network run for 4 s with fast growth; NEST's kernel still holds it (so per test, not shared)."""
    from conftest import SMALL, fast_growth

    example = StructuralPlasticityExample(**SMALL, **fast_growth())
    example.run()
    return example


def test_every_series_has_one_value_per_sample(grown):
    r = grown.results
    expected = {
        "time",
        "mean_ca_e",
        "mean_ca_i",
        "std_ca_e",
        "std_ca_i",
        "rate_e",
        "rate_i",
        "total_connections_e",
        "total_connections_i",
        "connections_ee",
        "connections_ei",
        "connections_ie",
        "connections_ii",
    }
    assert expected <= set(r.names)
    assert {len(r[name]) for name in r.names} == {8}
    np.testing.assert_allclose(r.time, np.arange(1, 9) * 0.5)
    assert r.metadata["completed"] is True and r.metadata["status"] == "completed"


def test_seed_series_are_arrays_on_the_example(grown):
    for name in ("mean_ca_e", "mean_ca_i", "total_connections_e", "total_connections_i"):
        value = getattr(grown, name)
        assert isinstance(value, np.ndarray) and len(value) == 8
        np.testing.assert_array_equal(value, grown.results[name])


def test_pathways_sum_to_totals_and_match_nest(grown):
    r = grown.results
    np.testing.assert_array_equal(r.connections_ee + r.connections_ei, r.total_connections_e)
    np.testing.assert_array_equal(r.connections_ie + r.connections_ii, r.total_connections_i)
    assert min(r.connections_ee[-1], r.connections_ei[-1], r.connections_ie[-1], r.connections_ii[-1]) > 0
    # NEST's own counts at the same moment (the kernel still holds the network after the last sample).
    assert r.total_connections_e[-1] == nest.GetDefaults("synapse_ex")["num_connections"]
    assert r.total_connections_i[-1] == nest.GetDefaults("synapse_in")["num_connections"]
    # ...and the post-synaptic elements' z_connected, as NEST's example counts.
    elements_e = grown.nodes_e.synaptic_elements
    elements_i = grown.nodes_i.synaptic_elements
    assert r.connections_ee[-1] == sum(n["Den_ex"]["z_connected"] for n in elements_e)
    assert r.connections_ie[-1] == sum(n["Den_in"]["z_connected"] for n in elements_e)
    assert r.connections_ei[-1] == sum(n["Den_ex"]["z_connected"] for n in elements_i)
    assert r.connections_ii[-1] == sum(n["Den_in"]["z_connected"] for n in elements_i)
    assert r.total_connections_e[-1] == sum(n["Axon_ex"]["z_connected"] for n in elements_e)


def test_rates_come_from_spike_counts(small):
    example = StructuralPlasticityExample(**small)
    example.prepare_simulation()
    example.create_nodes()
    example.connect_external_input()
    probe = nest.Create("spike_recorder")  # an independent recorder, created after ours would shift no ids
    nest.Connect(example.nodes_e, probe)
    example.simulate()
    times = probe.get("events", "times")
    edges = np.arange(0, 4001, 500)
    counts, _ = np.histogram(times, bins=edges - 1e-9)  # spike at exactly 500.0 ms belongs to the first interval
    np.testing.assert_allclose(example.results.rate_e, counts / 80 / 0.5)
    assert example.results.rate_e[-1] > 0


def test_ca_from_spikes_matches_nest_state(grown):
    """The spike-rebuilt Ca at the last sample equals NEST's stored Ca (brought up to date by each Simulate)."""
    r = grown.results
    state = np.array(grown.nodes_e.Ca)
    assert r.mean_ca_e[-1] == pytest.approx(state.mean(), rel=1e-9)
    assert r.std_ca_e[-1] == pytest.approx(state.std(), rel=1e-6)


def test_state_readout_is_nest_ca(small):
    example = StructuralPlasticityExample(ca_readout="state", **small)
    example.run()
    assert example.results.mean_ca_i[-1] == np.mean(example.nodes_i.Ca)  # exactly what NEST's example reads
    assert example.results.std_ca_i[-1] == pytest.approx(np.std(example.nodes_i.Ca), rel=1e-9)


def test_spike_recorder_memory_is_emptied_each_sample(grown):
    assert grown.spike_recorder.get("n_events") == 0


def test_settling_time():
    from structural_plasticity import Results

    r = Results({"time": [1, 2, 3, 4, 5], "mean_ca_e": [0.01, 0.049, 0.06, 0.051, 0.0499]}, {"target_ca": {"e": 0.05}})
    assert r.settling_time("e") == 4.0
    r2 = Results({"time": [1, 2], "mean_ca_e": [0.05, 0.01]}, {"target_ca": {"e": 0.05}})
    assert r2.settling_time("e") is None
