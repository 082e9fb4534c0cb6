"""Moved to `structural_plasticity.analysis.experiment_figures`; this module re-exports it for one release."""

from ..analysis.experiment_figures import (
    ELEMENT_COLOURS,
    ELEMENTS,
    GROUP_COLOURS,
    PHASE_COLOURS,
    plot_experiment,
    plot_recovery,
    plot_recovery_comparison,
    shade_phases,
)

__all__ = [
    "ELEMENTS",
    "ELEMENT_COLOURS",
    "GROUP_COLOURS",
    "PHASE_COLOURS",
    "plot_experiment",
    "plot_recovery",
    "plot_recovery_comparison",
    "shade_phases",
]
