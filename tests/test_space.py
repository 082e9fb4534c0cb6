"""Networks on a sheet: placements, positions in results and network files, pairing by distance, the focal lesion's zones.

Tiny sheets and short runs; the kernel and pairing statistics themselves are in tests/test_plasticity_pairing.py,
the focal lesion's signatures over seeds in tests/test_focal_lesion.py (slow).
"""

import numpy as np
import pytest

from structural_plasticity import ConfigurationError, load_results
from structural_plasticity.experiments.catalog import FocalLesionExperiment
from structural_plasticity.networks import ButzSheetNetwork, Placement, state
from structural_plasticity.plasticity.space import Sheet

#: A sheet of 12 x 10 excitatory and 6 x 5 inhibitory neurons; growth 10 times faster than the defaults.
TINY = dict(
    grid_e=[10, 12],
    number_excitatory_neurons=120,
    number_inhibitory_neurons=30,
    sigma_e=300.0,
    sigma_i=900.0,
    rng_seed=3,
    record_interval=500.0,
    **ButzSheetNetwork.growth_curves_scaled(10),
)
# Axons that grow from Ca = 0 (Butz's axons wait for Ca above 0.57 of the target), so that seconds form synapses.
TINY.update({name: dict(curve, eta=0.0) for name, curve in TINY.items() if name.startswith("growth_curve_axon")})


def test_grids_place_every_neuron_in_its_square_and_inhibitory_ones_between():
    network = ButzSheetNetwork(**TINY, t_sim=500.0)
    network.build()
    sheet = network.structure.sheet
    assert (sheet.width, sheet.height, sheet.periodic) == (1800.0, 1500.0, True)
    e, i = network.positions["e"], network.positions["i"]
    assert e.shape == (120, 2) and i.shape == (30, 2)
    grid = np.column_stack([(np.arange(120) % 12 + 0.5) * 150.0, (np.arange(120) // 12 + 0.5) * 150.0])
    assert np.all(np.abs(e - grid) <= 15.0) and np.any(np.abs(e - grid) > 1.0)  # jittered, within 15 µm
    between = np.column_stack([(np.arange(30) % 6 + 0.5) * 300.0, (np.arange(30) // 6 + 0.5) * 300.0])
    assert np.all(np.abs(i - between) <= 15.0)  # at 150, 450, ... µm: halfway between excitatory sites
    again = ButzSheetNetwork(**TINY, t_sim=500.0)
    again.build()
    assert np.array_equal(again.positions["e"], e)  # from rng_seed: reproducible


def test_positions_go_with_results_and_network_files(tmp_path):
    network = ButzSheetNetwork(**TINY, t_sim=2000.0)
    network.run()
    network.results.save(tmp_path / "run")
    with np.load(tmp_path / "run" / "positions.npz") as saved:
        assert np.array_equal(saved["x"][:120], network.positions["e"][:, 0])
        assert list(saved["population_names"]) == ["e", "i"]
    assert load_results(tmp_path / "run").metadata["sheet"] == {"width": 1800.0, "height": 1500.0, "periodic": True}
    path = network.save_network(tmp_path / "grown.npz")
    assert np.array_equal(state.load_network(path).positions()["i"], network.positions["i"])
    restored = ButzSheetNetwork(**dict(TINY, rng_seed=4), t_sim=500.0, initial_network=str(path))
    restored.build()  # another seed would jitter otherwise: the positions come from the file
    assert np.array_equal(restored.positions["e"], network.positions["e"])


def test_a_narrow_kernel_forms_shorter_synapses_than_a_wide_one():
    lengths = {}
    for sigma in (200.0, 100_000.0):
        network = ButzSheetNetwork(**dict(TINY, sigma_e=sigma), t_sim=6000.0)
        network.run()
        update = network.updater
        table = update.synapses["synapse_ex"]
        assert len(table) > 50
        sheet = network.structure.sheet
        lengths[sigma] = sheet.distance(update.positions[table.sources], update.positions[table.targets]).mean()
    # A flat kernel: about 640 µm on this torus. A kernel of 200 µm picks among the few free elements near each
    # axon (none farther than the cut-off, 3.72 sigma = 744 µm), so its synapses are far shorter, if longer than
    # on a dense grid (sigma sqrt(pi) / 2 = 177 µm).
    assert 550.0 < lengths[100_000.0] < 750.0
    assert lengths[200.0] < 0.7 * lengths[100_000.0]


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(sigma_e=0.0), "sigma_e must be a positive"),
        (dict(sigma_e=float("nan")), "sigma_e must be"),
        (dict(structural_update="nest"), "pairs partners by distance, which NEST's structural update cannot do"),
        (dict(grid_e=[10, 11]), "even rows and columns"),
        (dict(number_excitatory_neurons=100), "has 100 neurons but its grid has 10 x 12 = 120 places"),
        (dict(position_jitter=100.0), "jitter must lie in"),
    ],
)
def test_bad_sheets_are_refused_in_one_line(change, message):
    with pytest.raises(ConfigurationError, match=message) as info:
        ButzSheetNetwork(**dict(TINY, **change), t_sim=500.0)
    assert "\n" not in str(info.value)


def test_positions_outside_the_sheet_are_refused():
    class Outside(ButzSheetNetwork):
        def population_specs(self):
            populations = super().population_specs()
            positions = np.zeros((self.number_inhibitory_neurons, 2))
            positions[0] = [5000.0, 10.0]
            populations["i"].placement = Placement(positions=positions.tolist())
            return populations

    with pytest.raises(ConfigurationError, match="outside the sheet"):
        Outside(**TINY, t_sim=500.0)
    assert isinstance(ButzSheetNetwork(**TINY, t_sim=500.0).structure.sheet, Sheet)


def test_zones_and_turnover_of_a_focal_lesion():
    experiment = FocalLesionExperiment(
        **TINY,
        lpz_fraction=0.2,
        growth_duration=3000.0,
        recovery_duration=2000.0,
        map_times=(500.0, 1000.0, 2000.0),
    )
    results = experiment.run()
    zones = results.metadata["zones"]
    assert zones["lpz_neurons"] == 30  # 0.2 of 150
    radii = zones["radii_um"]
    assert radii["centre"] < radii["lpz"] < radii["peri"]
    sizes = {g["name"]: g["size"] for g in results.metadata["groups"]}
    assert sum(sizes.values()) == 120 and sizes["far"] > sizes["peri"] > 0
    assert results.metadata["lesion"]["input_connections_changed"] == 30
    for zone in ("centre", "border", "peri", "far"):
        assert f"elements_den_in_{zone}" in results.names and f"formed_spines_{zone}" in results.names
    # Every formed synapse with an excitatory target is counted in one zone pair or with an I end.
    formed_e = sum(results[f"formed_spines_{z}"].sum() for z in ("centre", "border", "peri", "far"))
    zones = ("centre", "border", "peri", "far")
    pairs = sum(results[f"formed_{a}_{b}"].sum() for a in zones for b in zones)
    assert 0 < pairs <= formed_e
    assert experiment.updater.elements.params["Den_in"]["eta"][0] == pytest.approx(0.05)  # Sinha's rule after it
    maps = experiment.map_arrays()
    assert list(maps["times"]) == [0.5, 1.0, 2.0] and maps["ca"].shape == (3, 150)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(lpz_fraction=0.6), "leave no neuron far"),
        (dict(lpz_fraction=0.005), "gives a zone without neurons"),
        (dict(lesion_input_kept=1.5), "lesion_input_kept must be a number from 0 to 1"),
        (dict(map_times=(1.0, 2.0)), "map_times must be three times"),
    ],
)
def test_bad_focal_lesions_are_refused(change, message):
    params = dict(TINY, growth_duration=1000.0, recovery_duration=1000.0, map_times=(500.0, 1000.0, 1000.0))
    with pytest.raises(ConfigurationError, match=message):
        FocalLesionExperiment(**dict(params, **change)).build()


