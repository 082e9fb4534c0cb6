"""`ButzSheetNetwork`: `ButzNetwork` on a 2D sheet, whose free elements pair with partners nearby.

Butz & van Ooyen (2013) explain the reorganisation of cortex after a focal retinal lesion with a rule for
the growth of spines and boutons and partners that are chosen with a probability falling with distance.
Sinha et al. (2021, PLoS Comput Biol 17(6) e1008996) rebuilt it in NEST on a sheet; their published code
(github.com/sanjayankur31/SinhaEtAl2021, src/Sinha2020.py, = ModelDB 267035) places

* excitatory neurons on an 80 x 100 grid 150 µm apart, inhibitory ones on a 40 x 50 grid 300 µm apart, half a
  spacing off the excitatory sites (between them), each position jittered (a Gaussian of sd 15 µm), the
  sheet a torus;
* partners with probability ``exp(-d**2 / w**2)`` of the distance d: w = 8 spacings (1200 µm) for the
  partners of excitatory axons, 24 spacings (3600 µm) for those of inhibitory ones.

This network takes that sheet and those kernels (``size="full"``), or the same sheet with every length but
the grid spacing scaled by 0.4 (``size="reduced"``, the default: 32 x 40 + 16 x 20 = 1600 neurons, kernels of
480 and 1440 µm; a run of growth, lesion and recovery then takes minutes, not hours), keeping the ratios of
kernel widths, sheet and lesion zones. Jitter is uniform here (half-width 15 µm; NEST's grid layers and our
`plasticity.space.grid_positions` keep each neuron in its grid square). Pairing by distance needs the
package's structural update (`structural_update="package"`, the default of this class): NEST 3.10 pairs at
random. Partners are drawn as NEST pull request #3369 does (each free pre-synaptic element picks a free
post-synaptic element with probability proportional to its vacant count times the kernel), not by Sinha's
nearest-first walk (`plasticity.pairing.pair_by_distance`).

Neurons, synapses, input and growth curves are `ButzNetwork`'s, with one change for the growth from no
synapses: inhibitory dendritic elements (``Den_in``) follow the rule of the excitatory ones, as in Butz &
van Ooyen's model (one rule for all spines; RELeARN's default). `ButzNetwork`'s ``Den_in`` curve (retract
below the set point, grow above it; Sinha et al.) assumes inhibitory synapses that already exist: Sinha et al.
build all four pathways before plasticity starts and set their curves only then, so that a network grown
from nothing with it keeps almost no inhibitory synapses (measured: 160 + 40 neurons, I→E and I→I 0 after
150 s). `experiments.FocalLesionProtocol` switches ``Den_in`` to that rule when the lesion comes. Grown with
Butz's rule the sheet still has few inhibitory synapses (reduced sheet, 150 s, seeds 1-5: about 20 I→E and 2
I→I against about 1 100 E→I; docs/experiments.md): as in NEST's example the Poisson input does most of the
work, and inhibitory axons and spines stay below one whole element per neuron on average.
"""

from .. import validation as check
from ..errors import ConfigurationError
from ..plasticity.space import Sheet
from .butz import DEN_EX_ETA_FRACTION, ButzNetwork, gaussian_growth_curve
from .sizes import Sized
from .specs import Placement, PlasticSynapse

#: What each size sets (parameters left at None take these values). Lengths in µm.
SIZES = {
    # Sinha et al.'s sheet with every length but the spacing times 0.4: 1280 E + 320 I.
    "reduced": {
        "grid_e": [40, 32],
        "sigma_e": 480.0,
        "sigma_i": 1440.0,
        "number_excitatory_neurons": 1280,
        "number_inhibitory_neurons": 320,
    },
    # Sinha et al. 2021: 8000 E + 2000 I.
    "full": {
        "grid_e": [100, 80],
        "sigma_e": 1200.0,
        "sigma_i": 3600.0,
        "number_excitatory_neurons": 8000,
        "number_inhibitory_neurons": 2000,
    },
}


