"""`ButzNetwork`: a growth curve per element and population, applied as configured and growing as the curve says.

Fast tests: the elements NEST stores are the configured ones, and the change of each element's count
over one second at a fixed Ca has the sign of its growth curve and the size of a numpy integral of it.
"""

import json

import numpy as np
import pytest

from structural_plasticity import ConfigurationError, StructuralPlasticityExample
from structural_plasticity.butz import (
    AXON_ETA_FRACTION,
    BUTZ_GROWTH_CURVE_NAMES,
    DEN_EX_ETA_FRACTION,
    DEN_IN_EPS_MULTIPLE,
    ButzNetwork,
    butz_growth_curves,
)
from structural_plasticity.ei_network import ExcitatoryInhibitoryNetwork

#: Ca of the test neurons as multiples of their population's set point: below the dendritic zero point,
#: between the dendritic and the axonal one, between the axonal one and the set point, above the set
#: point (where inhibitory dendrites grow), and above the upper zero point of inhibitory dendrites.
CA_MULTIPLES = (0.06, 0.3, 0.8, 1.4, 2.4)
#: Expected sign of growth at those Ca values, per element: the mechanism of the lesion recovery.
EXPECTED_SIGNS = {
    "axon": (-1, -1, +1, -1, -1),  # boutons retract at low activity, grow only just below the set point
    "Den_ex": (-1, +1, +1, -1, -1),  # spines grow from 0.14 of the set point up to it
    "Den_in": (-1, -1, -1, +1, -1),  # inhibitory spines retract below the set point, grow above it
}
TARGETS = {"e": 0.05, "i": 0.2}


def test_parameters_are_the_six_curves_and_the_shared_ones():
    names = ButzNetwork.parameter_names()
    for name in BUTZ_GROWTH_CURVE_NAMES:
        assert name in names
    for name in ("growth_curve_e_e", "growth_curve_e_i", "growth_curve_i_e", "growth_curve_i_i"):
        assert name not in names  # the example's curves are not inherited unused
    shared = set(ExcitatoryInhibitoryNetwork.parameter_names())
    assert shared <= set(names) and shared <= set(StructuralPlasticityExample.parameter_names())
    assert {"psc_e", "bg_rate", "model_params", "number_excitatory_neurons"} <= shared
    network = ButzNetwork()
    assert network.target_ca == TARGETS
    specs = network.population_specs()
    assert set(specs["e"].elements) == {"Axon_ex", "Den_ex", "Den_in"}
    assert set(specs["i"].elements) == {"Axon_in", "Den_ex", "Den_in"}


def test_default_curves_follow_the_published_zero_points():
    assert butz_growth_curves() == {name: getattr(ButzNetwork, name) for name in BUTZ_GROWTH_CURVE_NAMES}
    for pop, target in TARGETS.items():
        axon, den_ex, den_in = (getattr(ButzNetwork, f"growth_curve_{e}_{pop}") for e in ("axon", "den_ex", "den_in"))
        assert axon["eps"] == den_ex["eps"] == den_in["eta"] == target
        assert axon["eta"] == pytest.approx(0.4 / 0.7 * target) == pytest.approx(AXON_ETA_FRACTION * target)
        assert den_ex["eta"] == pytest.approx(0.1 / 0.7 * target) == pytest.approx(DEN_EX_ETA_FRACTION * target)
        assert den_in["eps"] == pytest.approx(DEN_IN_EPS_MULTIPLE * target) == pytest.approx(1.9 * target)
    # Growth rates are NEST's example's, so that the two networks differ only in the zero points.
    assert (
        ButzNetwork.growth_curve_den_ex_i["growth_rate"] == StructuralPlasticityExample.growth_curve_i_e["growth_rate"]
    )
    assert ButzNetwork.growth_curve_axon_e["growth_rate"] == StructuralPlasticityExample.growth_curve_e_e["growth_rate"]


def test_growth_curves_scaled_scales_the_six_curves():
    curves = ButzNetwork.growth_curves_scaled(10)
    assert set(curves) == set(BUTZ_GROWTH_CURVE_NAMES)
    assert curves["growth_curve_den_ex_i"]["growth_rate"] == pytest.approx(4e-3)
    assert curves["growth_curve_axon_e"]["eta"] == ButzNetwork.growth_curve_axon_e["eta"]


def test_bad_curve_fails_before_nest():
    with pytest.raises(ConfigurationError, match="growth_curve_den_in_e lacks 'eps'"):
        ButzNetwork(growth_curve_den_in_e={"growth_curve": "gaussian", "growth_rate": 1e-4})


def _stored_elements(network):
    return {pop: nodes[0].get("synaptic_elements") for pop, nodes in network.nodes.items()}


