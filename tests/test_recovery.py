"""Recovery measures of lesion runs: synthetic results with known answers, and a short `ButzLesionExperiment` run."""

import numpy as np
import pytest
from conftest import fast_growth

from structural_plasticity import Results
from structural_plasticity.analysis.experiment_figures import plot_recovery, plot_recovery_comparison
from structural_plasticity.analysis.recovery import (
    comparison_table,
    recovery_measures,
    recovery_over_seeds,
    recovery_table,
)
from structural_plasticity.experiments import ButzLesionExperiment, LesionExperiment

TARGET = 0.05


def synthetic_run(ca_lesioned, seed=1, growth_s=10, final_ca=None):
    """Results of a lesion run sampled every second: `growth_s` s of growth, then the given lesioned Ca."""
    n = len(ca_lesioned)
    t = np.arange(1, n + 1, dtype=float)
    phase = (t > growth_s).astype(int)
    ca_lesioned = np.asarray(ca_lesioned, dtype=float)
    series = {
        "time": t,
        "phase": phase,
        "mean_ca_lesioned": ca_lesioned,
        "mean_ca_intact": np.full(n, TARGET) * (1 + 0.01 * np.sin(t)),
        "rate_lesioned": ca_lesioned * 100,
        "elements_den_ex_lesioned": np.where(phase == 1, 2.0, 1.0),
        "elements_axon_ex_lesioned": np.where(phase == 1, 0.5, 1.5),
        "connections_intact_lesioned": np.where(phase == 1, 40, 10),
    }
    metadata = {
        "rng_seed": seed,
        "target_ca": {"e": TARGET},
        "phases": [
            {"name": "growth", "start_s": 0.0, "end_s": float(growth_s), "duration_s": float(growth_s)},
            {"name": "recovery", "start_s": float(growth_s), "end_s": float(n), "duration_s": float(n - growth_s)},
        ],
        "groups": [{"name": "lesioned", "size": 20, "node_ids": []}, {"name": "intact", "size": 180, "node_ids": []}],
    }
    if final_ca is not None:
        metadata["lesion"] = {"ca_lesioned_end": list(final_ca)}
    return Results(series, metadata)


def dip_and_return(depth, recover_at=None, n=60, growth_s=10):
    """Lesioned Ca at target, a drop to `depth` x target after the lesion, back at target from `recover_at` s."""
    ca = np.full(n, TARGET)
    ca[growth_s:] = depth * TARGET
    if recover_at is not None:
        ca[recover_at - 1 :] = TARGET
    return ca


def test_time_to_recovery_counts_from_the_lesion_after_the_drop():
    # Ca still high just after the lesion (it decays with tau_Ca): that is not a recovery.
    ca = dip_and_return(0.2, recover_at=40)
    ca[10:13] = [0.9 * TARGET, 0.85 * TARGET, 0.82 * TARGET]
    m = recovery_measures(synthetic_run(ca), window_s=5.0)
    assert m["time_to_recovered_s"] == pytest.approx(30.0)  # sample at 40 s, lesion at 10 s
    assert m["recovered"] == 1.0 and m["fell_below"] == 1.0
    assert m["ca_lesioned_before"] == pytest.approx(1.0)
    assert m["ca_lesioned_min"] == pytest.approx(0.2)
    assert m["ca_lesioned_end"] == pytest.approx(1.0)
    assert m["den_ex_lesioned_end"] == 2.0 and m["axon_ex_lesioned_before"] == 1.5
    assert m["intact_input_lesioned_before"] == pytest.approx(0.5) and m["intact_input_lesioned_end"] == 2.0
    assert m["intact_max_deviation"] < 0.011


def test_no_recovery_and_no_drop():
    never = recovery_measures(synthetic_run(dip_and_return(0.1)), window_s=5.0)
    assert np.isnan(never["time_to_recovered_s"]) and never["recovered"] == 0.0 and never["fell_below"] == 1.0
    assert never["ca_lesioned_end"] == pytest.approx(0.1)
    no_drop = recovery_measures(synthetic_run(dip_and_return(0.9)), window_s=5.0)
    assert no_drop["fell_below"] == 0.0 and np.isnan(no_drop["time_to_recovered_s"])  # nothing to recover from
    assert no_drop["recovered"] == 1.0  # but it is at >= 80 % at the end


