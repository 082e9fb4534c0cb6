"""The command line, run as a user would: in a subprocess, checking exit codes, messages and files."""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import cli_env, run_cli

from structural_plasticity import load_results

#: A short run of a small network (the numbers are seconds, ms and neuron counts as on the command line).
SHORT = ["--t-sim", "2", "--record-interval", "500", "--n-exc", "40", "--n-inh", "10", "--seed", "3"]


def test_help_explains_every_option_with_unit_and_default():
    out = run_cli("--help")
    assert out.returncode == 0
    text = out.stdout
    for option, unit_or_default in [
        ("--t-sim", "seconds"),
        ("--record-interval", "ms"),
        ("--update-interval", "ms"),
        ("--n-exc", "800"),
        ("--n-inh", "200"),
        ("--seed", "12345"),
        ("--output", "results"),
        ("--formats", "png,eps"),
        ("--no-plot", ""),
        ("--quiet", ""),
        ("--overwrite", ""),
        ("--threads", "MPI"),
    ]:
        assert option in text and unit_or_default in text, option
    assert "plot" in text and "compare" in text  # the other sub-commands are listed


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "out"
    out = run_cli(*SHORT, "-o", folder)
    return out, folder


def test_run_writes_figures_data_and_metadata(finished_run):
    out, folder = finished_run
    assert out.returncode == 0, out.stderr
    for name in (
        "structural_plasticity.png",
        "structural_plasticity.eps",
        "overview.png",
        "overview.eps",
        "results.npz",
        "results.csv",
        "metadata.json",
    ):
        assert (folder / name).stat().st_size > 0, name
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["completed"] is True and meta["status"] == "completed"
    assert meta["n_processes"] == 1 and meta["rng_seed"] == 3 and meta["wall_time_s"] > 0
    assert meta["parameters"]["t_sim"] == 2000.0 and meta["parameters"]["number_excitatory_neurons"] == 40
    assert meta["versions"]["nest"].startswith("3.") and meta["versions"]["structural_plasticity"]
    assert meta["simulated_time_ms"] == 2000.0


def test_run_prints_summary(finished_run):
    out, _ = finished_run
    assert "excitatory" in out.stdout and "inhibitory" in out.stdout
    assert "target" in out.stdout and "Hz" in out.stdout and "settled" in out.stdout
    assert "connections:" in out.stdout
    assert "Traceback" not in out.stderr


def test_saved_results_load_back(finished_run):
    _, folder = finished_run
    results = load_results(folder)
    assert len(results) == 4
    np.testing.assert_allclose(results.time, [0.5, 1.0, 1.5, 2.0])
    csv_header = (folder / "results.csv").read_text().splitlines()[0].split(",")
    assert set(csv_header) == set(results.names)


def test_existing_results_are_never_overwritten_silently(finished_run):
    _, folder = finished_run
    before = (folder / "results.npz").stat().st_mtime_ns
    out = run_cli(*SHORT, "-o", folder)
    assert out.returncode == 2
    assert "already holds results" in out.stderr and "--overwrite" in out.stderr
    assert (folder / "results.npz").stat().st_mtime_ns == before


def test_overwrite_replaces_results(tmp_path):
    folder = tmp_path / "out"
    assert run_cli(*SHORT, "--no-plot", "-q", "-o", folder).returncode == 0
    out = run_cli(*SHORT, "--no-plot", "-q", "--seed", "4", "--overwrite", "-o", folder)
    assert out.returncode == 0, out.stderr
    assert json.loads((folder / "metadata.json").read_text())["rng_seed"] == 4


def test_quiet_no_plot_prints_nothing_and_writes_no_figures(tmp_path):
    out = run_cli(*SHORT, "--no-plot", "--quiet", "-o", tmp_path / "q")
    assert out.returncode == 0 and out.stdout == ""
    assert not list((tmp_path / "q").glob("*.png"))


def test_plot_subcommand_redraws_saved_results(tmp_path):
    folder = tmp_path / "data"
    assert run_cli(*SHORT, "--no-plot", "-q", "-o", folder).returncode == 0
    out = run_cli("plot", folder, "--formats", "png,pdf")
    assert out.returncode == 0, out.stderr
    for name in ("structural_plasticity.png", "structural_plasticity.pdf", "overview.png", "overview.pdf"):
        assert (folder / name).stat().st_size > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--t-sim", "abc"], "argument --t-sim: expected a number, got 'abc'"),
        (["--t-sim", "-1"], "argument --t-sim: must be positive"),
        (["--t-sim", "2.5"], "t_sim (2500 ms) must be a whole multiple of record_interval (1000 ms)"),
        (["--record-interval", "0.15"], "record_interval (0.15 ms) must be a whole multiple of the resolution"),
        (["--update-interval", "100.05"], "update_interval (100.05 ms) must be a whole multiple of the resolution"),
        (["--n-exc", "0"], "argument --n-exc: must be positive"),
        (["--threads", "2"], "cannot use more than one thread"),
        (["--formats", "png,gif"], "unknown figure format gif"),
        (["--set", "nonsense=1"], "unknown parameter 'nonsense'"),
        (["--set", "neuron_model=iaf_foo"], "unknown neuron model 'iaf_foo'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (
            ["--set", 'growth_curve_e_e={"growth_curve": "gaussian", "growth_rate": 1e-4, "eps": 0.05, "epsilon": 1}'],
            "growth curve of Den_ex has unknown key 'epsilon'",
        ),
    ],
)
def test_user_errors_are_one_line_without_traceback(tmp_path, args, message):
    out = run_cli(*args, "-o", tmp_path / "never")
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "never" / "results.npz").exists()  # a user error leaves no results behind


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = run_cli(*SHORT, "-o", blocker / "sub")
    assert out.returncode == 2 and "cannot write to output folder" in out.stderr and "--output" in out.stderr
    out = run_cli(*SHORT, "-o", blocker)
    assert out.returncode == 2 and "is a file" in out.stderr


def test_missing_nest_says_how_to_install(tmp_path):
    fake = tmp_path / "fake" / "nest"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named nest (simulated)')\n")
    env = cli_env()
    env["PYTHONPATH"] = str(tmp_path / "fake")
    out = subprocess.run(
        [sys.executable, "-m", "structural_plasticity", *SHORT, "-o", tmp_path / "o"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "NEST is not installed" in out.stderr and "pip install nest-simulator" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_keeps_partial_results(tmp_path, signum, status):
    folder = tmp_path / "partial"
    proc = subprocess.Popen(
        [sys.executable, "-m", "structural_plasticity", "--t-sim", "100", "--no-plot", "-o", str(folder)],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As in a terminal: a suite started in the background (nohup, CI) passes SIGINT on as ignored, and the
        # package leaves signals a process was started to ignore ignored (interrupts.stop_requests).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert "Simulating" in proc.stdout.readline()  # the run has started
    time.sleep(4.0)  # let it record a few of its 100 samples (about 0.7 s each)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == status, err
    assert "interrupted" in err and "partial results" in err
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["completed"] is False and meta["status"] == "interrupted"
    results = load_results(folder)
    assert 1 <= len(results) < 100
    assert meta["simulated_time_ms"] == pytest.approx(results.time[-1] * 1000)
