"""Ensembles: plans and their checks, running members in processes, resuming, failures, Ctrl-C, merging.

Members are tiny networks (40 E + 10 I neurons, 2 s) run as real ``python -m structural_plasticity``
processes, so these tests exercise exactly what users run. The merged numbers are checked against numpy
on the members' own files, and the t quantiles against a numerical integral of Student's density.
"""

import json
import math
import os
import signal
import subprocess
import sys
import time
from functools import partial

import numpy as np
import pytest
from conftest import cli_env

from structural_plasticity import ConfigurationError, Results, ensemble, load_results
from structural_plasticity.cli import SIMULATIONS, SUBCOMMANDS
from structural_plasticity.ensemble import (
    describe,
    load_merged,
    member_state,
    merge_ensemble,
    parse_grid_item,
    parse_seeds,
    run_ensemble,
    t_critical,
)
from structural_plasticity.ensemble.plan import write_plan

#: The engine's make_plan over the command line's sub-commands, and the command line's ensemble and merge.
make_plan = partial(ensemble.make_plan, commands=SIMULATIONS)
main_ensemble, main_merge = SUBCOMMANDS["ensemble"], SUBCOMMANDS["merge"]

#: Run options of a tiny member: 40 E + 10 I neurons for 2 s, recorded every 0.5 s, no figures.
TINY = ["--n-exc", "40", "--n-inh", "10", "--t-sim", "2", "--record-interval", "500", "--no-plot"]


@pytest.fixture(autouse=True)
def member_env(monkeypatch):
    """Members inherit the test's environment: this checkout on the path, no display, no NEST banner."""
    for key, value in cli_env().items():
        monkeypatch.setenv(key, value)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))


# --- plans and their checks (no process started) ----------------------------------------------------


def test_seeds_parse_ranges_and_lists():
    assert parse_seeds("1-4") == [1, 2, 3, 4]
    assert parse_seeds("3,5, 7") == [3, 5, 7]
    assert parse_seeds("1-2,10") == [1, 2, 10]


@pytest.mark.parametrize(
    "text, words",
    [("5-3", "empty"), ("", "bad seed"), ("0", "from 1"), ("1,1", "twice"), ("a-b", "bad seed"), ("1-3,2", "twice")],
)
def test_bad_seeds_are_refused_with_one_line(text, words):
    with pytest.raises(ConfigurationError, match=words) as info:
        parse_seeds(text)
    assert "\n" not in str(info.value)


def test_grid_values_are_json_and_bare_words_are_strings():
    assert parse_grid_item("psc_e=500,585.5") == ("psc_e", [500, 585.5])
    assert parse_grid_item("neuron_model=iaf_psc_alpha,iaf_psc_exp") == (
        "neuron_model",
        ["iaf_psc_alpha", "iaf_psc_exp"],
    )
    name, values = parse_grid_item('model_params={"tau_Ca": 5000.0},{"tau_Ca": 20000.0}')
    assert name == "model_params" and values == [{"tau_Ca": 5000.0}, {"tau_Ca": 20000.0}]


def test_plan_is_seeds_times_grid_points_with_named_folders():
    plan = make_plan("run", "1-2", ["psc_e=500,600", "bg_rate=9000"], TINY)
    assert len(plan.members) == 4
    assert [m.folder for m in plan.members] == [
        "psc_e-500_bg_rate-9000_seed-1",
        "psc_e-600_bg_rate-9000_seed-1",
        "psc_e-500_bg_rate-9000_seed-2",
        "psc_e-600_bg_rate-9000_seed-2",
    ]
    argv = plan.member_argv(plan.members[1], "out/x")
    assert argv[:2] == ["--seed", "1"] and "psc_e=600" in argv and "bg_rate=9000" in argv
    assert argv[argv.index("-o") + 1] == "out/x" and "-q" in argv and argv[-len(TINY) :] == TINY
    assert make_plan("lesion", [4], None, []).member_argv(make_plan("lesion", [4]).members[0], "f")[0] == "lesion"
    assert [m.folder for m in make_plan("run", "7-8").members] == ["seed-7", "seed-8"]


