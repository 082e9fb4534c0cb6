"""Post-hoc analysis and figures of saved results: what a run's numbers show, read back from its files.

Every function here takes `Results` (a run, fresh or from `load_results`) or merged ensemble points, and
needs neither NEST nor the network that made them: groups, phases, targets and the population a group
was drawn from are read from the results' metadata.

Numbers (imported with this package):

* `phases`: the values of series at the start and end of each phase, and an experiment's signature table;
* `recovery`: how far and how fast a lesioned group recovers, one run or mean ± sd over seeds;
* `assembly`: block connection probabilities of an assembly run at the points of the published figures.

Figures (import them from their modules; pyplot is imported only inside the drawing functions):

* `experiment_figures`: the figure of an experiment, the lesion recovery over seeds and its comparison;
* `assembly_figures`: block probabilities, group rates and connectivity snapshots of an assembly run;
* `ensemble_figures`: means over seeds with 95 % bands, and a comparison of grid points.
"""

from .assembly import assembly_signature, check_signature, seeds_table, signature_table
from .phases import group_names, group_sizes, phase_mask, phase_values, signature
from .recovery import comparison_table, recovery_measures, recovery_over_seeds, recovery_table

__all__ = [
    "assembly_signature",
    "check_signature",
    "comparison_table",
    "group_names",
    "group_sizes",
    "phase_mask",
    "phase_values",
    "recovery_measures",
    "recovery_over_seeds",
    "recovery_table",
    "seeds_table",
    "signature",
    "signature_table",
]
