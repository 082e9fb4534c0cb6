"""The package's own synaptic-element integration (`structural_plasticity.plasticity`) against NEST 3.10.

NEST is the independent reference: it integrates every neuron's elements at each spike and at the end of
each ``Simulate`` call even with structural plasticity disabled, and with it enabled (but no plastic
synapse model) it also runs its updates, which integrate the elements and decay the vacant ones. Our
integrator, given the same spikes and the same times, must give NEST's z and Ca to 1e-9. The fast step sums
are further checked against NEST's Euler loop stepped in numpy and against long-double sums.
"""

import math

import numpy as np
import pytest

from structural_plasticity.errors import ConfigurationError
from structural_plasticity.plasticity import ElementState, GrowthCurve
from structural_plasticity.plasticity.stepsums import euler_sums, step_sums

NAMES = ("Axon_ex", "Den_ex", "Den_in")


def _spec(i):
    """Neuron i's elements and Ca parameters: gaussian, linear and sigmoid curves with varied parameters."""
    elements = {
        "Axon_ex": {
            "growth_curve": "gaussian",
            "growth_rate": [1e-4, 5e-4, 2e-3][i % 3],
            "eps": [0.05, 0.2][i % 2],
            "eta": [0.0, 0.01, -0.02][i % 3],
            "z": [0.0, 2.5, 7.3][i % 3],
            "continuous": bool(i % 2),
        },
        "Den_ex": {"growth_curve": "linear", "growth_rate": [2e-4, 1e-3][i % 2], "eps": [0.05, 0.1, 0.02][i % 3]},
        "Den_in": {
            "growth_curve": "sigmoid",
            "growth_rate": [3e-4, 1.1e-3][i % 2],
            "eps": [0.03, 0.1][i % 2],
            "psi": [0.01, 0.05, 0.002][i % 3],
            "z": 1.03,  # not an integer: saturated growth would then reach integers, see test_..._updates
            "continuous": bool(i % 3),
        },
    }
    elements["Den_ex"]["z"] = [0.4, 1.2][i % 2]
    if i % 5 == 0:
        del elements["Den_in"]  # neurons without an element
    return {"synaptic_elements": elements, "tau_Ca": [10000.0, 1000.0][i % 2], "beta_Ca": [0.001, 0.002][i % 2]}


def _nest_network(nest, n=40, structural_plasticity=False, interval=100.0):
    """n iaf_psc_alpha neurons, each driven by its own Poisson train (0 to ~40 Hz), recorded; return nodes, recorder."""
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.resolution, nest.rng_seed = 0.1, 11
    nodes = nest.Create("iaf_psc_alpha", n)
    rates = np.linspace(2600.0, 3900.0, n)
    rates[0] = 0.0  # one silent neuron: no spikes at all
    noise = nest.Create("poisson_generator", n, params={"rate": rates.tolist()})
    nest.Connect(noise, nodes, "one_to_one", {"weight": 20.0})  # 1 to 40 Hz
    recorder = nest.Create("spike_recorder")
    nest.Connect(nodes, recorder)
    nodes.set([_spec(i) for i in range(n)])
    if structural_plasticity:
        nest.structural_plasticity_update_interval = interval
        nest.EnableStructuralPlasticity()  # with no structural_plasticity_synapses: updates without synapses
    return nodes, recorder


def _state_from_nest(nest, nodes):
    """Our state built from NEST's own status of `nodes` (curves, z, Ca, tau_Ca, beta_Ca)."""
    status = nodes.get(["global_id", "synaptic_elements", "tau_Ca", "beta_Ca", "Ca"])
    elements = {e: [s.get(e) for s in status["synaptic_elements"]] for e in NAMES}
    return ElementState(
        status["global_id"],
        elements,
        nest.resolution,
        tau_Ca=status["tau_Ca"],
        beta_Ca=status["beta_Ca"],
        Ca=status["Ca"],
    )


def _errors(nodes, state):
    """Largest relative errors of our Ca and z against NEST's (z: absolute where |z| < 1)."""
    status = nodes.get(["synaptic_elements", "Ca"])
    ca = np.asarray(status["Ca"])
    errors = {"Ca": float(np.max(np.abs(state.Ca - ca) / np.maximum(ca, 1e-300)))}
    for e in NAMES:
        z = np.array([s[e]["z"] if e in s else 0.0 for s in status["synaptic_elements"]])
        connected = np.array([s[e]["z_connected"] if e in s else 0 for s in status["synaptic_elements"]])
        assert np.array_equal(state.connected[e], connected)
        assert np.array_equal(state.has[e], [e in s for s in status["synaptic_elements"]])
        errors[e] = float(np.max(np.abs(state.z[e] - z) / np.maximum(np.abs(z), 1.0)))
    return errors