@pytest.mark.parametrize(
    "grid, options, words",
    [
        (["psc_x=1,2"], [], "not a parameter of StructuralPlasticityExample"),
        (["psc_e=abc"], [], "takes number values"),
        (["psc_e=true"], [], "takes number values"),
        (["neuron_model=5"], [], "takes string values"),
        (["model_params=5"], [], "takes JSON object values"),
        (["number_excitatory_neurons=0"], [], "at least 1"),  # the class's own check
        (["rng_seed=1,2"], [], "--seeds"),
        (["psc_e=1,1"], [], "twice"),
        (["psc_e=1", "psc_e=2"], [], "twice"),
        (["psc_e"], [], "NAME=V1,V2"),
        ([], ["--seed", "3"], "--seeds"),
        ([], ["-o", "x"], "ensemble"),
        ([], ["--overwrite"], "reruns"),
        ([], ["--output=x"], "ensemble"),
    ],
)
def test_bad_definitions_are_refused_before_anything_runs(grid, options, words):
    with pytest.raises(ConfigurationError, match=words) as info:
        make_plan("run", "1-2", grid, options)
    assert "\n" not in str(info.value)


def test_experiment_grids_use_the_experiments_parameters():
    assert len(make_plan("lesion", "1", ["lesion_input_kept=0,0.5"]).members) == 2
    with pytest.raises(ConfigurationError, match="not a parameter of StructuralPlasticityExample"):
        make_plan("run", "1", ["lesion_input_kept=0,0.5"])
    with pytest.raises(ConfigurationError, match="sum of its phase durations"):
        make_plan("lesion", "1", ["t_sim=1000,2000"])
    with pytest.raises(ConfigurationError, match="unknown sub-command 'plot'"):
        make_plan("plot", "1")


def test_a_folder_holding_another_ensemble_or_other_files_is_refused(tmp_path):
    write_plan(make_plan("run", "1-2", [], TINY), tmp_path / "ens")
    write_plan(make_plan("run", "1-2", [], TINY), tmp_path / "ens")  # the same ensemble again: resumable
    with pytest.raises(ConfigurationError, match="another ensemble .*seeds"):
        write_plan(make_plan("run", "1-3", [], TINY), tmp_path / "ens")
    with pytest.raises(ConfigurationError, match="another ensemble .*options"):
        write_plan(make_plan("run", "1-2", [], TINY + ["--bg-rate", "9000"]), tmp_path / "ens")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "results.npz").write_bytes(b"")
    with pytest.raises(ConfigurationError, match="not empty and holds no ensemble"):
        write_plan(make_plan("run", "1"), tmp_path / "other")


def test_command_refuses_bad_input_with_one_line_and_status_2(tmp_path, capsys):
    for argv in (
        ["--seeds", "5-3"],
        ["--grid", "psc_q=1,2"],
        ["--grid", "psc_e=abc,def"],
        ["stimulus", "--seeds", "1"],
        ["--seed", "3"],
    ):
        assert main_ensemble([*argv, "-o", str(tmp_path / "e"), *TINY]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error:" in err, (argv, err)
        assert not (tmp_path / "e").exists()
    with pytest.raises(SystemExit) as exit_info:  # argparse's own usage errors exit with 2 as well
        main_ensemble(["-j", "0"])
    assert exit_info.value.code == 2 and capsys.readouterr().err.count("\n") == 1
    write_plan(make_plan("run", "1-2", [], TINY), tmp_path / "e")
    assert main_ensemble(["--seeds", "1-3", "-o", str(tmp_path / "e"), *TINY]) == 2
    assert "holds another ensemble" in capsys.readouterr().err
    assert main_merge([str(tmp_path / "nothing")]) == 2
    assert "holds no ensemble" in capsys.readouterr().err


# --- statistics -----------------------------------------------------------------------------------------


def _t_mass(t, df):
    """Probability of |T| <= t under Student's t with df degrees of freedom, by numerical integration."""
    x = np.linspace(-t, t, 400_001)
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return np.trapezoid(c * (1 + x * x / df) ** (-(df + 1) / 2), x)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 9, 19, 30, 35, 45, 80, 120, 400])
def test_t_quantiles_cover_95_percent(df):
    assert _t_mass(t_critical(df), df) == pytest.approx(0.95, abs=2e-5)


