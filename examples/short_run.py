"""
A first run: a smaller, shorter network with a few parameters changed
=====================================================================

The full example simulates 1000 neurons for 200 s of biological time, which takes a few minutes.
Here we build a quarter of it and watch the first 30 s: long enough to see synapses appear and
calcium climb towards its target, short enough to finish in well under a minute.

Run it with ``python examples/short_run.py`` (``--t-sim 10`` for a quicker look, ``--help`` for the options); it
writes ``short_run/`` next to where you run it.
"""

import argparse

from structural_plasticity import StructuralPlasticityExample

# === Options ========================================================================================
# A few options so that you can make the run shorter or larger; every class parameter has a keyword.
parser = argparse.ArgumentParser(description="A short run of a quarter of NEST's example network.")
parser.add_argument("--t-sim", type=float, default=30.0, help="simulated time in s (default: 30)")
parser.add_argument("--n-exc", type=int, default=200, help="excitatory neurons (default: 200)")
parser.add_argument("--n-inh", type=int, default=50, help="inhibitory neurons (default: 50)")
parser.add_argument("--seed", type=int, default=2013, help="seed of NEST's random numbers (default: 2013)")
parser.add_argument("-o", "--output", default="short_run", help="output folder (default: short_run)")
args = parser.parse_args()

# === Parameters =====================================================================================
# Every parameter of the class can be given by keyword. Times are in ms, as in NEST.
example = StructuralPlasticityExample(
    t_sim=args.t_sim * 1000.0,  # simulated time (ms)
    number_excitatory_neurons=args.n_exc,  # a quarter of the default network...
    number_inhibitory_neurons=args.n_inh,  # ...keeping the 80/20 split
    rng_seed=args.seed,  # the year of Butz & van Ooyen's paper; any seed gives a reproducible run
    recordings=["spikes"],  # keep every spike too (recording.npz; off by default)
)
print(
    f"Simulating {example.t_sim / 1000:g} s of {example.number_excitatory_neurons} + "
    f"{example.number_inhibitory_neurons} neurons"
)

# === Build and run ==================================================================================
# run() performs the four phases of NEST's example: prepare_simulation, create_nodes,
# connect_external_input and simulate. It returns the recorded Results.
results = example.run()

# === Look at the numbers ============================================================================
# Every series is a numpy array with one value per record_interval (1 s by default).
print(
    f"mean Ca after {results.time[-1]:g} s: E {results.mean_ca_e[-1]:.4f} (target {example.target_ca['e']}), "
    f"I {results.mean_ca_i[-1]:.4f} (target {example.target_ca['i']})"
)
print(f"firing rates in the last second: E {results.rate_e[-1]:.2f} Hz, I {results.rate_i[-1]:.2f} Hz")
print(
    f"synapses: E->E {results.connections_ee[-1]}, E->I {results.connections_ei[-1]}, "
    f"I->E {results.connections_ie[-1]}, I->I {results.connections_ii[-1]}"
)
spikes = example.neuron_recording.arrays()["spike_times_ms"]
print(f"spikes recorded: {len(spikes)} ({len(spikes) / results.time[-1] / (args.n_exc + args.n_inh):.2f} per neuron-s)")
print(
    "What you should see (the defaults, 30 s with seed 2013, printed E Ca 0.0487 and I Ca 0.0834, rates of about "
    "4 and 9 Hz and 146 synapses): excitatory Ca close to its target, inhibitory Ca still climbing towards its "
    "four times higher one. The network settles after about 100 s: try --t-sim 200."
)

# === Save ===========================================================================================
# The same files as the command line writes: NPZ + CSV data, a JSON file with all parameters, the seed
# and the versions of NEST and this package, and recording.npz with the spikes.
results.save(args.output)
fig = example.plot_data()
fig.savefig(f"{args.output}/structural_plasticity.png", dpi=120, bbox_inches="tight")
print(f"saved {args.output}/")
