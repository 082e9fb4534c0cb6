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

Run it with ``python examples/lesion.py`` (about 5 minutes for the full 400 s of 1000 neurons; ``--help`` for
shorter runs, e.g. ``--growth 4 --recovery 3 --n-exc 160 --n-inh 40 --faster 20``); it writes ``lesion/`` next
to where you run it. The command-line twin is
``python -m structural_plasticity lesion``.
"""

import argparse

from structural_plasticity.experiments import LesionExperiment, phase_values, signature

# === Options ========================================================================================
parser = argparse.ArgumentParser(description="A lesion of 10 % of the excitatory neurons after growth.")
parser.add_argument("--growth", type=float, default=150.0, help="growth before the lesion in s (default: 150)")
parser.add_argument("--recovery", type=float, default=250.0, help="time recorded after it in s (default: 250)")
parser.add_argument("--n-exc", type=int, default=800, help="excitatory neurons (default: 800)")
parser.add_argument("--n-inh", type=int, default=200, help="inhibitory neurons (default: 200)")
parser.add_argument(
    "--faster",
    type=float,
    default=1.0,
    help="grow synaptic elements this many times faster (default: 1); makes a short run form synapses within "
    "seconds, at the price of other dynamics (rate peaks far above the targets)",
)
args = parser.parse_args()

# === Parameters =====================================================================================
# The protocol is made of class attributes, like every other parameter; times are in ms.
parameters = dict(
    growth_duration=args.growth * 1000.0,  # growth until settled (ms); the network settles after about 100 s
    recovery_duration=args.recovery * 1000.0,  # time recorded after the lesion (ms)
    group_fraction=0.1,  # 10 % of the excitatory neurons lose their input
    lesion_input_kept=0.0,  # complete deafferentation (0.5 would halve their input instead)
    number_excitatory_neurons=args.n_exc,
    number_inhibitory_neurons=args.n_inh,
)
if args.growth < 10 or args.recovery < 10:
    parameters["record_interval"] = 500.0  # more samples in a short run
if args.faster != 1.0:
    parameters.update(LesionExperiment.growth_curves_scaled(args.faster))
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
window = min(10.0, args.growth / 4, args.recovery / 4)  # s: 10 s, or a quarter of a short phase
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
print(
    "What you should see with the defaults (docs/experiments.md): the lesioned group's rate falls from about 5 Hz "
    "to nearly 0, its dendritic spines grow and it gains input from intact neurons, but its Ca does not return to "
    "the target within 250 s (NEST's example's growth curves stall as Ca approaches 0)."
)

# === Save ===========================================================================================
# Data (NPZ, CSV) and metadata (JSON, with the phases and the neurons of each group), then the figure
# of the experiment: phases shaded, group Ca, rates, connections and dendritic elements.
from structural_plasticity.analysis.experiment_figures import plot_experiment  # noqa: E402

results.save("lesion")
plot_experiment(results).savefig("lesion/lesion.png", dpi=120, bbox_inches="tight")
print("saved lesion/")
