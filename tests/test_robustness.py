"""Robustness: no crash, no hang, no mixed results folder, whatever the input (issue 13).

One test (or a parametrized group) per defect the issue lists, numbered as there. Crashes and hangs are
tested in subprocesses (`run_cli`), so a segmentation fault fails the test instead of ending pytest;
the code paths of Ctrl-C at a given moment are tested in-process, with the interruption raised exactly
there.
"""

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import SMALL, cli_env, run_cli

from structural_plasticity import ConfigurationError, Results, StructuralPlasticityExample, cli
from structural_plasticity import folder as folders
from structural_plasticity import interrupts, load_results, validation
from structural_plasticity.cli import execution
from structural_plasticity.cli import plot as plot_command
from structural_plasticity.experiments import StimulationExperiment
from structural_plasticity.network import PlasticNetwork
from structural_plasticity.specs import Input, PlasticSynapse, Population, StaticPathway

#: A tiny, short run on the command line: 80 + 20 neurons for 2 s (about a second with NEST's import).
TINY = ["--t-sim", "2", "--n-exc", "80", "--n-inh", "20", "--record-interval", "500", "--seed", "3"]
#: The same for the experiments (1 s per phase).
TINY_STIM = ["--n-exc", "80", "--n-inh", "20", "--record-interval", "500", "--growth", "1", "--stimulation", "1"]
TINY_STIM += ["--recovery", "1"]


def one_line_error(out, *fragments):
    """Assert a user error: exit status 2, one line on stderr naming `fragments`, no traceback."""
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    for fragment in fragments:
        assert fragment in out.stderr, (fragment, out.stderr)


def make_results(n=4, completed=True, seed=1):
    t = np.arange(1, n + 1, dtype=float)
    series = {"time": t, "mean_ca_e": 0.01 * t, "mean_ca_i": 0.02 * t}
    for key in ("total_connections_e", "total_connections_i", "connections_ee", "connections_ei"):
        series[key] = np.arange(n) * seed
    meta = {"target_ca": {"e": 0.05, "i": 0.2}, "completed": completed, "rng_seed": seed, "ca_per_hz": 0.01}
    return Results(series, meta)


@pytest.fixture
def restore_signals():
    """In-process runs of the command line install its signal handlers: put pytest's back afterwards."""
    saved = {signum: signal.getsignal(signum) for signum in interrupts.STOP_SIGNALS}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


# ----------------------------------------------------------------------------------------------------
# 1. NaN and infinities inside dicts never reach NEST (which segfaults on them)
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params, where",
    [
        (dict(model_params={"tau_Ca": math.nan}), "model_params['tau_Ca']"),
        (dict(model_params={"C_m": math.inf}), "model_params['C_m']"),
        (dict(growth_curve_e_e=dict(StructuralPlasticityExample.growth_curve_e_e, eps=-math.inf)), "['eps']"),
        (
            dict(growth_curve_i_i=dict(StructuralPlasticityExample.growth_curve_i_i, growth_rate=math.nan)),
            "growth_rate",
        ),
        (dict(model_params={"V_th": True}), "must be a number"),
        (dict(psc_e=np.float64("nan")), "psc_e"),
        (dict(model_params={"beta_Ca": 1e308}), "beyond any meaningful value"),
    ],
)
def test_non_finite_values_inside_dicts_are_refused_by_keyword(params, where):
    with pytest.raises(ConfigurationError, match="must be|beyond") as info:
        StructuralPlasticityExample(**params)
    assert where in str(info.value)


def test_non_finite_values_are_refused_in_subclasses_and_after_construction():
    class Broken(StructuralPlasticityExample):
        model_params = dict(StructuralPlasticityExample.model_params, tau_Ca=math.inf)

    with pytest.raises(ConfigurationError, match=r"model_params\['tau_Ca'\] must be a finite number"):
        Broken()
    example = StructuralPlasticityExample(**SMALL)
    example.growth_curve_e_e["eps"] = math.nan  # changed on the instance after it was checked
    with pytest.raises(ConfigurationError, match=r"growth_curve_e_e\['eps'\] must be a finite number"):
        example.prepare_simulation()


