"""Grain: noise in a photo's fill, as strong as the fine detail of the pixels around it.

The fill is a 64x64 face enlarged to the size of the photo's face, so it has
little fine detail (skin texture, sensor noise) of its own, and beside a sharp
photo it looks smooth. Compositors match the grain by adding noise; here its
strength, per channel, is what the photo's high-pass holds in a band around the
hole beyond what the fill's high-pass already holds inside it: none where the
fill is as detailed as its surroundings (small faces, soft photos).
"""

import numpy as np
from scipy import ndimage

HIGH_PASS = 1.0  # sigma of the blur whose residual counts as fine detail, in photo pixels
RING = 8  # width in pixels of the band around the fill where the photo's detail is measured
SEED = 0  # the same photo and hole get the same grain


def detail(image, where):
    """Per-channel standard deviation of the image's high-pass (the image minus its blur) at `where`."""
    image = image.astype(np.float64)
    high = image - ndimage.gaussian_filter(image, (HIGH_PASS, HIGH_PASS, 0))
    return high[where].std(axis=0)


def _window(region, margin):
    """The slices of the bounding box of `region`, grown by `margin` pixels (inside the image)."""
    rows, columns = np.nonzero(region.any(axis=1))[0], np.nonzero(region.any(axis=0))[0]
    return tuple(slice(max(0, low - margin), high + margin + 1)
                 for low, high in ((rows[0], rows[-1]), (columns[0], columns[-1])))


def add_grain(photo, filled, weight):
    """`filled` with noise added where `weight` > 0, in proportion to it.

    Args:
      photo: the input photo, uint8 [H, W, 3].
      filled: the photo with its hole filled, uint8 [H, W, 3].
      weight: float [H, W, 1] in [0, 1]: 1 in the fill, falling to 0 at its feathered edge.

    Returns:
      uint8 [H, W, 3]: `filled` everywhere `weight` is 0.
    """
    pasted = weight[..., 0] > 0
    if not (weight >= 1).any():
        return filled
    window = _window(pasted, RING + 4 * int(np.ceil(HIGH_PASS)))
    photo, part, weight, pasted = photo[window], filled[window], weight[window], pasted[window]
    ring = ndimage.binary_dilation(pasted, iterations=RING) & ~pasted
    if not ring.any():  # the fill reaches every edge: nothing to match
        return filled
    missing = np.sqrt(np.maximum(detail(photo, ring) ** 2 - detail(part, weight[..., 0] >= 1) ** 2, 0))
    noise = np.random.default_rng(SEED).standard_normal(pasted.shape)[..., None]
    noise /= detail(noise, np.ones(pasted.shape, bool))  # a high-pass of unit deviation
    out = filled.copy()
    out[window] = np.clip(np.round(part + noise * missing * weight), 0, 255).astype(np.uint8)
    return out
