"""
A first run: a smaller, shorter network with a few parameters changed
=====================================================================

The full example simulates 1000 neurons for 200 s of biological time, which takes a few minutes.
Here we build a quarter of it and watch the first 30 s: long enough to see synapses appear and
calcium climb towards its target, short enough to finish in well under a minute.

Run it with ``python examples/short_run.py``; it writes ``short_run/`` next to where you run it.
"""

import os

from structural_plasticity import StructuralPlasticityExample

# Tests set SP_EXAMPLE_SHORT=1 to run every example in a few seconds.
SHORT = os.environ.get("SP_EXAMPLE_SHORT") == "1"

# === Parameters =====================================================================================
# Every parameter of the class can be given by keyword. Times are in ms, as in NEST.
example = StructuralPlasticityExample(
    t_sim=4_000.0 if SHORT else 30_000.0,  # simulated time (ms)
    number_excitatory_neurons=200,  # a quarter of the default network...
    number_inhibitory_neurons=50,  # ...keeping the 80/20 split
    rng_seed=2013,  # the year of Butz & van Ooyen's paper; any seed gives a reproducible run
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
print(f"firing rates: E {results.rate_e[-1]:.2f} Hz, I {results.rate_i[-1]:.2f} Hz")
print(
    f"synapses: E->E {results.connections_ee[-1]}, E->I {results.connections_ei[-1]}, "
    f"I->E {results.connections_ie[-1]}, I->I {results.connections_ii[-1]}"
)

# === Save ===========================================================================================
# The same files as the command line writes: NPZ + CSV data and a JSON file with all parameters,
# the seed and the versions of NEST and this package.
results.save("short_run")
fig = example.plot_data()
fig.savefig("short_run/structural_plasticity.png", dpi=120)
print("saved short_run/")
