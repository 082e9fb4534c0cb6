"""The package's own structural update: element integration, synapse bookkeeping and pairing, in numpy, no NEST.

NEST 3.10 refuses structural plasticity with more than one thread. When the package grows the synaptic
elements and pairs the synapses itself between `nest.Simulate` calls, NEST's neurons carry no synaptic
elements and NEST can run the neuron dynamics on every thread. The modules here reproduce NEST's own
numbers (see `elements`) and import neither NEST nor matplotlib.
"""

from .elements import ElementState, GrowthCurve

__all__ = ["ElementState", "GrowthCurve"]
