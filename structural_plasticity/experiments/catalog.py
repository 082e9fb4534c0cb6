"""The experiments ready to run: each is a protocol of this package on one network configuration.

A protocol (`LesionProtocol`, `StimulationProtocol`, `AssemblyProtocol`) says what is done to a network:
its phases, its groups, the actions at the phase starts, what is recorded. A configuration
(`StructuralPlasticityExample`, `ButzNetwork`, `GallinaroRotterNetwork`) says what is simulated. The
classes here put the two together, and are the only place in `experiments` that names a network:

* `LesionExperiment`: the lesion on NEST's example network;
* `ButzLesionExperiment`: the lesion on `ButzNetwork`, whose axons and dendrites have their own growth
  curves (the lesioned group recovers);
* `StimulationExperiment`: the stimulation on NEST's example network;
* `AssemblyExperiment`: Gallinaro & Rotter's assembly protocol on their network, reduced or full size;
* `FocalLesionExperiment`: the focal lesion of Butz & van Ooyen (2013) on `ButzSheetNetwork`, whose
  neurons sit on Sinha et al.'s sheet and pair by distance.

Any other combination is written the same way, e.g. ``class MyLesion(LesionProtocol, MyNetwork)``.
"""

from ..analysis.assembly import PROTOCOLS
from ..butz import ButzNetwork
from ..model import StructuralPlasticityExample
from ..networks.gallinaro import SIZES as NETWORK_SIZES
from ..networks.gallinaro import GallinaroRotterNetwork
from ..networks.sheet import ButzSheetNetwork
from .assembly import AssemblyProtocol
from .focal import FocalLesionProtocol
from .lesion import LesionProtocol
from .stimulation import StimulationProtocol


class LesionExperiment(LesionProtocol, StructuralPlasticityExample):
    """The lesion protocol (`LesionProtocol`) on NEST's example network (`StructuralPlasticityExample`).

    Examples
    --------
    >>> experiment = LesionExperiment(growth_duration=150_000.0, recovery_duration=250_000.0)  # doctest: +SKIP
    >>> results = experiment.run()                                                            # doctest: +SKIP
    >>> results.mean_ca_lesioned[-1]                                                          # doctest: +SKIP
    """


class ButzLesionExperiment(LesionProtocol, ButzNetwork):
    """The lesion protocol (`LesionProtocol`) on `ButzNetwork`: growth curves per element, as in Butz & van Ooyen 2013.

    The lesioned neurons keep 60 % of their external input weight (`lesion_input_kept` 0.6). A lesion
    must leave them some activity: in this network the recurrent input is small (about 0.2 excitatory
    synapses per neuron when the lesion comes), so without external input they fall silent, and under
    a growth curve whose dendritic zero point lies above 0 a silent neuron retracts every element and
    never recovers. Measured over 5 seeds (docs/experiments.md, "Lesion recovery over seeds"):

    * 60 % kept: the group's Ca falls to 0.79 of its target and is back at 1.01 at the end; but it never
      falls below the axonal zero point, so its axons grow rather than retract;
    * 55 % kept: Ca falls to 0.60, just above the axonal zero point, and is back at 1.00; axons still grow;
    * 50 % kept: Ca falls to 0.26, between the zero points: spines grow while axons retract, as in
      Butz & van Ooyen's model; a quarter of the neurons fall below the dendritic zero point and are
      lost, so the group's mean ends at 0.74 although the other neurons are back at their target;
    * 0 kept: every lesioned neuron is lost.

    Examples
    --------
    >>> experiment = ButzLesionExperiment()          # doctest: +SKIP
    >>> results = experiment.run()                   # doctest: +SKIP
    >>> results.mean_ca_lesioned[-1]                 # doctest: +SKIP
    """

    lesion_input_kept = 0.6  # fraction of its external input weight the lesioned group keeps (see above)


class StimulationExperiment(StimulationProtocol, StructuralPlasticityExample):
    """The stimulation protocol (`StimulationProtocol`) on NEST's example network (`StructuralPlasticityExample`).

    Examples
    --------
    >>> experiment = StimulationExperiment(stimulus_increase=0.1)   # doctest: +SKIP
    >>> results = experiment.run()                                  # doctest: +SKIP
    >>> results.connections_stimulated_stimulated[-1]               # doctest: +SKIP
    """


class AssemblyExperiment(AssemblyProtocol, GallinaroRotterNetwork):
    """The assembly protocol (`AssemblyProtocol`) on Gallinaro & Rotter's network (`GallinaroRotterNetwork`).

    ``size="reduced"`` (default): 400 E + 100 I, target rate measured, growth 20 s, stimulation 20 s,
    after 20 s, decay 40 s (Gallinaro & Rotter 2018). ``size="full"``: 10 000 E + 2 500 I, target 8 Hz,
    growth 500 s, stimulation 150 s, after 500 s, decay 5000 s (Gallinaro, Gašparović & Rotter 2022,
    Fig 4). In both, 10 % of the E neurons get 10 % more input. Durations and every network parameter
    can be given explicitly; those left at None come from `size`.

    Examples
    --------
    >>> experiment = AssemblyExperiment(rng_seed=1)                 # doctest: +SKIP
    >>> results = experiment.run()                                  # doctest: +SKIP
    >>> results.prob_stimulated_stimulated[-1]                      # doctest: +SKIP
    """

    growth_duration = None  # (ms) reduced 20 000, full 500 000
    stimulation_duration = None  # (ms) reduced 20 000, full 150 000
    after_duration = None  # (ms) reduced 20 000, full 500 000
    decay_duration = None  # (ms) reduced 40 000, full 5 000 000

    SIZES = {size: {**NETWORK_SIZES[size], **PROTOCOLS[size]} for size in NETWORK_SIZES}


class FocalLesionExperiment(FocalLesionProtocol, ButzSheetNetwork):
    """The focal lesion (`FocalLesionProtocol`) on `ButzSheetNetwork`: Butz & van Ooyen's rule on Sinha et al.'s sheet.

    Reduced size by default (1280 + 320 neurons, lengths 0.4 of Sinha et al.'s); ``size="full"`` for theirs.
    The package's structural update pairs partners by distance; NEST runs on `threads` threads.

    Examples
    --------
    >>> experiment = FocalLesionExperiment(threads=2)   # doctest: +SKIP
    >>> results = experiment.run()                      # doctest: +SKIP
    >>> results["mean_ca_border"][-1], results["mean_ca_centre"][-1]   # doctest: +SKIP
    """
