"""Homeostatic structural plasticity in NEST: NEST's structural plasticity example as research software.

What is simulated lives in `structural_plasticity.networks`, what is done to a network over time in
`structural_plasticity.experiments`, the analysis of saved results in `structural_plasticity.analysis`,
and the command line in `structural_plasticity.cli`.

Importing this package imports neither NEST nor matplotlib.pyplot and changes no global state, except
when it starts the program ``python -m structural_plasticity``: then a signal during the imports ends it
with one line and exit status 130/143 (`interrupts.stop_while_starting`).
"""

from . import interrupts as _interrupts

if _interrupts.started_as_program(__name__):  # first thing: the imports below take a fraction of a second
    _interrupts.stop_while_starting("python -m structural_plasticity")

from .errors import ConfigurationError, NestNotInstalledError  # noqa: E402
from .networks import (  # noqa: E402
    ButzNetwork,
    ExcitatoryInhibitoryNetwork,
    PlasticNetwork,
    StructralPlasticityExample,
    StructuralPlasticityExample,
)
from .recording import Recording, load_recording  # noqa: E402
from .results import Results, load_results  # noqa: E402
from .version import __version__  # noqa: E402

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
