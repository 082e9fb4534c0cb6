"""The experiments the model was made for, written as subclasses of `StructuralPlasticityExample`.

* `LesionExperiment`: deafferent a group of excitatory neurons after growth (Butz & van Ooyen 2013).
* `StimulationExperiment`: raise a group's input for a while and watch an assembly form
  (Gallinaro & Rotter 2018).

Both build on `Experiment`, which adds named neuron groups and a protocol of `Phase` objects to the
model; subclass it for protocols of your own. Importing this package imports neither NEST nor pyplot.
"""

from .analysis import group_names, group_sizes, phase_values, signature
from .base import Experiment, Phase
from .lesion import LesionExperiment
from .stimulation import StimulationExperiment

__all__ = [
    "Experiment",
    "LesionExperiment",
    "Phase",
    "StimulationExperiment",
    "group_names",
    "group_sizes",
    "phase_values",
    "signature",
]
