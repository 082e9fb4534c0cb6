"""
Re-plotting saved results without simulating
============================================

A run's output folder holds everything needed to draw new figures later: ``results.npz`` (arrays),
``results.csv`` (the same, for spreadsheets or pandas) and ``metadata.json`` (parameters, seed,
versions). `load_results` reads them back (never unpickling anything), and the plotting functions
accept your own axes, so saved runs drop into your own figures.

Usage: ``python examples/replot.py [FOLDER] [--t-sim S]``, where FOLDER is the output of a run
(default: ``results``, what ``python -m structural_plasticity`` writes); a FOLDER without results gets a short
run of ``--t-sim`` seconds first.
"""

import argparse
import os

import matplotlib.pyplot as plt

from structural_plasticity import StructuralPlasticityExample, load_results
from structural_plasticity.plotting import plot_ca_and_connections

parser = argparse.ArgumentParser(description="Draw saved results into a figure of your own.")
parser.add_argument("folder", nargs="?", default="results", help="output folder of a run (default: results)")
parser.add_argument("--t-sim", type=float, default=3.0, help="length (s) of the run made when FOLDER is empty")
args = parser.parse_args()
folder = args.folder

# === Get results ====================================================================================
if not os.path.exists(os.path.join(folder, "metadata.json")):
    # Nothing saved yet: make a small run first, so that this example also works on its own.
    print(f"{folder}/ holds no results; running a short simulation to create some")
    small = StructuralPlasticityExample(
        t_sim=args.t_sim * 1000.0, number_excitatory_neurons=80, number_inhibitory_neurons=20
    )
    small.run().save(folder)

# === Load ===========================================================================================
results = load_results(folder)
meta = results.metadata
print(
    f"{folder}: {len(results)} samples, seed {meta['rng_seed']}, NEST {meta['versions']['nest']}, "
    f"completed: {meta['completed']}"
)

# === Plot into our own figure =======================================================================
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
plot_ca_and_connections(results, ax=left)  # the figure of NEST's example, in the left panel
rate_per_ca = 1.0 / meta["ca_per_hz"]
right.plot(results.time, results.mean_ca_e * rate_per_ca, "b", label="E: rate implied by mean Ca")
right.plot(results.time, results.rate_e, "b:", label="E: rate from spike counts")
right.plot(results.time, results.mean_ca_i * rate_per_ca, "r", label="I: rate implied by mean Ca")
right.plot(results.time, results.rate_i, "r:", label="I: rate from spike counts")
right.set_xlabel("time (s)")
right.set_ylabel("firing rate (Hz)")
right.legend(fontsize="small")
fig.tight_layout()
fig.savefig(os.path.join(folder, "replot.png"), dpi=120)  # a file of yours: the package never touches it
print(f"saved {folder}/replot.png")
print(
    "What you should see: on the left NEST's figure of the run, on the right each population's rate measured from "
    "spikes (dotted, noisy) and the rate its mean Ca implies (solid): a 10 s low-pass of the same spikes."
)
