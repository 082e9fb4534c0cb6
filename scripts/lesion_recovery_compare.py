"""Compare lesion conditions run by `lesion_recovery_seeds.py`: a Markdown table and a figure, mean ± sd.

    python scripts/lesion_recovery_compare.py "Butz, 60 % kept=lesion-seeds/butz_k60" \\
        "example, 60 % kept=lesion-seeds/example_k60" -o lesion-seeds/comparison

Each argument is ``LABEL=FOLDER``; FOLDER holds one ``seed-<n>/`` results folder per run, or is the
prefix of ensemble members ``FOLDER_seed-<n>/``, e.g. the grid points of

    python -m structural_plasticity ensemble lesion --model butz --seeds 1-5 \
        --grid lesion_input_kept=0.5,0.6 -j 2 -o lesions
    python scripts/lesion_recovery_compare.py "50 %=lesions/lesion_input_kept-0.5" \
        "60 %=lesions/lesion_input_kept-0.6" -o lesions/comparison

Writes
``<out>.md`` (the table of `comparison_table`) and ``<out>.png`` (`plot_recovery_comparison`); an
existing output is not overwritten unless ``--overwrite`` is given.
"""

import argparse
import sys
from pathlib import Path

from structural_plasticity import load_results
from structural_plasticity.analysis.experiment_figures import plot_recovery_comparison
from structural_plasticity.analysis.recovery import comparison_table


def _condition(text):
    label, sep, folder = text.rpartition("=")
    if not sep or not label:
        raise argparse.ArgumentTypeError(f"expected LABEL=FOLDER, got {text!r}")
    path = Path(folder)
    folders = list(path.glob("seed-*")) or list(path.parent.glob(f"{path.name}_seed-*"))
    if not folders:
        raise argparse.ArgumentTypeError(
            f"neither {folder}/seed-<n> nor {folder}_seed-<n> folders exist; run the seeds first"
        )
    return label, sorted(folders, key=lambda p: int(p.name.rsplit("-", 1)[1]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conditions", nargs="+", type=_condition, metavar="LABEL=FOLDER")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output path without suffix")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing table and figure")
    args = parser.parse_args(argv)
    outputs = [args.out.with_suffix(".md"), args.out.with_suffix(".png")]
    existing = [str(p) for p in outputs if p.exists()]
    if existing and not args.overwrite:
        parser.error(f"{', '.join(existing)} exist; pass --overwrite to replace them or choose another -o")
    conditions = {label: [load_results(f) for f in folders] for label, folders in args.conditions}
    table = comparison_table(conditions)
    outputs[0].write_text(table + "\n")
    plot_recovery_comparison(conditions).savefig(outputs[1], dpi=110)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
