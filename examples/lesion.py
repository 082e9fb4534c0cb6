"""
A lesion: what the network does when a group of neurons loses its input
=======================================================================

Butz & van Ooyen (2013) built this model to explain how visual cortex rewires after a retinal lesion.
Neurons in the "lesion projection zone" lose their external drive, fall silent, and over the
following weeks receive new synapses from intact neighbours until their activity returns toward its
set point. `LesionExperiment` replays that story in NEST:

1. ``growth``: the network grows from no synapses until every neuron's calcium sits at its target;
2. ``recovery``: at its start the Poisson input of 10 % of the excitatory neurons is switched off,
   and we record how the network rewires.

Run it with ``python examples/lesion.py`` (about 5 minutes for the full 400 s of 1000 neurons); it
writes ``lesion/`` next to where you run it. The command-line twin is
``python -m structural_plasticity lesion``.
"""

import os

from structural_plasticity.experiments import LesionExperiment, phase_values, signature

# Tests set SP_EXAMPLE_SHORT=1 to run every example in a few seconds.
SHORT = os.environ.get("SP_EXAMPLE_SHORT") == "1"

# === Parameters =====================================================================================
# The protocol is made of class attributes, like every other parameter; times are in ms.
parameters = dict(
    growth_duration=150_000.0,  # growth until settled (ms); the network settles after about 100 s
    recovery_duration=250_000.0,  # time recorded after the lesion (ms)
    group_fraction=0.1,  # 10 % of the excitatory neurons lose their input
    lesion_input_kept=0.0,  # complete deafferentation (0.5 would halve their input instead)
)
if SHORT:
    # A small network whose elements grow 20 times faster, so that synapses appear within seconds.
    parameters.update(
        growth_duration=4_000.0,
        recovery_duration=3_000.0,
        record_interval=500.0,
        number_excitatory_neurons=160,
        number_inhibitory_neurons=40,
        **LesionExperiment.growth_curves_scaled(20),
    )
experiment = LesionExperiment(**parameters)
# The run lasts the sum of its phases: t_sim is derived, never set.
print(
    f"{experiment.t_sim / 1000:g} s of {experiment.number_excitatory_neurons} + "
    f"{experiment.number_inhibitory_neurons} neurons; the lesion comes at {experiment.growth_duration / 1000:g} s"
)

# === Build and run ==================================================================================
# The same four steps as the plain model. create_nodes also picks the groups: "lesioned" is a random
# sample drawn with numpy from rng_seed (the same seed gives the same group), "intact" the rest.
results = experiment.run()
groups = {g["name"]: g["size"] for g in results.metadata["groups"]}
print(
    f"groups: {groups}; the lesion changed {results.metadata['lesion']['input_connections_changed']} "
    "input connections"
)

# === What happened ==================================================================================
# Each phase's start and end are in the metadata, and every sample knows its phase (results.phase).
# phase_values averages a series over the last seconds of each phase.
window = 1.0 if SHORT else 10.0  # s
ca = phase_values(results, "mean_ca_lesioned", window_s=window)
rate_after = phase_values(results, "rate_lesioned", window_s=window, at="start")["recovery"]
inputs = phase_values(results, "connections_intact_lesioned", window_s=window)
print(
    f"lesioned group: Ca {ca['growth']:.4f} before the lesion, {ca['recovery']:.4f} at the end "
    f"(target {experiment.target_ca['e']}); rate {rate_after:.2f} Hz just after the lesion"
)
print(f"synapses from intact onto lesioned neurons: {inputs['growth']:.0f} before, {inputs['recovery']:.0f} at the end")
# The whole table: Ca, rates, connections between the groups and dendritic elements, per phase.
print(signature(results, window_s=window))

# === Save ===========================================================================================
# Data (NPZ, CSV) and metadata (JSON, with the phases and the neurons of each group), then the figure
# of the experiment: phases shaded, group Ca, rates, connections and dendritic elements.
from structural_plasticity.analysis.experiment_figures import plot_experiment  # noqa: E402

results.save("lesion")
plot_experiment(results).savefig("lesion/lesion.png", dpi=120)
print("saved lesion/")
