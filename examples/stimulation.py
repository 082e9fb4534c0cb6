"""
Stimulation: how a group of neurons that fired together wires together
======================================================================

Homeostatic structural plasticity knows nothing of correlations, yet Gallinaro & Rotter (2018) showed
that it forms a cell assembly when a group of neurons is stimulated. During the stimulus the group
fires above its set point, so its neurons retract synaptic elements and lose synapses; when the
stimulus ends they fire below it and all grow elements at the same time, so their free elements are
likely to pair with each other. `StimulationExperiment` tells that story in three phases:

1. ``growth``: the network grows from no synapses until it settles;
2. ``stimulation``: 10 % of the excitatory neurons get 10 % more Poisson input;
3. ``recovery``: the extra input is off again, and we watch the connectivity within the group.

Run it with ``python examples/stimulation.py`` (about 5 minutes at the default size); it writes
``stimulation/`` next to where you run it. The command-line twin is
``python -m structural_plasticity stimulate``.
"""

import os

from structural_plasticity.experiments import StimulationExperiment, phase_values, signature

# Tests set SP_EXAMPLE_SHORT=1 to run every example in a few seconds.
SHORT = os.environ.get("SP_EXAMPLE_SHORT") == "1"


# === The model ======================================================================================
# Experiments are subclasses, and so are their variants: here a stronger stimulus, written as class
# attributes (they become parameters, settable by keyword and saved with the results).
class StrongStimulation(StimulationExperiment):
    """The stimulation experiment with a 20 % stronger input to the group."""

    stimulus_increase = 0.2  # extra input rate of the stimulated group, as a fraction of bg_rate


# === Parameters =====================================================================================
parameters = dict(
    growth_duration=150_000.0,  # growth until settled (ms)
    stimulation_duration=100_000.0,  # stimulus on (ms)
    recovery_duration=150_000.0,  # stimulus off again (ms)
    group_fraction=0.1,  # 10 % of the excitatory neurons are stimulated
)
if SHORT:
    # A small network whose elements grow 20 times faster, so that synapses appear within seconds.
    parameters.update(
        growth_duration=3_000.0,
        stimulation_duration=2_000.0,
        recovery_duration=2_000.0,
        record_interval=500.0,
        number_excitatory_neurons=160,
        number_inhibitory_neurons=40,
        **StimulationExperiment.growth_curves_scaled(20),
    )
experiment = StrongStimulation(**parameters)
print(
    f"{experiment.t_sim / 1000:g} s; the group gets +{experiment.stimulus_increase:.0%} input from "
    f"{experiment.growth_duration / 1000:g} s to {(experiment.growth_duration + experiment.stimulation_duration) / 1000:g} s"
)

# === Build and run ==================================================================================
# The extra input is a second Poisson generator, silent until the stimulation phase sets its rate.
results = experiment.run()

# === What happened ==================================================================================
window = 1.0 if SHORT else 10.0  # s, averaging window at the end of each phase
rates = phase_values(results, "rate_stimulated", window_s=window)
within = phase_values(results, "connections_stimulated_stimulated", window_s=window)
print(
    "rate of the stimulated group at the end of each phase (Hz):",
    ", ".join(f"{name} {value:.2f}" for name, value in rates.items()),
)
print(
    "synapses within the stimulated group at the end of each phase:",
    ", ".join(f"{name} {value:.0f}" for name, value in within.items()),
)
print(signature(results, window_s=window))

# === Save ===========================================================================================
from structural_plasticity.analysis.experiment_figures import plot_experiment  # noqa: E402

results.save("stimulation")
plot_experiment(results).savefig("stimulation/stimulation.png", dpi=120)
print("saved stimulation/")
