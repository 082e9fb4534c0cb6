"""Fidelity: exact agreement with NEST's own example, determinism, and counting of synapses.

NEST's example is loaded from the installed NEST (see `structural_plasticity.fidelity`) and is the
independent reference: the package must record exactly (not approximately) the same series.
"""

import dataclasses

import numpy as np
import pytest
from conftest import fast_growth

from structural_plasticity import StructuralPlasticityExample, fidelity
from structural_plasticity.cli import main as cli_main
from structural_plasticity.errors import ConfigurationError

nest = pytest.importorskip("nest")


def _assert_exact(report):
    """Assert that every series and the final state of both runs are exactly equal."""
    for name in fidelity.SERIES:
        assert len(report.nest[name]) == report.parameters["t_sim"] / report.parameters["record_interval"]
        np.testing.assert_array_equal(report.package[name], report.nest[name], err_msg=name)
        assert report.differences[name] == 0.0
    assert report.state_differences == {"V_m": 0.0, "Ca": 0.0, "z": 0.0, "synapses": 0.0}
    assert report.exact


# === Agreement with NEST's example ==================================================================
@pytest.mark.parametrize(
    "update_interval, t_sim, inhibitory_synapses_expected",
    [
        # NEST 3.10's interval: elements are updated at 10 s and 20 s only; synapses appear after 20 s.
        (10_000.0, 22_000.0, False),
        # The package's default interval: 220 updates; synapses of both kinds form within 22 s.
        (100.0, 22_000.0, True),
    ],
)
def test_agrees_exactly_with_nest_example(update_interval, t_sim, inhibitory_synapses_expected):
    # A fifth of the example's size keeps this at a few seconds; the size changes nothing in the code paths.
    report = fidelity.compare_with_nest_example(
        t_sim=t_sim,
        rng_seed=12345,
        update_interval=update_interval,
        number_excitatory_neurons=160,
        number_inhibitory_neurons=40,
    )
    _assert_exact(report)
    # Equal series mean something only if they vary: Ca rises and synapses form during the run.
    assert np.all(np.diff(report.nest["mean_ca_e"][:5]) > 0)
    assert report.nest["total_connections_e"].max() > 0
    if inhibitory_synapses_expected:
        assert report.nest["total_connections_i"].max() > 0


@pytest.mark.slow
@pytest.mark.parametrize("update_interval", [10_000.0, 100.0])
def test_agrees_exactly_with_nest_example_at_full_size(update_interval):
    # The example's own size (800 + 200 neurons) for 20 s: about 40 s of wall time per interval.
    report = fidelity.compare_with_nest_example(t_sim=20_000.0, rng_seed=12345, update_interval=update_interval)
    _assert_exact(report)


def test_comparison_detects_a_difference(monkeypatch):
    """The check is able to fail: a package that changes the input weight by 1 % no longer agrees."""

    class Perturbed(StructuralPlasticityExample):
        def input_spec(self):
            spec = super().input_spec()
            return dataclasses.replace(spec, weight=spec.weight * 1.01)

    monkeypatch.setattr(fidelity, "StructuralPlasticityExample", Perturbed)
    report = fidelity.compare_with_nest_example(
        t_sim=3000.0, update_interval=100.0, number_excitatory_neurons=40, number_inhibitory_neurons=10
    )
    assert not report.exact
    assert report.differences["mean_ca_e"] > 0
    assert report.state_differences["V_m"] > 0

    assert cli_main(["compare", "--t-sim", "3", "--update-interval", "100", "--n-exc", "40", "--n-inh", "10"]) == 1


def test_compare_command_reports_exact_agreement(capsys):
    status = cli_main(["compare", "--t-sim", "3", "--update-interval", "100", "--n-exc", "40", "--n-inh", "10"])
    out = capsys.readouterr().out
    assert status == 0
    assert "largest difference: 0 (exact agreement over 3 samples)" in out
    for name in fidelity.SERIES:
        assert name in out


def test_compare_rejects_parameters_nest_example_does_not_read(capsys):
    with pytest.raises(ConfigurationError, match="does not read 'model_params'"):
        fidelity.compare_with_nest_example(t_sim=1000.0, model_params={})
    # On the command line: one line on stderr and status 2, before anything is simulated.
    assert cli_main(["compare", "--set", "delay=2"]) == 2
    assert "does not read 'delay'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:  # argparse's own errors exit directly, also with status 2
        cli_main(["compare", "--t-sim", "-1"])
    assert stopped.value.code == 2
    assert "--t-sim: must be positive" in capsys.readouterr().err