def test_nan_from_set_is_one_line_not_a_segfault(tmp_path):
    out = run_cli(*TINY, "--set", 'model_params={"tau_Ca": NaN}', "-o", tmp_path / "x")
    one_line_error(out, "model_params['tau_Ca'] must be a finite number")
    out = run_cli(
        *TINY,
        "--set",
        'growth_curve_e_e={"growth_curve": "gaussian", "growth_rate": Infinity, "eps": 0.05}',
        "-o",
        tmp_path / "x",
    )
    one_line_error(out, "growth_curve_e_e['growth_rate'] must be a finite number")
    assert not (tmp_path / "x").exists()


# ----------------------------------------------------------------------------------------------------
# 2. Absurd rates are refused; no run stays deaf to Ctrl-C
# ----------------------------------------------------------------------------------------------------
def test_absurd_input_rates_are_refused_with_the_reason():
    with pytest.raises(ConfigurationError, match=r"bg_rate \(1e\+30 Hz\) is above 1e\+09 Hz"):
        StructuralPlasticityExample(bg_rate=1e30)
    StructuralPlasticityExample(bg_rate=validation.MAX_INPUT_RATE_HZ)  # the limit itself is allowed
    with pytest.raises(ConfigurationError, match="stimulated input"):
        StimulationExperiment(stimulus_increase=1e6)


def test_absurd_rates_on_the_command_line(tmp_path):
    one_line_error(run_cli(*TINY, "--bg-rate", "1e30", "-o", tmp_path / "a"), "bg_rate", "1e+09 Hz")
    one_line_error(run_cli("stimulate", *TINY_STIM, "--increase", "1e300", "-o", tmp_path / "b"), "stimulus_increase")


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(growth_curve_e_e=dict(StructuralPlasticityExample.growth_curve_e_e, growth_rate=1e3)), "in one update"),
        (dict(growth_curve_e_e=dict(StructuralPlasticityExample.growth_curve_e_e, z=1e6)), "initial elements"),
        (dict(delay=1e5), "steps of dt"),
        (dict(model_params={"tau_Ca": 0.01}), "at least the resolution"),
        (dict(t_sim=1e16), "end of NEST's clock"),
        (dict(number_excitatory_neurons=10**11), "GB per process"),
    ],
)
def test_values_that_crash_or_hang_nest_are_refused(params, message):
    """Each of these crashed NEST (segfault) or did not finish 2 s of a 20-neuron network in 20 s."""
    with pytest.raises(ConfigurationError, match=message):
        StructuralPlasticityExample(**params)


def test_a_second_ctrl_c_ends_a_long_simulate_at_once(tmp_path):
    """The first Ctrl-C asks for a stop after the current interval; the second one ends the process now."""
    # One record interval of 1000 neurons for 60 s takes about 30 s of wall time.
    args = ["--t-sim", "60", "--record-interval", "60000", "--no-plot", "-o", str(tmp_path / "long")]
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "structural_plasticity", *args],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    assert "Simulating" in proc.stdout.readline()
    time.sleep(2.0)  # inside the one long nest.Simulate call
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert time.monotonic() - started < 5.0
    assert proc.returncode == -signal.SIGINT  # the default action: what a shell reports as 130


def test_signal_arming_is_one_shot_and_restored():
    before = {signum: signal.getsignal(signum) for signum in interrupts.STOP_SIGNALS}
    assert not interrupts.is_armed(signal.SIGINT)
    with interrupts.stop_requests(lambda name: None):
        assert interrupts.is_armed(signal.SIGINT) and interrupts.is_armed(signal.SIGTERM)
    with interrupts.cli_handlers():
        assert interrupts.is_armed(signal.SIGINT) and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not interrupts.is_armed(signal.SIGINT)
    assert {signum: signal.getsignal(signum) for signum in interrupts.STOP_SIGNALS} == before


