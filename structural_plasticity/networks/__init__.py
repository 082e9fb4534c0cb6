"""Network configurations of `PlasticNetwork` beyond NEST's example.

* `GallinaroRotterNetwork`: the network in which Gallinaro & Rotter (2018, Sci Rep 8:3754; Gallinaro,
  Gašparović & Rotter 2022, PLoS Comput Biol 18:e1009836) showed that homeostatic structural plasticity
  forms cell assemblies: excitatory-to-excitatory synapses are plastic, every other pathway is static.
* `StaticNetwork`: any network given as data, without structural plasticity (the reference in which
  the Gallinaro-Rotter network measures its target rate).

Importing this package imports neither NEST nor pyplot.
"""

from .gallinaro import SIZES, GallinaroRotterNetwork
from .static import StaticNetwork

__all__ = ["SIZES", "GallinaroRotterNetwork", "StaticNetwork"]
