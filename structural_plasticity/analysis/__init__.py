"""Post-hoc analysis and figures of saved results: what a run's numbers show, read back from its files.

Every function here takes `Results` (a run, fresh or from `load_results`) or merged ensemble points, and
needs neither NEST nor the network that made them: groups, phases, targets and the population a group
was drawn from are read from the results' metadata.

Numbers (imported with this package):

* `phases`: the values of series at the start and end of each phase, and an experiment's signature table;
* `populations`: the populations and groups of saved results, the population a group was drawn from,
  and the names shown for populations (only ``e`` and ``i`` have fixed ones: excitatory, inhibitory);
* `recovery`: how far and how fast a lesioned group recovers, one run or mean ± sd over seeds;
* `assembly`: block connection probabilities of an assembly run at the points of the published figures.

Figures (import them from their modules, which this package does not import: `structural_plasticity.plotting`
uses `style`, and `ensemble_figures` uses `plotting`; pyplot is imported only inside the drawing functions):

* `experiment_figures`: the figure of an experiment, the lesion recovery over seeds and its comparison;
* `assembly_figures`: block probabilities, group rates and connectivity snapshots of an assembly run;
* `ensemble_figures`: means over seeds with 95 % bands, and a comparison of grid points;
* `style`: the drawing style every figure shares, those of a run (`structural_plasticity.plotting`) too.
"""

from .assembly import assembly_signature, check_signature, seeds_table, signature_table
from .phases import phase_mask, phase_values, signature
from .populations import group_names, group_population, group_sizes, population_names
from .recovery import comparison_table, recovery_measures, recovery_over_seeds, recovery_table

__all__ = [
    "assembly_signature",
    "check_signature",
    "comparison_table",
    "group_names",
    "group_population",
    "group_sizes",
    "phase_mask",
    "phase_values",
    "population_names",
    "recovery_measures",
    "recovery_over_seeds",
    "recovery_table",
    "seeds_table",
    "signature",
    "signature_table",
]
