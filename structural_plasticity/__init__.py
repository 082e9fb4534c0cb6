"""Homeostatic structural plasticity in NEST: NEST's structural plasticity example as research software.

Importing this package imports neither NEST nor matplotlib.pyplot and changes no global state.
"""

from .butz import ButzNetwork
from .ei_network import ExcitatoryInhibitoryNetwork
from .errors import ConfigurationError, NestNotInstalledError
from .model import StructralPlasticityExample, StructuralPlasticityExample
from .network import PlasticNetwork
from .results import Results, load_results
from .version import __version__

__all__ = [
    "ButzNetwork",
    "ConfigurationError",
    "ExcitatoryInhibitoryNetwork",
    "NestNotInstalledError",
    "PlasticNetwork",
    "Results",
    "StructralPlasticityExample",
    "StructuralPlasticityExample",
    "load_results",
    "__version__",
]
