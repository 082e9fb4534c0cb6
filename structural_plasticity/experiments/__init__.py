"""The experiments the model was made for: protocols (phases and groups) run on network configurations.

The protocols say what is done to a network and name none (modules `lesion`, `stimulation`, `assembly`):

* `LesionProtocol`: deafferent a group of excitatory neurons after growth (Butz & van Ooyen 2013);
* `StimulationProtocol`: raise a group's input for a while and watch an assembly form (Gallinaro &
  Rotter 2018);
* `AssemblyProtocol`: the same idea as published (growth, stimulation, after, decay); it and
  `StimulationProtocol` share `StimulusProtocol`.

The experiments ready to run put a protocol on a configuration (module `catalog`):

* `LesionExperiment`: the lesion on NEST's example network;
* `ButzLesionExperiment`: the lesion on `ButzNetwork`, whose axons and dendrites have their own growth
  curves; the lesioned group recovers (`recovery_table`, `plot_recovery`);
* `StimulationExperiment`: the stimulation on NEST's example network. With NEST's example parameters the
  stimulus disconnects the group and no assembly forms (docs/experiments.md);
* `AssemblyExperiment`: the assembly protocol on Gallinaro & Rotter's network (`GallinaroRotterNetwork`),
  reduced or full size.

Protocols build on `Experiment`, which adds named neuron groups and a protocol of `Phase` objects to any
`PlasticNetwork`; combine a protocol with another network configuration, or subclass `Experiment` for
protocols of your own. The analysis of their results is `structural_plasticity.analysis` (its phase and
recovery functions are also importable from here). Importing this package imports neither NEST nor pyplot.
"""

from ..analysis.phases import group_names, group_sizes, phase_values, signature
from ..analysis.recovery import recovery_measures, recovery_over_seeds, recovery_table
from .assembly import AssemblyProtocol
from .base import Experiment, Phase
from .catalog import AssemblyExperiment, ButzLesionExperiment, LesionExperiment, StimulationExperiment
from .lesion import LesionProtocol
from .stimulation import StimulationProtocol, StimulusProtocol

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
