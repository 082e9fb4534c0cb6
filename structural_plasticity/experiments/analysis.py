"""Moved to `structural_plasticity.analysis.phases`; this module re-exports it for one release."""

from ..analysis.phases import (
    SIGNATURE_SERIES,
    group_names,
    group_sizes,
    phase_mask,
    phase_values,
    signature,
    signature_rows,
    window_mean,
)

__all__ = [
    "SIGNATURE_SERIES",
    "group_names",
    "group_sizes",
    "phase_mask",
    "phase_values",
    "signature",
    "signature_rows",
    "window_mean",
]
