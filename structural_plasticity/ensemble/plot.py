"""Moved to `structural_plasticity.analysis.ensemble_figures`; this module re-exports it for one release."""

from ..analysis.ensemble_figures import plot_bands, plot_grid, plot_overview_bands

__all__ = ["plot_bands", "plot_grid", "plot_overview_bands"]