def test_describe_is_mean_sample_sd_and_t_interval():
    values = np.array([[1.0, 2.0], [2.0, np.nan], [4.0, 5.0], [5.0, 9.0]])
    stats = describe(values)
    col = values[:, 0]
    half = 3.18244631 * col.std(ddof=1) / 2.0
    assert stats["n"].tolist() == [4, 3]
    assert stats["mean"][0] == pytest.approx(col.mean()) and stats["sd"][0] == pytest.approx(col.std(ddof=1))
    assert stats["ci_low"][0] == pytest.approx(col.mean() - half) and stats["ci_high"][0] == pytest.approx(
        col.mean() + half
    )
    assert stats["mean"][1] == pytest.approx(16 / 3)  # NaN left out
    single = describe([[3.0]])
    assert single["mean"][0] == 3.0 and np.isnan(single["sd"][0]) and np.isnan(single["ci_low"][0])


def test_bands_of_quantities_that_cannot_be_negative_stop_at_zero():
    values = [[0.1, 3.0], [2.0, -1.0]]  # two members: t(1) makes the interval wide
    rates = describe(values, name="rate_e")
    assert rates["ci_low"].tolist() == [0.0, 0.0] and rates["ci_high"][0] > 2.0
    other = describe(values, name="some_difference")  # may be negative: left as computed
    assert other["ci_low"][0] < 0 and other["ci_low"][0] == pytest.approx(
        1.05 - 12.706204736 * 1.3435 / 2**0.5, rel=1e-3
    )
    assert describe(values)["ci_low"][0] < 0  # without a name nothing is assumed


# --- running members -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    """2 seeds x 2 values of bg_rate, 2 at a time, merged with figures."""
    folder = tmp_path_factory.mktemp("ens") / "ens"
    env = dict(cli_env())
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    plan = make_plan("run", "3-4", ["bg_rate=9000,11000"], TINY)
    report = run_ensemble(plan, folder, jobs=2, progress=False, env=env)
    return plan, folder, report


def test_every_member_runs_in_its_own_folder(ensemble):
    plan, folder, report = ensemble
    assert report.ok and report.count("completed") == 4, report.summary()
    for member in plan.members:
        results = load_results(folder / member.folder)
        meta = results.metadata
        assert meta["completed"] and meta["rng_seed"] == member.seed
        assert meta["parameters"]["bg_rate"] == member.point["bg_rate"]
        assert meta["parameters"]["number_excitatory_neurons"] == 40 and len(results) == 4
    a, b = (load_results(folder / m.folder) for m in plan.members[:2])
    assert not np.array_equal(a["rate_e"], b["rate_e"])  # the grid changes the runs
    assert json.loads((folder / "ensemble.json").read_text())["seeds"] == [3, 4]


def test_merge_matches_numpy_on_the_members_files(ensemble):
    plan, folder, _ = ensemble
    merged = merge_ensemble(folder, formats=("png",))
    assert [m.name for m in merged] == ["bg_rate-9000", "bg_rate-11000"]
    for item in merged:
        runs = [load_results(folder / m.folder) for m in plan.members if m.point_name == item.name]
        for series in ("mean_ca_e", "rate_i", "std_ca_e", "total_connections_e"):
            stack = np.stack([r[series] for r in runs])  # 2 seeds: t(1) = 12.706
            mean, sd = stack.mean(axis=0), stack.std(axis=0, ddof=1)
            np.testing.assert_allclose(item.series[f"{series}_mean"], mean, rtol=1e-12)
            np.testing.assert_allclose(item.series[f"{series}_sd"], sd, rtol=1e-12)
            half = 12.706204736174698 * sd / np.sqrt(2)
            np.testing.assert_allclose(item.series[f"{series}_ci_high"], mean + half, rtol=1e-9)
            # Never below 0: these quantities cannot be negative, so the band is clipped there.
            np.testing.assert_allclose(item.series[f"{series}_ci_low"], np.maximum(mean - half, 0.0), rtol=1e-9)
        final = [r["mean_ca_i"][-1] for r in runs]
        assert item.scalars["final_ca_i"]["mean"] == pytest.approx(np.mean(final))
        assert item.scalars["final_ca_i"]["sd"] == pytest.approx(np.std(final, ddof=1))
        rates = [np.mean(r["rate_e"][r["time"] > 1.5]) for r in runs]  # window: a quarter of the 2 s run
        assert item.scalars["rate_e"]["mean"] == pytest.approx(np.mean(rates))
        again = load_merged(folder, item.name)
        np.testing.assert_array_equal(again.series["mean_ca_e_mean"], item.series["mean_ca_e_mean"])
        assert again.metadata["seeds"] == [3, 4] and len(again.metadata["members"]) == 2
        for figure in ("structural_plasticity.png", "overview.png"):
            assert (folder / "merged" / item.name / figure).stat().st_size > 0
    for name in ("summary.csv", "summary.json", "summary.txt", "members.csv", "grid.png"):
        assert (folder / "merged" / name).stat().st_size > 0
    assert "final_ca_e" in (folder / "merged" / "summary.txt").read_text()