# === Against NEST ====================================================================================
CHUNKS = (500.0, 333.3, 1000.0, 0.1, 666.6, 1500.0)  # ms; ends on and off the 1 ms slices


def test_integration_matches_nest_at_spikes_and_simulate_ends():
    """Same spikes, same Simulate ends: every neuron's z (3 curve kinds) and Ca equal NEST's to 1e-9."""
    nest = pytest.importorskip("nest")
    nodes, recorder = _nest_network(nest)
    state = _state_from_nest(nest, nodes)
    worst, spikes = {}, 0
    for chunk in CHUNKS:
        nest.Simulate(chunk)
        events = recorder.events
        recorder.n_events = 0
        spikes += len(events["times"])
        state.advance(events["senders"], events["times"], nest.biological_time)
        for key, err in _errors(nodes, state).items():
            worst[key] = max(worst.get(key, 0.0), err)
    rates = spikes / len(nodes) / (sum(CHUNKS) / 1000.0)
    assert 5 < rates < 40, rates
    grown = nodes.get("synaptic_elements")
    assert any(s["Axon_ex"]["z"] == 0 for s in grown) and any(s["Axon_ex"]["z"] > 1 for s in grown)
    assert worst["Ca"] <= 1e-12 and max(worst[e] for e in NAMES) <= 1e-9, worst


def _update_times(t0, t1, interval):
    """Times of NEST's structural updates in a Simulate call from t0 to t1 (ms): multiples of the interval
    at slice starts (simulation_manager.cpp, fmod test), from t0 on, not at t1 (the next call's first slice)."""
    first, last = math.ceil(round(t0 / interval, 9)), math.ceil(round(t1 / interval, 9))
    return [k * interval for k in range(first, last)]


def test_integration_with_vacant_decay_matches_nest_structural_updates():
    """NEST's updates (elements integrated, vacant decayed by tau_vacant) at t = 0 and every 100 ms,
    also at the start of a Simulate call, are reproduced by `advance` + `decay_vacant` to 1e-9.

    The decay takes floor(z): where z lies within rounding (~1e-13) of an integer at an update, NEST's own
    summation order decides. The curves here avoid that (a saturated curve from an integer z reaches one).
    """
    nest = pytest.importorskip("nest")
    nodes, recorder = _nest_network(nest, structural_plasticity=True, interval=100.0)
    state = _state_from_nest(nest, nodes)
    skip_zero = _state_from_nest(nest, nodes)  # the same without NEST's update at t = 0: must not match
    t0, worst = 0.0, {}
    for chunk in (250.0, 150.0, 100.0, 333.3, 66.7, 500.0):
        nest.Simulate(chunk)
        t1 = nest.biological_time
        events = recorder.events
        recorder.n_events = 0
        senders, times = np.asarray(events["senders"]), np.asarray(events["times"])
        for s in (state, skip_zero):
            for u in _update_times(t0, t1, 100.0):
                before = times <= u + 1e-9
                s.advance(senders[before & (times > s.Ca_time[0])], times[before & (times > s.Ca_time[0])], u)
                if s is state or u > 0:
                    s.decay_vacant()
            later = times > s.Ca_time[0]
            s.advance(senders[later], times[later], t1)
        for key, err in _errors(nodes, state).items():
            worst[key] = max(worst.get(key, 0.0), err)
        t0 = t1
    assert max(worst[e] for e in NAMES) <= 1e-9 and worst["Ca"] <= 1e-12, worst
    assert max(_errors(nodes, skip_zero)[e] for e in NAMES) > 1e-3  # the update at t = 0 is real


