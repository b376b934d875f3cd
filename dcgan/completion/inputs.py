"""complete.py's inputs: their sizes from the headers (aligned faces or photos) and their pixels.

TensorFlow-free, so that a bad input is told before TensorFlow and the model load.
"""

import os

import numpy as np
from PIL import Image

from dcgan.errors import name_some, unreadable
from dcgan.utils import images as image_io


def input_sizes(paths, options):
    """Each input's (path, (width, height)) from its header, so that a bad input is named before
    the model loads; under --photo or --box, (path, None): every input is a photo, and one that
    fails fails alone.

    Raises:
      UserError: an input (not under --photo or --box) is missing or does not decode.
    """
    if options.photo or options.box:
        return [(path, None) for path in paths]
    sizes, bad = [], []
    for path in paths:
        try:
            with Image.open(path) as image:
                sizes.append((path, image.size))
        except (OSError, ValueError, SyntaxError):
            bad.append(path)
    if bad:
        raise unreadable(bad)
    return sizes


def split_photos(sizes, size):
    """(aligned faces, photos) from input_sizes: a photo is an input whose size is not the
    model's (or any under --photo or --box)."""
    crops = [path for path, wh in sizes if wh == (size, size)]
    photos = [path for path, wh in sizes if wh != (size, size)]
    return crops, photos


def read_inputs(paths, size, channels=3, log=print):
    """All inputs as [N, size, size, channels] in [-1, 1]; one warning for those resized.

    Returns:
      (images, per image whether it is grayscale, to be written back so).

    Raises:
      UserError: a file is missing or does not decode.
    """
    read, bad = [], []
    for path in paths:
        try:
            read.append(image_io.read_image(path, size, channels))
        except (OSError, ValueError, SyntaxError):
            bad.append(path)
    if bad:
        raise unreadable(bad)
    resized = [path for path, image in zip(paths, read) if image.resized]
    if resized:
        log(f"warning: resized {len(resized)} image(s) to the model's {size}x{size}: "
            f"{name_some(resized)}; for photos, align the faces first (python align_dlib.py)")
    erased = [path for path, image in zip(paths, read) if image.transparent]
    if erased:
        log(f"warning: {name_some(erased)} have transparent pixels, read as their colour and "
            "filled only where the mask says; complete them as photos to fill what is transparent")
    return np.stack([image.pixels for image in read]), [image.grayscale for image in read]


def output_names(paths):
    """completed/<input name>.png names, made unique when two inputs share a name."""
    names, seen = [], {}
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        seen[stem] = seen.get(stem, 0) + 1
        names.append(stem if seen[stem] == 1 else f"{stem}_{seen[stem]}")
    return names
