"""The scalar outcomes of one member, which the merge summarises per grid point.

* ``final_ca_<pop>``: mean Ca of each population at the last sample;
* ``rate_<pop>``: firing rate averaged over the last `window_s` (rates are noisy per sample);
* ``final_<connections>``: synapses of each pathway and the totals at the last sample;
* ``settle_<pop>_s``: `Results.settling_time` (±5 %), NaN when the population has not settled;
* for experiments, the numbers of their signature: each row of `experiments.signature` at the start
  and end of each phase, named ``<series>@<phase>_<start|end>``.
"""

import numpy as np

from ..analysis.phases import SIGNATURE_SERIES, group_names, phase_mask

#: Averaging window (s of simulated time) for rates and experiment signatures.
WINDOW_S = 10.0
SETTLE_TOLERANCE = 0.05


def window_for(results):
    """Return the averaging window (s): `WINDOW_S`, or a quarter of the run or of the shortest phase if shorter."""
    phases = results.metadata.get("phases") or []
    span = min([p["duration_s"] for p in phases] or [float(results["time"][-1]) if len(results) else WINDOW_S])
    return min(WINDOW_S, span / 4.0)


def member_scalars(results):
    """Return the scalar outcomes of one member's results, ``{name: float}`` in a fixed order (see module doc).

    Parameters
    ----------
    results : Results

    Returns
    -------
    dict of str to float
        NaN where a value does not exist (not settled, no sample in a window).
    """
    if len(results) == 0:
        return {}
    window = window_for(results)
    t = results["time"]
    last = t > t[-1] - window
    values = {}
    populations = [name[len("mean_ca_") :] for name in results.names if name.startswith("mean_ca_")]
    targets = results.metadata.get("target_ca", {})
    for pop in populations:
        if pop in targets:  # the populations of the network, not an experiment's groups
            values[f"final_ca_{pop}"] = float(results[f"mean_ca_{pop}"][-1])
    for pop in populations:
        if pop in targets and f"rate_{pop}" in results:
            values[f"rate_{pop}"] = float(np.mean(results[f"rate_{pop}"][last]))
    for name in results.names:
        if name.startswith("connections_") and name.count("_") == 1 or name.startswith("total_connections_"):
            values[f"final_{name}"] = float(results[name][-1])
    for pop in populations:
        if pop in targets:
            settled = results.settling_time(pop, SETTLE_TOLERANCE)
            values[f"settle_{pop}_s"] = float("nan") if settled is None else settled
    values.update(signature_values(results, window))
    return values


def signature_values(results, window_s):
    """Return the numbers of an experiment's signature table, ``{"<series>@<phase>_<start|end>": value}``.

    Empty for results without phases (plain runs).
    """
    phases = results.metadata.get("phases") or []
    if not phases or "phase" not in results:
        return {}
    groups = group_names(results)
    rows = []
    for template in SIGNATURE_SERIES:
        if "{g}" in template:
            rows += [template.format(g=g) for g in groups]
        else:
            rows += [template.format(a=a, b=b) for a in groups for b in groups]
    values = {}
    for name in (row for row in rows if row in results):
        for index, phase in enumerate(phases):
            for at in ("start", "end") if index > 0 else ("end",):
                mask = phase_mask(results, index, window_s, at)
                values[f"{name}@{phase['name']}_{at}"] = (
                    float(np.mean(results[name][mask])) if mask.any() else float("nan")
                )
    return values