def test_connect_and_disconnect_count_elements_as_nest():
    """connect / disconnect change z_connected and z as NEST's Connect / Disconnect with elements do."""
    nest = pytest.importorskip("nest")
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nodes = nest.Create("iaf_psc_alpha", 4)
    curves = [{"growth_curve": "gaussian", "growth_rate": 0.0, "z": z} for z in (0.7, 2.25, 3.5, 0.0)]
    nodes.set([{"synaptic_elements": {"Axon_ex": c, "Den_ex": dict(c, z=c["z"] + 0.3)}} for c in curves])
    nest.CopyModel("static_synapse", "plastic")
    spec = {"synapse_model": "plastic", "pre_synaptic_element": "Axon_ex", "post_synaptic_element": "Den_ex"}
    nest.structural_plasticity_synapses = {"plastic": spec}
    state = _state_from_nest_names(nest, nodes, ("Axon_ex", "Den_ex"))
    pairs = [(0, 1), (0, 1), (0, 1), (2, 1), (3, 0), (3, 3), (1, 2)]
    for pre, post in pairs:
        nest.Connect(nodes[pre : pre + 1], nodes[post : post + 1], "one_to_one", spec)
    state.connect("Axon_ex", [p for p, _ in pairs])
    state.connect("Den_ex", [q for _, q in pairs])
    for pre, post in [(0, 1), (3, 3)]:
        nest.Disconnect(nodes[pre : pre + 1], nodes[post : post + 1], syn_spec={"synapse_model": "plastic"})
    state.disconnect("Axon_ex", [0, 3])
    state.disconnect("Den_ex", [1, 3])
    status = nodes.get("synaptic_elements")
    for e in ("Axon_ex", "Den_ex"):
        assert np.array_equal(state.connected[e], [s[e]["z_connected"] for s in status])
        np.testing.assert_allclose(state.z[e], [s[e]["z"] for s in status], rtol=1e-15)
    assert state.z["Axon_ex"][0] > 3  # raised from 0.7 to 3 + 0.7, and kept after the disconnection


def test_releasing_elements_below_the_bound_count_raises_z_as_nest_does():
    """NEST releases an element with connect(-1): a neuron whose z fell below its bound elements gets z raised
    to (bound - 1) + frac(z) by its first release, and every other neuron is left as it is."""
    nest = pytest.importorskip("nest")
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nodes = nest.Create("iaf_psc_alpha", 3)
    curve = {"growth_curve": "gaussian", "growth_rate": 0.0, "z": 3.0}
    nodes.set({"synaptic_elements": {"Axon_ex": curve, "Den_ex": curve}})
    nest.CopyModel("static_synapse", "plastic")
    spec = {"synapse_model": "plastic", "pre_synaptic_element": "Axon_ex", "post_synaptic_element": "Den_ex"}
    nest.structural_plasticity_synapses = {"plastic": spec}
    pairs = [(0, 1), (0, 1), (0, 1), (2, 1)]
    for pre, post in pairs:
        nest.Connect(nodes[pre : pre + 1], nodes[post : post + 1], "one_to_one", spec)
    low = {"Axon_ex": {"z": 0.8}, "Den_ex": {"z": 0.6}}
    nodes.set({"synaptic_elements_param": low})  # every neuron's z now below its bound elements
    state = _state_from_nest_names(nest, nodes, ("Axon_ex", "Den_ex"))
    state.connect("Axon_ex", [p for p, _ in pairs])
    state.connect("Den_ex", [q for _, q in pairs])
    for element, z in (("Axon_ex", 0.8), ("Den_ex", 0.6)):
        state.z[element][:] = z
    for _ in range(2):  # two of neuron 0's three synapses onto neuron 1
        nest.Disconnect(nodes[0:1], nodes[1:2], conn_spec="one_to_one", syn_spec=spec)
    state.disconnect("Axon_ex", [0, 0])
    state.disconnect("Den_ex", [1, 1])
    status = nodes.get("synaptic_elements")
    for e in ("Axon_ex", "Den_ex"):
        assert np.array_equal(state.connected[e], [s[e]["z_connected"] for s in status]), e
        np.testing.assert_allclose(state.z[e], [s[e]["z"] for s in status], rtol=1e-15, err_msg=e)
    assert state.z["Axon_ex"][0] == pytest.approx(2.8) and state.z["Axon_ex"][2] == pytest.approx(0.8)


def _state_from_nest_names(nest, nodes, names):
    status = nodes.get(["global_id", "synaptic_elements"])
    return ElementState(status["global_id"], {e: [s[e] for s in status["synaptic_elements"]] for e in names}, 0.1)