# === Determinism ====================================================================================
def _run(small, **changes):
    example = StructuralPlasticityExample(**dict(small, **changes))
    return example.run()


def test_same_seed_gives_identical_results(small):
    first, second = _run(small), _run(small)
    assert first.names == second.names
    for name in first.names:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)
    assert np.all(first["mean_ca_e"] > 0)  # something happened


def test_different_seed_gives_different_results(small):
    first, other = _run(small, rng_seed=small["rng_seed"]), _run(small, rng_seed=small["rng_seed"] + 1)
    assert not np.array_equal(first["mean_ca_e"], other["mean_ca_e"])
    assert not np.array_equal(first["rate_i"], other["rate_i"])


# === Counting =======================================================================================
#: Growth ten times faster than the example's, so that a small network forms synapses of every pathway
#: within a few seconds.
FAST_GROWTH = fast_growth()


def test_recorded_counts_equal_nest_connections_at_every_sample(small):
    """Pathway counts equal GetConnections, the post-synaptic z_connected and NEST's num_connections."""
    checked = []

    def count_now(example):
        # Called right after each sample, so NEST's network is in the state just recorded.
        r = example.results
        e, i = example.nodes_e, example.nodes_i
        syn_e, syn_i = example.SYNAPSE_E, example.SYNAPSE_I
        # Independent of the package's counting: by source and target population and by synapse model.
        by_pathway = {
            "ee": len(nest.GetConnections(source=e, target=e, synapse_model=syn_e)),
            "ei": len(nest.GetConnections(source=e, target=i, synapse_model=syn_e)),
            "ie": len(nest.GetConnections(source=i, target=e, synapse_model=syn_i)),
            "ii": len(nest.GetConnections(source=i, target=i, synapse_model=syn_i)),
        }
        # Each synapse occupies one connected dendritic element of its target.
        z_connected = {
            "ee": _sum_connected(e, "Den_ex"),
            "ei": _sum_connected(i, "Den_ex"),
            "ie": _sum_connected(e, "Den_in"),
            "ii": _sum_connected(i, "Den_in"),
        }
        for pathway in by_pathway:
            recorded = r[f"connections_{pathway}"][-1]
            assert recorded == by_pathway[pathway] == z_connected[pathway], pathway
        assert r["total_connections_e"][-1] == by_pathway["ee"] + by_pathway["ei"]
        assert r["total_connections_i"][-1] == by_pathway["ie"] + by_pathway["ii"]
        assert (
            r["total_connections_e"][-1] == nest.GetDefaults(syn_e)["num_connections"] == _sum_connected(e, "Axon_ex")
        )
        assert (
            r["total_connections_i"][-1] == nest.GetDefaults(syn_i)["num_connections"] == _sum_connected(i, "Axon_in")
        )
        checked.append(dict(by_pathway))

    example = StructuralPlasticityExample(**dict(small, t_sim=6000.0, **FAST_GROWTH))
    example.run(callback=count_now)
    assert len(checked) == 12
    # The counts compared must not all be zero: every pathway has synapses by the end.
    assert all(count > 0 for count in checked[-1].values()), checked[-1]


def _sum_connected(nodes, element):
    return sum(neuron[element]["z_connected"] for neuron in nodes.synaptic_elements)


def test_spike_readout_agrees_to_rounding():
    """With the package's default Ca read-out (rebuilt from spikes) the Ca series agree to rounding only;
    the network itself (connections, final state) is still exactly the same."""
    report = fidelity.compare_with_nest_example(
        t_sim=3000.0,
        update_interval=100.0,
        number_excitatory_neurons=40,
        number_inhibitory_neurons=10,
        ca_readout="spikes",
    )
    for name in ("mean_ca_e", "mean_ca_i"):
        np.testing.assert_allclose(report.package[name], report.nest[name], rtol=1e-13, atol=0, err_msg=name)
    for name in ("total_connections_e", "total_connections_i"):
        np.testing.assert_array_equal(report.package[name], report.nest[name], err_msg=name)
    assert report.state_differences == {"V_m": 0.0, "Ca": 0.0, "z": 0.0, "synapses": 0.0}
