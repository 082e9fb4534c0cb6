"""The class API: seed names, parameters by keyword and subclass, validation, isolation between instances."""

import numpy as np
import pytest

import structural_plasticity as sp
from structural_plasticity import ConfigurationError, StructuralPlasticityExample

SEED_ATTRIBUTES = [
    "t_sim",
    "dt",
    "number_excitatory_neurons",
    "number_inhibitory_neurons",
    "update_interval",
    "record_interval",
    "bg_rate",
    "neuron_model",
    "model_params",
    "growth_curve_e_e",
    "growth_curve_e_i",
    "growth_curve_i_e",
    "growth_curve_i_i",
    "psc_e",
    "psc_i",
    "psc_ext",
    "nodes_e",
    "nodes_i",
    "mean_ca_e",
    "mean_ca_i",
    "total_connections_e",
    "total_connections_i",
]
SEED_METHODS = [
    "prepare_simulation",
    "create_nodes",
    "connect_external_input",
    "record_ca",
    "record_connectivity",
    "simulate",
    "plot_data",
    "run",
]


def test_seed_names_exist():
    example = StructuralPlasticityExample()
    for name in SEED_ATTRIBUTES:
        assert hasattr(example, name), name
    for name in SEED_METHODS:
        assert callable(getattr(example, name)), name
    assert sp.StructralPlasticityExample is StructuralPlasticityExample


def test_defaults_are_what_works():
    example = StructuralPlasticityExample()
    assert example.neuron_model == "iaf_psc_alpha"
    assert example.update_interval == 100.0  # the original's 1000 steps of 0.1 ms
    assert example.t_sim == 200_000.0 and example.record_interval == 1000.0
    assert example.model_params["V_th"] == -55.0 and example.model_params["tau_syn_ex"] == 2.0
    assert example.target_ca == {"e": 0.05, "i": 0.2}
    assert example.ca_per_hz == pytest.approx(0.01)


def test_default_model_params_are_nest_defaults():
    nest = pytest.importorskip("nest")
    defaults = nest.GetDefaults("iaf_psc_alpha")
    for key, value in StructuralPlasticityExample.model_params.items():
        assert defaults[key] == pytest.approx(value), key


def test_keyword_override_and_unknown_name():
    example = StructuralPlasticityExample(t_sim=20_000.0, number_excitatory_neurons=40)
    assert example.t_sim == 20_000.0 and example.number_excitatory_neurons == 40
    with pytest.raises(ConfigurationError, match="unknown parameter 't_simm'"):
        StructuralPlasticityExample(t_simm=1.0)


def test_subclass_overrides_and_adds_parameters():
    class Longer(StructuralPlasticityExample):
        t_sim = 400_000.0
        my_factor = 2.0  # a new parameter of the subclass

    example = Longer(my_factor=3.0)
    assert example.t_sim == 400_000.0 and example.my_factor == 3.0
    assert "my_factor" in Longer.parameter_names()
    assert "my_factor" not in StructuralPlasticityExample.parameter_names()
    assert example.parameters()["my_factor"] == 3.0


def test_instances_never_share_mutable_defaults():
    a, b = StructuralPlasticityExample(), StructuralPlasticityExample()
    a.growth_curve_e_e["eps"] = 0.1
    a.model_params["V_th"] = -50.0
    assert b.growth_curve_e_e["eps"] == 0.05 and b.model_params["V_th"] == -55.0
    assert StructuralPlasticityExample.growth_curve_e_e["eps"] == 0.05
    given = {"growth_curve": "gaussian", "growth_rate": 1e-4, "eps": 0.05}
    c = StructuralPlasticityExample(growth_curve_e_e=given)
    given["eps"] = 1.0
    assert c.growth_curve_e_e["eps"] == 0.05


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(t_sim=-5.0), "t_sim must be a positive"),
        (dict(t_sim="long"), "t_sim must be a number"),
        (dict(dt=0.0), "dt must be a positive"),
        (dict(update_interval=100.05), "update_interval .* multiple of the resolution"),
        (dict(record_interval=1000.05), "record_interval .* multiple of the resolution"),
        (dict(t_sim=2500.0), "t_sim .* multiple of record_interval"),
        (dict(number_excitatory_neurons=0), "number_excitatory_neurons must be at least 1"),
        (dict(number_inhibitory_neurons=2.5), "number_inhibitory_neurons must be a whole number"),
        (dict(threads=2), "cannot use more than one thread.*MPI"),
        (dict(rng_seed=0), "rng_seed must be at least 1"),
        (dict(bg_rate=-1.0), "bg_rate must not be negative"),
        (dict(ca_readout="magic"), "ca_readout must be one of"),
        (dict(growth_curve_e_e={"growth_curve": "gaussian"}), "growth_curve_e_e lacks 'growth_rate', 'eps'"),
    ],
)
def test_bad_values_raise_clear_errors(params, message):
    with pytest.raises(ConfigurationError, match=message):
        StructuralPlasticityExample(**params)


