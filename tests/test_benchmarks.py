"""The benchmark scripts run end to end on a tiny configuration (timings are not asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_benchmark_runs_and_reports_ratios(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "benchmark.py"),
            "--t-sim",
            "1",
            "--repeats",
            "1",
            "--n-exc",
            "40",
            "--n-inh",
            "10",
            "--variants",
            "nest_example,nest_example_shipped,bare,package,experiment",
            "--json",
            str(tmp_path / "b.json"),
        ],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "b.json").read_text())
    assert set(report["variants"]) == {"nest_example", "nest_example_shipped", "bare", "package", "experiment"}
    for entry in report["variants"].values():
        assert entry["run_s"]["median"] > 0 and entry["peak_rss_mb"]["median"] > 10
    assert {"package/nest_example", "package/nest_example_shipped", "package/bare", "experiment/package"} <= set(
        report["ratios"]
    )
    assert "package/bare" in out.stdout


def test_scaling_runs(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "scaling.py"),
            "--sizes",
            "50,100",
            "--t-sim",
            "1",
            "--repeats",
            "1",
            "--json",
            str(tmp_path / "s.json"),
        ],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads((tmp_path / "s.json").read_text())
    assert [r["neurons"] for r in rows] == [50, 100]
    assert "kb_per_neuron" in rows[1]["package"]


def test_experiment_recording_benchmark_runs(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "experiment_recording.py"),
            "--growth",
            "1",
            "--repeats",
            "1",
            "--json",
            str(tmp_path / "e.json"),
        ],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "e.json").read_text())
    assert report["median_ms"]["simulate_interval"] > 0
    assert set(report["overhead_per_sample"]) == {"pairwise", "derived"}


def test_assembly_cost_measures_both_states_and_projects(tmp_path):
    """The full-size cost benchmark on 200 E + 50 I neurons: pre-wiring gives the grown connectivity."""
    reports = {}
    for state in ("start", "steady"):
        out = subprocess.run(
            [sys.executable, str(BENCHMARKS / "assembly_cost.py"), "--state", state, "--seconds", "2"]
            + ["--n-exc", "200", "--n-inh", "50"],
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert out.returncode == 0, out.stderr
        reports[state] = json.loads(out.stdout)
        (tmp_path / f"{state}.json").write_text(out.stdout)
    assert reports["start"]["connections_ee_before"] == 0
    assert reports["steady"]["connections_ee_before"] == 200 * 20  # in-degree 0.1 N_E, every E neuron
    assert reports["steady"]["neurons"] == [200, 50] and len(reports["steady"]["simulate_cpu_s_per_s"]) == 2
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "assembly_cost.py"), "--project"]
        + [str(tmp_path / "start.json"), str(tmp_path / "steady.json")],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    projection = json.loads(out.stdout)
    cost = projection["cost_s_per_simulated_s"]
    assert projection["total_s"] == pytest.approx(500 * (cost["start"] + cost["steady"]) / 2 + 5650 * cost["steady"])


def test_elements_cost_runs_and_fast_equals_steps(tmp_path):
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "elements_cost.py"), "--sizes", "300", "--rates", "5", "20"]
        + ["--repeats", "2", "-o", str(tmp_path / "e.json")],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads((tmp_path / "e.json").read_text())["rows"]
    assert [(r["neurons"], r["rate_hz"]) for r in rows] == [(300, 5.0), (300, 20.0)]
    assert all(r["fast_s"] > 0 and r["max_rel_diff_fast_vs_steps"] < 1e-12 for r in rows)