def test_growth_curve_defaults_are_nests():
    """A curve built from a partial dict has the parameters NEST 3.10 reports for the same dict."""
    nest = pytest.importorskip("nest")
    nest.ResetKernel()
    node = nest.Create("iaf_psc_alpha")
    partial = {"A": {}, "B": {"growth_curve": "gaussian"}, "C": {"growth_curve": "sigmoid"}, "D": {"z": 2.0}}
    node.set(synaptic_elements=partial)
    for name, reported in node.get("synaptic_elements").items():
        assert GrowthCurve.from_nest(partial[name]) == GrowthCurve.from_nest(reported), name
    assert GrowthCurve() == GrowthCurve.from_nest({"growth_curve": "linear", "eps": 0.7, "growth_rate": 1.0})


# === Fast sums against NEST's loop stepped in numpy ==================================================
def _long_double_sums(kind, c, n, a, eps, eta, psi):
    k = np.arange(1, n + 1, dtype=np.longdouble)
    ca = np.longdouble(c) * np.exp(-np.longdouble(a) * k)
    if kind == "gaussian":
        s = 2 * np.sqrt(np.log(np.longdouble(2))) / (np.longdouble(eta) - np.longdouble(eps))
        return float(np.sum(2 * np.exp(-(((ca - (np.longdouble(eta) + eps) / 2) * s) ** 2)) - 1))
    return float(np.sum(2 / (1 + np.exp((ca - eps) / np.longdouble(psi))) - 1))


def test_step_sums_match_long_double_sums():
    """Euler-Maclaurin + Gauss-Legendre sums are within 5e-14 per step of exact (long double) sums.

    Curves too sharp for the expansion (psi = 0.0005 at high Ca) are summed step by step in float64, which
    like NEST's own loop accumulates rounding of up to ~n ulp; they are held to 2e-17 n per step.
    """
    rng = np.random.default_rng(5)
    shapes = [("gaussian", 0.05, 0.0, 1.0), ("gaussian", 0.7, 0.1, 1.0), ("gaussian", 0.02, 0.019, 1.0)]
    shapes += [("sigmoid", 0.05, 0.0, 0.01), ("sigmoid", 0.05, 0.0, 0.0005), ("sigmoid", 0.2, 0.0, 0.1)]
    worst = 0.0
    for kind, eps, eta, psi in shapes:
        width = abs(eps - eta) / (2 * math.sqrt(math.log(2))) if kind == "gaussian" else psi
        n = rng.choice([1, 7, 17, 60, 500, 3000, 30000, 100000], 40)
        c = rng.uniform(0.0, 0.3, 40)
        a = -np.log1p(-0.1 / rng.choice([200.0, 1000.0, 10000.0], 40))
        if psi == 0.0005:  # start inside the sharp transition, where the g''' term counts (q ~ 5e-3)
            c[:20], a[:20] = rng.uniform(eps - 4 * psi, eps + 4 * psi, 20), -np.log1p(-0.1 / 2000.0)
        fast = step_sums(kind, c, n, a, eps, eta, psi)
        exact = np.array([_long_double_sums(kind, *x, eps, eta, psi) for x in zip(c, n, a)])
        stepped = a * c / width > 1e-2  # summed step by step
        assert np.all(np.abs(fast - exact)[stepped] <= 2e-17 * n[stepped] ** 2), kind
        worst = max(worst, float(np.max((np.abs(fast - exact) / n)[~stepped])))
    assert worst < 5e-14, worst  # 2.4e-14 measured; 1.2e-13 without the g''' term


def _synthetic(rng, ids, t0, t1, rates):
    """Poisson spikes (grid times, at most one per neuron and step) of neurons `ids` in (t0, t1]."""
    counts = rng.poisson(np.asarray(rates) * (t1 - t0) / 1000.0)
    senders = np.repeat(ids, counts)
    steps = rng.integers(round(t0 * 10) + 1, round(t1 * 10) + 1, senders.size)
    pairs = np.unique(np.stack([senders, steps]), axis=1)
    return pairs[0], pairs[1] / 10.0


def _mixed_state(n, rng):
    specs = [_spec(i) for i in range(n)]
    elements = {e: [s["synaptic_elements"].get(e) for s in specs] for e in NAMES}
    tau, beta = [s["tau_Ca"] for s in specs], [s["beta_Ca"] for s in specs]
    return ElementState(np.arange(1, n + 1) * 3, elements, 0.1, tau_Ca=tau, beta_Ca=beta, Ca=rng.uniform(0, 0.3, n))


