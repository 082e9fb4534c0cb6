"""Slow: the focal lesion's signatures over seeds, as docs/experiments.md reports them (what appears and what not).

`scripts/focal_lesion_seeds.py` runs a lesion and a control per seed (an hour or more on 2 cores);
``SP_FOCAL_RUNS=DIR`` re-checks the runs it saved in DIR instead of simulating. The findings asserted here,
over seeds 1-5 of `FocalLesionExperiment` (reduced sheet, half the input kept):

* the LPZ falls into Butz & van Ooyen's early phase: its Ca between the zero points of dendrites and axons,
  spines grow and boutons retract;
* the LPZ does not return to 80 % of its target within 250 s (a finding, not a wish: it levels off between
  the spines' zero point and 80 %, at 0.42 ± 0.12 of its target in the centre), the border above the centre;
* most new synapses into the LPZ come from the peri-LPZ;
* boutons of peri-LPZ excitatory neurons grow far beyond the control's, and are not pruned within 250 s;
* spine turnover does not rise in the LPZ centre (it falls), unlike in Butz & van Ooyen.
"""

import importlib.util
import math
import os
from pathlib import Path

import numpy as np
import pytest

from structural_plasticity import load_results
from structural_plasticity.analysis.focal import focal_signature
from structural_plasticity.results import run_state

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "focal_lesion_seeds.py"
SEEDS = (1, 2, 3, 4, 5)
#: Zero points of ButzSheetNetwork's curves over the set point: excitatory dendrites and axons.
DEN_EX_ETA, AXON_ETA = 0.1 / 0.7, 0.4 / 0.7


@pytest.fixture(scope="module")
def signatures(tmp_path_factory):
    saved = os.environ.get("SP_FOCAL_RUNS")
    folder = Path(saved) if saved else tmp_path_factory.mktemp("focal")
    if not saved:
        spec = importlib.util.spec_from_file_location("focal_lesion_seeds", SCRIPT)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        script.main([str(folder), "--seeds", "1-5", "-j", "2"])
    runs = {}
    for seed in SEEDS:
        lesion, control = folder / f"lesion_seed-{seed}", folder / f"control_seed-{seed}"
        assert run_state(lesion) == "completed" and run_state(control) == "completed", seed
        runs[seed] = (load_results(lesion), load_results(control))
    return {seed: (focal_signature(r, c), r, c) for seed, (r, c) in runs.items()}


@pytest.mark.slow
def test_the_lpz_enters_butz_and_van_ooyens_early_phase(signatures):
    for seed, (signature, results, _) in signatures.items():
        for zone in ("centre", "border"):
            ca_min = signature["recovery"]["ca_min"][zone]
            assert DEN_EX_ETA < ca_min < AXON_ETA, (seed, zone, ca_min)  # between the zero points
            lpz = signature["lpz"][zone]
            assert lpz["spines_peak_over_before"] > 1.5, (seed, zone, lpz)  # spines grow
            assert lpz["boutons_min_over_before"] < 0.5, (seed, zone, lpz)  # boutons retract
            assert lpz["e_input_end"] > 2 * lpz["e_input_before"], (seed, zone, lpz)  # and collect input
        for zone in ("peri", "far"):
            assert signature["recovery"]["ca_min"][zone] > 0.8, (seed, zone)


@pytest.mark.slow
def test_the_lpz_levels_off_below_its_target_the_border_above_the_centre(signatures):
    for seed, (signature, results, _) in signatures.items():
        for zone in ("centre", "border"):
            assert math.isnan(signature["recovery"]["times"][zone]), (seed, zone)  # not back at 80 % in 250 s
        after = results["time"] > results.metadata["lesion"]["time_s"] + 50  # the last 200 s
        target = results.metadata["target_ca"]["e"]
        centre, border = (results[f"mean_ca_{z}"][after].mean() / target for z in ("centre", "border"))
        # between the spines' zero point (they keep growing) and recovery (80 %), in every seed
        assert DEN_EX_ETA < centre < 0.8 and DEN_EX_ETA < border < 0.8, (seed, centre, border)
    border_minus_centre = [
        r["mean_ca_border"][r["time"] > r.metadata["lesion"]["time_s"]].mean()
        - r["mean_ca_centre"][r["time"] > r.metadata["lesion"]["time_s"]].mean()
        for _, r, _ in signatures.values()
    ]
    assert np.mean(border_minus_centre) > 0, border_minus_centre


@pytest.mark.slow
def test_most_new_synapses_into_the_lpz_come_from_the_peri_lpz(signatures):
    for seed, (signature, _, _) in signatures.items():
        formed = {pair: values["total"] for pair, values in signature["formation"].items()}
        from_peri = formed["peri->border"] + formed["peri->centre"]
        from_lpz = formed["border->border"] + formed["border->centre"] + formed["centre->centre"]
        assert from_peri > from_lpz, (seed, formed)


@pytest.mark.slow
def test_peri_lpz_boutons_overshoot_the_control_and_are_not_pruned_within_the_run(signatures):
    for seed, (signature, _, _) in signatures.items():
        lesion, control = signature["boutons"]["lesion"], signature["boutons"]["control"]
        assert lesion["peak_over_before"] > control["peak_over_before"] + 0.2, (seed, lesion, control)
        assert lesion["end_over_before"] > 0.9 * lesion["peak_over_before"], (seed, lesion)  # no pruning (yet)


@pytest.mark.slow
def test_spine_turnover_falls_in_the_lpz_instead_of_rising_most_in_its_centre(signatures):
    for seed, (signature, _, _) in signatures.items():
        turnover = signature["turnover"]
        assert turnover["centre"]["ratio"] < turnover["far"]["ratio"], (seed, turnover)
    assert np.mean([s["turnover"]["centre"]["ratio"] for s, _, _ in signatures.values()]) < 1.0
