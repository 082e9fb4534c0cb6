"""A network saved on 1 process restores on 2, and the other way round (``mpirun -n 2``).

Each run is a subprocess of the MPI environment's python. The driver grows and saves, or restores and
saves again right away; the two files must hold the same arrays (neurons, elements with ``z_connected``
as NEST counted it while connecting, synapses, input), since nothing was simulated in between.
"""

import json
import subprocess

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from test_mpi import FAST_GROWTH, RUN_TIMEOUT_S, _mpi_env, mpi_python, mpirun  # noqa: F401  (fixture)

DRIVER = """
import json, sys
from structural_plasticity import StructuralPlasticityExample

mode, params, path = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
if mode == "grow":
    network = StructuralPlasticityExample(**params)
    network.run()
    network.save_network(path)
else:
    network = StructuralPlasticityExample(**params, initial_network=sys.argv[4])
    network.build()
    network.save_network(path)
if network.comm.is_root:
    print("N_PROCESSES", network.comm.size)
"""


def _arrays(path):
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    return json.loads(str(arrays.pop("meta"))), arrays


def _run(python, n, *args, cwd):
    if n == 1:
        run = subprocess.run(
            [python, *args], cwd=cwd, env=_mpi_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S
        )
    else:
        run = mpirun(python, *args, cwd=cwd, n=n)
    assert run.returncode == 0, run.stderr
    assert f"N_PROCESSES {n}" in run.stdout
    return run


@pytest.mark.mpi
@pytest.mark.parametrize("grow_on, restore_on", [(1, 2), (2, 1)])
def test_saved_network_restores_on_another_number_of_processes(mpi_python, tmp_path, grow_on, restore_on):
    (tmp_path / "driver.py").write_text(DRIVER)
    params = json.dumps(FAST_GROWTH)
    _run(mpi_python, grow_on, "driver.py", "grow", params, "grown.npz", cwd=tmp_path)
    _run(mpi_python, restore_on, "driver.py", "restore", params, "again.npz", "grown.npz", cwd=tmp_path)
    meta_a, grown = _arrays(tmp_path / "grown.npz")
    meta_b, again = _arrays(tmp_path / "again.npz")
    assert (meta_a["n_processes"], meta_b["n_processes"]) == (grow_on, restore_on)
    assert meta_b["time_ms"] == meta_a["time_ms"] == FAST_GROWTH["t_sim"]
    assert len(grown["synapse_source"]) > 50
    assert sorted(grown) == sorted(again)
    for name in grown:
        assert_array_equal(again[name], grown[name], err_msg=name)
    assert meta_b["sha256"] == meta_a["sha256"]


SNAPSHOT_DRIVER = """
import json, sys
from structural_plasticity import StructuralPlasticityExample

network = StructuralPlasticityExample(**json.loads(sys.argv[1]), snapshot_every=1000.0)
results = network.run()
if network.comm.is_root:
    results.save("out")
    print("N_PROCESSES", network.comm.size)
"""


@pytest.mark.mpi
def test_snapshots_gather_every_rank(mpi_python, tmp_path):
    from structural_plasticity import connectivity, load_results

    (tmp_path / "driver.py").write_text(SNAPSHOT_DRIVER)
    _run(mpi_python, 2, "driver.py", json.dumps(FAST_GROWTH), cwd=tmp_path)
    results = load_results(tmp_path / "out")
    snapshots = connectivity.load_snapshots(tmp_path / "out")
    assert snapshots.times_s == [1.0, 2.0, 3.0, 4.0]
    at = results["time"] % 1.0 == 0
    for k, snapshot in enumerate(snapshots):
        d = connectivity.degrees(snapshot)
        for pathway in ("ee", "ei", "ie", "ii"):
            assert d[pathway]["in"].sum() == results[f"connections_{pathway}"][at][k]
    assert len(snapshots[3].source) > 50
