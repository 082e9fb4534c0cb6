"""What a user sees next: figures of every run and ensemble, runs from saved networks, the printed summary.

* ``plot RUN`` re-draws every figure the run's sub-command drew (the experiment's own too), ``plot`` of an
  ensemble folder points to ``merge``, and ``merge`` of an experiment ensemble draws its figure with bands;
* figures take their limits from the data (NEST's fixed limits only for the default network), keep their
  legends outside the axes, shade phases in the colour of their name, and start the time axis where the run
  started;
* ``--from-network`` takes the population sizes from the file, refuses only a real conflict, and the lesion
  table's "before" rows come from the saved network.
"""

import json

import numpy as np
import pytest
from conftest import fast_growth

from structural_plasticity import load_results
from structural_plasticity.analysis.recovery import recovery_measures
from structural_plasticity.cli.network_file import group_values_at_start
from structural_plasticity.networks.state import load_network

#: A small fast-growing E/I network on the command line: 160 + 40 neurons, recorded every 0.5 s.
SMALL_CLI = ["--n-exc", "160", "--n-inh", "40", "--record-interval", "500", "--seed", "3"]
GROWTH = [x for name, curve in fast_growth().items() for x in ("--set", f"{name}={json.dumps(curve)}")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A grown network saved to a file, a lesion from it (sizes not repeated), and a lesion ensemble of 2 seeds."""
    from conftest import run_cli

    root = tmp_path_factory.mktemp("user")
    grown = run_cli(
        "--t-sim", "4", *SMALL_CLI, *GROWTH, "--save-network", "grown.npz", "--no-plot", "-o", "g", cwd=root
    )
    assert grown.returncode == 0, grown.stderr
    lesion = run_cli(
        "lesion", "--from-network", "grown.npz", "--recovery", "2", *GROWTH, "--formats", "png", "-o", "l", cwd=root
    )
    assert lesion.returncode == 0, lesion.stderr
    ensemble = run_cli(
        "ensemble", "lesion", "--seeds", "1-2", "-j", "2", "-o", "ens", "-q", "--",
        "--growth", "2", "--recovery", "2", "--n-exc", "40", "--n-inh", "10", "--record-interval", "500", "--no-plot",
        cwd=root,
    )  # fmt: skip
    assert ensemble.returncode == 0, ensemble.stderr
    return root, lesion


def test_from_network_takes_the_sizes_from_the_file_and_says_what_it_simulated(runs):
    root, lesion = runs
    results = load_results(root / "l")
    assert results.metadata["parameters"]["number_excitatory_neurons"] == 160  # from the file, not 800
    assert (
        "Simulating 2 s" in lesion.stdout and "Simulated 2 s (from 4 s to 6 s, continuing grown.npz)" in lesion.stdout
    )
    assert "measured rate" in lesion.stdout and "rate from Ca" in lesion.stdout


def test_from_network_refuses_only_a_real_conflict(runs, cli):
    root, _ = runs
    out = cli("lesion", "--from-network", "grown.npz", "--n-exc", "80", "--recovery", "1", "-o", "c", cwd=root)
    assert out.returncode == 2 and "leave out --n-exc" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (root / "c").exists()


def test_lesion_before_rows_come_from_the_saved_network(runs, monkeypatch):
    root, _ = runs
    monkeypatch.chdir(root)  # the results record the file's path as given on the command line
    results = load_results(root / "l")
    saved = load_network(root / "grown.npz")
    lesioned = next(g for g in results.metadata["groups"] if g["name"] == "lesioned")
    rows = np.isin(saved.arrays["neuron_id"], lesioned["node_ids"])
    target = results.metadata["target_ca"]["e"]
    measures = recovery_measures(results, window_s=0.5, start=group_values_at_start(results))
    assert np.isnan(recovery_measures(results, window_s=0.5)["ca_lesioned_before"])  # not read: unknown
    assert measures["ca_lesioned_before"] == pytest.approx(saved.arrays["neuron_Ca"][rows].mean() / target)
    den_ex = saved.meta["element_names"].index("Den_ex")
    assert measures["den_ex_lesioned_before"] == pytest.approx(saved.arrays["element_z"][rows, den_ex].mean())
    source, target_ids, _, _ = saved.synapses("synapse_ex")
    intact = next(g for g in results.metadata["groups"] if g["name"] == "intact")["node_ids"]
    expected = np.sum(np.isin(source, intact) & np.isin(target_ids, lesioned["node_ids"])) / len(lesioned["node_ids"])
    assert measures["intact_input_lesioned_before"] == pytest.approx(expected)
    table = (root / "l" / "signature.txt").read_text()
    before = [line for line in table.splitlines() if "before" in line]
    assert before and not [line for line in before if line.rstrip().endswith("–")]


def test_plot_redraws_every_figure_of_the_run_in_the_formats_asked(runs, cli):
    root, _ = runs
    out = cli("plot", "l", "--formats", "pdf", cwd=root)
    assert out.returncode == 0, out.stderr
    for stem in ("structural_plasticity", "overview", "lesion"):
        assert (root / "l" / f"{stem}.pdf").stat().st_size > 0, stem
    manifest = json.loads((root / "l" / "manifest.json").read_text())["files"]
    assert "lesion.pdf" in manifest and "lesion.png" in manifest  # the run's figures stay, the new ones join


def test_plot_of_an_ensemble_points_to_merge(runs, cli):
    root, _ = runs
    out = cli("plot", "ens", cwd=root)
    assert out.returncode == 2 and "merge ens" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_merge_of_an_experiment_ensemble_draws_its_figure_with_bands_and_states_small_n(runs, cli):
    root, _ = runs
    out = cli("merge", "ens", cwd=root)
    assert out.returncode == 0, out.stderr
    assert (root / "ens" / "merged" / "default" / "lesion.png").stat().st_size > 0
    assert "n < 3" in out.stdout and "n < 3" in (root / "ens" / "merged" / "summary.txt").read_text()
    with np.load(root / "ens" / "merged" / "default" / "merged.npz") as merged:
        for name in ("rate_lesioned", "rate_e", "std_ca_e", "connections_ee", "mean_ca_lesioned"):
            assert merged[f"{name}_ci_low"].min() >= 0.0, name
        # Two members: the Student-t band is wide, and it was clipped at 0 somewhere.
        assert np.any(merged["rate_lesioned_ci_low"] == 0.0)
    meta = json.loads((root / "ens" / "merged" / "default" / "merged.json").read_text())
    assert meta["few_members"] is True and meta["groups"][0]["size"] == 4


def _legend_outside(fig):
    for ax in fig.axes:
        box = ax.get_legend()
        if box is not None:
            fig.canvas.draw()
            assert box.get_window_extent().x0 >= ax.get_window_extent().x1 - 1, "a legend inside the axes"


def test_figures_take_limits_from_the_data_except_nests_default_network(runs):
    import matplotlib

    matplotlib.use("Agg")
    from structural_plasticity.analysis.style import phase_colour
    from structural_plasticity.plotting import plot_ca_and_connections, plot_overview

    root, _ = runs
    results = load_results(root / "l")
    fig = plot_ca_and_connections(results)
    ax_ca, ax_conn = fig.axes
    top = max(results["total_connections_e"].max(), results["total_connections_i"].max())
    assert ax_conn.get_ylim()[1] == pytest.approx(1.05 * top)  # not NEST's 2500
    assert ax_ca.get_ylim()[1] < 0.275 or results["mean_ca_i"].max() > 0.25
    assert ax_ca.get_xlim() == (4.0, 6.0)  # from the saved network's time to the last sample
    _legend_outside(fig)
    shades = {p.get_facecolor()[:3] for p in ax_ca.patches}
    assert len(shades) == 1  # the recovery phase (growth skipped), in the colour of its name
    from matplotlib.colors import to_rgb

    assert shades == {to_rgb(phase_colour("recovery"))}
    _legend_outside(plot_overview(results))
    default = load_results(root / "l")
    default.metadata["parameters"].update(number_excitatory_neurons=800, number_inhibitory_neurons=200)
    assert plot_ca_and_connections(default).axes[1].get_ylim()[1] == 2500.0  # NEST's figure's limits
