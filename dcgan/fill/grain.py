"""Grain: noise in a photo's fill for the fine detail that enlarging the 64x64 fill lost.

A face in a photo is completed at the model's size and enlarged back, by `scale`
(photo pixels per model pixel), so the fill has none of the detail finer than
that (skin texture, sensor noise): beside a sharp photo it looks smooth, and
its pixels show as soft blocks. Compositors match grain by adding noise. Here
its strength, per channel, is the fine detail (the high-pass: the image minus
its blur of one pixel) that the photo itself loses when reduced by `scale` and
enlarged again, measured in a band around the hole: none for a face near the
model's size or a soft photo.
"""

import numpy as np
from PIL import Image
from scipy import ndimage

HIGH_PASS = 1.0  # sigma of the blur whose residual counts as fine detail, in photo pixels
RING = 8  # width in pixels of the band around the fill where the photo's detail is measured
SEED = 0  # the same photo and hole get the same grain


def detail(image, where):
    """Per-channel standard deviation of the image's high-pass (the image minus its blur) at `where`."""
    image = image.astype(np.float64)
    high = image - ndimage.gaussian_filter(image, (HIGH_PASS, HIGH_PASS, 0))
    return high[where].std(axis=0)


def lost_detail(image, scale):
    """What `image` loses when reduced by `scale` and enlarged back (bilinear, as the fill is)."""
    height, width = image.shape[:2]
    small = (max(1, round(width / scale)), max(1, round(height / scale)))
    again = Image.fromarray(image).resize(small, Image.Resampling.BOX).resize(
        (width, height), Image.Resampling.BILINEAR)
    return image.astype(np.float64) - np.asarray(again)


def _window(region, margin):
    """The slices of the bounding box of `region`, grown by `margin` pixels (inside the image)."""
    box = ndimage.find_objects(region.astype(np.int8))[0]
    return tuple(slice(max(0, side.start - margin), side.stop + margin) for side in box)


def add_grain(photo, filled, weight, scale):
    """`filled` with noise added where `weight` > 0, in proportion to it.

    Args:
      photo: the input photo, uint8 [H, W, 3].
      filled: the photo with a fill pasted in, uint8 [H, W, 3].
      weight: float [H, W, 1] in [0, 1]: 1 in the fill, falling to 0 at its feathered edge.
      scale: photo pixels per pixel of the fill before it was enlarged.

    Returns:
      uint8 [H, W, 3]: `filled` everywhere `weight` is 0.
    """
    pasted = weight[..., 0] > 0
    if scale <= 1 or not pasted.any():
        return filled
    window = _window(pasted, RING + int(np.ceil(2 * scale)))
    photo, part, weight, pasted = photo[window], filled[window], weight[window], pasted[window]
    ring = ndimage.binary_dilation(pasted, iterations=RING) & ~pasted
    if not ring.any():  # the fill reaches every edge: nothing to match
        return filled
    strength = detail(lost_detail(photo, scale), ring)
    noise = np.random.default_rng(SEED).standard_normal(pasted.shape)[..., None]
    noise /= detail(noise, np.ones(pasted.shape, bool))  # a high-pass of unit deviation
    out = filled.copy()
    out[window] = np.clip(np.round(part + noise * strength * weight), 0, 255).astype(np.uint8)
    return out
