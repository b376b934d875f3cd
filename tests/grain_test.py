"""Grain in a photo's fill: as much fine detail as around the hole, nowhere else, the same each run."""

import os

import numpy as np
from PIL import Image
from scipy import ndimage

from conftest import SHARED_DATA, shared_data
from dcgan.grain import RING, add_grain, detail


def _photo_and_smooth_fill():
    """A real photo enlarged 3x (so that its own detail is soft: the case the grain is for),
    with sensor-like noise, and its mouth replaced by a blur of itself."""
    folder = shared_data(os.path.join(SHARED_DATA, "lfw_deepfunneled"))
    path = os.path.join(folder, sorted(os.listdir(folder))[0])
    photo = np.asarray(Image.open(path).convert("RGB").resize((750, 750), Image.Resampling.BICUBIC))
    noise = np.random.default_rng(1).normal(0, 6, photo.shape[:2])[..., None]
    photo = np.clip(photo + noise, 0, 255).astype(np.uint8)
    hole = np.zeros(photo.shape[:2], bool)
    hole[450:534, 300:450] = True
    blurred = ndimage.gaussian_filter(photo.astype(float), (4, 4, 0)).round().astype(np.uint8)
    filled = np.where(hole[..., None], blurred, photo)
    return photo, filled, hole


def test_the_fill_gets_the_fine_detail_of_its_surroundings_and_nothing_else_changes():
    photo, filled, hole = _photo_and_smooth_fill()
    weight = hole.astype(float)[..., None]
    ring = ndimage.binary_dilation(hole, iterations=RING) & ~hole
    around, before = detail(photo, ring), detail(filled, hole)
    assert np.all(before < 0.5 * around)
    out = add_grain(photo, filled, weight)
    np.testing.assert_allclose(detail(out, hole), around, rtol=0.15)
    assert np.array_equal(out[~hole], filled[~hole])
    assert abs(out[hole].astype(float).mean() - filled[hole].astype(float).mean()) < 0.5


def test_a_fill_as_smooth_as_its_surroundings_gets_no_grain():
    photo, _, hole = _photo_and_smooth_fill()
    soft = ndimage.gaussian_filter(photo.astype(float), (4, 4, 0)).round().astype(np.uint8)
    out = add_grain(soft, soft, hole.astype(float)[..., None])
    assert np.abs(out.astype(int) - soft).max() <= 1


def test_the_same_photo_and_hole_get_the_same_grain():
    photo, filled, hole = _photo_and_smooth_fill()
    weight = hole.astype(float)[..., None]
    assert np.array_equal(add_grain(photo, filled, weight), add_grain(photo, filled, weight))


def test_a_fill_with_no_photo_around_it_is_left_as_it_is():
    photo, filled, _ = _photo_and_smooth_fill()
    everywhere = np.ones(photo.shape[:2] + (1,))
    assert np.array_equal(add_grain(photo, filled, everywhere), filled)