class ButzSheetNetwork(Sized, ButzNetwork):
    """`ButzNetwork` on Sinha et al.'s sheet, partners chosen by distance (see the module docstring).

    Parameters
    ----------
    **parameters
        Values for any of the parameters listed by `parameter_names`; those left at None come from `size`.

    Examples
    --------
    >>> network = ButzSheetNetwork(t_sim=150_000.0, threads=2)   # doctest: +SKIP
    >>> results = network.run()                                  # doctest: +SKIP
    """

    size = "reduced"  # "reduced" (32 x 40 E + 16 x 20 I, lengths x 0.4) or "full" (80 x 100 + 40 x 50); see SIZES

    # === The sheet (None: from size) ===================================================================
    number_excitatory_neurons = None  # rows x columns of grid_e; reduced 1280, full 8000
    number_inhibitory_neurons = None  # a quarter of that (the inhibitory grid); reduced 320, full 2000
    grid_e = None  # [rows, columns] of the excitatory grid; the inhibitory grid has half as many of each
    grid_spacing = 150.0  # distance between neighbouring excitatory sites (µm); inhibitory ones: twice it
    position_jitter = 15.0  # half-width of the uniform jitter of each coordinate (µm)
    periodic = True  # a torus (no edges), as Sinha et al.
    sigma_e = None  # width of the kernel exp(-d**2/sigma**2) of excitatory axons' partners (µm); full 1200
    sigma_i = None  # the same for inhibitory axons' partners (µm); full 3600

    # === Pairing and growth ============================================================================
    structural_update = "package"  # pairing by distance needs the package's update
    growth_curve_den_in_e = gaussian_growth_curve(0.05 * DEN_EX_ETA_FRACTION, 0.05, 0.0001)  # Butz: as Den_ex
    growth_curve_den_in_i = gaussian_growth_curve(0.2 * DEN_EX_ETA_FRACTION, 0.2, 0.0001)  # Butz: as Den_ex

    SIZES = SIZES

    def validate(self):
        """Check the sheet's parameters, then those of `ButzNetwork` (the structure's placements included)."""
        check.choice("size", self.size, tuple(type(self).SIZES))
        grid = self.grid_e
        if not isinstance(grid, (list, tuple)) or len(grid) != 2:
            raise ConfigurationError(f"grid_e must be [rows, columns] of the excitatory grid, got {grid!r}")
        rows, columns = (check.count(f"grid_e[{k}]", n, 2) for k, n in enumerate(grid))
        if rows % 2 or columns % 2:
            raise ConfigurationError(
                f"grid_e ({rows} x {columns}) must have even rows and columns: the inhibitory grid has half of each"
            )
        self.grid_e = [rows, columns]
        self.grid_spacing = check.positive_time("grid_spacing", self.grid_spacing, "µm")
        self.position_jitter = check.non_negative_number("position_jitter", self.position_jitter, "µm")
        self.sigma_e = check.positive_time("sigma_e", self.sigma_e, "µm")
        self.sigma_i = check.positive_time("sigma_i", self.sigma_i, "µm")
        super().validate()

    def population_specs(self):
        """Return `ButzNetwork`'s populations, placed on the two grids (inhibitory sites between excitatory ones)."""
        populations = super().population_specs()
        rows, columns = self.grid_e
        spacing, jitter = self.grid_spacing, self.position_jitter
        populations["e"].placement = Placement(rows, columns, spacing, jitter)
        populations["i"].placement = Placement(rows // 2, columns // 2, 2 * spacing, jitter)
        return populations

    def plastic_synapses(self):
        """Return `ButzNetwork`'s plastic synapses, each with the kernel of its axon's population."""
        return {
            self.SYNAPSE_E: PlasticSynapse(self.psc_e, self.delay, "Axon_ex", "Den_ex", sigma=self.sigma_e),
            self.SYNAPSE_I: PlasticSynapse(self.psc_i, self.delay, "Axon_in", "Den_in", sigma=self.sigma_i),
        }

    def sheet_spec(self):
        """Return the sheet the excitatory grid covers (a torus unless ``periodic`` is false)."""
        rows, columns = self.grid_e
        return Sheet(columns * self.grid_spacing, rows * self.grid_spacing, bool(self.periodic))
