"""Poisson blending and the harmonic fill."""

import numpy as np

from dcgan.fill.poisson import PoissonSolver, poisson_blend
from dcgan.hole.masks import make_mask


def test_guidance_from_the_same_image_reproduces_it():
    image = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3))
    for mask_type in ("center", "random", "left", "grid", "pattern"):
        mask = make_mask(mask_type, 32)
        np.testing.assert_allclose(poisson_blend(image * mask[None, :, :, None], image, mask), image,
                                   atol=1e-10)


def test_known_pixels_are_kept_and_the_hole_follows_the_guidance_gradients():
    rng = np.random.default_rng(1)
    image = rng.uniform(-1, 1, (1, 16, 16, 3))
    guidance = rng.uniform(-1, 1, (1, 16, 16, 3)) + 0.5
    mask = make_mask("center", 16)
    out = poisson_blend(image, guidance, mask)
    known = mask.astype(bool)
    assert np.array_equal(out[0][known], image[0][known])
    # inside the hole the discrete Laplacian matches the guidance's
    lap = lambda x: 4 * x[1:-1, 1:-1] - x[:-2, 1:-1] - x[2:, 1:-1] - x[1:-1, :-2] - x[1:-1, 2:]
    inner = ~known[1:-1, 1:-1]
    np.testing.assert_allclose(lap(out[0])[inner], lap(guidance[0])[inner], atol=1e-9)


def test_nothing_known_or_nothing_missing_is_a_paste():
    image = np.zeros((1, 8, 8, 3))
    guidance = np.ones((1, 8, 8, 3))
    assert np.array_equal(poisson_blend(image, guidance, make_mask("lowres", 8)), guidance)
    assert np.array_equal(poisson_blend(image, guidance, make_mask("full", 8)), image)


def test_the_fill_put_back_into_a_photo_is_blended_again_at_the_photos_size():
    """An enlarged fill that misses the photo by a constant (as a 64-px blend can) meets it
    exactly once blended at the photo's size; outside the face's frame nothing changes."""
    from dcgan.completion.photos import _PhotoBlend
    photo = np.tile(np.linspace(20, 220, 60)[None, :, None], (50, 1, 3))
    back = photo + 30.0  # the fill, 30 levels too bright everywhere
    hole, covered = np.zeros((50, 60), bool), np.zeros((50, 60), bool)
    hole[20:30, 10:40], covered[:, 5:55] = True, True
    np.testing.assert_allclose(_PhotoBlend(hole, covered)(photo, back.copy())[hole], photo[hole], atol=1e-6)
    hole[20:30, 40:50], covered[:, 45:] = True, False  # now running past the frame's edge
    blended, inside = _PhotoBlend(hole, covered)(photo, back.copy()), hole & covered
    assert np.array_equal(blended[~inside], back[~inside])
    assert np.abs(blended - photo)[inside].mean() < 10  # the mismatch fades only near the frame's edge
