"""Where the neurons sit: the positions of every population with a `Placement`, on the network's sheet.

A configuration places a population by giving it a `specs.Placement` (a grid with optional jitter, or
positions) and the network a `plasticity.space.Sheet` (`PlasticNetwork.sheet_spec`). `check` refuses
placements that cannot work, before NEST is touched; `positions` computes them for a build. The jitter is
drawn from numpy's generator seeded by ``rng_seed`` (not NEST's), so every MPI rank places every neuron
alike and a saved network keeps its positions (they are saved with it and restored from it).
"""

import numpy as np

from ..errors import ConfigurationError
from ..plasticity.space import Sheet, check_sigma, grid_positions

#: Mixed into the seed of the jitter's generator, so that it is a stream of its own.
PLACEMENT_STREAM = 0x91ACE


def check(structure):
    """Raise `ConfigurationError` (one line naming the fix) unless the placements and kernels of `structure` can work.

    A placed population needs the sheet; a grid needs rows x columns = the population's size and must fit on
    the sheet; given positions need one (x, y) per neuron, inside the sheet; a synapse model with a kernel
    (``sigma``) needs every population it connects to be placed.
    """
    sheet = structure.sheet
    if sheet is not None and not isinstance(sheet, Sheet):
        raise ConfigurationError(f"sheet_spec() must return a plasticity.space.Sheet or None, got {sheet!r}")
    for name, pop in structure.populations.items():
        placement = pop.placement
        if placement is None:
            continue
        if sheet is None:
            raise ConfigurationError(
                f"population {name!r} has a placement but the network has no sheet; return a Sheet from sheet_spec()"
            )
        if placement.positions is not None:
            positions = sheet.check_positions(placement.positions)
            if len(positions) != pop.size:
                raise ConfigurationError(
                    f"population {name!r} has {pop.size} neurons but {len(positions)} positions; give one per neuron"
                )
            continue
        if None in (placement.rows, placement.columns, placement.spacing):
            raise ConfigurationError(
                f"the placement of population {name!r} needs rows, columns and spacing (a grid) or positions"
            )
        grid_sheet, _ = grid_positions(placement.rows, placement.columns, placement.spacing, 0.0)
        if placement.rows * placement.columns != pop.size:
            raise ConfigurationError(
                f"population {name!r} has {pop.size} neurons but its grid has {placement.rows} x "
                f"{placement.columns} = {placement.rows * placement.columns} places; make them equal"
            )
        if grid_sheet.width > sheet.width * (1 + 1e-12) or grid_sheet.height > sheet.height * (1 + 1e-12):
            raise ConfigurationError(
                f"the grid of population {name!r} ({grid_sheet.width:g} x {grid_sheet.height:g} µm) does not fit on "
                f"the sheet ({sheet.width:g} x {sheet.height:g} µm); enlarge the sheet or shrink the grid"
            )
        grid_positions(placement.rows, placement.columns, placement.spacing, placement.jitter, rng=0)  # the jitter
    for model, syn in structure.synapses.items():
        if syn.sigma is None:
            if syn.cutoff is not None:
                raise ConfigurationError(f"plastic synapse {model} has a cutoff but no kernel width sigma; give sigma")
            continue
        check_sigma(syn.sigma)
        if syn.cutoff is not None and not (isinstance(syn.cutoff, (int, float)) and syn.cutoff > 0):
            raise ConfigurationError(f"cutoff of {model} must be a distance > 0 µm or None, got {syn.cutoff!r}")
        ends = {*structure.senders[model], *structure.receivers[model]}
        unplaced = [
            name for name in structure.populations if name in ends and structure.populations[name].placement is None
        ]
        if unplaced:
            raise ConfigurationError(
                f"plastic synapse {model} pairs partners by distance (sigma {syn.sigma:g} µm), but population "
                f"{unplaced[0]!r} has no positions; give it a Placement or drop sigma"
            )


def positions(structure, rng_seed):
    """Return the positions (µm) of every placed population, ``{name: (size, 2) array}`` (checked by `check`)."""
    rng = np.random.default_rng([PLACEMENT_STREAM, int(rng_seed)])
    placed = {}
    for name, pop in structure.populations.items():
        placement = pop.placement
        if placement is None:
            continue
        if placement.positions is not None:
            placed[name] = structure.sheet.check_positions(placement.positions).copy()
        else:
            # One generator for all populations, drawn in population order: reproducible from rng_seed.
            placed[name] = grid_positions(
                placement.rows, placement.columns, placement.spacing, placement.jitter, rng=rng
            )[1]
    return placed
