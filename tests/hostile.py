"""Helpers of the tests of hostile and unlucky input (issue 22): children under a memory limit, tampered files.

Inputs that once crashed NEST or exhausted the machine are run in a subprocess whose address space is
capped (`limited`), so that a regression fails the test (MemoryError, a killed child) instead of taking
the machine down.
"""

import json
import resource
import subprocess
import sys

import numpy as np
from conftest import cli_env

from structural_plasticity import Results

#: Address-space limit of children that meet hostile input (bytes): NEST and a tiny run need about 0.3 GB.
CHILD_MEMORY = 1536 << 20


def limited(limit=CHILD_MEMORY):
    """A ``preexec_fn`` that caps a child's address space: a runaway allocation fails with MemoryError."""
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def child_env(**extra):
    """The command line's test environment, with one BLAS thread (each reserves address space)."""
    return dict(cli_env(), OPENBLAS_NUM_THREADS="1", **extra)


def in_child(code, *args, timeout=120, cwd=None):
    """Run Python `code` (``sys.argv[1:]`` = `args`) in a subprocess under `CHILD_MEMORY`; return it."""
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        preexec_fn=limited(),
    )


def run_limited(*args, timeout=300, cwd=None, env=None):
    """Run ``python -m structural_plasticity ARGS`` under `CHILD_MEMORY`; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "structural_plasticity", *map(str, args)],
        env=env or child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        preexec_fn=limited(),
    )


def one_line_error(out, *fragments, status=2):
    """Assert a user error: exit status 2, one line on stderr naming `fragments`, no traceback."""
    assert out.returncode == status, (out.returncode, out.stderr[-3000:])
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr[-3000:]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def make_results(n=4, completed=True, seed=1):
    """Results of `n` samples whose length is also in their metadata (``rng_seed``) when `seed` is None."""
    t = np.arange(1, n + 1, dtype=float)
    series = {"time": t, "mean_ca_e": 0.01 * t, "mean_ca_i": 0.02 * t}
    for key in ("total_connections_e", "total_connections_i", "connections_ee", "connections_ei"):
        series[key] = np.arange(n) * (seed or 1)
    meta = {"target_ca": {"e": 0.05, "i": 0.2}, "completed": completed, "rng_seed": n if seed is None else seed}
    meta["ca_per_hz"] = 0.01
    return Results(series, meta)


def resign(folder):
    """Rewrite the manifest of `folder` for the files now there (as anyone can): a tampered, valid-looking unit."""
    from structural_plasticity import folder as folders

    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"] = {name: folders._entry(folder / name) for name in manifest["files"]}
    path.write_text(json.dumps(manifest))


def resigned(arrays, changes, dst):
    """Write a network file to `dst`: `arrays` (with ``meta``) after each ``change(arrays, meta)``, re-signed.

    A tampered file as anyone can make one: the package's digest is recomputed, so only the checks of the
    reader, not the checksum, can refuse it.
    """
    from structural_plasticity.networks import state

    arrays = {name: np.array(value, copy=True) for name, value in arrays.items()}
    meta = json.loads(str(arrays.pop("meta")))
    for change in changes:
        change(arrays, meta)
    meta["sha256"] = state._digest(arrays)
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(dst, **arrays)
    return dst
