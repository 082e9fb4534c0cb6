"""Cost of the package's own element integration (`ElementState.advance`) per structural update.

For each network size and firing rate: NEST's example's elements (80 % excitatory neurons with Axon_ex,
Den_ex, Den_in; 20 % inhibitory with Axon_in, Den_ex, Den_in; gaussian curves), Ca starting at its set
point for that rate, and synthetic Poisson spikes (on the 0.1 ms grid, at most one per neuron and step).
Each repeat advances the same state by one update interval (100 ms) with fresh spikes. ``fast`` is
`advance` (Euler-Maclaurin step sums); ``steps`` is NEST's Euler loop stepped in numpy (``method="steps"``),
run once per size up to ``--steps-max`` neurons, on a copy of the state with the same spikes, and the
largest difference between the two is reported.

Examples
--------
``python benchmarks/elements_cost.py`` (about 1 minute),
``python benchmarks/elements_cost.py --sizes 1000 10000 --rates 5 --repeats 3 -o /tmp/cost.json``.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from structural_plasticity.model import StructuralPlasticityExample  # noqa: E402
from structural_plasticity.plasticity import ElementState  # noqa: E402

RESOLUTION = 0.1  # (ms)
BETA_CA, TAU_CA = 0.001, 10000.0  # NEST's defaults: Ca settles at rate (Hz) / 100


def build_state(n, rate, rng):
    """The elements of NEST's example for `n` neurons, Ca around its set point for `rate` (Hz)."""
    example = StructuralPlasticityExample
    n_exc = int(0.8 * n)
    excitatory = {"Axon_ex": example.growth_curve_e_e, "Den_ex": example.growth_curve_e_e}
    excitatory["Den_in"] = example.growth_curve_e_i
    inhibitory = {"Axon_in": example.growth_curve_i_i, "Den_ex": example.growth_curve_i_e}
    inhibitory["Den_in"] = example.growth_curve_i_i
    names = sorted(set(excitatory) | set(inhibitory))
    elements = {e: [excitatory.get(e)] * n_exc + [inhibitory.get(e)] * (n - n_exc) for e in names}
    ca = rng.normal(rate * BETA_CA * TAU_CA / 1000.0, 0.005, n).clip(0.0)
    return ElementState(np.arange(1, n + 1), elements, RESOLUTION, tau_Ca=TAU_CA, beta_Ca=BETA_CA, Ca=ca)


def spikes(state, rate, interval, rng):
    """Poisson spikes of every neuron of `state` in (t, t + interval], t the state's time."""
    t0 = float(state.Ca_time.max())
    counts = rng.poisson(rate * interval / 1000.0, state.n)
    senders = np.repeat(state.node_ids, counts)
    first = round(t0 / RESOLUTION) + 1
    steps = rng.integers(first, first + round(interval / RESOLUTION), senders.size)
    pairs = np.unique(np.stack([senders, steps]), axis=1)
    return pairs[0], pairs[1] * RESOLUTION, t0 + interval


def measure(n, rate, args, rng):
    state = build_state(n, rate, rng)
    fast, n_spikes = [], []
    for _ in range(args.repeats):
        senders, times, t = spikes(state, rate, args.interval, rng)
        start = time.perf_counter()
        state.advance(senders, times, t)
        fast.append(time.perf_counter() - start)
        n_spikes.append(int(senders.size))
    row = {"neurons": n, "rate_hz": rate, "spikes_per_update": float(np.mean(n_spikes))}
    row.update(fast_s=float(np.median(fast)), fast_s_min=float(np.min(fast)), fast_s_all=fast)
    if n <= args.steps_max:
        copy = ElementState.from_arrays(state.to_arrays(), RESOLUTION)
        senders, times, t = spikes(state, rate, args.interval, rng)
        start = time.perf_counter()
        copy.advance(senders, times, t, method="steps")
        row["steps_s"] = time.perf_counter() - start
        state.advance(senders, times, t)
        diff = [np.max(np.abs(state.z[e] - copy.z[e]) / np.maximum(np.abs(copy.z[e]), 1.0)) for e in state.names]
        row["max_rel_diff_fast_vs_steps"] = float(max(diff))
        row["speedup"] = row["steps_s"] / row["fast_s"]
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="numbers of neurons")
    parser.add_argument("--rates", type=float, nargs="+", default=[5.0, 20.0], help="firing rates (Hz)")
    parser.add_argument("--interval", type=float, default=100.0, help="update interval (ms); default 100")
    parser.add_argument("--repeats", type=int, default=5, help="updates timed per size and rate; default 5")
    parser.add_argument(
        "--steps-max", type=int, default=100000, help="largest size also run step by step; default 100000"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic spikes")
    parser.add_argument("-o", "--output", default=str(REPO / "benchmarks" / "results" / "elements-cost.json"))
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    rows = []
    header = ("neurons", "rate Hz", "spikes", "fast ms", "(min)", "steps ms", "speedup", "max diff")
    print(" ".join(f"{h:>9}" for h in header))
    for n in args.sizes:
        for rate in args.rates:
            row = measure(n, rate, args, rng)
            rows.append(row)
            cells = [n, rate, row["spikes_per_update"], row["fast_s"] * 1e3, row["fast_s_min"] * 1e3]
            text = [f"{cells[0]:9d}", f"{cells[1]:9.0f}", f"{cells[2]:9.0f}", f"{cells[3]:9.2f}", f"{cells[4]:9.2f}"]
            if "steps_s" in row:
                text += [f"{row['steps_s'] * 1e3:9.1f}", f"{row['speedup']:9.1f}"]
                text += [f"{row['max_rel_diff_fast_vs_steps']:9.1e}"]
            print(" ".join(text), flush=True)
    report = {
        "what": "ElementState.advance per update interval: fast (Euler-Maclaurin) vs NEST's Euler loop stepped",
        "interval_ms": args.interval,
        "resolution_ms": RESOLUTION,
        "elements": "NEST's example: E (80 %) Axon_ex, Den_ex, Den_in; I (20 %) Axon_in, Den_ex, Den_in; gaussian",
        "rows": rows,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average": list(os.getloadavg()),  # other work on the machine slows the timings
        "argv": sys.argv[1:] if argv is None else list(argv),
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {args.output}")


if __name__ == "__main__":
    main()