def test_nest_stores_the_configured_elements():
    curves = {
        "growth_curve_axon_e": dict(ButzNetwork.growth_curve_axon_e, eta=0.021),
        "growth_curve_den_in_i": dict(ButzNetwork.growth_curve_den_in_i, growth_rate=3e-4),
    }
    network = ButzNetwork(number_excitatory_neurons=4, number_inhibitory_neurons=2, **curves)
    network.prepare_simulation()
    network.create_nodes()
    stored = _stored_elements(network)
    assert set(stored["e"]) == {"Axon_ex", "Den_ex", "Den_in"}
    assert set(stored["i"]) == {"Axon_in", "Den_ex", "Den_in"}
    configured = {
        ("e", "Axon_ex"): network.growth_curve_axon_e,
        ("e", "Den_ex"): network.growth_curve_den_ex_e,
        ("e", "Den_in"): network.growth_curve_den_in_e,
        ("i", "Axon_in"): network.growth_curve_axon_i,
        ("i", "Den_ex"): network.growth_curve_den_ex_i,
        ("i", "Den_in"): network.growth_curve_den_in_i,
    }
    for (pop, element), curve in configured.items():
        for key, value in curve.items():
            assert stored[pop][element][key] == value, (pop, element, key)
    assert stored["e"]["Axon_ex"]["eta"] == 0.021 and stored["i"]["Den_in"]["growth_rate"] == 3e-4
    # Three different curves per population: no element shares another's zero points.
    for pop in ("e", "i"):
        assert len({(c["eta"], c["eps"]) for c in stored[pop].values()}) == 3


def _reference_growth(curve, ca0, tau_ca, duration, h):
    """NEST's forward-Euler integral of a gaussian growth curve while Ca decays without spikes (numpy)."""
    eta, eps, nu = curve["eta"], curve["eps"], curve["growth_rate"]
    zeta = (eta - eps) / (2.0 * np.sqrt(np.log(2.0)))
    xi = (eta + eps) / 2.0
    steps = int(round(duration / h))
    ca = ca0 * (1.0 - h / tau_ca) ** np.arange(1, steps + 1)
    return float(np.sum(h * nu * (2.0 * np.exp(-(((ca - xi) / zeta) ** 2)) - 1.0)))


def test_each_element_grows_or_retracts_as_its_curve_says():
    """Neurons held at fixed Ca without input: each element's count changes with the sign of its curve."""
    import nest

    z0, duration = 5.0, 1000.0
    curves = {name: dict(curve, z=z0) for name, curve in butz_growth_curves().items()}
    n = len(CA_MULTIPLES)
    network = ButzNetwork(number_excitatory_neurons=n, number_inhibitory_neurons=n, **curves)
    network.prepare_simulation()
    network.create_nodes()  # no input and no synapses: the neurons stay silent, Ca only decays
    for pop, target in TARGETS.items():
        network.nodes[pop].set(Ca=[m * target for m in CA_MULTIPLES])
    nest.Simulate(duration)  # NEST brings every element up to date at the end of Simulate
    tau_ca = network.model_params["tau_Ca"]
    for pop, target in TARGETS.items():
        after = network.nodes[pop].get("synaptic_elements")
        axon = "Axon_ex" if pop == "e" else "Axon_in"
        for element, kind in ((axon, "axon"), ("Den_ex", "Den_ex"), ("Den_in", "Den_in")):
            curve = curves[f"growth_curve_{kind.lower()}_{pop}"]
            changes = np.array([a[element]["z"] - z0 for a in after])
            expected = [_reference_growth(curve, m * target, tau_ca, duration, network.dt) for m in CA_MULTIPLES]
            assert np.sign(changes).tolist() == list(EXPECTED_SIGNS[kind]), (pop, element, changes)
            np.testing.assert_allclose(changes, expected, rtol=1e-6, atol=1e-12)


def test_lesion_command_line_chooses_the_model(tmp_path):
    """``lesion --model butz`` runs ButzLesionExperiment, ``--model example`` (the default) NEST's example."""
    from conftest import run_cli

    tiny = ["--n-exc", "40", "--n-inh", "10", "--growth", "1", "--recovery", "1", "--no-plot", "-q"]
    for choice, model in (("butz", "ButzLesionExperiment"), ("example", "LesionExperiment")):
        proc = run_cli("lesion", "--model", choice, *tiny, "-o", tmp_path / choice)
        assert proc.returncode == 0, proc.stderr
        meta = json.loads((tmp_path / choice / "metadata.json").read_text())
        assert meta["model"].endswith("." + model)
    wrong = run_cli("lesion", "--model", "butts", "-o", tmp_path / "x")
    assert wrong.returncode == 2 and "butts" in wrong.stderr
