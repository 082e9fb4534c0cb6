"""Physics: the simulated network obeys the model's own equations, checked with independent numpy code.

* Calcium: Ca jumps by ``beta_Ca`` at each spike and decays with ``tau_Ca``; NEST stores the value at
  each neuron's last spike, structural-plasticity update or end of a ``Simulate`` call.
* Growth curve: synaptic elements grow as dz/dt = nu (2 exp(-((Ca - xi) / zeta)^2) - 1) with
  xi = (eta + eps) / 2 and zeta = (eps - eta) / (2 sqrt(ln 2)) (Butz & van Ooyen 2013; NEST's
  ``GrowthCurveGaussian``, integrated with forward Euler at the resolution between two such events).
* Equilibrium (slow): the settled network fires at eps / (beta_Ca tau_Ca) and its mean Ca sits at eps.
"""

import numpy as np
import pytest

from structural_plasticity import StructuralPlasticityExample

nest = pytest.importorskip("nest")


# === Calcium ========================================================================================
# NEST keeps each neuron's Ca as the value at its last "event" and decays it from there when the next
# event comes. The events are the neuron's spikes (Ca decays, then jumps by beta_Ca), the structural
# plasticity updates (every update_interval), and, measured in NEST 3.10, the end of every Simulate/Run
# call, where NEST brings the Ca and synaptic elements of every neuron to the current time. So Ca read
# between Simulate calls is the value at the moment it is read.


def _ca_from_spikes(spike_times, t, beta, tau):
    """Ca of one neuron at time `t` (ms): the sum of its spikes' jumps, each decayed to `t`."""
    s = spike_times[spike_times <= t]
    return float(np.sum(beta * np.exp(-(t - s) / tau)))


def test_ca_follows_from_spike_times(small):
    """NEST's Ca equals the sum of decayed jumps beta_Ca exp(-(t - t_spike) / tau_Ca), rebuilt in numpy.

    Also checks the package's default ``ca_readout="spikes"``: its mean and spread of Ca and its rates
    equal those of the independently rebuilt Ca and of our own spike recorder.
    """
    example = StructuralPlasticityExample(**small)  # 80 + 20 neurons, 4 s, samples every 500 ms
    example.prepare_simulation()
    example.create_nodes()
    example.connect_external_input()
    neurons = example.nodes_e + example.nodes_i
    recorder = nest.Create("spike_recorder")  # our own: the package empties its recorder at each sample
    nest.Connect(neurons, recorder)
    nest.EnableStructuralPlasticity()
    example.start_recording()

    samples = []
    with example.running():
        for _ in range(int(example.t_sim / example.record_interval)):
            example.advance(example.record_interval)
            samples.append((float(nest.biological_time), np.asarray(neurons.Ca, dtype=float)))
    events = recorder.events
    senders, times = np.asarray(events["senders"]), np.asarray(events["times"])
    ids = np.asarray(neurons.tolist())
    assert len(times) > 10 * len(ids)  # enough spikes for the comparison to mean something

    beta, tau = example.model_params["beta_Ca"], example.model_params["tau_Ca"]
    n_e = example.number_excitatory_neurons
    for k, (t, ca_nest) in enumerate(samples):
        ca_rebuilt = np.array([_ca_from_spikes(times[senders == node], t, beta, tau) for node in ids])
        np.testing.assert_allclose(ca_nest, ca_rebuilt, rtol=1e-10, atol=1e-15, err_msg=f"sample {k} at {t} ms")

        # The package's "spikes" read-out, sample by sample.
        for name, part in (("e", slice(0, n_e)), ("i", slice(n_e, None))):
            np.testing.assert_allclose(example.results[f"mean_ca_{name}"][k], ca_rebuilt[part].mean(), rtol=1e-12)
            np.testing.assert_allclose(example.results[f"std_ca_{name}"][k], ca_rebuilt[part].std(), rtol=1e-6)
            in_interval = np.isin(senders, ids[part]) & (times > t - example.record_interval) & (times <= t)
            rate = in_interval.sum() / len(ids[part]) / (example.record_interval / 1000.0)
            assert example.results[f"rate_{name}"][k] == pytest.approx(rate, rel=1e-12)
    assert np.count_nonzero(ca_rebuilt) > 0.9 * len(ids)  # by the end nearly every neuron has fired


