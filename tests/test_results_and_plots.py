"""Results objects and their files, and the plotting functions (no simulation needed)."""

import json

import matplotlib
import numpy as np
import pytest

from structural_plasticity import ConfigurationError, Results, load_results
from structural_plasticity.plotting import plot_ca_and_connections, plot_overview


def make_results(n=6, completed=True):
    t = np.arange(1, n + 1, dtype=float)
    series = {
        "time": t,
        "mean_ca_e": 0.05 * (1 - np.exp(-t)),
        "mean_ca_i": 0.2 * (1 - np.exp(-t)),
        "std_ca_e": np.full(n, 0.004),
        "std_ca_i": np.full(n, 0.01),
        "rate_e": np.full(n, 5.0),
        "rate_i": np.full(n, 20.0),
        "connections_ee": np.arange(n) * 10,
        "connections_ei": np.arange(n) * 3,
        "connections_ie": np.arange(n) * 2,
        "connections_ii": np.arange(n),
    }
    series["total_connections_e"] = series["connections_ee"] + series["connections_ei"]
    series["total_connections_i"] = series["connections_ie"] + series["connections_ii"]
    meta = {
        "target_ca": {"e": 0.05, "i": 0.2},
        "ca_per_hz": 0.01,
        "completed": completed,
        "rng_seed": 1,
        "parameters": {"number_excitatory_neurons": 800, "number_inhibitory_neurons": 200},
    }
    return Results(series, meta)


def test_round_trip_keeps_arrays_dtypes_and_metadata(tmp_path):
    original = make_results()
    written = original.save(tmp_path)
    assert {p.name for p in written} == {"results.npz", "results.csv", "metadata.json"}
    loaded = load_results(tmp_path)
    assert loaded.names == original.names
    for name in original.names:
        np.testing.assert_array_equal(loaded[name], original[name])
        assert loaded[name].dtype.kind == original[name].dtype.kind
    assert loaded.metadata == json.loads(json.dumps(original.metadata))
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary files left behind


def test_csv_has_one_row_per_sample(tmp_path):
    make_results(n=5).save(tmp_path)
    rows = (tmp_path / "results.csv").read_text().splitlines()
    assert len(rows) == 6 and rows[0].startswith("time,mean_ca_e")
    assert float(rows[-1].split(",")[0]) == 5.0


def test_loading_refuses_a_folder_without_results(tmp_path):
    with pytest.raises(ConfigurationError, match="does not hold saved results"):
        load_results(tmp_path)


def test_loading_never_unpickles(tmp_path):
    make_results().save(tmp_path)
    np.savez(tmp_path / "results.npz", time=np.array([object()], dtype=object))  # a pickled object array
    # The manifest's checksum catches the replaced file first ...
    with pytest.raises(ConfigurationError, match="not the file saved with these results"):
        load_results(tmp_path)
    # ... and without a manifest (a folder of an older version) the object array is still refused.
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(ConfigurationError, match="object array .*allow_pickle"):
        load_results(tmp_path)


def test_results_access():
    r = make_results()
    assert len(r) == 6 and "rate_e" in r and r.rate_e[0] == 5.0
    with pytest.raises(AttributeError, match="no series or attribute 'rate_x'"):
        r.rate_x
    r.append(time=7.0, rate_e=np.float64(6.0))
    assert r.rate_e[-1] == 6.0 and isinstance(r.rate_e, np.ndarray)
    assert "7 samples" in repr(r) and "completed" in repr(r)


def test_nan_metadata_is_written_as_null(tmp_path):
    r = make_results()
    r.metadata["wall_time_s"] = float("nan")
    r.save(tmp_path)
    assert json.loads((tmp_path / "metadata.json").read_text())["wall_time_s"] is None


def test_plots_return_figures_and_leave_the_backend_alone(tmp_path):
    backend = matplotlib.get_backend()
    r = make_results()
    fig = plot_ca_and_connections(r)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax1 = fig.axes[0]
    assert ax1.get_xlabel() == "time (s)"
    # Target lines of both populations and both Ca curves are drawn on the first axes.
    ys = [tuple(line.get_ydata()) for line in ax1.lines]
    assert (0.05, 0.05) in ys and (0.2, 0.2) in ys
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 2  # connections on the twin axis
    overview = plot_overview(r)
    assert len(overview.axes) == 3 and len(overview.axes[0].lines) == 4
    fig.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000
    assert matplotlib.get_backend() == backend


def test_plots_draw_into_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert plot_ca_and_connections(make_results(), ax=ax) is fig
    fig3, axes = plt.subplots(1, 3)
    assert plot_overview(make_results(), axes=axes) is fig3 and len(axes[1].lines) == 4  # 2 rates + 2 targets
    assert "INCOMPLETE" in plot_ca_and_connections(make_results(completed=False)).axes[0].get_title()
    plt.close("all")