# ----------------------------------------------------------------------------------------------------
# 3. Two runs into one folder: the second is refused
# ----------------------------------------------------------------------------------------------------
def test_a_folder_in_use_by_another_run_is_refused(tmp_path):
    target = tmp_path / "same"
    with folders.ResultsFolder(target):  # as a running run holds it
        out = run_cli(*TINY, "-o", target)
        assert not any(target.iterdir())
    one_line_error(out, "in use by another run")
    assert not target.exists()  # nothing was saved, so the folder that was new is gone again
    assert run_cli(*TINY, "--no-plot", "-q", "-o", target).returncode == 0  # free again afterwards


def test_two_runs_started_together_into_one_new_folder(tmp_path):
    """The issue's reproduction: the run that locks the folder first wins, the other is refused."""
    target = tmp_path / "same"
    base = [sys.executable, "-m", "structural_plasticity", "--n-exc", "80", "--n-inh", "20", "-q", "--no-plot"]
    first = subprocess.Popen(
        [*base, "--t-sim", "5", "--seed", "1", "-o", str(target)], env=cli_env(), stderr=subprocess.PIPE, text=True
    )
    time.sleep(0.3)
    second = run_cli("--n-exc", "80", "--n-inh", "20", "-q", "--no-plot", "--t-sim", "3", "--seed", "2", "-o", target)
    first_err = first.communicate(timeout=300)[1]
    statuses = sorted([first.returncode, second.returncode])
    assert statuses == [0, 2], (first_err, second.stderr)
    refused = second.stderr if second.returncode == 2 else first_err
    assert "in use by another run" in refused or "already holds results" in refused
    winner_seed = 1 if first.returncode == 0 else 2
    assert load_results(target).metadata["rng_seed"] == winner_seed


# ----------------------------------------------------------------------------------------------------
# 4. A results folder is one unit
# ----------------------------------------------------------------------------------------------------
def test_ctrl_c_during_a_save_lets_the_save_finish_first(tmp_path, monkeypatch):
    make_results(seed=1).save(tmp_path)
    new = make_results(n=6, seed=2)
    write = Results.write_files

    def interrupted_write(self, unit):
        write(self, unit)
        signal.raise_signal(signal.SIGINT)  # Ctrl-C in the middle of the save

    monkeypatch.setattr(Results, "write_files", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        new.save(tmp_path)  # the interruption arrives after the unit is complete
    loaded = load_results(tmp_path)
    assert len(loaded) == 6 and loaded.metadata["rng_seed"] == 2
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]


def test_a_full_disk_leaves_the_previous_unit_and_no_temporary_file(tmp_path, monkeypatch):
    make_results(seed=1).save(tmp_path)
    before = sorted(os.listdir(tmp_path))
    write = Results.write_files

    def full_disk(self, unit):
        with open(unit.path("results.npz"), "wb") as fh:
            fh.write(b"half an npz")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Results, "write_files", full_disk)
    with pytest.raises(ConfigurationError, match="No space left on device"):
        make_results(seed=2).save(tmp_path)
    monkeypatch.setattr(Results, "write_files", write)
    assert sorted(os.listdir(tmp_path)) == before
    assert load_results(tmp_path).metadata["rng_seed"] == 1


def test_persistent_files_survive_later_saves_and_stay_in_the_manifest(tmp_path):
    """A snapshot written during a run (add_files(persistent=True)) is kept by the checkpoints that follow."""
    with folders.ResultsFolder(tmp_path / "run") as folder:
        folder.save_results(make_results(n=2))
        folder.add_files(lambda unit: (unit / "snapshot.npz").write_bytes(b"network"), persistent=True)
        folder.add_files(lambda unit: (unit / "overview.png").write_bytes(b"figure"))  # not persistent
        folder.save_results(make_results(n=3))
    manifest = folders.verify(tmp_path / "run")
    assert "snapshot.npz" in manifest["files"] and "overview.png" not in manifest["files"]
    assert (tmp_path / "run" / "snapshot.npz").read_bytes() == b"network" and len(load_results(tmp_path / "run")) == 3


