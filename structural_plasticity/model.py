"""Old path of `structural_plasticity.networks.example`, kept for one release: import from there instead."""

from .networks.checks import growth_curve as check_growth_curve  # noqa: F401
from .networks.example import (  # noqa: F401
    CA_READOUTS,
    GROWTH_CURVE_NAMES,
    StructralPlasticityExample,
    StructuralPlasticityExample,
)
