"""The provenance every result carries: which model, which parameters, seed, versions and processes."""

import platform
import sys
import time

import numpy as np

from .version import __version__


def versions(nest):
    """Return the versions every result and network file records: the package, NEST, Python, numpy."""
    return {
        "structural_plasticity": __version__,
        "nest": nest.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def provenance(network, nest):
    """Return the metadata a run of `network` starts with.

    Parameters
    ----------
    network : PlasticNetwork
        The network about to run (after `prepare_simulation`, so that its communicator exists).
    nest : module
        PyNEST, for its version.

    Returns
    -------
    dict
        JSON-serialisable: ``model`` (class path), ``parameters``, ``rng_seed``, ``target_ca`` (per
        population), ``ca_per_hz``, ``versions``, ``n_processes``, ``started_at``, ``command``,
        ``completed`` (False until the run ends) and ``status``.
    """
    return {
        "model": f"{type(network).__module__}.{type(network).__qualname__}",
        "parameters": network.parameters(),
        "rng_seed": network.rng_seed,
        "target_ca": network.target_ca,
        "ca_per_hz": network.ca_per_hz,
        "versions": versions(nest),
        "n_processes": network.comm.size,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": list(sys.argv),
        "completed": False,
        "status": "prepared",
    }