def test_ca_readouts_agree(small):
    """The "state" read-out (NEST's stored Ca) and the "spikes" read-out agree to rounding.

    Reading NEST's state must not change the simulation either: the connection counts are identical.
    """
    spikes = StructuralPlasticityExample(**small, ca_readout="spikes").run()
    state = StructuralPlasticityExample(**small, ca_readout="state").run()
    for name in ("mean_ca_e", "mean_ca_i", "std_ca_e", "std_ca_i"):
        np.testing.assert_allclose(state[name], spikes[name], rtol=1e-9, err_msg=name)
    for name in ("rate_e", "rate_i", "connections_ee", "connections_ei", "connections_ie", "connections_ii"):
        np.testing.assert_array_equal(state[name], spikes[name], err_msg=name)
    assert np.all(spikes["mean_ca_e"] > 0)


def _silent_network(interval, tau_ca=10_000.0, n=1, h=0.1):
    """Reset NEST and create `n` unconnected neurons without input, with structural plasticity on.

    Only axon-to-dendrite pairs of kind "ex" can form synapses, and the neurons get dendrites only, so
    no synapse ever forms.
    """
    nest.ResetKernel()
    nest.resolution = h
    nest.structural_plasticity_update_interval = interval
    nest.structural_plasticity_synapses = {
        "syn": {"synapse_model": "static_synapse", "pre_synaptic_element": "Axon_ex", "post_synaptic_element": "Den_ex"}
    }
    return nest.Create("iaf_psc_alpha", n, params={"tau_Ca": tau_ca})


def test_ca_of_a_silent_neuron_decays_exponentially():
    """Without spikes, Ca decays as Ca0 exp(-t / tau_Ca); read after Simulate it is the value at that time,
    also when the last structural update lies further back (here 1000 ms updates, reads in between)."""
    neuron = _silent_network(interval=1000.0, tau_ca=5000.0)
    neuron.Ca = 0.3
    nest.EnableStructuralPlasticity()
    for t_end in (250.0, 1250.0, 3050.0, 3050.5):
        nest.Simulate(t_end - nest.biological_time)
        assert neuron.Ca == pytest.approx(0.3 * np.exp(-t_end / 5000.0), rel=1e-12)


# === Growth curve ===================================================================================
def gaussian_growth_rate(ca, growth_rate, eta, eps):
    """dz/dt (elements/ms) of NEST's gaussian growth curve at calcium `ca`."""
    xi = (eta + eps) / 2.0
    zeta = (eps - eta) / (2.0 * np.sqrt(np.log(2.0)))
    return growth_rate * (2.0 * np.exp(-(((ca - xi) / zeta) ** 2)) - 1.0)


def euler_like_nest(z, ca, t_from, t_to, h, tau_ca, growth_rate, eta, eps):
    """One update of z from `t_from` to `t_to` (ms) the way NEST integrates it (forward Euler at step h).

    Ca decays by one Euler step before each step's growth is evaluated; z is clipped at 0 at the end.
    `z` and `ca` may be arrays (one entry per neuron).
    """
    z, ca = np.array(z, dtype=float), np.array(ca, dtype=float)
    lag = t_from
    while lag < t_to - h / 2.0:  # NEST's loop condition, so that the number of steps is the same
        ca = ca - (ca / tau_ca) * h
        z = z + h * gaussian_growth_rate(ca, growth_rate, eta, eps)
        lag += h
    return np.maximum(z, 0.0)


def exact_integral(z, ca, t_from, t_to, tau_ca, growth_rate, eta, eps, points=20001):
    """One update of z with the growth curve integrated accurately along Ca(t) = ca exp(-(t - t_from)/tau_ca)."""
    s = np.linspace(0.0, t_to - t_from, points)
    rates = gaussian_growth_rate(np.outer(ca, np.exp(-s / tau_ca)), growth_rate, eta, eps)
    # Simpson's rule on an even number of intervals.
    weights = np.ones(points)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    integral = rates @ weights * (s[1] - s[0]) / 3.0
    return np.maximum(np.asarray(z) + integral, 0.0)


