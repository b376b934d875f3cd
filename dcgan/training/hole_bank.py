"""The holes an encoder is trained on: every mask kind complete.py offers, boxes and brush strokes.

Drawn once per run from its seed (a bank of masks the train step picks from),
so that a resumed run sees the same holes. Boxes stand for a photo's holes
(an eye, the mouth, a band across the face); strokes for a hand-painted hole
on the web page.
"""

import numpy as np
from PIL import Image, ImageDraw

from dcgan.hole.masks import make_mask

# kind: share of the bank
KINDS = {"center": 0.10, "left": 0.04, "half": 0.12, "pattern": 0.14, "random": 0.08, "grid": 0.02,
         "box": 0.22, "strokes": 0.23, "full": 0.05}


def hole_bank(size, count, seed=0):
    """[count, size, size] uint8 masks, 1 = known, in the shares of KINDS."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(KINDS), size=count, p=list(KINDS.values()))
    return np.stack([_draw(kind, size, rng) for kind in kinds]).astype(np.uint8)


def _draw(kind, size, rng):
    if kind == "half":
        return make_mask("half", size, side=rng.choice(["left", "right", "top", "bottom"]))
    if kind == "random":
        return make_mask("random", size, random_fraction=rng.uniform(0.1, 0.9),
                         seed=int(rng.integers(2 ** 31)))
    if kind == "pattern":
        return make_mask("pattern", size, seed=int(rng.integers(2 ** 31)))
    if kind == "box":
        return _boxes(size, rng)
    if kind == "strokes":
        return _strokes(size, rng)
    return make_mask(kind, size)


def _boxes(size, rng):
    """One to three rectangles from an eighth to three quarters of the side, some past the edge."""
    mask = np.ones((size, size), np.float32)
    for _ in range(rng.integers(1, 4)):
        w, h = (rng.uniform(0.12, 0.75, 2) * size).astype(int) + 1
        x, y = rng.integers(-w // 3, size - 2 * w // 3), rng.integers(-h // 3, size - 2 * h // 3)
        mask[max(y, 0):y + h, max(x, 0):x + w] = 0
    return mask if mask.any() else make_mask("center", size)


def _strokes(size, rng):
    """Brush strokes as a person paints them: a few thick polylines with round joints."""
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.integers(1, 5)):
        width = int(rng.uniform(0.04, 0.15) * size) + 1
        point = rng.uniform(0, size, 2)
        points = [tuple(point)]
        for _ in range(rng.integers(2, 7)):
            angle, length = rng.uniform(0, 2 * np.pi), rng.uniform(0.1, 0.4) * size
            point = np.clip(point + length * np.array([np.cos(angle), np.sin(angle)]), 0, size - 1)
            points.append(tuple(point))
        draw.line(points, fill=0, width=width, joint="curve")
        for x, y in points:
            draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=0)
    mask = (np.asarray(image) > 127).astype(np.float32)
    return mask if mask.any() else make_mask("center", size)
