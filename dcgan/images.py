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
