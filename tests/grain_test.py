"""Grain in a photo's fill: the fine detail that enlarging the fill lost, nowhere else, the same each run."""

import os

import numpy as np
from PIL import Image
from scipy import ndimage

from conftest import SHARED_DATA, shared_data
from dcgan.fill.grain import RING, add_grain, detail

SCALE = 4  # photo pixels per model pixel of the simulated fill


def _sharp_photo_and_enlarged_fill():
    """A real photo enlarged 3x with sensor-like noise (a sharp photo), and its mouth replaced by
    itself reduced 4x and enlarged back, as a fill from a small model is."""
    folder = shared_data(os.path.join(SHARED_DATA, "lfw_deepfunneled"))
    path = os.path.join(folder, sorted(os.listdir(folder))[0])
    photo = np.asarray(Image.open(path).convert("RGB").resize((750, 750), Image.Resampling.BICUBIC))
    noise = np.random.default_rng(1).normal(0, 6, photo.shape[:2])[..., None]
    photo = np.clip(photo + noise, 0, 255).astype(np.uint8)
    small = Image.fromarray(photo).resize((750 // SCALE, 750 // SCALE), Image.Resampling.BOX)
    enlarged = np.asarray(small.resize((750, 750), Image.Resampling.BILINEAR))
    hole = np.zeros(photo.shape[:2], bool)
    hole[450:534, 300:450] = True
    return photo, np.where(hole[..., None], enlarged, photo), hole


def test_the_fill_gets_the_fine_detail_of_its_surroundings_and_nothing_else_changes():
    photo, filled, hole = _sharp_photo_and_enlarged_fill()
    ring = ndimage.binary_dilation(hole, iterations=RING) & ~hole
    around, before = detail(photo, ring), detail(filled, hole)
    assert np.all(before < 0.5 * around)
    out = add_grain(photo, filled, hole.astype(float)[..., None], SCALE)
    np.testing.assert_allclose(detail(out, hole), around, rtol=0.2)
    assert np.array_equal(out[~hole], filled[~hole])
    assert abs(out[hole].astype(float).mean() - filled[hole].astype(float).mean()) < 0.5


def test_a_fill_at_the_photos_own_scale_or_with_no_photo_around_it_is_left_as_it_is():
    photo, filled, hole = _sharp_photo_and_enlarged_fill()
    assert np.array_equal(add_grain(photo, filled, hole.astype(float)[..., None], 1.0), filled)
    everywhere = np.ones(photo.shape[:2] + (1,))
    assert np.array_equal(add_grain(photo, filled, everywhere, SCALE), filled)


def test_a_soft_photo_gets_less_grain_than_a_sharp_one():
    photo, filled, hole = _sharp_photo_and_enlarged_fill()
    weight = hole.astype(float)[..., None]
    soft = ndimage.gaussian_filter(photo.astype(float), (3, 3, 0)).round().astype(np.uint8)
    added = lambda image: np.abs(add_grain(image, filled, weight, SCALE).astype(float) - filled)[hole].mean()
    assert added(soft) < 0.25 * added(photo)


def test_the_same_photo_and_hole_get_the_same_grain():
    photo, filled, hole = _sharp_photo_and_enlarged_fill()
    weight = hole.astype(float)[..., None]
    assert np.array_equal(add_grain(photo, filled, weight, SCALE), add_grain(photo, filled, weight, SCALE))


def test_every_part_of_the_hole_gets_grain_so_none_stops_at_a_line():
    """The weight over the whole hole (the face's part and the background's): both halves get
    the photo's detail, with no edge where the face's frame would end."""
    photo, filled, hole = _sharp_photo_and_enlarged_fill()
    out = add_grain(photo, filled, hole.astype(float)[..., None], SCALE)
    left, right = hole.copy(), hole.copy()
    left[:, 375:], right[:, :375] = False, False
    np.testing.assert_allclose(detail(out, left), detail(out, right), rtol=0.35)


def test_a_strong_edge_beside_the_hole_is_not_continued_as_noise():
    """A flat grey photo with faint noise and one black-and-white edge along the hole: the grain
    is the faint noise's strength, not the edge's."""
    rng = np.random.default_rng(2)
    photo = np.clip(128 + rng.normal(0, 2, (200, 200, 1)), 0, 255).repeat(3, axis=-1)
    photo[:, :60] = 0  # a black border, as a deep-funneled LFW photo has
    photo = photo.astype(np.uint8)
    hole = np.zeros((200, 200), bool)
    hole[80:120, 60:160] = True
    filled = np.where(hole[..., None], 128, photo).astype(np.uint8)
    out = add_grain(photo, filled, hole.astype(float)[..., None], SCALE)
    inside = ndimage.binary_erosion(hole, iterations=3)  # away from the hole's own edge
    assert np.all(detail(out, inside) < 3)  # the grey's own detail is about 1.6