def test_a_run_without_growth_phase_has_no_before_values():
    """A lesion started from a saved network records no growth phase: "before" is NaN, the rest is measured."""
    full = synthetic_run(dip_and_return(0.2, recover_at=40))
    after = full["phase"] == 1
    series = {name: full[name][after] for name in full.names}
    series["phase"] = np.zeros(after.sum(), dtype=int)  # the recovery phase is the run's only phase
    metadata = dict(full.metadata, phases=[full.metadata["phases"][1]])
    m = recovery_measures(Results(series, metadata), window_s=5.0)
    assert np.isnan(m["ca_lesioned_before"]) and np.isnan(m["den_ex_lesioned_before"])
    assert m["ca_lesioned_min"] == pytest.approx(0.2) and m["time_to_recovered_s"] == pytest.approx(30.0)


def test_per_neuron_final_ca_gives_fractions_of_recovered_and_silent_neurons():
    final = TARGET * np.array([1.0, 0.9, 0.5, 0.05, 0.0])
    m = recovery_measures(synthetic_run(dip_and_return(0.2, 30), final_ca=final), window_s=5.0)
    assert m["neurons_recovered_end"] == pytest.approx(2 / 5)
    assert m["neurons_silent_end"] == pytest.approx(2 / 5)
    assert m["ca_active_end"] == pytest.approx(np.mean([1.0, 0.9, 0.5]))  # the neurons that are not silent


def test_mean_and_sd_over_runs_and_table():
    runs = [synthetic_run(dip_and_return(0.2, recover_at=r), seed=s) for s, r in ((1, 30), (2, 40), (3, None))]
    summary = recovery_over_seeds(runs, window_s=5.0)
    mean, sd, n = summary["time_to_recovered_s"]
    assert (mean, n) == (pytest.approx(25.0), 2) and sd == pytest.approx(np.std([20.0, 30.0], ddof=1))
    assert summary["recovered_runs"] == (2.0, 0.0, 3) and summary["fell_below_runs"] == (3.0, 0.0, 3)
    mean, sd, n = summary["ca_lesioned_end"]
    assert mean == pytest.approx(np.mean([1.0, 1.0, 0.2])) and n == 3
    table = recovery_table(runs, window_s=5.0)
    assert "seeds 1, 2, 3" in table and "2 of 3" in table
    assert "time from lesion back to 80 % of target" in table


def test_plot_recovery_draws_mean_and_band():
    import matplotlib

    matplotlib.use("Agg", force=False)
    runs = [synthetic_run(dip_and_return(0.2, recover_at=r), seed=s) for s, r in ((1, 30), (2, 40))]
    fig = plot_recovery(runs)
    ax_ca = fig.axes[0]
    lesioned = next(line for line in ax_ca.get_lines() if line.get_label() == "lesioned")
    np.testing.assert_allclose(lesioned.get_ydata(), np.mean([r["mean_ca_lesioned"] for r in runs], axis=0) / TARGET)
    assert ax_ca.collections  # the ±sd band


@pytest.fixture(scope="module")
def butz_run():
    """A short ButzLesionExperiment: 160 + 40 neurons, growth 20 times faster than the defaults."""
    experiment = ButzLesionExperiment(
        number_excitatory_neurons=160,
        number_inhibitory_neurons=40,
        rng_seed=7,
        record_interval=500.0,
        growth_duration=5000.0,
        recovery_duration=3000.0,
        **fast_growth(ButzLesionExperiment),
    )
    return experiment, experiment.run()


def test_butz_lesion_records_every_element_of_both_groups(butz_run):
    experiment, results = butz_run
    for group in ("lesioned", "intact"):
        for element in ("axon_ex", "den_ex", "den_in"):
            assert f"elements_{element}_{group}" in results and f"connected_{element}_{group}" in results
    assert results["elements_axon_ex_intact"].max() > 0 and results["elements_den_ex_lesioned"].max() > 0
    assert results.metadata["parameters"]["lesion_input_kept"] == ButzLesionExperiment.lesion_input_kept
    assert results.metadata["parameters"]["growth_curve_den_in_e"]["eta"] == 0.05


def test_per_neuron_ca_of_the_lesioned_group_matches_the_group_mean(butz_run):
    experiment, results = butz_run
    lesion = results.metadata["lesion"]
    n = len(experiment.groups["lesioned"])
    assert len(lesion["ca_lesioned_before"]) == len(lesion["ca_lesioned_end"]) == n == 16
    before = results["phase"] == 0
    assert np.mean(lesion["ca_lesioned_before"]) == pytest.approx(results["mean_ca_lesioned"][before][-1], rel=1e-9)
    assert np.mean(lesion["ca_lesioned_end"]) == pytest.approx(results["mean_ca_lesioned"][-1], rel=1e-9)
    # NEST's own Ca of the neurons agrees with the Ca rebuilt from their spikes.
    np.testing.assert_allclose(experiment.groups["lesioned"].get("Ca"), lesion["ca_lesioned_end"], rtol=1e-9)
    m = recovery_measures(results, window_s=1.0)
    assert 0 <= m["neurons_recovered_end"] <= 1 and np.isfinite(m["ca_lesioned_end"])