def test_values_changed_after_construction_are_checked(small):
    example = StructuralPlasticityExample(**small)
    example.record_interval = 333.33
    with pytest.raises(ConfigurationError, match="record_interval"):
        example.prepare_simulation()


def test_unknown_neuron_model_and_params_need_nest(small):
    pytest.importorskip("nest")
    with pytest.raises(ConfigurationError, match="unknown neuron model 'iaf_psc_alfa'"):
        StructuralPlasticityExample(neuron_model="iaf_psc_alfa", **small).prepare_simulation()
    example = StructuralPlasticityExample(model_params={"tau_mem": 10.0}, **small)
    example.prepare_simulation()
    with pytest.raises(ConfigurationError, match="'tau_mem'"):
        example.create_nodes()


def test_unknown_growth_curve_key_is_an_error(small):
    pytest.importorskip("nest")
    curve = dict(StructuralPlasticityExample.growth_curve_e_e, epsilon=0.05)
    example = StructuralPlasticityExample(growth_curve_e_e=curve, **small)
    example.prepare_simulation()
    with pytest.raises(ConfigurationError, match="unknown key 'epsilon'"):
        example.create_nodes()


def test_model_params_are_applied(small):
    nest = pytest.importorskip("nest")
    params = dict(StructuralPlasticityExample.model_params, V_th=-52.0, tau_Ca=5000.0)
    example = StructuralPlasticityExample(neuron_model="iaf_psc_exp", model_params=params, psc_ext=7.0, **small)
    example.prepare_simulation()
    example.create_nodes()
    example.connect_external_input()
    assert set(example.nodes_e.get("model")) == {"iaf_psc_exp"}
    assert set(example.nodes_i.get("V_th")) == {-52.0}
    assert set(example.nodes_e.get("tau_Ca")) == {5000.0}
    conns = nest.GetConnections(source=example.noise)
    assert set(conns.get("weight")) == {7.0} and len(conns) == 100
    assert example.noise.get("rate") == 10_000.0
    assert nest.structural_plasticity_update_interval == 100.0 and nest.resolution == 0.1


def test_running_twice_in_one_process_starts_clean(small):
    pytest.importorskip("nest")
    example = StructuralPlasticityExample(**small)
    first = example.run()
    first_ca = first.mean_ca_e.copy()
    second = example.run()
    assert len(second) == len(first) == 8
    np.testing.assert_array_equal(second.mean_ca_e, first_ca)  # same seed, fresh kernel: identical
    assert second.time[0] == pytest.approx(0.5)


def test_import_has_no_side_effects():
    """Importing the package imports neither NEST nor pyplot (checked in a fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys, matplotlib; backend = matplotlib.get_backend(); import structural_plasticity; "
        "assert 'nest' not in sys.modules, 'nest imported'; "
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_growth_curves_scaled_multiplies_only_the_rates():
    curves = StructuralPlasticityExample.growth_curves_scaled(20)
    assert set(curves) == {"growth_curve_e_e", "growth_curve_e_i", "growth_curve_i_e", "growth_curve_i_i"}
    assert curves["growth_curve_i_e"]["growth_rate"] == pytest.approx(0.008)
    assert curves["growth_curve_e_e"]["growth_rate"] == pytest.approx(0.002)
    assert curves["growth_curve_i_i"]["eps"] == 0.2 and curves["growth_curve_e_i"]["eta"] == 0.0
    curves["growth_curve_e_e"]["eps"] = 1.0  # new dicts: the class defaults stay untouched
    assert StructuralPlasticityExample.growth_curve_e_e["eps"] == 0.05
    assert StructuralPlasticityExample(**curves).growth_curve_e_e["growth_rate"] == pytest.approx(0.002)
