"""Image I/O: [-1, 1] tensors to uint8 pictures, grids and files."""

import math
import os
import typing

import imageio.v3 as iio
import numpy as np
from PIL import Image, ImageDraw, ImageOps

from dcgan.utils.files import atomic_write


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
    if image.shape[-1] == 1:
        image = image[..., 0]
    with atomic_write(path, "wb") as f:
        Image.fromarray(image).save(f, format="PNG")


def save_grid(images, path, columns=8):
    """Writes a batch of [-1, 1] images as one grid PNG."""
    save_image(make_grid(to_uint8(images), columns), path)


def with_column_labels(grid, labels, scale=2):
    """A uint8 grid [H, W, C] enlarged `scale` times, with a white strip on top naming each column."""
    picture = Image.fromarray(grid.squeeze(-1) if grid.shape[-1] == 1 else grid).convert("RGB")
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    width = picture.width / len(labels)
    labelled = Image.new("RGB", (picture.width, picture.height + 18), "white")
    labelled.paste(picture, (0, 18))
    draw = ImageDraw.Draw(labelled)
    for i, label in enumerate(labels):
        left, _, right, _ = draw.textbbox((0, 0), label)
        draw.text((i * width + (width - (right - left)) / 2, 3), label, fill=(30, 30, 30))
    return np.asarray(labelled)


def open_8bit(path):
    """A PIL image of 8 bits per channel, upright; 16-bit PNGs are scaled down, not clipped to white.

    Upright: a camera's EXIF orientation is applied, as every viewer (and the browser) does,
    so that a phone photo's faces are upright and a box or mask drawn on it falls where it
    was drawn.
    """
    with Image.open(path) as image:
        return to_8bit(upright(image))


def load_rgb(path):
    """Reads any image Pillow decodes (grayscale, palette, RGBA, CMYK) as uint8 RGB, EXIF-rotated.

    Raises:
      OSError: the file is not an image or does not decode.
    """
    return np.asarray(open_8bit(path).convert("RGB"))


def upright(image):
    """`image` (loaded) turned as its EXIF orientation says; the orientation tag is dropped."""
    image.load()
    return ImageOps.exif_transpose(image) or image


def transparent(image):
    """Where a PIL image is transparent (alpha under half) as a bool [H, W] array; None if nowhere.

    Pixels erased in an image editor are transparent: for a photo they can mark its hole.
    """
    if "A" not in image.getbands() and "transparency" not in image.info:
        return None
    hole = np.asarray(image.convert("RGBA").getchannel("A")) < 128
    return hole if hole.any() else None


def to_8bit(image):
    """`image`, or its 16-bit gray scaled to 8 bits (PIL's convert would clip it to white)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return Image.fromarray(np.round(np.asarray(image, np.float64) / 257.0).clip(0, 255).astype(np.uint8))
    return image


def is_grayscale(image):
    """Whether a PIL image has one colour band (L, LA, 1, or 16-bit gray)."""
    return image.getbands()[0] in ("L", "1", "I") and "R" not in image.getbands()


class ReadImage(typing.NamedTuple):
    pixels: np.ndarray  # float32 [size, size, channels] in [-1, 1]
    resized: bool  # the file was not size x size
    grayscale: bool  # the file has one colour band: written back so
    transparent: bool  # the file has transparent pixels, read as their colour


def read_image(path, size, channels=3):
    """Reads an image as a `ReadImage`, resizing it to size x size if needed.

    Raises:
      OSError: the file does not decode.
    """
    original = open_8bit(path)
    image = original.convert("RGB" if channels == 3 else "L")
    resized = image.size != (size, size)
    if resized:
        image = image.resize((size, size), Image.Resampling.LANCZOS)
    array = np.asarray(image, np.float32) / 127.5 - 1.0
    return ReadImage(array.reshape(size, size, channels), resized, is_grayscale(original),
                     transparent(original) is not None)


def to_gray(image):
    """uint8 [H, W, 3] -> [H, W, 1] luminance (ITU-R 601, as PIL's convert("L"))."""
    if image.shape[-1] == 1:
        return image
    return np.asarray(Image.fromarray(image).convert("L"))[..., None]


def save_gif(frames, path, frame_ms=100):
    """Writes uint8 frames as a looping GIF (imageio; no ImageMagick)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    iio.imwrite(path, np.stack(frames), extension=".gif", duration=frame_ms, loop=0)


def rectangle(shape, x0, y0, x1, y1):
    """A bool [H, W] mask of `shape` true on the integer pixel box [x0, x1) x [y0, y1), cut to
    the image (an edge beyond it is clamped, not counted from the other side)."""
    mask = np.zeros(shape[:2], bool)
    mask[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = True
    return mask


def window_around(region, margin):
    """The slices of the bounding box of `region` ([H, W] bool, not empty), grown by `margin`
    pixels and kept inside the image."""
    rows, cols = np.nonzero(region)
    return (slice(max(rows.min() - margin, 0), rows.max() + margin + 1),
            slice(max(cols.min() - margin, 0), cols.max() + margin + 1))
