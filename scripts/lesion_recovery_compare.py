"""Compare lesion conditions run by `lesion_recovery_seeds.py`: a Markdown table and a figure, mean ± sd.

    python scripts/lesion_recovery_compare.py "Butz, 60 % kept=lesion-seeds/butz_k60" \\
        "example, 60 % kept=lesion-seeds/example_k60" -o lesion-seeds/comparison

Each argument is ``LABEL=FOLDER``; FOLDER holds one ``seed-<n>/`` results folder per run. Writes
``<out>.md`` (the table of `comparison_table`) and ``<out>.png`` (`plot_recovery_comparison`); an
existing output is not overwritten unless ``--overwrite`` is given.
"""

import argparse
import sys
from pathlib import Path

from structural_plasticity import load_results
from structural_plasticity.experiments.plotting import plot_recovery_comparison
from structural_plasticity.experiments.recovery import comparison_table


def _condition(text):
    label, sep, folder = text.rpartition("=")
    if not sep or not label:
        raise argparse.ArgumentTypeError(f"expected LABEL=FOLDER, got {text!r}")
    folders = sorted(Path(folder).glob("seed-*"), key=lambda p: int(p.name.split("-", 1)[1]))
    if not folders:
        raise argparse.ArgumentTypeError(f"{folder} holds no seed-<n> folders; run lesion_recovery_seeds.py first")
    return label, folders


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
