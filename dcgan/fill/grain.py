"""Grain: fine detail for a photo's fill, as much as the photo has around the hole.

A face is completed at the model's size and enlarged back, so its fill lacks
the detail finer than a model pixel (skin texture, sensor noise) and looks
smooth beside a sharp photo; the classical fill beyond the face's frame lacks
it too. Compositors match grain by adding noise. Here the noise is high-pass
(fine detail only, no blotches of a model pixel's size) and, pixel by pixel,
tops the fill's own fine detail up to the photo's: the photo's local detail
energy (its high-pass squared, averaged over a few pixels) is carried into the
hole from its edge by Laplace's equation (capped at the ring's upper quartile,
so that a strong edge there is not continued as noise), and the noise adds what
the fill lacks of it. A soft photo, or a fill already as detailed as its surroundings,
gets none.
"""

import numpy as np
from scipy import ndimage

from dcgan.fill.classical import harmonic_fill
from dcgan.utils.images import window_around

HIGH_PASS = 1.0  # sigma of the blur whose residual counts as fine detail, in photo pixels
LOCAL = 3.0  # sigma in pixels of the neighbourhood over which detail energy is averaged
RING = 8  # pixels of the photo around the fill from which its detail is carried in
TEXTURE_PERCENTILE = 75  # of the ring's detail energy: more is an edge, not grain to continue
SEED = 0  # the same photo and hole get the same grain


def high_pass(image):
    """The image minus its blur of HIGH_PASS pixels: its fine detail."""
    image = image.astype(np.float64)
    return image - ndimage.gaussian_filter(image, (HIGH_PASS, HIGH_PASS, 0))


def detail(image, where):
    """Per-channel standard deviation of the image's high-pass at `where`."""
    return high_pass(image)[where].std(axis=0)


def energy(image):
    """The local fine-detail energy per channel: the high-pass squared, averaged over LOCAL pixels."""
    return ndimage.gaussian_filter(high_pass(image) ** 2, (LOCAL, LOCAL, 0))


def add_grain(photo, filled, weight, scale):
    """`filled` with high-pass noise where `weight` > 0, topping its detail up to the photo's.

    Args:
      photo: the input photo, uint8 [H, W, 3].
      filled: the photo with its hole filled, uint8 [H, W, 3].
      weight: float [H, W, 1] in [0, 1]: 1 in the fill, falling to 0 at its feathered edge.
      scale: photo pixels per pixel of the face's fill before it was enlarged (at 1 or less,
        the fill is as sharp as the photo: no grain).

    Returns:
      uint8 [H, W, 3]: `filled` everywhere `weight` is 0.
    """
    pasted = weight[..., 0] > 0
    if scale <= 1 or not pasted.any():
        return filled
    window = window_around(pasted, RING)
    photo, part, weight, pasted = photo[window], filled[window], weight[window], pasted[window]
    if pasted.all():  # the fill reaches every edge: nothing to match
        return filled
    around = energy(photo)
    ring = ndimage.binary_dilation(pasted, iterations=RING) & ~pasted
    texture = np.percentile(around[ring], TEXTURE_PERCENTILE, axis=0)  # an edge is no texture
    target = np.minimum(harmonic_fill(around[None], ~pasted)[0], texture)
    lacking = np.sqrt(np.clip(target - energy(part), 0, None))
    noise = high_pass(np.random.default_rng(SEED).standard_normal(pasted.shape)[..., None])
    noise /= high_pass(noise).std()  # its detail is 1
    out = filled.copy()
    out[window] = np.clip(np.round(part + noise * lacking * weight), 0, 255).astype(np.uint8)
    return out