def test_a_mixed_or_unfinished_folder_is_refused(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    make_results(seed=1).save(a)
    make_results(n=6, seed=2).save(b)
    (a / "results.npz").write_bytes((b / "results.npz").read_bytes())  # the new npz beside the old csv and metadata
    with pytest.raises(ConfigurationError, match="mixes files of different runs"):
        load_results(a)
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["state"] = "writing"  # as left by a process killed during the commit
    (b / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigurationError, match="unfinished save"):
        load_results(b)


def test_checkpoints_and_interrupted_runs_are_complete_units(tmp_path, monkeypatch, restore_signals):
    """Every periodic save (here after every sample) is a complete unit marked incomplete."""
    monkeypatch.setattr(execution, "CHECKPOINT_EVERY_S", 0.0)
    seen = []
    save = folders.ResultsFolder.save_results

    def checked_save(self, results, extra_files=None):
        paths = save(self, results, extra_files)
        folders.verify(self.path)
        loaded = load_results(self.path)
        seen.append((len(loaded), loaded.metadata["completed"], loaded.metadata["status"]))
        return paths

    monkeypatch.setattr(folders.ResultsFolder, "save_results", checked_save)
    assert cli.main([*TINY, "--no-plot", "-q", "-o", str(tmp_path / "cp")]) == 0
    assert seen[:-1] == [(n, False, "running") for n in range(1, 5)]
    assert seen[-1] == (4, True, "completed")


# ----------------------------------------------------------------------------------------------------
# 5. One line and exit 2 instead of tracebacks
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, message",
    [
        (["--dt", "0.0125"], "must be a whole multiple of NEST's tic"),
        (["-o", "x" * 300], "File name too long"),
        (["--set", "delay=0.01"], "delay of synapse_ex (0.01 ms) must be at least the resolution"),
    ],
)
def test_kernel_and_file_system_rejections_are_one_line(tmp_path, args, message):
    out = run_cli(*TINY, *args, cwd=tmp_path) if args[0] == "-o" else run_cli(*TINY, *args, "-o", tmp_path / "o")
    one_line_error(out, message)


def test_nest_kernel_rejections_become_configuration_errors():
    """A value NEST refuses that the package's checks let through still ends as one line."""
    from structural_plasticity.engine import nest_rejections

    with pytest.raises(ConfigurationError, match=r"NEST rejected the kernel settings \(KernelException: .*tic"):
        with nest_rejections("the kernel settings", "check dt"):
            import nest

            nest.ResetKernel()
            nest.resolution = 0.0125


def test_one_inhibitory_neuron_runs(tmp_path):
    out = run_cli(*TINY, "--n-inh", "1", "--no-plot", "-q", "-o", tmp_path / "one")
    assert out.returncode == 0, out.stderr
    assert load_results(tmp_path / "one").metadata["parameters"]["number_inhibitory_neurons"] == 1


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: (f / "results.npz").write_bytes((f / "results.npz").read_bytes()[:100]), "damaged or not an NPZ"),
        (lambda f: (f / "results.npz").write_bytes(b""), "damaged or not an NPZ"),
        (lambda f: (f / "metadata.json").write_bytes(b"\xff\xfe{}"), "metadata.json is damaged"),
        (lambda f: np.savez(f / "results.npz", time=np.zeros((2, 3))), "one-dimensional numeric"),
        (lambda f: np.savez(f / "results.npz", time=np.zeros(3), rate_e=np.zeros(2)), "has 2 values"),
        (lambda f: np.savez(f / "results.npz", time=np.array([object()], dtype=object)), "object array"),
        (lambda f: (f / "metadata.json").write_text('{"target_ca": "high"}'), "not a dict"),
    ],
)
def test_plot_on_damaged_files_is_one_line(tmp_path, damage, message):
    folder = tmp_path / "r"
    make_results().save(folder)
    (folder / "manifest.json").unlink()  # as a folder of an older version: the files themselves are checked
    damage(folder)
    one_line_error(run_cli("plot", folder), message)


