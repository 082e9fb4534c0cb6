"""Moved to `structural_plasticity.analysis.assembly_figures`; this module re-exports it for one release."""

from ..analysis.assembly_figures import (
    BLOCK_COLOURS,
    SNAPSHOT_TITLES,
    plot_assembly,
    plot_block_probabilities,
    plot_group_rates,
    plot_snapshot,
)

__all__ = [
    "BLOCK_COLOURS",
    "SNAPSHOT_TITLES",
    "plot_assembly",
    "plot_block_probabilities",
    "plot_group_rates",
    "plot_snapshot",
]
