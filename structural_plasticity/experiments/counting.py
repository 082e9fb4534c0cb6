"""Old path of `structural_plasticity.networks.counting`, kept for one release: import from there instead."""

from ..networks.counting import PathwayCounter, pathway_counts  # noqa: F401