def test_compare_with_an_off_grid_dt_is_one_line():
    one_line_error(run_cli("compare", "--t-sim", "1", "--n-exc", "8", "--n-inh", "2", "--set", "dt=0.0125"), "tic")


def test_ctrl_c_during_start_up_is_one_line_and_leaves_no_folder(tmp_path, monkeypatch, restore_signals, capsys):
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(StructuralPlasticityExample, "create_nodes", interrupted)
    assert cli.main([*TINY, "-o", str(tmp_path / "new")]) == 130
    err = capsys.readouterr().err
    assert "interrupted before the first sample" in err and "Traceback" not in err
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("stop, status", [(KeyboardInterrupt, 130), (interrupts.Terminated, 143)])
def test_ctrl_c_or_sigterm_while_plotting_keeps_the_data(tmp_path, monkeypatch, restore_signals, capsys, stop, status):
    """Also issue 9: SIGTERM during plotting is no longer ignored."""

    def interrupted(*args, **kwargs):
        raise stop("while drawing")

    monkeypatch.setattr(execution, "save_standard_figures", interrupted)
    assert cli.main([*TINY, "-q", "-o", str(tmp_path / "d")]) == status
    err = capsys.readouterr().err
    assert "interrupted while drawing the figures" in err and len(err.strip().splitlines()) == 1
    results = load_results(tmp_path / "d")
    assert results.metadata["completed"] is True and len(results) == 4
    assert not list((tmp_path / "d").glob("*.png")) and not [p for p in os.listdir(tmp_path / "d") if ".tmp-" in p]


def test_sigterm_while_plotting_saved_results_exits_143(tmp_path, monkeypatch, restore_signals, capsys):
    make_results().save(tmp_path / "r")

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1.0)  # the handler raises here
        raise AssertionError("SIGTERM was ignored")

    monkeypatch.setattr(plot_command, "save_standard_figures", terminated)
    assert cli.main(["plot", str(tmp_path / "r")]) == 143
    assert capsys.readouterr().err.strip() == f"{cli.PROG}: interrupted"


# ----------------------------------------------------------------------------------------------------
# 6. Figures always match the data next to them
# ----------------------------------------------------------------------------------------------------
def test_overwrite_removes_every_file_of_the_package_and_nothing_else(tmp_path):
    folder = tmp_path / "run"
    assert run_cli(*TINY, "--formats", "png,pdf", "-q", "-o", folder).returncode == 0
    (folder / "notes.txt").write_text("mine")
    (folder / "my_figure.png").write_bytes(b"mine too")
    assert run_cli(*TINY, "--seed", "4", "--overwrite", "--no-plot", "-q", "-o", folder).returncode == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["manifest.json", "metadata.json", "my_figure.png", "notes.txt", "results.csv", "results.npz"]
    assert run_cli(*TINY, "--seed", "5", "--overwrite", "--formats", "svg", "-q", "-o", folder).returncode == 0
    assert sorted(p.name for p in folder.glob("*.svg")) == ["overview.svg", "structural_plasticity.svg"]
    assert not list(folder.glob("structural_plasticity.p*")) and (folder / "my_figure.png").read_bytes() == b"mine too"


def test_plot_into_another_run_is_refused_and_figures_are_replaced_only_with_overwrite(tmp_path):
    a, b, figs = tmp_path / "a", tmp_path / "b", tmp_path / "figs"
    make_results(seed=1).save(a)
    make_results(seed=2).save(b)
    one_line_error(run_cli("plot", a, "-o", b, "--formats", "png"), "holds the results of another run")
    one_line_error(run_cli("plot", a, "-o", b, "--overwrite"), "holds the results of another run")
    assert not list(b.glob("*.png"))
    assert run_cli("plot", a, "-o", figs, "--formats", "png", "-q").returncode == 0
    one_line_error(run_cli("plot", b, "-o", figs, "--formats", "png"), "already holds figures", "--overwrite")
    assert run_cli("plot", b, "-o", figs, "--formats", "pdf", "--overwrite", "-q").returncode == 0
    assert sorted(p.name for p in figs.iterdir()) == ["manifest.json", "overview.pdf", "structural_plasticity.pdf"]
    # In place, the data stay and the new figures join the unit.
    assert run_cli("plot", a, "--formats", "svg", "-q").returncode == 0
    assert folders.verify(a) and (a / "overview.svg").exists() and load_results(a).metadata["rng_seed"] == 1


