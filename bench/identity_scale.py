"""What evaluate.py's identity distance means on 64x64 faces: the distance of each held-out face
to edits of it whose effect on identity is known. Not a test; the README's scale comes from it.

    python -m bench.identity_scale --images aligned_test --limit 64

A fill that keeps the person should land near the blurred face; one that
forgets the centre, near the mean-colour centre; one that paints someone
else's, near the other person's centre. Prints a Markdown table.
"""

import argparse
import os

import numpy as np
from PIL import Image, ImageFilter

from align.aligner import AlignDlib
from dcgan.hole import masks
from dcgan.evaluation import metrics


def blurred(face, radius):
    return np.asarray(Image.fromarray(face).filter(ImageFilter.GaussianBlur(radius)))


def edits(face, other, hole):
    """{name: edited face}: each keeps the pixels outside `hole` (boolean) but the first."""
    inside = lambda fill: np.where(hole[..., None], fill, face)
    return {
        "the whole face blurred (Gaussian, radius 1 px)": blurred(face, 1),
        "the centre blurred (radius 3 px)": inside(blurred(face, 3)),
        "the centre in the face's mean colour": inside(face.reshape(-1, 3).mean(0).astype(np.uint8)),
        "the centre of another person": inside(other),
        "another person": other,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", required=True, help="folder of aligned 64x64 held-out faces")
    parser.add_argument("--limit", type=int, default=64, help="the first N faces")
    args = parser.parse_args()
    names = sorted(os.listdir(args.images))[:args.limit]
    faces = [np.asarray(Image.open(os.path.join(args.images, n)).convert("RGB")) for n in names]
    aligner = AlignDlib()
    network = metrics.IdentityNetwork(aligner)
    hole = masks.make_mask("center", faces[0].shape[0]) == 0
    distances = {}
    for i, face in enumerate(faces):
        box = metrics.face_box(aligner, face)
        if box is None:
            continue
        own = network.descriptor(face, box)
        other = faces[(i + len(faces) // 2) % len(faces)]  # almost surely another person
        for name, edited in edits(face, other, hole).items():
            distances.setdefault(name, []).append(
                metrics.identity_distance(own, network.descriptor(edited, box)))
    print("| the face against | identity distance | same person (< 0.6) | n |\n|---|---|---|---|")
    for name, values in distances.items():
        mean, half, n = metrics.mean_and_ci95(values)
        same = np.mean(np.asarray(values) < 0.6)
        print(f"| {name} | {mean:.3f} ± {half:.3f} | {same:.2f} | {n} |")


if __name__ == "__main__":
    main()