def test_rerunning_skips_completed_members_and_reruns_incomplete_ones(ensemble):
    plan, folder, _ = ensemble
    env = dict(os.environ)
    started = {m.folder: load_results(folder / m.folder).metadata["started_at"] for m in plan.members}
    report = run_ensemble(plan, folder, jobs=2, progress=False, env=env)
    assert report.count("skipped") == 4 and report.count("completed") == 0
    victim = folder / plan.members[2].folder / "metadata.json"
    meta = json.loads(victim.read_text())
    victim.write_text(json.dumps(dict(meta, completed=False, status="interrupted")))
    assert member_state(victim.parent) == "incomplete"
    report = run_ensemble(plan, folder, jobs=2, progress=False, env=env)
    assert report.count("skipped") == 3 and report.count("completed") == 1
    assert [o.member.index for o in report.outcomes if o.status == "completed"] == [2]
    assert member_state(victim.parent) == "completed"
    for m in plan.members:
        if m.index != 2:
            assert load_results(folder / m.folder).metadata["started_at"] == started[m.folder]


def test_a_member_is_completed_only_as_a_complete_unit_whose_run_ended(tmp_path):
    """One notion of complete (`results.run_state`): the manifest verifies and the unit's metadata says so."""
    assert member_state(tmp_path / "none") == "missing"
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "stderr.log").write_text("")
    assert member_state(tmp_path / "logs") == "incomplete"  # started, nothing saved
    Results({"time": [1.0]}, {"completed": False, "status": "running"}).save(tmp_path / "checkpoint")
    assert member_state(tmp_path / "checkpoint") == "incomplete"
    Results({"time": [1.0]}, {"completed": True, "status": "completed"}).save(tmp_path / "done")
    assert member_state(tmp_path / "done") == "completed"
    # Killed while committing a save: metadata.json already says completed, the manifest says "writing".
    manifest = tmp_path / "done" / "manifest.json"
    manifest.write_text(json.dumps(dict(json.loads(manifest.read_text()), state="writing")))
    assert json.loads((tmp_path / "done" / "metadata.json").read_text())["completed"] is True
    assert member_state(tmp_path / "done") == "incomplete"


def test_a_failing_member_stops_no_other_and_is_reported(tmp_path, capsys):
    folder = tmp_path / "ens"
    # The class accepts any model name; NEST refuses the unknown one only when that member runs.
    status = main_ensemble(
        ["--seeds", "1", "--grid", "neuron_model=iaf_psc_alpha,iaf_psc_nope", "-j", "2", "-o", str(folder), *TINY]
    )
    assert status == 1
    err = capsys.readouterr().err
    assert "1 completed, 1 failed" in err
    assert "failed: neuron_model-iaf_psc_nope_seed-1 (member 1): " in err and "unknown neuron model" in err
    assert member_state(folder / "neuron_model-iaf_psc_alpha_seed-1") == "completed"
    merged = load_merged(folder, "neuron_model-iaf_psc_alpha")  # the completed point was merged
    assert merged.metadata["seeds"] == [1]
    assert not (folder / "merged" / "neuron_model-iaf_psc_nope").exists()


