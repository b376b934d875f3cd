"""Two evaluate.py runs (or two methods of one) compared face by face: per mask and metric, the
mean difference and its 95% interval over the faces both measured.

    python -m dcgan.paired evaluation/search_alone evaluation/tuned
    python -m dcgan.paired evaluation evaluation --base_method harmonic

The faces are the same in both runs, so the differences of each face cancel what
makes one face harder than another: a change far inside the runs' own
intervals can still be told apart from no change.
"""

import argparse
import collections
import csv
import os
import sys

import numpy as np

from dcgan.cli import fail
from dcgan.errors import UserError
from dcgan.metrics import mean_and_ci95

FACES_FILE = "faces.csv"  # written by evaluation.write_results
COMPARED = (("psnr", "hole", "hole PSNR (dB)", 1), ("ssim", "hole", "hole SSIM", 1),
            ("landmark", "whole", "landmark error (px)", -1), ("identity", "whole", "identity distance", -1))


def read_faces(folder):
    """{(mask, method, metric, region): {face: value}} of an evaluate.py --out folder's faces.csv."""
    path = os.path.join(folder, FACES_FILE)
    if not os.path.isfile(path):
        raise UserError(f"{folder}: no {FACES_FILE} (not an evaluate.py --out folder, or one "
                        "written before evaluate.py kept the values per face)")
    values = collections.defaultdict(dict)
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["value"]:
                key = row["mask"], row["method"], row["metric"], row["region"]
                values[key][row["face"]] = float(row["value"])
    return values


def from_rows(rows):
    """`read_faces`'s dict from `evaluation.evaluate`'s rows (their per-face values; faces by index)."""
    values = collections.defaultdict(dict)
    for row in rows:
        key = row["mask"], row["method"], row["metric"], row["region"]
        for face, value in enumerate(row.get("values", ())):
            if value is not None:
                values[key][face] = float(value)
    return values


def compare(base, other, base_method, method):
    """Rows (mask, label, base mean, other mean, difference mean, ci95, n, verdict) per mask and metric.

    The verdict is "better" or "worse" (for `other`) when the interval excludes 0, else "level".

    Raises:
      UserError: a run has no row of its method.
    """
    for values, wanted, which in ((base, base_method, "base"), (other, method, "other")):
        found = sorted({key[1] for key in values})
        if wanted not in found:
            raise UserError(f"the {which} run has no {wanted} (it has: {', '.join(found) or 'nothing'})")
    rows = []
    masks = dict.fromkeys(key[0] for key in other if key[1] == method)
    for mask in masks:
        for metric, region, label, sign in COMPARED:
            a = base.get((mask, base_method, metric, region), {})
            b = other.get((mask, method, metric, region), {})
            faces = [f for f in a if f in b and np.isfinite(a[f]) and np.isfinite(b[f])]
            if not faces:
                continue
            diff, ci95, _ = mean_and_ci95([b[f] - a[f] for f in faces])
            verdict = "level" if not abs(diff) > ci95 else ("better" if sign * diff > 0 else "worse")
            rows.append((mask, label, np.mean([a[f] for f in faces]), np.mean([b[f] for f in faces]),
                         diff, ci95, len(faces), verdict))
    return rows


def to_markdown(rows, base_name, other_name):
    """`compare`'s rows as a Markdown table, the runs named in its header."""
    lines = [f"| mask | metric | {base_name} | {other_name} | difference (95% interval) | n | |",
             "|---|---|---|---|---|---|---|"]
    for mask, label, a, b, diff, ci95, n, verdict in rows:
        lines.append(f"| {mask} | {label} | {a:.3f} | {b:.3f} | {diff:+.3f} ± {ci95:.3f} | {n} | {verdict} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m dcgan.paired", description=__doc__,
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
