"""The examples and the notebook run (with short options), so that they cannot rot."""

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name, *args, cwd):
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_short_run(tmp_path):
    out = run_example("short_run.py", "--t-sim", "4", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "mean Ca after 4 s" in out.stdout and "What you should see" in out.stdout
    assert "spikes recorded: " in out.stdout
    assert (tmp_path / "short_run" / "results.npz").exists()
    assert (tmp_path / "short_run" / "structural_plasticity.png").stat().st_size > 0


def test_subclass(tmp_path):
    out = run_example("subclass.py", "--t-sim", "4", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "target: E 3 Hz (Ca 0.030)" in out.stdout
    assert "include target_rate_e: True" in out.stdout


def test_replot_makes_data_when_missing_then_plots(tmp_path):
    out = run_example("replot.py", "saved", "--t-sim", "2", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "holds no results" in out.stdout
    assert (tmp_path / "saved" / "replot.png").stat().st_size > 0
    again = run_example("replot.py", "saved", cwd=tmp_path)  # now from the saved data, without simulating
    assert again.returncode == 0 and "holds no results" not in again.stdout


def test_notebook_executes(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    for key, value in cli_env().items():
        monkeypatch.setenv(key, value)
    # The kernel must use Jupyter's inline backend (as a user's notebook does), not the tests' Agg.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the figures were drawn


def test_the_notebook_is_stored_with_the_outputs_of_its_short_run():
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.get("outputs") for cell in code[1:])  # every cell after the imports shows its output
    assert "T_SIM = " in code[0].source  # the variables at the top set the runs