def test_example_and_butz_lesions_share_the_protocol():
    assert ButzLesionExperiment.growth_duration == LesionExperiment.growth_duration
    assert ButzLesionExperiment.recovery_duration == LesionExperiment.recovery_duration
    assert LesionExperiment.lesion_input_kept == 0.0  # the example's lesion stays complete deafferentation


def test_comparison_table_has_a_column_per_condition():
    deep = [synthetic_run(dip_and_return(0.2, recover_at=r), seed=s) for s, r in ((1, 30), (2, 40))]
    shallow = [synthetic_run(dip_and_return(0.9), seed=s) for s in (1, 2, 3)]
    table = comparison_table({"deep": deep, "shallow": shallow}, window_s=5.0)
    header, rule, *rows = table.splitlines()
    assert header == "| measure | deep (2 runs) | shallow (3 runs) |" and rule == "|---|---|---|"
    cells = {row.split(" | ")[0].lstrip("| "): row.rstrip(" |").split(" | ")[1:] for row in rows}
    assert cells["lesioned Ca / target, minimum after the lesion"] == ["0.200 ± 0.000", "0.900 ± 0.000"]
    assert cells["runs whose lesioned Ca fell below 80 % of target"] == ["2 of 2", "0 of 3"]
    # the shallow dip never fell below 80 %: no time to recovery, shown as missing
    assert cells["time from lesion back to 80 % of target (s; runs that fell below)"] == ["25.0 ± 7.1", "–"]
    assert "Den_in grown per lesioned neuron, minimum after" not in cells  # no condition recorded Den_in


def test_plot_recovery_comparison_draws_each_condition():
    import matplotlib

    matplotlib.use("Agg", force=False)
    deep = [synthetic_run(dip_and_return(0.2, recover_at=r), seed=s) for s, r in ((1, 30), (2, 40))]
    shallow = [synthetic_run(dip_and_return(0.9), seed=s) for s in (1, 2)]
    fig = plot_recovery_comparison({"deep": deep, "shallow": shallow})
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    np.testing.assert_allclose(lines["shallow"].get_ydata(), dip_and_return(0.9) / TARGET)
    np.testing.assert_allclose(lines["deep"].get_ydata(), np.mean([r["mean_ca_lesioned"] for r in deep], 0) / TARGET)
    assert [line.get_label() for line in fig.axes[1].get_lines()] == ["deep", "shallow"]  # Axon_ex


def test_compare_script_reads_seed_folders_and_ensemble_members_and_keeps_results(tmp_path):
    """scripts/lesion_recovery_compare.py: ``seed-<n>`` folders and ``<prefix>_seed-<n>`` ensemble members alike;
    an existing table is not overwritten without --overwrite."""
    import subprocess
    import sys
    from pathlib import Path

    from conftest import cli_env

    def saved(folder, run):
        run.metadata.update(parameters={}, completed=True)
        run.save(folder)

    for s, r in ((1, 30), (2, 40)):
        saved(tmp_path / "deep" / f"seed-{s}", synthetic_run(dip_and_return(0.2, recover_at=r), seed=s))
        saved(tmp_path / "ens" / f"kept-0.9_seed-{s}", synthetic_run(dip_and_return(0.9), seed=s))
    script = Path(__file__).resolve().parent.parent / "scripts" / "lesion_recovery_compare.py"
    argv = [sys.executable, str(script), f"deep={tmp_path / 'deep'}", f"shallow={tmp_path / 'ens' / 'kept-0.9'}"]
    out = tmp_path / "cmp"
    first = subprocess.run([*argv, "-o", str(out)], env=cli_env(), capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    table = (tmp_path / "cmp.md").read_text()
    assert "| measure | deep (2 runs) | shallow (2 runs) |" in table and (tmp_path / "cmp.png").stat().st_size > 10_000
    again = subprocess.run([*argv, "-o", str(out)], env=cli_env(), capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "--overwrite" in again.stderr
    assert (tmp_path / "cmp.md").read_text() == table
