"""Completion masks: one [size, size] float32 array, 1 where a pixel is known, 0 where missing.

The original's types keep their exact semantics (center, random, left, full,
grid, lowres); the paper's half and pattern, and a user's mask file, are added.
"""

import os

import numpy as np
from PIL import Image
from scipy import ndimage

from dcgan.errors import OptionError, UserError
from dcgan.flags import check_value
from dcgan.utils.images import open_8bit
from dcgan.options import MASK_TYPES, SIDES, MaskOptions

LOWRES_FACTOR = 8


def make_mask(mask_type, size, center_scale=0.25, random_fraction=0.2, side="left",
              mask_file=None, seed=0, log=print):
    """Builds the mask of `mask_type` for size x size images.

    Args:
      mask_type: one of MASK_TYPES.
      size: image height and width.
      center_scale: `center` misses rows and columns int(size*scale) to
        int(size*(1-scale)); at most 0.5.
      random_fraction: share of pixels `random` misses.
      side: the side `half` misses.
      mask_file: PNG for `mask`: black = missing; resized (nearest) to size.
      seed: for `random` and `pattern`.
      log: where the warning about a resized mask file goes.

    Returns:
      float32 [size, size]: 1 = known, 0 = missing. `lowres` is all 0: its
      known information is the 8x8 block means (see `lowres_known`).
    """
    rng = np.random.default_rng(seed)
    mask = np.ones((size, size), np.float32)
    if mask_type == "center":
        check_value(MaskOptions, "center_scale", center_scale)
        lo, hi = int(size * center_scale), int(size * (1 - center_scale))
        mask[lo:hi, lo:hi] = 0
    elif mask_type == "random":
        check_value(MaskOptions, "random_fraction", random_fraction)
        mask[rng.random((size, size)) < random_fraction] = 0
    elif mask_type == "left":
        mask[:, :size // 2] = 0
    elif mask_type == "full":
        pass
    elif mask_type == "grid":
        mask[:] = 0
        mask[::4, ::4] = 1
    elif mask_type == "lowres":
        mask[:] = 0
    elif mask_type == "half":
        half = size // 2
        region = {"left": np.s_[:, :half], "right": np.s_[:, half:],
                  "top": np.s_[:half, :], "bottom": np.s_[half:, :]}
        if side not in region:
            raise OptionError("side", f"must be one of {', '.join(SIDES)}, not {side}")
        mask[region[side]] = 0
    elif mask_type == "pattern":
        mask = _pattern(size, rng)
    elif mask_type == "mask":
        mask = read_mask_file(mask_file, size, log)
    else:
        raise OptionError("mask_type", f"must be one of {', '.join(MASK_TYPES)}, not {mask_type}")
    return mask


def _pattern(size, rng, missing=0.25):
    """Random blobs covering about `missing` of the image: smoothed noise, its lowest quantile."""
    field = ndimage.gaussian_filter(rng.standard_normal((size, size)), sigma=size / 12, mode="wrap")
    return (field > np.quantile(field, missing)).astype(np.float32)


def read_mask_file(path, size, log=print):
    """A mask PNG (black = missing), resized with nearest neighbour to size x size.

    Raises:
      UserError: no path, a file that does not decode, or a mask that leaves
        nothing to fill (all white) or nothing known (all black).
    """
    if not path:
        raise OptionError("mask_file", "is needed for the mask type 'mask'")
    if os.path.isdir(path):
        raise OptionError("mask_file", f"{path} is a folder: a folder of masks, one per photo named "
                                       "like it, is for photos; aligned faces share one mask file")
    try:
        gray = open_8bit(path).convert("L")  # upright, as the images
    except (OSError, ValueError, SyntaxError) as e:
        raise UserError(f"cannot read mask file {path}: {e}") from None
    if gray.size != (size, size):
        log(f"warning: mask file {path} is {gray.size[0]}x{gray.size[1]}; resized to the "
            f"model's {size}x{size}")
        gray = gray.resize((size, size), Image.Resampling.NEAREST)
    mask = (np.asarray(gray) > 127).astype(np.float32)
    if mask.all():
        raise UserError(f"mask file {path} is all white: nothing to fill (black marks what is missing)")
    if not mask.any():
        raise UserError(f"mask file {path} is all black: nothing is known to complete from")
    return mask


def lowres_known(mask_type):
    """Whether the 8x8 block means of the image are known (the `lowres` mask)."""
    return mask_type == "lowres"


def weighted_mask(mask, window=7):
    """The paper's weights: each known pixel weighs the share of missing pixels in its 7x7 window.

    Known pixels next to the hole count most; those far from it count 0. With
    nothing missing (reconstruction) every pixel would weigh 0: the mask is kept.
    """
    if mask.min() == 1:
        return mask.astype(np.float32)
    missing_share = ndimage.uniform_filter(1.0 - mask, size=window, mode="constant")
    return (mask * missing_share).astype(np.float32)