def test_fast_integration_equals_the_stepped_euler_loop():
    """`advance` equals NEST's Euler loop stepped one step at a time, over chunks of synthetic spikes."""
    rng = np.random.default_rng(2)
    fast, steps = _mixed_state(120, rng), None
    steps = ElementState.from_arrays(fast.to_arrays(), 0.1)
    rates = rng.uniform(0.0, 60.0, fast.n)
    t0 = 0.0
    for t1 in (100.0, 100.1, 350.0, 350.0, 1234.5, 1300.0):
        senders, times = _synthetic(rng, fast.node_ids, t0, t1, rates)
        fast.advance(senders, times, t1)
        steps.advance(senders, times, t1, method="steps")
        t0 = t1
    np.testing.assert_array_equal(fast.Ca, steps.Ca)
    for e in NAMES:
        np.testing.assert_allclose(fast.z[e], steps.z[e], rtol=1e-12, atol=1e-12)
        assert np.ptp(fast.z[e]) > 0.1  # the elements did change


# === Edge cases ======================================================================================
def test_no_spikes_decay_ca_exactly_and_grow_linear_in_closed_form():
    curve = {"growth_curve": "linear", "growth_rate": 1e-3, "eps": 0.2, "z": 1.0}
    state = ElementState([5, 9], {"Den_ex": curve, "Axon_ex": {"growth_curve": "gaussian", "eps": 0.2}}, 0.1, Ca=0.1)
    state.advance([], [], 2000.0)
    ca = 0.1 * math.exp(-2000.0 / 10000.0)
    np.testing.assert_allclose(state.Ca, ca, rtol=1e-15)
    np.testing.assert_allclose(state.z["Den_ex"], 1.0 + 1e-3 * 2000.0 + 1e-3 * 10000.0 * (ca - 0.1) / 0.2, rtol=1e-14)
    reference = ElementState([5, 9], {"Axon_ex": {"growth_curve": "gaussian", "eps": 0.2}}, 0.1, Ca=0.1)
    reference.advance([], [], 2000.0, method="steps")
    np.testing.assert_allclose(state.z["Axon_ex"], reference.z["Axon_ex"], rtol=1e-13)
    before = {e: state.z[e].copy() for e in state.names}
    state.advance([], [], 2000.0)  # a zero-length stretch changes nothing
    assert all(np.array_equal(before[e], state.z[e]) for e in state.names)


def test_spike_at_the_chunk_end_counts_once():
    """A spike at t is integrated in the call that ends at t; the next call starts after it."""
    curve = {"growth_curve": "gaussian", "growth_rate": 1e-3, "eps": 0.05, "eta": 0.0}
    split, whole = (ElementState([1], {"Den_ex": curve}, 0.1, Ca=0.02) for _ in range(2))
    split.advance([1, 1], [40.0, 100.0], 100.0)
    assert split.Ca[0] == pytest.approx(0.02 * math.exp(-100 / 10000) + 0.001 * math.exp(-60 / 10000) + 0.001)
    with pytest.raises(ConfigurationError):
        split.advance([1], [100.0], 150.0)  # already counted
    split.advance([1], [120.0], 150.0)
    whole.advance([1, 1, 1], [40.0, 100.0, 120.0], 150.0)
    np.testing.assert_allclose(split.z["Den_ex"], whole.z["Den_ex"], rtol=1e-14)
    np.testing.assert_allclose(split.Ca, whole.Ca, rtol=1e-15)


def test_z_is_clipped_at_zero_at_the_end_of_each_stretch():
    """Far below eta every step loses h nu; z stops at 0 at the spike and grows from 0 afterwards."""
    curve = {"growth_curve": "gaussian", "growth_rate": 1e-3, "eps": 0.05, "eta": 0.02, "z": 0.5}
    state = ElementState([1], {"Den_ex": curve}, 0.1, beta_Ca=0.03)
    state.advance([1], [1000.0], 1000.0)  # 1000 ms at Ca = 0: z would reach 0.5 - 1 = -0.5
    assert state.z["Den_ex"][0] == 0.0
    state.advance([], [], 1100.0)  # Ca = 0.03 lies between eta and eps: z grows from 0, not from -0.5
    grown = 1e-4 * euler_sums("gaussian", [0.03], [1000], [10000.0], 0.1, 0.05, 0.02)[0]
    assert grown > 0 and state.z["Den_ex"][0] == pytest.approx(grown, rel=1e-12)