#: A tiny focal lesion on the command line (every run a few seconds).
TINY_CLI = [
    "--growth", "2", "--recovery", "3", "--n-exc", "120", "--n-inh", "30",
    "--set", "grid_e=[10,12]", "--set", "map_times=[1000,2000,3000]",
]  # fmt: skip


def test_an_ensemble_of_focal_lesions_merges_with_its_own_figure(tmp_path):
    from conftest import run_cli

    folder = tmp_path / "ens"
    ran = run_cli("ensemble", "focal-lesion", "--seeds", "1-2", "-o", folder, "-q", "--", *TINY_CLI, "--no-plot")
    assert ran.returncode == 0, ran.stderr
    for seed in (1, 2):
        assert load_results(folder / f"seed-{seed}").metadata["zones"]["lpz_neurons"] == 8  # 0.05 of 150
    merged = folder / "merged" / "default"
    assert (merged / "focal_lesion.png").is_file()  # the zones' figure, with bands over the seeds
    assert "mean_ca_centre_mean" in np.load(merged / "merged.npz").files


def test_plot_redraws_the_focal_lesions_figures_with_its_maps(tmp_path):
    from conftest import run_cli

    run = tmp_path / "run"
    ran = run_cli("focal-lesion", *TINY_CLI, "--seed", "2", "-o", run, "--no-plot", "-q")
    assert ran.returncode == 0, ran.stderr
    assert not list(run.glob("*.png"))
    plotted = run_cli("plot", run, "--formats", "png", "-o", tmp_path / "figures", "-q")
    assert plotted.returncode == 0, plotted.stderr
    drawn = sorted(p.name for p in (tmp_path / "figures").glob("*.png"))
    assert drawn == ["focal_lesion.png", "focal_lesion_maps.png", "overview.png", "structural_plasticity.png"]
