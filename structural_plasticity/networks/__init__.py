"""What is simulated: the builder, every network configuration, their structure as data, and network files.

* `PlasticNetwork` (`builder`): the builder every network is a configuration of; its parameters
  (`parameters`), its checks before NEST (`checks`), the per-sample read-out (`readout`, `counting`).
* Configurations: `StructuralPlasticityExample` (NEST's example, `example`), its base
  `ExcitatoryInhibitoryNetwork` (`ei`), `ButzNetwork` (Butz & van Ooyen's growth curves per element,
  `butz`), `GallinaroRotterNetwork` (the assembly network of Gallinaro & Rotter 2018, 2022, `gallinaro`)
  and `StaticNetwork` (any network given as data, without plasticity, `static`).
* `ButzSheetNetwork` (`sheet`): `ButzNetwork` on Sinha et al.'s 2D sheet, partners chosen by distance
  (`placement` computes the positions).
* `specs`: the records a configuration returns (`Population`, `PlasticSynapse`, `StaticPathway`,
  `Input`) and the `Structure` a build keeps.
* `state`: network files (save, load, check, restore): grow once, branch many.

Importing this package imports neither NEST nor pyplot.
"""

from .builder import CA_READOUTS, PlasticNetwork
from .butz import ButzNetwork
from .ei import ExcitatoryInhibitoryNetwork
from .example import StructralPlasticityExample, StructuralPlasticityExample
from .gallinaro import SIZES, GallinaroRotterNetwork
from .sheet import ButzSheetNetwork
from .specs import Input, Placement, PlasticSynapse, Population, StaticPathway, Structure
from .static import StaticNetwork

__all__ = [
    "CA_READOUTS",
    "SIZES",
    "ButzNetwork",
    "ButzSheetNetwork",
    "ExcitatoryInhibitoryNetwork",
    "GallinaroRotterNetwork",
    "Input",
    "Placement",
    "PlasticNetwork",
    "PlasticSynapse",
    "Population",
    "StaticNetwork",
    "StaticPathway",
    "StructralPlasticityExample",
    "StructuralPlasticityExample",
    "Structure",
]
