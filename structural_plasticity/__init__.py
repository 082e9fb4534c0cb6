"""Homeostatic structural plasticity in NEST: NEST's structural plasticity example as research software.

What is simulated lives in `structural_plasticity.networks`, what is done to a network over time in
`structural_plasticity.experiments`, the analysis of saved results in `structural_plasticity.analysis`,
and the command line in `structural_plasticity.cli`.

Importing this package imports neither NEST nor matplotlib.pyplot and changes no global state.
"""

from .errors import ConfigurationError, NestNotInstalledError
from .networks import (
    ButzNetwork,
    ExcitatoryInhibitoryNetwork,
    PlasticNetwork,
    StructralPlasticityExample,
    StructuralPlasticityExample,
)
from .recording import Recording, load_recording
from .results import Results, load_results
from .version import __version__

__all__ = [
    "ButzNetwork",
    "ConfigurationError",
    "ExcitatoryInhibitoryNetwork",
    "NestNotInstalledError",
    "PlasticNetwork",
    "Recording",
    "Results",
    "StructralPlasticityExample",
    "StructuralPlasticityExample",
    "load_recording",
    "load_results",
    "__version__",
]
