"""The full default run (200 s of 1000 neurons, 2-3 minutes): the network settles at its targets.

Marked slow: deselected by default; run with ``bash scripts/test.sh -m slow``.
"""

import numpy as np
import pytest

from structural_plasticity import StructuralPlasticityExample


@pytest.mark.slow
def test_default_run_settles_at_targets():
    example = StructuralPlasticityExample()
    results = example.run()
    last = results.time > results.time[-1] - 50.0  # the last 50 s
    assert last.sum() == 50
    for pop in ("e", "i"):
        target = example.target_ca[pop]
        mean_ca = results[f"mean_ca_{pop}"][last].mean()
        assert abs(mean_ca - target) <= 0.05 * target, (pop, mean_ca, target)
        # The rates measured from spikes agree with the rate the Ca target implies (5 Hz and 20 Hz).
        rate = results[f"rate_{pop}"][last].mean()
        assert abs(rate - target / example.ca_per_hz) <= 0.05 * target / example.ca_per_hz, (pop, rate)
    assert results.total_connections_e[-1] > 0 and results.total_connections_i[-1] > 0
    assert np.all(np.isfinite(results.std_ca_e))
