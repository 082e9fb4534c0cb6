"""The package's structural update on 2 MPI processes (and 2 processes x 2 threads): every rank agrees, NEST agrees.

Each rank holds the list of every plastic synapse and integrates its own neurons' elements; every choice is
made from the same global numbers with the same generator, and each rank connects and disconnects the synapses
onto its own neurons. The driver checks after the run, on every rank: the package's lists are the same on
all ranks, equal NEST's synapses gathered from all ranks, and the bound elements of each local neuron equal
its synapses in those lists.
"""

import json

import numpy as np
import pytest
from test_mpi import FAST_GROWTH, N_PROCESSES, _json_line, mpi_python, mpirun  # noqa: F401  (mpi_python: fixture)
from test_space import TINY_CLI

from structural_plasticity import load_results

DRIVER = '''
"""Run the example with the package's structural update under MPI; check its bookkeeping on every rank."""
import hashlib
import json
import sys

import nest
import numpy as np
from mpi4py import MPI

from structural_plasticity import StructuralPlasticityExample

params = json.loads(sys.argv[1])
example = StructuralPlasticityExample(**params)
results = example.run()
if len(sys.argv) > 2:
    example.save_network(sys.argv[2])
comm = MPI.COMM_WORLD
update = example.updater
checks = {}
for model, syn in example.structure.synapses.items():
    table = update.synapses[model]
    mine = sorted(zip(update.ids[table.sources].tolist(), update.ids[table.targets].tolist()))
    conns = nest.GetConnections(synapse_model=model)
    local = []
    if len(conns):  # under MPI a deleted synapse is silenced (weight 0), not disconnected
        values = conns.get(["source", "target", "weight"])
        alive = np.atleast_1d(values["weight"]) != 0.0
        source, target = np.atleast_1d(values["source"])[alive], np.atleast_1d(values["target"])[alive]
        local = list(zip(source.tolist(), target.tolist()))
    in_nest = sorted(pair for rank in comm.allgather(local) for pair in rank)
    digest = hashlib.sha256(json.dumps(mine).encode()).hexdigest()
    checks[f"{model} same on every rank"] = len(set(comm.allgather(digest))) == 1
    checks[f"{model} equals NEST"] = mine == in_nest
    checks[f"{model} synapses"] = len(mine)
    for element, degree in ((syn.pre_element, table.out_degree), (syn.post_element, table.in_degree)):
        ok = bool(np.array_equal(update.elements.connected[element], degree[update.local]))
        checks[f"{element} bound = {model} synapses"] = all(comm.allgather(ok))
checks["local neurons"] = comm.allreduce(len(update.local))
checks["created - deleted"] = update.stats["created"] - update.stats["deleted"]
checks["recorded synapses"] = int(sum(results[f"connections_{p}"][-1] for p in ("ee", "ei", "ie", "ii")))
checks["threads"] = nest.local_num_threads
if comm.rank == 0:
    print("RESULT " + json.dumps({"checks": checks, "n_processes": results.metadata["n_processes"]}))
'''


def _run(mpi_python, tmp_path, threads, save=None):
    (tmp_path / "driver.py").write_text(DRIVER)
    params = dict(FAST_GROWTH, structural_update="package", threads=threads)
    run = mpirun(mpi_python, "driver.py", json.dumps(params), *([str(save)] if save else []), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = _json_line(run.stdout)
    assert data["n_processes"] == N_PROCESSES
    return data["checks"]


@pytest.mark.mpi
@pytest.mark.parametrize("threads", [1, 2])
def test_every_rank_agrees_and_nest_agrees(mpi_python, tmp_path, threads):
    checks = _run(mpi_python, tmp_path, threads)
    assert checks["threads"] == threads
    assert checks["local neurons"] == 100  # every neuron on exactly one rank
    for name, value in checks.items():
        if name.endswith("same on every rank") or name.endswith("equals NEST") or " bound = " in name:
            assert value is True, name
    assert checks["synapse_ex synapses"] > 0 and checks["synapse_in synapses"] > 0
    assert checks["created - deleted"] == checks["recorded synapses"]  # from no synapses


@pytest.mark.mpi
def test_a_network_saved_on_two_processes_restores_into_one(mpi_python, tmp_path):
    from structural_plasticity import StructuralPlasticityExample
    from structural_plasticity.networks import state

    path = tmp_path / "grown.npz"
    _run(mpi_python, tmp_path, 1, save=path)
    saved = state.load_network(path)
    restored = StructuralPlasticityExample(
        **dict(FAST_GROWTH, t_sim=500.0), initial_network=str(path), structural_update="package"
    )
    restored.build()
    restored.updater.start()
    for model in restored.structure.synapses:
        source, target = saved.synapses(model)[:2]
        table = restored.updater.synapses[model]
        assert sorted(
            zip(restored.updater.ids[table.sources].tolist(), restored.updater.ids[table.targets].tolist())
        ) == sorted(zip(source.tolist(), target.tolist()))
    columns = [saved.meta["element_names"].index(e) for e in restored.structure.element_names]
    table = restored.updater.element_table(restored.nodes["e"] + restored.nodes["i"])
    assert np.array_equal(np.nan_to_num(table["z"]), np.nan_to_num(saved.arrays["element_z"][:, columns]))


@pytest.mark.mpi
def test_the_focal_lesion_runs_on_two_processes_of_two_threads(mpi_python, tmp_path):
    out = tmp_path / "focal"
    run = mpirun(
        mpi_python, "-m", "structural_plasticity", "focal-lesion", "--threads", "2", *TINY_CLI, "-o", out, "-q"
    )
    assert run.returncode == 0, run.stderr
    results = load_results(out)
    assert results.metadata["completed"] and results.metadata["n_processes"] == N_PROCESSES
    assert results.metadata["zones"]["lpz_neurons"] == 8
    assert results.metadata["lesion"]["input_connections_changed"] == 8  # counted over both ranks
    for name in ("focal_lesion.png", "focal_lesion_maps.png", "maps.npz", "positions.npz", "signature.txt"):
        assert (out / name).is_file(), name
    maps = np.load(out / "maps.npz")
    assert maps["ca"].shape == (3, 150)  # every neuron's Ca, gathered from both ranks
