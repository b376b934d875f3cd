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
        window = window_around(part, MARGIN)
        _write(out, part, window, _smooth(rgb[window], ~hole[window]))
        for side in () if outline is None else (outline, ~outline):
            target = part & side
            if target.any() and (~hole & side).any():
                window = window_around(target, MARGIN)
                _write(out, target, window, _from_side(out[window], hole[window], side[window]))
    return out


def _from_side(plain, hole, side):
    """`plain` (the fill from every known pixel) filled again from `side`'s known pixels alone:
    the other side's pixels are solved for too and dropped; what touches none of the side's
    pixels keeps the plain fill."""
    sources = ~hole & side
    labels, _ = ndimage.label(~sources)
    orphans = ~sources & ~np.isin(labels, labels[ndimage.binary_dilation(sources) & ~sources])
    return _smooth(plain, sources | orphans)


def _write(out, target, window, filled):
    """`out` with `target`'s pixels taken from `filled` (the fill of `window`)."""
    view = out[window]
    view[target[window]] = filled[target[window]]


def _smooth(rgb, known):
    """uint8 `rgb` with its unknown pixels filled: biharmonic, or harmonic past BIHARMONIC_PIXELS."""
    fill = biharmonic_fill if (~known).sum() <= BIHARMONIC_PIXELS else harmonic_fill
    return np.clip(np.round(fill(rgb[None].astype(np.float64), known)[0]), 0, 255).astype(np.uint8)