# ----------------------------------------------------------------------------------------------------
# 7. Experiments interrupted before the first sample
# ----------------------------------------------------------------------------------------------------
def test_experiment_interrupted_before_the_first_sample(tmp_path, monkeypatch, restore_signals, capsys):
    folder = tmp_path / "stim"
    assert cli.main(["stimulate", *TINY_STIM, "--no-plot", "-q", "-o", str(folder)]) == 0
    signature_before = (folder / "signature.txt").read_text()
    assert "signature.txt" in folders.verify(folder)["files"]  # written through the unit: in the manifest
    capsys.readouterr()

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(StimulationExperiment, "start_recording", interrupted)
    assert cli.main(["stimulate", *TINY_STIM, "--seed", "9", "--overwrite", "-o", str(folder)]) == 130
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1 and "interrupted before the first sample" in captured.err
    assert signature_before.splitlines()[0] not in captured.out  # no table of the earlier run
    assert (folder / "signature.txt").read_text() == signature_before  # the earlier run is left as it was
    assert load_results(folder).metadata["rng_seed"] == StimulationExperiment.rng_seed


# ----------------------------------------------------------------------------------------------------
# 8. Messages that name the right cause
# ----------------------------------------------------------------------------------------------------
def test_empty_output_name_is_refused(tmp_path):
    one_line_error(run_cli(*TINY, "-o", "", cwd=tmp_path), "output folder name is empty")
    assert not list(tmp_path.iterdir())


def test_messages_name_the_real_cause(tmp_path):
    one_line_error(run_cli(*TINY, "--n-exc", "100000000000", "-o", tmp_path / "o"), "GB per process", "fewer neurons")
    one_line_error(run_cli(*TINY, "--set", 'model_params={"tau_Ca": x}', "-o", tmp_path / "o"), "not valid JSON")
    out = run_cli(*TINY, "--set", "t_sim=4000", "--no-plot", "-o", tmp_path / "t")
    assert out.returncode == 0 and "Simulating 4 s" in out.stdout
    assert run_cli(*TINY, "--set", "neuron_model=iaf_psc_exp", "--no-plot", "-q", "-o", tmp_path / "w").returncode == 0


def test_single_precision_times_mean_what_they_say():
    example = StructuralPlasticityExample(dt=np.float32(0.1), update_interval=100.0)
    assert example.dt == 0.1
    with pytest.raises(ConfigurationError) as info:
        StructuralPlasticityExample(update_interval=100.05)
    assert "use for example 100 or 100.1 ms" in str(info.value)


# ----------------------------------------------------------------------------------------------------
# 9. Smaller ones
# ----------------------------------------------------------------------------------------------------
def test_set_up_errors_leave_no_empty_folder(tmp_path):
    out = run_cli(*TINY, "--set", "neuron_model=iaf_foo", "-o", tmp_path / "new" / "sub")
    one_line_error(out, "unknown neuron model 'iaf_foo'")
    assert not (tmp_path / "new").exists()


