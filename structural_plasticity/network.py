"""Old path of `structural_plasticity.networks.builder`, kept for one release: import from there instead."""

from .networks.builder import CA_READOUTS, PlasticNetwork  # noqa: F401
from .networks.checks import GROWTH_CURVES, REQUIRED_GROWTH_CURVE_KEYS  # noqa: F401
from .networks.checks import growth_curve as check_growth_curve  # noqa: F401
