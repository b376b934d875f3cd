"""Image I/O: [-1, 1] tensors to uint8 pictures, grids and files."""

import math
import os

import numpy as np
from PIL import Image


def to_uint8(images):
    """[-1, 1] float array (any leading shape) -> uint8 [0, 255]."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def make_grid(images, columns=8):
    """Tiles a batch [N, H, W, C] of uint8 images into one picture, `columns` wide."""
    n, h, w, c = images.shape
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    grid = np.zeros((rows * h, columns * w, c), dtype=images.dtype)
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        grid[r * h:(r + 1) * h, col * w:(col + 1) * w] = image
    return grid


def save_image(image, path):
    """Writes a uint8 [H, W, C] array as PNG, creating the folder; atomic."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if image.shape[-1] == 1:
        image = image[..., 0]
    tmp = path + ".tmp.png"
    Image.fromarray(image).save(tmp)
    os.replace(tmp, path)


def save_grid(images, path, columns=8):
    """Writes a batch of [-1, 1] images as one grid PNG."""
    save_image(make_grid(to_uint8(images), columns), path)


def read_image(path, size):
    """Reads an image as float32 [size, size, 3] in [-1, 1], resizing it if needed.

    Returns:
      (image, whether it was resized).

    Raises:
      OSError: the file does not decode.
    """
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    resized = rgb.size != (size, size)
    if resized:
        rgb = rgb.resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(rgb, np.float32) / 127.5 - 1.0, resized


def save_gif(frames, path, frame_ms=100):
    """Writes uint8 frames as a looping GIF (imageio; no ImageMagick)."""
    import imageio.v3 as iio
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    iio.imwrite(path, np.stack(frames), extension=".gif", duration=frame_ms, loop=0)
