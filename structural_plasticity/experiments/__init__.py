"""The experiments the model was made for: protocols (phases and groups) run on network configurations.

* `LesionExperiment`: deafferent a group of excitatory neurons after growth (Butz & van Ooyen 2013),
  the `LesionProtocol` on NEST's example network.
* `ButzLesionExperiment`: the `LesionProtocol` on `ButzNetwork`, whose axons and dendrites have
  their own growth curves; the lesioned group recovers (`recovery_table`, `plot_recovery`).
* `StimulationExperiment`: raise a group's input for a while and watch an assembly form
  (Gallinaro & Rotter 2018), the `StimulationProtocol` on NEST's example network. With NEST's example
  parameters the stimulus disconnects the group and no assembly forms (docs/experiments.md).
* `AssemblyExperiment`: the same idea as published, the `AssemblyProtocol` (growth, stimulation, after,
  decay) on Gallinaro & Rotter's network (`GallinaroRotterNetwork`), reduced or full size.

Protocols build on `Experiment`, which adds named neuron groups and a protocol of `Phase` objects to any
`PlasticNetwork`; combine a protocol with another network configuration, or subclass `Experiment` for
protocols of your own. Importing this package imports neither NEST nor pyplot.
"""

from ..analysis.phases import group_names, group_sizes, phase_values, signature
from ..analysis.recovery import recovery_measures, recovery_over_seeds, recovery_table
from .assembly import AssemblyExperiment, AssemblyProtocol
from .base import Experiment, Phase
from .lesion import ButzLesionExperiment, LesionExperiment, LesionProtocol
from .stimulation import StimulationExperiment, StimulationProtocol, StimulusProtocol

__all__ = [
    "AssemblyExperiment",
    "AssemblyProtocol",
    "ButzLesionExperiment",
    "Experiment",
    "LesionExperiment",
    "LesionProtocol",
    "Phase",
    "StimulationExperiment",
    "StimulationProtocol",
    "StimulusProtocol",
    "group_names",
    "group_sizes",
    "phase_values",
    "recovery_measures",
    "recovery_over_seeds",
    "recovery_table",
    "signature",
]
