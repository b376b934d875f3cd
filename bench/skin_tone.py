"""Is the fill lighter or darker than the face? The fill's mean brightness error by skin tone.

    python complete.py aligned_test/*.png --outDir tone            # the center hole, the defaults
    python bench/skin_tone.py aligned_test tone/completed --picture tone.png

For each face: the skin tone is the mean luma (0-255) of the known pixels in a
4-pixel ring around the hole; the error is the fill's mean luma in the hole
minus the original's there (positive: the fill is lighter). Faces are split
into thirds by tone. Prints a Markdown table; `--picture` draws the three
darkest and three most lit faces (masked, completed, original). Not a test.
"""

import argparse
import os
import sys

import numpy as np
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dcgan.complete.masks import make_mask  # noqa: E402
from dcgan.evaluate.metrics import mean_and_ci95  # noqa: E402
from dcgan.utils.images import make_grid, save_image, with_column_labels  # noqa: E402

RING = 4


def luma(image):
    return image[..., :3] @ np.array([0.299, 0.587, 0.114])


def measure(originals_dir, completed_dir):
    """(name, tone, error) per face found in both folders."""
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
        tone = luma(original)[ring].mean()
        rows.append((name, tone, luma(filled)[hole].mean() - luma(original)[hole].mean()))
    return rows, hole


def table(rows):
    tones = np.array([r[1] for r in rows])
    errors = np.array([r[2] for r in rows])
    edges = np.quantile(tones, [1 / 3, 2 / 3])
    lines = ["| skin tone (ring luma) | faces | fill minus original, mean luma (95% interval) | "
             "mean absolute |", "|---|---|---|---|"]
    for label, part in (("darkest third", tones < edges[0]),
                        ("middle third", (tones >= edges[0]) & (tones < edges[1])),
                        ("lightest third", tones >= edges[1])):
        mean, ci95, n = mean_and_ci95(errors[part])
        lines.append(f"| {label} ({tones[part].min():.0f}-{tones[part].max():.0f}) | {n} | "
                     f"{mean:+.1f} ± {ci95:.1f} | {np.abs(errors[part]).mean():.1f} |")
    slope = np.polyfit(tones, errors, 1)[0]
    lines.append(f"\nError against tone: {slope:+.3f} luma per luma of tone (a straight-line fit "
                 f"over {len(rows)} faces; negative: darker faces get lighter fills).")
    return "\n".join(lines)


def picture(rows, hole, originals_dir, completed_dir, path, count=3):
    """The darkest and the most lit faces: masked, completed, original, a face per row."""
    chosen = sorted(rows, key=lambda r: r[1])
    chosen = chosen[:count] + chosen[-count:]
    cells = []
    for name, _, _ in chosen:
        original = np.asarray(Image.open(os.path.join(originals_dir, name)).convert("RGB"))
        filled = np.asarray(Image.open(os.path.join(completed_dir, name)).convert("RGB"))
        cells += [np.where(hole[..., None], 128, original).astype(np.uint8), filled, original]
    grid = make_grid(np.stack(cells), columns=3)
    save_image(with_column_labels(grid, ["masked", "completed", "original"]), path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("originals", help="the aligned faces")
    p.add_argument("completed", help="complete.py's completed/ folder for them (center hole)")
    p.add_argument("--picture", help="a PNG of the darkest and the most lit faces")
    a = p.parse_args()
    rows, hole = measure(a.originals, a.completed)
    print(table(rows))
    if a.picture:
        picture(rows, hole, a.originals, a.completed, a.picture)


if __name__ == "__main__":
    main()
