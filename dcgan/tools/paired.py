"""Two evaluate.py runs (or two methods of one) compared face by face: per mask and metric, the
mean difference and its 95% interval over the faces both measured.

    python -m dcgan.tools.paired evaluation/search_alone evaluation/tuned
    python -m dcgan.tools.paired evaluation evaluation --base_method harmonic

The faces are the same in both runs, so the differences of each face cancel what
makes one face harder than another: a change far inside the runs' own
intervals can still be told apart from no change.
"""

import argparse
import os
import sys

from dcgan import flags

from dcgan.cli import fail, program_name
from dcgan.errors import UserError
from dcgan.evaluation.face_by_face import compare, read_faces, to_markdown

PROGRAM = program_name("python -m dcgan.tools.paired")


def main(argv=None):
    p = flags.Parser(prog=PROGRAM, description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("base", help="an evaluate.py --out folder")
    p.add_argument("other", help="another, on the same faces (or the same folder)")
    p.add_argument("--method", default="dcgan_poisson",
                   help="the other run's method: dcgan_poisson, dcgan_paste, harmonic, biharmonic or mean "
                        "(default: %(default)s)")
    p.add_argument("--base_method", help="the base run's method (default: --method)")
    args = p.parse_args(argv)
    base_method = args.base_method or args.method
    try:
        rows = compare(read_faces(args.base), read_faces(args.other), base_method, args.method)
    except (OSError, KeyError, ValueError, UserError) as e:
        return fail(p.prog, e)
    if not rows:
        return fail(p.prog, f"no face measured in both runs ({base_method} against {args.method})")
    name = lambda folder, method: f"{os.path.basename(os.path.normpath(folder))} {method}"
    print(to_markdown(rows, name(args.base, base_method), name(args.other, args.method)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
