"""Recordings of single neurons (``recordings``, ``record_neurons``; ``--record``, ``--record-neurons``).

Each check compares the recording with something computed independently: NEST's own state of every
neuron after the run, Ca integrated in numpy from the recorded spike times, and the population series
the package records without the recording (means, rates and pathway counts).
"""

import numpy as np
import pytest
from conftest import SMALL, fast_growth
from numpy.testing import assert_allclose, assert_array_equal

from structural_plasticity import StructuralPlasticityExample, load_results
from structural_plasticity.errors import ConfigurationError
from structural_plasticity.files import RECORDING_NPZ
from structural_plasticity.recording import load_recording

ALL = ["spikes", "ca", "elements"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A small growing network with every recording of every neuron, saved; and NEST's state after the run."""
    import nest

    example = StructuralPlasticityExample(recordings=ALL, **SMALL, **fast_growth())
    results = example.run()
    neurons = example.nodes["e"] + example.nodes["i"]
    state = {
        "id": np.asarray(neurons.tolist()),
        "Ca": np.asarray(neurons.get("Ca"), dtype=float),
        "elements": neurons.get("synaptic_elements"),
    }
    folder = tmp_path_factory.mktemp("recorded") / "run"
    results.save(folder)
    del nest
    return example, results, state, folder


def test_a_default_run_records_no_single_neuron(small):
    example = StructuralPlasticityExample(**dict(small, t_sim=1000.0))
    results = example.run()
    assert example.neuron_recording is None and RECORDING_NPZ not in results.attachments
    assert "recordings" not in results.metadata
    assert example.recorder.take_spikes()[0].size == 0  # no spike is kept beyond its sample


def test_recorded_ca_and_elements_are_nests_state_at_the_end(recorded):
    _, _, state, folder = recorded
    rec = load_recording(folder)
    assert_array_equal(rec.neuron_id, state["id"])  # every neuron, by population
    assert_allclose(rec.ca[-1], state["Ca"], rtol=1e-10, atol=1e-15)
    for k, element in enumerate(rec.element_names):
        z = [s.get(element, {}).get("z", np.nan) for s in state["elements"]]
        connected = [s.get(element, {}).get("z_connected", np.nan) for s in state["elements"]]
        assert_allclose(rec.elements_z[-1][:, k], z, rtol=1e-12, equal_nan=True)
        assert_allclose(rec.elements_connected[-1][:, k], connected, equal_nan=True)


def test_recorded_ca_follows_from_the_recorded_spikes(recorded):
    example, _, _, folder = recorded
    rec = load_recording(folder)
    beta, tau = example.model_params["beta_Ca"], example.model_params["tau_Ca"]
    trains = rec.spike_trains()
    for t_s, row in zip(rec.time_s, rec.ca):
        t = 1000.0 * t_s
        expected = [beta * np.exp(-(t - times[times <= t]) / tau).sum() for times in trains.values()]
        assert_allclose(row, expected, rtol=1e-9, atol=1e-15)


def test_spikes_match_the_rates_and_ca_the_means_of_the_populations(recorded):
    _, results, _, folder = recorded
    rec = load_recording(folder)
    assert np.all(np.diff(rec.spike_times_ms) >= 0)
    edges = np.concatenate([[1000.0 * rec.t_start_s], 1000.0 * rec.time_s])
    interval_s = np.diff(edges) / 1000.0
    for pop in ("e", "i"):
        mine = np.isin(rec.spike_senders, rec.neuron_id[rec.neurons_of(pop)])
        # A spike at a sample time belongs to the interval that ends there: bins (a, b], not numpy's [a, b).
        counts = np.bincount(np.searchsorted(edges, rec.spike_times_ms[mine]) - 1, minlength=len(edges) - 1)
        n = rec.populations[pop]
        assert_allclose(counts / n / interval_s, results[f"rate_{pop}"], rtol=1e-12)
        assert_allclose(rec.ca[:, rec.neurons_of(pop)].mean(axis=1), results[f"mean_ca_{pop}"], rtol=1e-10)
    # Connected dendritic elements of the targets are the synapses onto them (NEST's example's pathways).
    names = rec.element_names
    e, i = rec.neurons_of("e"), rec.neurons_of("i")
    den_ex, den_in = names.index("Den_ex"), names.index("Den_in")
    assert_allclose(np.nansum(rec.elements_connected[:, e, den_ex], axis=1), results["connections_ee"])
    assert_allclose(np.nansum(rec.elements_connected[:, i, den_in], axis=1), results["connections_ii"])
    assert results["connections_ee"][-1] > 0 and results["connections_ii"][-1] > 0


def test_a_sample_of_neurons_is_drawn_from_the_seed_and_saved_with_the_results(small, tmp_path):
    params = dict(small, t_sim=2000.0, recordings=["spikes", "ca"], record_neurons=7)
    first = StructuralPlasticityExample(**params)
    results = first.run()
    results.save(tmp_path / "a")
    rec = load_recording(tmp_path / "a")
    assert [int(rec.neurons_of(p).sum()) for p in ("e", "i")] == [7, 7]
    assert set(rec.spike_senders) <= set(rec.neuron_id)
    assert load_results(tmp_path / "a").metadata["recordings"]["neurons"] == {"e": 7, "i": 7}
    again = StructuralPlasticityExample(**params)
    again.run()
    assert_array_equal(again.neuron_recording.arrays()["neuron_id"], rec.neuron_id)  # same seed, same sample
    assert rec.elements_z is None and rec.ca.shape == (len(results), 14)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"recordings": ["spike"]}, "unknown recording 'spike'; choose from spikes, ca, elements"),
        ({"recordings": "spikes"}, "recordings"),
        (
            {"recordings": ["ca"], "record_neurons": 21},
            "record_neurons=21 is more than the 20 neurons of population 'i'",
        ),
        ({"record_neurons": 5}, "records nothing without recordings"),
        ({"recordings": ["ca"], "record_neurons": 0}, "record_neurons must be at least 1"),
    ],
)
def test_bad_recordings_are_refused_before_nest(small, params, message):
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")):
        StructuralPlasticityExample(**small, **params)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--record", "spikes,volts"], "unknown recording 'volts'"),
        (["--record", "ca", "--record-neurons", "30", "--n-exc", "40", "--n-inh", "10"], "more than the 10 neurons"),
    ],
)
def test_bad_recordings_on_the_command_line_are_one_line_and_status_2(cli, tmp_path, args, message):
    out = cli("--t-sim", "1", *args, "-o", tmp_path / "out", cwd=tmp_path)
    assert out.returncode == 2 and message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_load_recording_of_a_run_without_one_says_how_to_record(tmp_path):
    from structural_plasticity.results import Results

    Results({"time": [1.0]}, {"completed": True}).save(tmp_path / "plain")
    with pytest.raises(ConfigurationError, match="--record spikes,ca"):
        load_recording(tmp_path / "plain")
