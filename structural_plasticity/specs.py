"""Old path of `structural_plasticity.networks.specs`, kept for one release: import from there instead."""

from .networks.specs import Input, PlasticSynapse, Population, StaticPathway, Structure  # noqa: F401
