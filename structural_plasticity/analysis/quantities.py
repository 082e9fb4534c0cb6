"""What recorded quantities can be: the series that are never negative, and bands that respect it.

Rates, Ca, its spread, synapse counts, synaptic elements and connection probabilities are never
negative, so a confidence band or a ± sd band of them is clipped at 0, when it is stored (the merged
``*_ci_low`` of an ensemble) and when it is drawn. Other series (the ``phase`` label, an outcome that may
be negative) keep their bands as computed.
"""

import numpy as np

#: Prefixes of the series (and of the scalar outcomes of an ensemble) that are never negative.
NON_NEGATIVE_PREFIXES = (
    "mean_ca_",
    "std_ca_",
    "rate_",
    "connections_",
    "total_connections_",
    "elements_",
    "connected_",
    "prob_",
    "final_ca_",
    "final_connections_",
    "final_total_connections_",
    "settle_",
)


def non_negative(name):
    """Return True if the series or outcome `name` can never be negative (see `NON_NEGATIVE_PREFIXES`).

    Outcomes of an experiment's signature (``<series>@<phase>_<end>``) follow their series.
    """
    return str(name).split("@", 1)[0].startswith(NON_NEGATIVE_PREFIXES)


def clip_band(name, low, high):
    """Return ``(low, high)`` of a band of `name`, clipped at 0 where `name` cannot be negative."""
    if not non_negative(name):
        return low, high
    with np.errstate(invalid="ignore"):
        return np.maximum(low, 0.0), np.maximum(high, 0.0)
