"""The part of a photo's hole that no face's frame reaches: background, hair, the face's edge.

It gets the biharmonic fill from the hole's edge (smooth, as a background
wants, and continuing the slopes it meets: at a photo's own size it leaves
0.6x the squared error of the harmonic fill on LFW's bands, docs/photos.md),
solved apart inside and outside each face's outline (dlib's jaw line, closed
over the forehead): skin is not smeared into the background, nor the
background into the face, and the outline stays where the landmarks put it.
"""

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from dcgan.fill.classical import biharmonic_fill, harmonic_fill
from dcgan.utils.images import window_around

FOREHEAD = 0.4  # the outline's top: the brows raised by this share of the chin-to-brow height
MARGIN = 2  # pixels around a part of the hole that its solve sees
BIHARMONIC_PIXELS = 40_000  # a larger part gets the harmonic fill: the biharmonic's solve grows too slow


def face_outline(points, shape):
    """bool [H, W]: the photo's pixels inside the face whose 68 landmarks (x, y) are `points`."""
    up = points[27] - points[8]  # chin to the top of the nose, in the face's own tilt
    top = points[26:16:-1] + FOREHEAD * up
    canvas = Image.new("1", (shape[1], shape[0]))
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in np.vstack([points[:17], top])], fill=1)
    return np.asarray(canvas, bool)


def background_fill(rgb, hole, outline=None):
    """The photo (uint8) with its hole filled from the hole's edge, each separate part of the
    hole on its own; with an `outline` ([H, W] bool, inside the faces) each side of it from its
    own known pixels only."""
    out = rgb.copy()
    labels, count = ndimage.label(hole)
    for index in range(1, count + 1):
        part = labels == index
        _fill_into(out, rgb, hole, part)
        for side in () if outline is None else (outline, ~outline):
            if (part & side).any() and (~hole & side).any():
                _fill_into(out, rgb, hole, part & side, side)
    return out


def _fill_into(out, rgb, hole, target, side=None):
    """Writes the fill of `target`'s pixels into `out`: from the known pixels around them, or
    from `side`'s alone (the other side's are solved for too and dropped; what touches none of
    the side's pixels keeps the fill from all)."""
    window = window_around(target, MARGIN)
    filled = _smooth(rgb[window], ~hole[window])
    if side is not None:
        sources = ~hole[window] & side[window]
        labels, _ = ndimage.label(~sources)
        orphans = ~sources & ~np.isin(labels, labels[ndimage.binary_dilation(sources) & ~sources])
        filled = _smooth(filled, sources | orphans)
    view = out[window]
    view[target[window]] = filled[target[window]]


def _smooth(rgb, known):
    """uint8 `rgb` with its unknown pixels filled: biharmonic, or harmonic past BIHARMONIC_PIXELS."""
    fill = biharmonic_fill if (~known).sum() <= BIHARMONIC_PIXELS else harmonic_fill
    return np.clip(np.round(fill(rgb[None].astype(np.float64), known)[0]), 0, 255).astype(np.uint8)
