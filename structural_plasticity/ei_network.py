"""Old path of `structural_plasticity.networks.ei`, kept for one release: import from there instead."""

from .networks.ei import ExcitatoryInhibitoryNetwork  # noqa: F401