def test_neurons_without_an_element_are_masked():
    curve = {"growth_curve": "gaussian", "growth_rate": 1e-2, "eps": 0.05, "z": 3.2}
    state = ElementState([2, 4, 6], {"Den_in": [curve, None, curve]}, 0.1)
    state.advance([4, 4], [10.0, 20.0], 50.0)
    assert list(state.has["Den_in"]) == [True, False, True] and state.z["Den_in"][1] == 0.0
    assert state.vacant("Den_in")[1] == 0 and state.value("Den_in")[1] == 0.0
    arrays = state.to_arrays()
    assert arrays["element_growth_curve"][1, 0] == "" and np.isnan(arrays["element_z"][1, 0])
    with pytest.raises(ConfigurationError, match="have element"):
        state.connect("Den_in", [1])


# === Bookkeeping =====================================================================================
def test_vacant_connect_disconnect_and_decay_follow_nests_rules():
    curves = [{"growth_curve": "linear", "eps": 0.1, "z": z, "tau_vacant": 0.25} for z in (2.75, 0.4, 5.5, 1.0)]
    state = ElementState([1, 2, 3, 4], {"Axon_ex": curves}, 0.1)
    assert list(state.vacant("Axon_ex")) == [2, 0, 5, 1]
    state.connect("Axon_ex", [1, 1, 1, 2])  # neuron 1: 3 synapses on floor(z) = 0, z -> 3 + 0.4
    np.testing.assert_allclose(state.z["Axon_ex"], [2.75, 3.4, 5.5, 1.0])
    state.disconnect("Axon_ex", [1])  # 2 bound of floor(z) = 3: z is kept, one vacant element
    assert list(state.connected["Axon_ex"]) == [0, 2, 1, 0] and list(state.vacant("Axon_ex")) == [2, 1, 4, 1]
    state.z["Axon_ex"][3] = 0.5  # below z_connected after growth: vacant < 0 (a synapse to delete), no decay
    state.connected["Axon_ex"][3] = 1
    state.decay_vacant()
    np.testing.assert_allclose(state.z["Axon_ex"], [2.75 - 0.5, 3.4 - 0.25, 5.5 - 1.0, 0.5])
    with pytest.raises(ConfigurationError, match="more"):
        state.disconnect("Axon_ex", [0])


def test_value_is_floored_where_not_continuous():
    curves = [{"growth_curve": "linear", "eps": 0.1, "z": 2.5, "continuous": flag} for flag in (True, False)]
    state = ElementState([1, 2], {"Den_ex": curves}, 0.1)
    assert list(state.value("Den_ex")) == [2.5, 2.0] and list(state.vacant("Den_ex")) == [2, 2]


def test_export_and_import_round_trip():
    rng = np.random.default_rng(4)
    state = _mixed_state(30, rng)
    senders, times = _synthetic(rng, state.node_ids, 0.0, 500.0, np.full(state.n, 20.0))
    state.advance(senders, times, 500.0)
    state.connect("Den_ex", [0, 0, 3])
    arrays = state.to_arrays()
    assert arrays["element_z"].shape == (30, 3) and arrays["element_growth_curve"].dtype.kind == "U"
    assert np.isnan(arrays["element_eta"][:, list(state.names).index("Den_ex")]).all()  # linear: no eta
    copy = ElementState.from_arrays(arrays, 0.1)
    for key, value in copy.to_arrays().items():
        np.testing.assert_array_equal(value, arrays[key], err_msg=key)
    senders, times = _synthetic(rng, state.node_ids, 500.0, 900.0, np.full(state.n, 20.0))
    for s in (state, copy):
        s.advance(senders, times, 900.0)
    for e in NAMES:
        np.testing.assert_array_equal(state.z[e], copy.z[e])
    # a network file has no Ca time nor Ca constants: keywords give them
    plain = {k: v for k, v in arrays.items() if k not in ("neuron_Ca_time", "neuron_tau_Ca", "neuron_beta_Ca")}
    restored = ElementState.from_arrays(plain, 0.1, time=500.0, tau_Ca=arrays["neuron_tau_Ca"])
    assert np.all(restored.Ca_time == 500.0) and np.all(restored.beta_Ca == 0.001)


