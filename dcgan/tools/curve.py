"""Completion quality against training: evaluate.py's results for checkpoints along a run, as one
picture and one Markdown table.

    python -m dcgan.tools.curve evaluations/step* --reference evaluations/old_bundle \
        --reference_label "the previous bundle" --out curve.png

Each folder is an `evaluate.py --out` of one checkpoint (its model.json gives the images seen);
the reference, another model on the same faces and settings, is drawn as a dashed line.
"""

import argparse
import sys

from dcgan import flags

from dcgan.cli import fail, program_name
from dcgan.errors import UserError
from dcgan.evaluation.training_curve import draw_curve, read_run, table

PROGRAM = program_name("python -m dcgan.tools.curve")


def main(argv=None):
    p = flags.Parser(prog=PROGRAM, description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="evaluate.py output folders, one per checkpoint")
    p.add_argument("--reference", help="an evaluate.py output folder drawn as a dashed line")
    p.add_argument("--reference_label", default="reference",
                   help="the reference's name in the legend and the table (default: %(default)s)")
    p.add_argument("--out", default="curve.png", help="the picture (default: %(default)s)")
    a = p.parse_args(argv)
    try:
        runs = [read_run(folder) for folder in a.runs]
        reference = read_run(a.reference)[0] if a.reference else None
    except (OSError, KeyError, ValueError, UserError) as e:
        return fail(p.prog, e)
    unknown = [folder for folder, (_, images) in zip(a.runs, runs) if images is None]
    if unknown:
        return fail(p.prog, f"{unknown[0]}: no images seen in its model.json (evaluate a training "
                            "checkpoint)")
    runs.sort(key=lambda run: run[1])
    try:
        draw_curve(runs, reference, a.out, a.reference_label)
    except OSError as e:
        return fail(p.prog, f"cannot write {a.out}: {e.strerror}")
    print(table(runs, reference, a.reference_label))
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