def test_synaptic_elements_follow_gaussian_growth_curve():
    """Elements of silent neurons held at known Ca grow or retract as the growth curve says.

    NEST integrates z from one event of the neuron to the next (structural updates every 1000 ms here,
    and the end of each Simulate call, here every 1500 ms), starting each stretch from the exact Ca.
    The neurons have dendrites only, so no synapse forms, and z stays below 1, so NEST's decay of vacant
    elements (which acts on whole elements) never applies.
    """
    h, interval, chunk, tau_ca = 0.1, 1000.0, 1500.0, 10_000.0
    curve = {"growth_curve": "gaussian", "growth_rate": 0.0001, "continuous": False, "eta": 0.02, "eps": 0.08}
    # Below eta (retract), between eta and eps (grow), above eps (retract), far above (retract to 0).
    ca0 = np.array([0.0, 0.01, 0.03, 0.05, 0.08, 0.12, 0.3])
    z0 = np.array([0.45, 0.45, 0.3, 0.3, 0.45, 0.45, 0.15])

    neurons = _silent_network(interval, tau_ca, n=len(ca0), h=h)
    for neuron, ca, z in zip(neurons, ca0, z0):
        neuron.set(Ca=ca, synaptic_elements={"Den_ex": dict(curve, z=z)})
    nest.EnableStructuralPlasticity()
    reads = []
    for _ in range(3):
        nest.Simulate(chunk)
        reads.append((nest.biological_time, [e["Den_ex"]["z"] for e in neurons.synaptic_elements], neurons.Ca))
    assert max(max(z) for _, z, _ in reads) < 1.0  # the precondition of this test (no vacant-element decay)

    # Stretches between events: updates at multiples of 1000 ms and ends of Simulate at multiples of 1500 ms.
    read_times = [t for t, _, _ in reads]
    events = sorted(set(np.arange(interval, read_times[-1] + 1, interval)) | set(read_times))
    z_scheme, z_exact, ca, t_from = z0.copy(), z0.copy(), ca0.copy(), 0.0
    args = {key: curve[key] for key in ("growth_rate", "eta", "eps")}
    for t_to in events:
        z_scheme = euler_like_nest(z_scheme, ca, t_from, t_to, h, tau_ca, **args)
        z_exact = exact_integral(z_exact, ca, t_from, t_to, tau_ca, **args)
        ca = ca * np.exp(-(t_to - t_from) / tau_ca)
        t_from = t_to
        if t_to in read_times:
            _, z_nest, ca_nest = reads[read_times.index(t_to)]
            np.testing.assert_allclose(ca_nest, ca, rtol=1e-12)
            # NEST's own discretisation, step for step: equal to rounding.
            np.testing.assert_allclose(z_nest, z_scheme, rtol=1e-10, atol=1e-13, err_msg=f"at {t_to} ms")
            # The growth-curve formula itself: forward Euler at 0.1 ms is within 1e-5 elements of it.
            np.testing.assert_allclose(z_nest, z_exact, rtol=0, atol=1e-5, err_msg=f"at {t_to} ms")

    # The curve's shape shows in the data: growth between eta and eps, retraction outside, clipping at 0.
    change = np.asarray(reads[0][1]) - z0
    assert change[2] > 0 and change[3] > 0
    assert change[0] < 0 and change[1] < 0 and change[5] < 0
    assert reads[-1][1][6] == 0.0


# === Equilibrium ====================================================================================
@pytest.mark.slow
def test_settled_network_fires_at_target_rate():
    """The full example (200 s, 1000 neurons, 100 ms updates): over the last 50 s each population fires
    at eps / (beta_Ca tau_Ca) within 5 % and its mean Ca is within 5 % of eps."""
    example = StructuralPlasticityExample()  # the defaults: the full example; several minutes of wall time
    results = example.run()
    beta, tau_s = example.model_params["beta_Ca"], example.model_params["tau_Ca"] / 1000.0
    last = results["time"] > results["time"][-1] - 50.0
    assert last.sum() == 50
    for population, eps in example.target_ca.items():
        target_rate = eps / (beta * tau_s)  # Hz
        rate = results[f"rate_{population}"][last].mean()
        ca = results[f"mean_ca_{population}"][last].mean()
        print(f"population {population}: rate {rate:.3f} Hz (target {target_rate:g}), mean Ca {ca:.4f} (eps {eps})")
        assert rate == pytest.approx(target_rate, rel=0.05), population
        assert ca == pytest.approx(eps, rel=0.05), population
