"""Ensembles and merge under hostile or unlucky input (issue 22, family 8).

Plans are checked without running a member (in-process, through the command line's ``ensemble`` with
``--list`` or with a failing check); the members that must exist for the merge tests come from one tiny
ensemble of two seeds, run once and copied for each test, then tampered with.
"""

import errno
import json
import os
import shutil
import subprocess
import sys
import time

import pytest
from conftest import cli_env, run_cli
from hostile import child_env, make_results, one_line_error, resign
from test_ensemble import main_ensemble, main_merge, make_plan, member_env  # noqa: F401  (member_env: a fixture)

from structural_plasticity import ConfigurationError, ensemble
from structural_plasticity.cli import SIMULATIONS
from structural_plasticity.ensemble import member_state, merge_ensemble, parse_seeds, run_ensemble
from structural_plasticity.ensemble.plan import MAX_MEMBERS, load_plan, point_names

TINY = ["--n-exc", "40", "--n-inh", "10", "--t-sim", "1", "--record-interval", "500", "--no-plot"]


def refused(capsys, argv, *fragments, main=None):
    """Assert that the ``ensemble`` (or `main`) command line refuses `argv` with one line and exit status 2."""
    assert (main or main_ensemble)(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    for fragment in fragments:
        assert fragment in err[0], (fragment, err[0])
    return err[0]


# ----------------------------------------------------------------------------------------------------
# Seeds and grid points
# ----------------------------------------------------------------------------------------------------
def test_huge_seed_ranges_are_refused_at_once_without_memory():
    started = time.monotonic()
    for text in ("1-4294967295", f"1-{MAX_MEMBERS + 1}", "1-5,7-99999999"):
        with pytest.raises(ConfigurationError, match=f"at most {MAX_MEMBERS} members"):
            parse_seeds(text)
    with pytest.raises(ConfigurationError, match="from 1 to 4294967295"):
        parse_seeds("1-99999999999999999999")
    assert time.monotonic() - started < 1


def test_a_hundred_thousand_seeds_are_planned_in_seconds(tmp_path, capsys):
    started = time.monotonic()
    assert main_ensemble(["--seeds", f"1-{MAX_MEMBERS}", "-o", str(tmp_path / "e"), "--list"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].split() == [
        str(MAX_MEMBERS - 1),
        str(MAX_MEMBERS),
        f"seed-{MAX_MEMBERS}",
    ]
    assert time.monotonic() - started < 20  # the duplicate check once took more than 120 s
    with pytest.raises(ConfigurationError, match="seed 3 is given twice"):
        parse_seeds(f"1-{MAX_MEMBERS - 1},3")


def test_grid_values_never_share_a_member_folder():
    plan = make_plan("run", [1], ["neuron_model=a/b.npz,a_b.npz,a b.npz"])
    folders = [m.folder for m in plan.members]
    assert len(set(folders)) == 3 and "neuron_model-a_b.npz_seed-1" in folders  # the safe value keeps its name
    assert all("/" not in f and " " not in f for f in folders)
    assert [m.point_name for m in plan.members] == point_names(plan.points)


def test_deeply_nested_grid_values_are_one_line(tmp_path, capsys):
    for value in ("[" * 3000, '{"a": ' * 800 + "1" + "}" * 800):
        refused(capsys, ["--grid", f"model_params={value}", "-o", str(tmp_path / "e"), "--list"], "levels deep")


def test_a_long_grid_value_gives_a_short_folder_name():
    plan = make_plan("run", [1, 2], [f"neuron_model={'x' * 300},{'x' * 299}y"])
    names = [m.folder for m in plan.members]
    assert len(set(names)) == 4 and max(len(n) for n in names) < 100


def test_many_long_grid_values_give_a_folder_name_the_system_takes(tmp_path):
    grid = {"neuron_model": ["m" * 150], "initial_network": ["n" * 150], "save_network_path": ["s" * 150]}
    plan = ensemble.make_plan("run", [1], grid, model=SIMULATIONS["run"].default_model)
    assert len(plan.members[0].folder) < 255
    (tmp_path / plan.members[0].folder).mkdir()  # no ENAMETOOLONG


# ----------------------------------------------------------------------------------------------------
# Launch and member options, checked once before any member starts
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "option, fragment",
    [
        (["--python", "/nonexistent/python"], "is not an executable program"),
        (["--launcher", "nosuch -n 2"], "'nosuch' is not a program on PATH"),
        (["--launcher", "'srun -n 2"], "No closing quotation"),
    ],
)
def test_unusable_python_or_launcher_is_one_line_before_anything_is_written(tmp_path, capsys, option, fragment):
    refused(capsys, ["--seeds", "1", "-o", str(tmp_path / "e"), *option, *TINY], fragment)
    assert not (tmp_path / "e").exists()


def test_member_options_are_checked_up_front_and_a_corrected_rerun_runs(tmp_path, capsys):
    folder = tmp_path / "e"
    refused(capsys, ["--seeds", "1-2", "-o", str(folder), *TINY, "--n-exc", "-5"], "--n-exc: must be positive")
    refused(capsys, ["--seeds", "1-2", "-o", str(folder), *TINY, "--bogus", "1"], "unrecognized arguments: --bogus")
    refused(capsys, ["--seeds", "1-2", "-o", str(folder), *TINY, "--set", "psc_e=1e300"], "beyond any meaningful")
    refused(capsys, ["lesion", "--seeds", "1", "-o", str(folder), *TINY], "--t-sim does not apply")
    refused(capsys, ["--seeds", "1-2", "-o", str(folder), *TINY, "--save-network", "n.npz"], "the same file n.npz")
    assert not folder.exists()  # no plan was written, so the corrected command is not "another ensemble"
    assert main_ensemble(["--seeds", "1", "-o", str(folder), "-q", "--no-merge", *TINY]) == 0
    assert member_state(folder / "seed-1") == "completed"


def test_the_grid_check_counts_the_run_options(tmp_path, capsys):
    network = tmp_path / "grown.npz"
    assert run_cli(*TINY, "--seed", "1", "-q", "--save-network", network, "-o", tmp_path / "grow").returncode == 0
    grid = ["--grid", f"initial_network={network}"]
    assert main_ensemble(["--seeds", "1", "-o", str(tmp_path / "e"), "--list", *grid, *TINY]) == 0
    # Without --n-exc the sizes come from the file (--from-network's rule); a size that contradicts it is refused.
    assert main_ensemble(["--seeds", "1", "-o", str(tmp_path / "f"), "--list", *grid]) == 0
    refused(capsys, ["--seeds", "1", "-o", str(tmp_path / "g"), "--list", *grid, "--n-exc", "80"], "leave out --n-exc")


# ----------------------------------------------------------------------------------------------------
# Members and merge
# ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """An ensemble of two tiny members (seeds 1 and 2), run and merged once; tests work on copies."""
    folder = tmp_path_factory.mktemp("ens") / "e"
    env = dict(cli_env(), PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "structural_plasticity",
            "ensemble",
            "--seeds",
            "1-2",
            "-j",
            "2",
            "-o",
            folder,
            "-q",
            "--no-merge",
            *TINY,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return folder


@pytest.fixture
def ens(finished, tmp_path):
    copy = tmp_path / "e"
    shutil.copytree(finished, copy)
    return copy


@pytest.mark.parametrize("content", [b"[1]", b"\xff\xfe not UTF-8", b'{"completed": "yes"}'])
def test_a_member_with_damaged_metadata_is_incomplete_and_left_out(ens, capsys, content):
    (ens / "seed-2" / "metadata.json").write_bytes(content)
    resign(ens / "seed-2")
    assert member_state(ens / "seed-2") == "incomplete"
    assert main_merge([str(ens), "--no-plot", "-q"]) == 0
    merged = merge_ensemble(ens, write=False, commands=SIMULATIONS)
    assert merged[0].seeds == [1] and merged[0].metadata["left_out"][0]["state"] == "incomplete"


def test_a_member_left_writing_with_completed_true_runs_again(ens):
    manifest = json.loads((ens / "seed-2" / "manifest.json").read_text())
    manifest["state"] = "writing"  # killed while committing a save whose metadata says completed
    (ens / "seed-2" / "manifest.json").write_text(json.dumps(manifest))
    assert json.loads((ens / "seed-2" / "metadata.json").read_text())["completed"] is True
    assert member_state(ens / "seed-2") == "incomplete"
    plan = load_plan(ens, SIMULATIONS)
    report = run_ensemble(plan, ens, jobs=1, progress=False)
    assert [o.status for o in report.outcomes] == ["skipped", "completed"]
    assert member_state(ens / "seed-2") == "completed"


def test_another_run_copied_in_as_a_member_is_reported_and_left_out(ens, capsys):
    shutil.rmtree(ens / "seed-2")
    shutil.copytree(ens / "seed-1", ens / "seed-2")  # seed 1's results in seed 2's folder
    assert member_state(ens / "seed-2") == "completed"
    assert main_merge([str(ens), "--no-plot", "-q"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "left out seed-2" in err[0] and "seed 1, not 2" in err[0], err
    summary = json.loads((ens / "merged" / "summary.json").read_text())
    assert summary["points"][0]["seeds"] == [1]


def test_a_member_of_other_parameters_is_left_out(ens, capsys):
    meta = json.loads((ens / "seed-2" / "metadata.json").read_text())
    meta["parameters"]["number_excitatory_neurons"] = 41
    (ens / "seed-2" / "metadata.json").write_text(json.dumps(meta))
    resign(ens / "seed-2")
    assert main_merge([str(ens), "--no-plot", "-q"]) == 0
    assert "number_excitatory_neurons = 41, not 40" in capsys.readouterr().err


def test_a_tampered_member_does_not_block_the_merge(ens, capsys):
    import numpy as np

    np.savez(ens / "seed-2" / "results.npz", time=np.zeros((2, 2)))  # not results, with a valid manifest
    resign(ens / "seed-2")
    assert main_merge([str(ens), "--no-plot", "-q"]) == 0
    merged = merge_ensemble(ens, write=False)
    assert merged[0].seeds == [1] and merged[0].metadata["left_out"][0]["state"] in ("incomplete", "unreadable")


def test_a_member_recorded_at_other_times_is_left_out(ens, capsys):
    make_results(n=7, seed=2).save(ens / "seed-2")
    meta = json.loads((ens / "seed-2" / "metadata.json").read_text())
    first = json.loads((ens / "seed-1" / "metadata.json").read_text())
    meta.update(parameters=first["parameters"], model=first["model"])
    (ens / "seed-2" / "metadata.json").write_text(json.dumps(meta))
    resign(ens / "seed-2")
    assert main_merge([str(ens), "--no-plot", "-q", "--no-plot"]) == 0
    assert "other times" in capsys.readouterr().err


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda plan: plan.update(options=None), "'options' is not a list"),
        (lambda plan: plan.update(options="--t-sim 2"), "'options' is not a list"),
        (lambda plan: plan.update(grid=5), "'grid' is not a table"),
        (lambda plan: plan.update(seeds={"a": 1}), "'seeds' is not a list"),
        (lambda plan: plan.update(seeds=[1, True]), "seeds must be whole numbers"),
        (lambda plan: plan.clear() or plan.update(x=1), "has format None, this version reads 1"),
    ],
)
def test_a_tampered_plan_is_one_line(ens, capsys, change, fragment):
    plan = json.loads((ens / "ensemble.json").read_text())
    change(plan)
    (ens / "ensemble.json").write_text(json.dumps(plan))
    refused(capsys, [str(ens)], fragment, main=main_merge)
    line = refused(capsys, ["--seeds", "1-2", "-o", str(ens), *TINY])  # resuming it: one line too
    assert fragment in line or "holds another ensemble" in line, line


def test_a_plan_that_is_not_json_or_deep_is_one_line(ens, capsys):
    (ens / "ensemble.json").write_text("[" * 100_000)
    refused(capsys, [str(ens)], "nests deeper", main=main_merge)
    (ens / "ensemble.json").write_text("[1]")
    refused(capsys, [str(ens)], "it is not a plan", main=main_merge)


def test_merged_as_a_file_is_one_line(ens, capsys):
    (ens / "merged").write_text("mine")
    refused(capsys, [str(ens), "--no-plot"], "merged is a file", main=main_merge)
    assert (ens / "merged").read_text() == "mine"


def test_a_read_only_ensemble_folder_is_one_line(ens, capsys, monkeypatch):
    mkdir = os.mkdir

    def read_only(path, *args, **kwargs):
        if str(path).startswith(str(ens)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    refused(capsys, [str(ens), "--no-plot"], "Read-only file system", main=main_merge)
    shutil.rmtree(ens / "seed-2")
    plan = load_plan(ens, SIMULATIONS)
    report = run_ensemble(plan, ens, progress=False)  # a member that cannot be written fails; nothing raises
    assert [o.status for o in report.outcomes] == ["skipped", "failed"]
    assert "Read-only file system" in report.outcomes[1].reason


FULL_DISK = """
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)             # writes past the limit fail with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (8000, 8000))
sys.argv = ["structural_plasticity", *sys.argv[1:]]
runpy.run_module("structural_plasticity", run_name="__main__")
"""


def test_a_full_disk_during_the_merge_is_one_line_and_leaves_no_temporary_file(ens):
    out = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "merge", ens], env=child_env(), capture_output=True, text=True, timeout=120
    )
    one_line_error(out, "cannot write the merged results", "File too large")
    leftovers = [p for p in (ens / "merged").rglob("*") if p.name.startswith(".")]
    assert not leftovers, leftovers