def test_member_index_runs_exactly_one_member_and_merge_takes_what_exists(tmp_path, capsys):
    folder = tmp_path / "arr"
    argv = ["--seeds", "1-3", "-o", str(folder), *TINY]
    assert main_ensemble([*argv, "--list"]) == 0
    assert "seed-3" in capsys.readouterr().out and not folder.exists()
    assert main_ensemble([*argv, "--member-index", "1", "-q"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["ensemble.json", "seed-2"]
    assert main_ensemble([*argv, "--member-index", "3"]) == 2
    assert "out of range" in capsys.readouterr().err
    assert main_merge([str(folder), "--no-plot", "-q"]) == 0
    merged = load_merged(folder)
    assert merged.metadata["seeds"] == [2] and [m["folder"] for m in merged.metadata["left_out"]] == [
        "seed-1",
        "seed-3",
    ]
    assert np.isnan(merged.series["mean_ca_e_sd"]).all()  # one seed: no spread yet


def test_an_experiment_ensemble_summarises_its_signature(tmp_path):
    folder = tmp_path / "lesions"
    options = [
        "--n-exc",
        "40",
        "--n-inh",
        "10",
        "--growth",
        "2",
        "--recovery",
        "2",
        "--record-interval",
        "500",
        "--no-plot",
    ]
    assert main_ensemble(["lesion", "--seeds", "1-2", "-j", "2", "-o", str(folder), "-q", *options]) == 0
    merged = load_merged(folder)
    scalars = merged.scalars
    assert scalars["rate_lesioned@recovery_end"]["mean"] == 0.0  # no input, no recurrent synapses yet
    assert scalars["rate_lesioned@growth_end"]["mean"] > 0 and scalars["rate_lesioned@growth_end"]["n"] == 2
    assert "mean_ca_lesioned_mean" in merged.series and merged.metadata["phases"][1]["name"] == "recovery"


def test_ctrl_c_stops_every_member_which_keeps_its_partial_results(tmp_path):
    folder = tmp_path / "stop"
    # The default network (1000 neurons) needs about a second per simulated second: 60 s outlast the wait below.
    code = (
        "import sys; from structural_plasticity.cli import SUBCOMMANDS; sys.exit(SUBCOMMANDS['ensemble'](sys.argv[1:]))"
    )
    args = ["--seeds", "1-3", "-j", "2", "-o", str(folder), "-q", "--t-sim", "60", "--no-plot"]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], env=dict(os.environ), stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    # Wait until both running members have recorded something (a checkpoint is not written that early,
    # so watch their stderr logs exist and give them time to pass NEST's start-up).
    while time.monotonic() < deadline and sum((folder / f"seed-{s}" / "stderr.log").exists() for s in (1, 2)) < 2:
        time.sleep(0.2)
    time.sleep(6.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "stopped by SIGINT" in err and "1 not started" in err
    for seed in (1, 2):
        results = load_results(folder / f"seed-{seed}")
        assert not results.metadata["completed"] and results.metadata["status"] == "interrupted"
        assert 0 < len(results) < 60
    assert not (folder / "seed-3").exists()
    assert not (folder / "merged").exists()  # nothing completed: nothing merged


def test_ensemble_and_merge_are_sub_commands_of_the_package(tmp_path):
    """``python -m structural_plasticity ensemble`` runs members; ``merge`` combines them into merged/."""
    from conftest import run_cli

    folder = tmp_path / "ens"
    tiny = ["--t-sim", "1", "--n-exc", "40", "--n-inh", "10", "--no-plot"]
    ran = run_cli("ensemble", "--seeds", "1-2", "-j", "2", "-o", folder, "--no-merge", "-q", "--", *tiny)
    assert ran.returncode == 0, ran.stderr
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["seed-1", "seed-2"]
    merged = run_cli("merge", folder, "--no-plot", "-q")
    assert merged.returncode == 0, merged.stderr
    assert (folder / "merged" / "summary.csv").is_file()
    wrong = run_cli("ensemble", "nosuch", "--seeds", "1", "-o", tmp_path / "x")
    assert wrong.returncode == 2 and "nosuch" in wrong.stderr and len(wrong.stderr.strip().splitlines()) == 1
