"""Shared fixtures: small, fast, seeded networks and a way to run the command line in a subprocess.

NEST has one kernel per process; every network built here starts with `nest.ResetKernel` (in
`prepare_simulation`). Command-line and MPI runs go to subprocesses so they cannot disturb the kernel of
the test process.
"""

import os
import signal
import subprocess
import sys

import pytest

# A test session started as a background job (``cmd &`` in a script) inherits SIGINT ignored, and so would
# every program it starts, which the package then leaves ignored on purpose: the tests that send SIGINT to
# a run need it as a user's shell delivers it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

#: A network small and short enough for a test: 80 E + 20 I neurons, 4 s, recorded every 0.5 s.
SMALL = dict(
    number_excitatory_neurons=80,
    number_inhibitory_neurons=20,
    t_sim=4000.0,
    record_interval=500.0,
    rng_seed=7,
)


#: How much faster than the defaults test networks grow, so that seconds of simulated time form synapses.
FAST_GROWTH_FACTOR = 20


def fast_growth(model=None):
    """Growth curves `FAST_GROWTH_FACTOR` times faster than `model`'s (default: NEST's example), so that a short
    test run forms synapses of every pathway; the one helper for fast-growing test networks."""
    from structural_plasticity import StructuralPlasticityExample

    return (model or StructuralPlasticityExample).growth_curves_scaled(FAST_GROWTH_FACTOR)


@pytest.fixture
def growing(small):
    """Parameters of a small network whose synapses form within its 4 s (E and I pathways all non-empty)."""
    return dict(small, **fast_growth())


@pytest.fixture
def small():
    """Parameters of a small, fast network (a fresh dict per test)."""
    return dict(SMALL)


def cli_env():
    """Environment for command-line subprocesses: non-interactive plotting, no NEST banner."""
    env = dict(os.environ)
    env.update(MPLBACKEND="Agg", PYNEST_QUIET="1")
    return env


def run_cli(*args, cwd=None, timeout=600, python=None):
    """Run ``python -m structural_plasticity ARGS`` and return the CompletedProcess (text output)."""
    return subprocess.run(
        [python or sys.executable, "-m", "structural_plasticity", *map(str, args)],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cli():
    """The `run_cli` function."""
    return run_cli
