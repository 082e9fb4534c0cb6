"""Homeostatic structural plasticity in NEST: NEST's structural plasticity example as research software.

Importing this package imports neither NEST nor matplotlib.pyplot and changes no global state.
"""

__version__ = "0.1.0"

from .errors import ConfigurationError, NestNotInstalledError  # noqa: E402
from .model import StructralPlasticityExample, StructuralPlasticityExample  # noqa: E402
from .results import Results, load_results  # noqa: E402

__all__ = [
    "ConfigurationError",
    "NestNotInstalledError",
    "Results",
    "StructralPlasticityExample",
    "StructuralPlasticityExample",
    "load_results",
    "__version__",
]