def test_metadata_says_what_each_saved_series_means_and_its_unit(tmp_path):
    """metadata.json documents the series it holds (meaning and unit), and only those."""
    import json

    from structural_plasticity import Results

    results = Results({"time": [1.0, 2.0], "rate_e": [4.0, 5.0]}, {"completed": True})
    results.save(tmp_path / "r")
    doc = json.loads((tmp_path / "r" / "metadata.json").read_text())["series_doc"]
    assert doc == {"time": "end of the sample interval (s)", "rate_e": doc["rate_e"]} and "(Hz)" in doc["rate_e"]


def test_series_doc_of_nest_example_is_as_before_and_other_names_are_documented_too():
    from structural_plasticity.results import series_doc

    pathways = ["connections_ee", "connections_ei", "connections_ie", "connections_ii"]
    names = ["time", "mean_ca_e", "std_ca_e", "rate_e", "mean_ca_i", "std_ca_i", "rate_i", *pathways]
    names += ["total_connections_e", "total_connections_i", "mean_ca_lesioned", "connections_lesioned_rest"]
    doc = series_doc(names, groups=["lesioned", "rest"])
    assert doc == {  # the text NEST's example's metadata.json has always carried
        "time": "end of the sample interval (s)",
        "mean_ca_e": "mean Ca of excitatory neurons",
        "std_ca_e": "standard deviation of Ca over excitatory neurons",
        "rate_e": "mean firing rate of excitatory neurons over the interval (Hz)",
        "mean_ca_i": "mean Ca of inhibitory neurons",
        "std_ca_i": "standard deviation of Ca over inhibitory neurons",
        "rate_i": "mean firing rate of inhibitory neurons over the interval (Hz)",
        "connections_ee": "synapses from excitatory to excitatory neurons",
        "connections_ei": "synapses from excitatory to inhibitory neurons",
        "connections_ie": "synapses from inhibitory to excitatory neurons",
        "connections_ii": "synapses from inhibitory to inhibitory neurons",
        "total_connections_e": "excitatory synapses (E->E + E->I)",
        "total_connections_i": "inhibitory synapses (I->E + I->I)",
    }  # an experiment's groups are left out
    # Only E->E plastic (Gallinaro & Rotter): the total says which pathways it sums.
    assert series_doc(["mean_ca_e", "connections_ee", "total_connections_e"])["total_connections_e"] == (
        "excitatory synapses (E->E)"
    )
    other = series_doc(["mean_ca_exc", "mean_ca_inh", "connections_excinh", "total_connections_exc"])
    assert other["connections_excinh"] == "synapses from 'exc' to 'inh' neurons"
    assert other["total_connections_exc"] == "'exc' synapses (EXC->INH)"


def test_populations_and_group_populations_are_read_from_series_and_metadata():
    from structural_plasticity.analysis.populations import group_names, group_population, population_names
    from structural_plasticity.ensemble import merge_point

    results = make_results()
    results.metadata["target_ca"] = {"i": 0.2, "e": 0.05}  # as a JSON file with sorted keys may not keep order
    results.metadata["groups"] = [{"name": "lesioned", "size": 2, "node_ids": [1, 2]}]
    results._series["mean_ca_lesioned"] = list(range(len(results)))
    assert population_names(results) == ["e", "i"]  # in recording order; the group is not a population
    assert group_population(results, "lesioned") == "e"  # not recorded: the first population with a target
    results.metadata["groups"][0]["population"] = "i"
    assert group_population(results, "lesioned") == "i"
    with pytest.raises(KeyError, match="no group 'rest'"):
        group_population(results, "rest")
    merged = merge_point([results, results])
    assert group_names(merged) == ["lesioned"] and population_names(merged) == ["e", "i"]


def test_summary_prints_the_populations_of_nest_example_as_before():
    from structural_plasticity.summary import summarize

    results = make_results()
    results._series["rate_e"] = [5.0, 5.0, 5.0, 5.0, 3.0, 4.0]  # measured: mean of the last 1.5 s (2 samples)
    lines = summarize(results).splitlines()
    assert lines[1].split() == "population mean Ca target measured rate rate from Ca target rate settled (±5%)".split()
    assert lines[2].split()[:6] == ["excitatory", "0.0499", "0.05", "3.50", "Hz", "4.99"]  # measured beside Ca's
    assert lines[3].startswith("inhibitory ")
    assert lines[4].startswith("(measured: spikes of the last 1.5 s;")
    assert lines[5] == "connections: 65 excitatory (E→E 50, E→I 15), 15 inhibitory (I→E 10, I→I 5)"


def test_summary_of_a_run_from_a_saved_network_says_which_time_it_simulated():
    from structural_plasticity.summary import summarize

    results = make_results()
    results._series["time"] = list(np.arange(61.0, 67.0))
    results.metadata.update(simulated_time_ms=6000.0, initial_network={"path": "grown.npz", "time_ms": 60000.0})
    assert summarize(results).startswith("Simulated 6 s (from 60 s to 66 s, continuing grown.npz) of 800 excitatory")