def test_plot_under_mpirun_writes_on_rank_0_only(tmp_path):
    folder = tmp_path / "r"
    make_results().save(folder)
    env = dict(cli_env(), OMPI_COMM_WORLD_SIZE="2", OMPI_COMM_WORLD_RANK="1")
    out = subprocess.run(
        [sys.executable, "-m", "structural_plasticity", "plot", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stdout == ""
    assert not list(folder.glob("*.png"))


def test_negative_growth_rates_are_refused():
    curve = dict(StructuralPlasticityExample.growth_curve_e_e, growth_rate=-1e-4)
    with pytest.raises(ConfigurationError, match="negative .* turns homeostasis around"):
        StructuralPlasticityExample(growth_curve_e_e=curve)
    StructuralPlasticityExample(**StructuralPlasticityExample.growth_curves_scaled(0))  # 0 switches growth off


def test_a_run_does_not_replace_figures_of_plot_without_overwrite(tmp_path):
    make_results().save(tmp_path / "r")
    assert run_cli("plot", tmp_path / "r", "-o", tmp_path / "figs", "--formats", "png", "-q").returncode == 0
    one_line_error(run_cli(*TINY, "-o", tmp_path / "figs"), "already holds figures", "--overwrite")


# ----------------------------------------------------------------------------------------------------
# 10. Every configuration of the builder is protected, not only NEST's example
# ----------------------------------------------------------------------------------------------------
class TinyNetwork(PlasticNetwork):
    """A configuration other than the example: one population, one plastic synapse, one static pathway."""

    size = 10  # neurons
    rate = 1000.0  # input rate (Hz)
    pathway_delay = 1.0  # (ms)
    neuron_params = {"tau_Ca": 1000.0}  # hard-coded elsewhere in a real configuration

    def population_specs(self):
        curve = {"growth_curve": "gaussian", "growth_rate": 1e-4, "eps": 0.05}
        elements = {"Axon_ex": curve, "Den_ex": curve}
        return {"a": Population(self.size, "iaf_psc_alpha", self.neuron_params, elements)}

    def plastic_synapses(self):
        return {"syn_a": PlasticSynapse(100.0, 1.0, "Axon_ex", "Den_ex")}

    def static_pathways(self):
        return [StaticPathway("a", "a", {"rule": "fixed_indegree", "indegree": 2}, 10.0, self.pathway_delay)]

    def input_spec(self):
        return Input(self.rate, 10.0, 1.0)


class CountingNetwork(TinyNetwork):
    def validate(self):
        self.size = int(self.size)  # would raise OverflowError/ValueError on inf/NaN if it saw them
        super().validate()


@pytest.mark.parametrize("value", [math.inf, math.nan, 1e300])
def test_the_value_walk_runs_before_a_subclass_sees_the_values(value):
    for make in (lambda: CountingNetwork(size=value), type("Sub", (CountingNetwork,), {"size": value})):
        with pytest.raises(ConfigurationError, match="^size "):
            make()
    network = CountingNetwork()
    network.size = value  # after construction: prepare_simulation checks again before NEST is touched
    with pytest.raises(ConfigurationError, match="^size "):
        network.prepare_simulation()


def test_values_written_into_the_specs_are_walked_too():
    class HardCoded(TinyNetwork):
        def population_specs(self):
            specs = super().population_specs()
            specs["a"].params = {"C_m": math.nan}  # not a parameter: only the structure holds it
            return specs

    with pytest.raises(ConfigurationError, match=r"neuron parameters of population 'a'\['C_m'\] must be a finite"):
        HardCoded()

    class HardCodedRule(TinyNetwork):
        def static_pathways(self):
            return [StaticPathway("a", "a", {"rule": "fixed_indegree", "indegree": math.inf}, 10.0, 1.0)]

    with pytest.raises(
        ConfigurationError, match=r"static pathway static_aa\['conn_spec'\]\['indegree'\] must be a fin"
    ):
        HardCodedRule()


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(rate=1e12), r"the input rate \(1e\+12 Hz\) is above"),
        (dict(pathway_delay=1e5), r"delay of static_aa \(100000 ms\) is 1e\+06 steps"),
        (dict(pathway_delay=0.05), r"delay of static_aa \(0.05 ms\) must be at least the resolution"),
        (dict(neuron_params={"tau_Ca": 0.01}), r"tau_Ca of the neuron parameters of population 'a'"),
        (dict(size=10**12), "GB per process"),
        (dict(update_interval=2e7, t_sim=2e7, record_interval=2e7), r"growth curve of Axon_ex in population 'a'"),
    ],
)
def test_limits_apply_to_what_any_configuration_builds(params, message):
    with pytest.raises(ConfigurationError, match=message):
        TinyNetwork(**params)
    TinyNetwork()  # the configuration itself is fine
