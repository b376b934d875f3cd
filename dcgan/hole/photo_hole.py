"""Where a photo's hole is: one reading of a box, a mask image or the photo's transparency.

complete.py and the web page both call `read_hole`, so a mask means the same
everywhere: where the mask image has transparent pixels (the page's brush
layer, or a mask painted on a transparent layer), its opaque pixels are the
hole; otherwise its dark pixels are (black = missing, as the original's mask
files).
"""

import os

import numpy as np

from dcgan.errors import OptionError, UserError
from dcgan.utils import images as image_io


def parse_box(text):
    """`x,y,w,h` in photo pixels -> four ints (x and y may be negative: a box past the edge).

    Raises:
      UserError: not four whole numbers, or an empty box.
    """
    try:
        x, y, w, h = (int(v) for v in text.split(","))
    except ValueError:
        raise OptionError("box", f"must be x,y,w,h in pixels, like 120,200,80,40; not {text}") from None
    if w < 1 or h < 1:
        raise OptionError("box", f"{text} is empty: its width and height must be at least 1")
    return x, y, w, h


def mask_image_hole(mask):
    """The hole a mask image marks (True = missing): see the module's rule."""
    if mask.mode in ("RGBA", "LA", "PA") or "transparency" in mask.info:
        alpha = np.asarray(mask.convert("RGBA").getchannel("A"))
        if (alpha < 255).any():
            return alpha >= 128
    return np.asarray(mask.convert("L")) < 128


def read_hole(name, photo_size, box=None, mask=None, transparent=None):
    """The hole as a bool [height, width] array (True = missing).

    The union of `box` (`x,y,w,h`) and `mask` (a PIL image, a mask file, or a folder
    of masks named like the photos: `photo.jpg`: `photo.png`) where either is given,
    else the photo's own `transparent` pixels (`images.transparent`).

    Raises:
      UserError: naming the photo `name`: no hole given, a mask of another size,
        or a hole that is empty or lies wholly outside the photo.
    """
    width, height = photo_size
    hole = np.zeros((height, width), bool)
    if box is not None:
        x, y, w, h = parse_box(box)
        hole = image_io.rectangle((height, width), x, y, x + w, y + h)
        if not hole.any():
            raise UserError(f"{name}: the box {box} lies outside the {width}x{height} photo")
    if mask is not None:
        hole |= mask_image_hole(_mask_image(name, mask, photo_size))
    if box is None and mask is None:
        if transparent is None:
            raise UserError(f"{name}: no hole given: a box, a mask file of the photo's size, or "
                            "transparent pixels in the photo")
        hole = transparent
    if not hole.any():
        raise UserError(f"{name}: the hole is empty: nothing in the mask is marked missing")
    return hole


def _mask_image(name, mask, photo_size):
    """The mask as an upright PIL image of the photo's size, read from a file if it is a path."""
    where = "the mask"
    if isinstance(mask, str):
        if os.path.isdir(mask):
            mask = os.path.join(mask, os.path.splitext(os.path.basename(name))[0] + ".png")
            if not os.path.exists(mask):
                raise UserError(f"{name}: no mask {mask} for it in the mask folder")
        where, mask = f"the mask {mask}", image_io.open_8bit(mask)  # upright, as the photo
    if mask.size != tuple(photo_size):
        raise UserError(f"{name}: {where} is {mask.size[0]}x{mask.size[1]}, the photo "
                        f"{photo_size[0]}x{photo_size[1]}: a photo's mask must have its size")
    return mask


def marks_its_hole(path):
    """Whether a photo's own transparent pixels give its hole (it needs no box or mask file)."""
    try:
        return image_io.transparent(image_io.open_8bit(path)) is not None
    except (OSError, ValueError, SyntaxError):
        return False  # told when its turn comes
