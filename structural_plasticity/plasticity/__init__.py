"""The package's own structural update, in numpy (no NEST): element integration, synapse bookkeeping, pairing.

* `elements`: every neuron's synaptic elements and Ca, integrated from its spikes as NEST 3.10 integrates
  them (`ElementState`, `GrowthCurve`; the step sums of NEST's Euler loop in `stepsums`);
* `synapses`: the plastic synapses of a model and NEST's choice of which to delete (`PlasticSynapses`);
* `pairing`: which free elements pair: NEST's rule (`pair_uniform`) or by distance (`pair_by_distance`);
* `space`: positions on a 2D sheet, distances on a torus, the Gaussian kernel.

`structural_plasticity.networks.package_update` runs them between ``nest.Simulate`` calls. Importing this
package imports neither NEST nor pyplot.
"""

from .elements import ElementState, GrowthCurve

__all__ = ["ElementState", "GrowthCurve"]
