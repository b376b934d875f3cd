"""Two evaluate.py runs compared face by face: the arithmetic and the table. The tool is `python -m dcgan.tools.paired`."""

import collections
import csv
import os

import numpy as np

from dcgan.errors import UserError
from dcgan.evaluation.metrics import mean_and_ci95

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
