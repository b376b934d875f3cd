"""Is the fill lighter or darker than the face? The fill's mean brightness error by skin tone and by side light.

    python complete.py aligned_test/*.png --outDir tone            # the center hole, the defaults
    python -m bench.skin_tone aligned_test tone/completed --picture tone.png --lit_picture lit.png

For each face: the skin tone is the mean luma (0-255) of the known pixels in a
4-pixel ring around the hole; the error is the fill's mean luma in the hole
minus the original's there (positive: the fill is lighter). The side light is
the ring's mean luma on the lit side minus that on the shaded side (left and
right halves); for it the error is measured in the hole's shaded half. Faces
are split into thirds by each. Prints two Markdown tables; `--picture` draws
the three darkest and three most lit faces, `--lit_picture` the four most
half-lit (masked, completed, original). Not a test.
"""

import argparse
import os

import numpy as np
from PIL import Image
from scipy import ndimage


from dcgan.hole.masks import make_mask
from dcgan.evaluation.metrics import mean_and_ci95
from dcgan.utils.images import make_grid, save_image, with_column_labels

RING = 4


def luma(image):
    return image[..., :3] @ np.array([0.299, 0.587, 0.114])


def face_row(name, original, filled, hole, ring):
    """One face's tone, side light and errors (whole hole, shaded half of the hole)."""
    half = np.arange(hole.shape[1]) < hole.shape[1] // 2
    truth = luma(original)
    left, right = truth[ring & half].mean(), truth[ring & ~half].mean()
    shaded = hole & (half if left < right else ~half)
    error = luma(filled) - truth
    return {"name": name, "tone": truth[ring].mean(), "side": abs(left - right),
            "error": error[hole].mean(), "shaded_error": error[shaded].mean()}


def measure(originals_dir, completed_dir):
    """A face_row per face found in both folders, and the hole."""
    rows = []
    hole = None
    for name in sorted(os.listdir(completed_dir)):
        source = os.path.join(originals_dir, name)
        if not os.path.exists(source):
            continue
        original = np.asarray(Image.open(source).convert("RGB"), np.float64)
        filled = np.asarray(Image.open(os.path.join(completed_dir, name)).convert("RGB"), np.float64)
        if hole is None:
            hole = make_mask("center", original.shape[0]) < 0.5
            ring = ndimage.binary_dilation(hole, iterations=RING) & ~hole
        rows.append(face_row(name, original, filled, hole, ring))
    return rows, hole


def table(rows, key, heading, error_key, error_heading, thirds):
    """Faces in thirds by rows[key]: the mean signed and absolute error rows[error_key] of each."""
    values = np.array([r[key] for r in rows])
    errors = np.array([r[error_key] for r in rows])
    edges = np.quantile(values, [1 / 3, 2 / 3])
    lines = [f"| {heading} | faces | {error_heading}, mean luma (95% interval) | "
             "mean absolute |", "|---|---|---|---|"]
    for label, part in zip(thirds, (values < edges[0], (values >= edges[0]) & (values < edges[1]),
                                    values >= edges[1])):
        mean, ci95, n = mean_and_ci95(errors[part])
        lines.append(f"| {label} ({values[part].min():.0f}-{values[part].max():.0f}) | {n} | "
                     f"{mean:+.1f} ± {ci95:.1f} | {np.abs(errors[part]).mean():.1f} |")
    slope = np.polyfit(values, errors, 1)[0]
    lines.append(f"\nError against {key}: {slope:+.3f} luma per luma (a straight-line fit "
                 f"over {len(rows)} faces).")
    return "\n".join(lines)


def picture(chosen, hole, originals_dir, completed_dir, path):
    """The chosen faces: masked, completed, original, a face per row."""
    cells = []
    for name in (r["name"] for r in chosen):
        original = np.asarray(Image.open(os.path.join(originals_dir, name)).convert("RGB"))
        filled = np.asarray(Image.open(os.path.join(completed_dir, name)).convert("RGB"))
        cells += [np.where(hole[..., None], 128, original).astype(np.uint8), filled, original]
    grid = make_grid(np.stack(cells), columns=3)
    save_image(with_column_labels(grid, ["masked", "completed", "original"]), path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("originals", help="the aligned faces")
    p.add_argument("completed", help="complete.py's completed/ folder for them (center hole)")
    p.add_argument("--picture", help="a PNG of the three darkest and the three most lit faces")
    p.add_argument("--lit_picture", help="a PNG of the four most half-lit faces")
    a = p.parse_args()
    rows, hole = measure(a.originals, a.completed)
    print(table(rows, "tone", "skin tone (ring luma)", "error", "fill minus original",
                ("darkest third", "middle third", "lightest third")))
    print()
    print(table(rows, "side", "side light (ring luma, lit minus shaded side)", "shaded_error",
                "fill minus original in the shaded half",
                ("most even third", "middle third", "most half-lit third")))
    by_tone = sorted(rows, key=lambda r: r["tone"])
    if a.picture:
        picture(by_tone[:3] + by_tone[-3:], hole, a.originals, a.completed, a.picture)
    if a.lit_picture:
        picture(sorted(rows, key=lambda r: r["side"])[-4:], hole, a.originals, a.completed, a.lit_picture)


if __name__ == "__main__":
    main()
