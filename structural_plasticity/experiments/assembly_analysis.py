"""Moved to `structural_plasticity.analysis.assembly`; this module re-exports it for one release."""

from ..analysis.assembly import *  # noqa: F401,F403  (every name of its __all__)
from ..analysis.assembly import __all__  # noqa: F401
