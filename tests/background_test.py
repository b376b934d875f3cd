"""The hole beyond the face's frame: filled from each side of the face's outline apart, so skin
and background do not smear into each other."""

import os

import numpy as np
import pytest

from conftest import SHARED_DATA, shared_data
from dcgan.fill.background import background_fill, face_outline


def _two_sides():
    """A dark background left of column 50, a bright skin right of it, with a little noise; a
    band of hole across the line."""
    rng = np.random.default_rng(0)
    photo = np.where(np.arange(100)[None, :, None] < 50, 30.0, 200.0) + rng.normal(0, 3, (80, 100, 3))
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    hole = np.zeros((80, 100), bool)
    hole[30:50, 10:90] = True
    outline = np.zeros((80, 100), bool)
    outline[:, 50:] = True
    return photo, hole, outline


def test_each_side_of_the_outline_is_filled_from_its_own_pixels():
    photo, hole, outline = _two_sides()
    plain, outlined = background_fill(photo, hole), background_fill(photo, hole, outline)
    assert np.array_equal(outlined[~hole], photo[~hole])  # the known pixels are the photo's
    band = hole.copy()
    band[:, :45], band[:, 55:] = False, False  # five pixels either side of the outline
    assert np.abs(plain[band & ~outline].astype(float) - 30).mean() > 30  # the plain fill smears
    for side, level in ((~outline, 30), (outline, 200)):  # within the noise (sd 3) of its side
        error = np.abs(outlined[band & side].astype(float) - level)
        assert error.mean() < 5 and error.max() < 20


def test_a_side_with_no_known_pixel_next_to_its_part_keeps_the_plain_fill():
    photo, hole, _ = _two_sides()
    island = np.zeros(hole.shape, bool)
    island[35:45, 60:70] = True  # inside the hole: none of its pixels is known
    assert np.array_equal(background_fill(photo, hole, island), background_fill(photo, hole))


def test_the_outline_holds_the_face_and_not_the_background():
    from align.aligner import AlignDlib
    from dcgan.utils.images import load_rgb
    folder = shared_data(os.path.join(SHARED_DATA, "lfw_deepfunneled"))
    rgb = load_rgb(os.path.join(folder, sorted(os.listdir(folder))[0]))
    aligner = AlignDlib()
    points = aligner.landmarks(rgb, aligner.largest_face(rgb))
    outline = face_outline(points, rgb.shape)
    for index in (27, 30, 33, 51, 57):  # the nose, the lips
        x, y = np.round(points[index]).astype(int)
        assert outline[y, x], index
    assert not outline[0, 0] and not outline[-1, -1] and not outline[-1, 0] and not outline[0, -1]
    face_width = points[16, 0] - points[0, 0]
    assert outline.sum() == pytest.approx(face_width ** 2, rel=0.5)
