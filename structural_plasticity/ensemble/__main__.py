"""``python -m structural_plasticity.ensemble [merge] ...``: the ensemble commands before they are sub-commands.

``python -m structural_plasticity.ensemble ARGS`` is ``python -m structural_plasticity ensemble ARGS``;
``python -m structural_plasticity.ensemble merge DIR`` is ``python -m structural_plasticity merge DIR``.
"""

import sys

from .command import main_ensemble, main_merge

if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv[:1] == ["merge"]:
        sys.exit(main_merge(argv[1:]))
    sys.exit(main_ensemble(argv))
