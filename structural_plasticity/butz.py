"""Old path of `structural_plasticity.networks.butz`, kept for one release: import from there instead."""

from .networks.butz import (  # noqa: F401
    AXON_ETA_FRACTION,
    BUTZ_GROWTH_CURVE_NAMES,
    DEN_EX_ETA_FRACTION,
    DEN_IN_EPS_MULTIPLE,
    ButzNetwork,
    butz_growth_curves,
    gaussian_growth_curve,
)
