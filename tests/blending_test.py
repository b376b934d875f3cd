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