# === Bad input ======================================================================================
GAUSS = {"growth_curve": "gaussian", "eps": 0.05}


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: GrowthCurve.from_nest({"growth_curve": "cubic"}), "unknown growth curve"),
        (lambda: GrowthCurve.from_nest({"growth_curve": "linear", "eps": float("nan")}), "finite"),
        (lambda: GrowthCurve.from_nest({"growth_rate": "fast"}), "must be a float"),
        (lambda: GrowthCurve.from_nest({"growht_rate": 1e-4}), "unknown growth-curve keys"),
        (lambda: GrowthCurve.from_nest({"growth_curve": "gaussian", "eta": 0.7}), "zero width"),
        (lambda: GrowthCurve.from_nest({"growth_curve": "sigmoid", "psi": 0.0}), "psi > 0"),
        (lambda: GrowthCurve.from_nest({"tau_vacant": 0.0}), "tau_vacant"),
        (lambda: GrowthCurve.from_nest({"growth_curve": "linear", "eps": 0.0}), "divides by eps"),
        (lambda: ElementState([1], {"A": GAUSS}, -0.1), "resolution"),
        (lambda: ElementState([1], {"A": GAUSS}, float("nan")), "resolution"),
        (lambda: ElementState([2, 1], {"A": GAUSS}, 0.1), "sorted"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1, tau_Ca=0.05), "tau_Ca"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1, Ca=float("nan")), "Ca"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1, beta_Ca=0.0), "beta_Ca"),
        (lambda: ElementState([1, 2], {"A": [GAUSS]}, 0.1), "one per neuron"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1).advance([2], [5.0], 10.0), "not in node_ids"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1).advance([1], [15.0], 10.0), "spike times"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1).advance([1], [float("nan")], 10.0), "spike times"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1, time=20.0).advance([], [], 10.0), "cannot advance"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1).advance([1, 1], [5.0], 10.0), "one time per spike"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1).vacant("B"), "unknown synaptic element"),
        (lambda: ElementState([1], {"A": GAUSS}, 0.1).connect("A", [1]), "indices"),
    ],
)
def test_bad_input_is_refused_with_a_one_line_fix(make, words):
    with pytest.raises(ConfigurationError, match=words) as info:
        make()
    assert "\n" not in str(info.value)


def test_spikes_in_any_order_and_off_the_grid():
    """Spikes are sorted per neuron (a recorder with threads is not time-ordered); off-grid times take
    NEST's step count ``ceil((t - t-) / h - 0.5)``."""
    curve = {"growth_curve": "sigmoid", "growth_rate": 1e-3, "eps": 0.05, "psi": 0.01}
    senders, times = np.array([3, 1, 3, 1, 3]), np.array([70.0, 55.5, 12.3, 20.04, 40.0])
    shuffled, ordered = (ElementState([1, 3], {"Den_ex": curve}, 0.1, Ca=0.04) for _ in range(2))
    shuffled.advance(senders, times, 100.0)
    order = np.lexsort((times, senders))
    ordered.advance(senders[order], times[order], 100.0, method="steps")
    np.testing.assert_allclose(shuffled.z["Den_ex"], ordered.z["Den_ex"], rtol=1e-13)
    np.testing.assert_array_equal(shuffled.Ca, ordered.Ca)


def test_a_new_curve_applies_from_now_on_and_keeps_z():
    """set_curve is NEST's synaptic_elements_param without z: later growth follows the new curve, z is kept."""
    rng = np.random.default_rng(5)
    curve = {"growth_curve": "gaussian", "growth_rate": 1e-3, "eta": 0.0, "eps": 0.05, "z": 1.5}
    other = dict(curve, eta=0.05, eps=0.095)
    a, b = (ElementState([1, 2, 3], {"Den_in": curve}, 0.1, Ca=0.03) for _ in range(2))
    b.set_curve("Den_in", [0, 2], other)
    assert np.array_equal(b.z["Den_in"], a.z["Den_in"]) and list(b.params["Den_in"]["eta"]) == [0.05, 0.0, 0.05]
    c = ElementState([1, 2, 3], {"Den_in": [other, curve, other]}, 0.1, Ca=0.03)
    c.z["Den_in"][:] = b.z["Den_in"]
    senders, times = _synthetic(rng, b.node_ids, 0.0, 300.0, np.full(3, 10.0))
    for state in (a, b, c):
        state.advance(senders, times, 300.0)
    np.testing.assert_allclose(b.z["Den_in"], c.z["Den_in"], rtol=1e-15)  # as if made with the new curve
    assert b.z["Den_in"][1] == a.z["Den_in"][1] and np.all(b.z["Den_in"][[0, 2]] < a.z["Den_in"][[0, 2]])
