"""Moved to `structural_plasticity.analysis.recovery`; this module re-exports it for one release."""

from ..analysis.recovery import (
    COMPARISON_ROWS,
    RECOVERED_FRACTION,
    SILENT_FRACTION,
    TABLE_ROWS,
    comparison_table,
    recovery_measures,
    recovery_over_seeds,
    recovery_table,
    row_labels,
)

__all__ = [
    "COMPARISON_ROWS",
    "RECOVERED_FRACTION",
    "SILENT_FRACTION",
    "TABLE_ROWS",
    "comparison_table",
    "recovery_measures",
    "recovery_over_seeds",
    "recovery_table",
    "row_labels",
]
