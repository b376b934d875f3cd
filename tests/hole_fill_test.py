"""G(z) into the hole: blended into its large parts, the biharmonic fill in its scattered pixels."""

import numpy as np

from dcgan.fill.classical import biharmonic_fill
from dcgan.fill.hole_fill import HoleFill, small_parts
from dcgan.hole.masks import make_mask
from dcgan.fill.poisson import PoissonSolver


def _images():
    rng = np.random.default_rng(0)
    real = np.tanh(rng.normal(0, 0.5, (2, 64, 64, 3)))
    generated = np.tanh(rng.normal(0, 0.5, (2, 64, 64, 3)))
    return real, generated


def _center_and_specks():
    mask = make_mask("center", 64)
    mask[5, 5] = mask[5, 6] = mask[50, 8] = 0  # two specks outside the centre
    return mask


def test_small_parts_are_the_specks_and_not_the_centre():
    small = small_parts(_center_and_specks() < 0.5)
    assert small.sum() == 3 and small[5, 5] and small[50, 8] and not small[32, 32]
    assert small_parts(make_mask("random", 64) < 0.5).mean() > 0.19  # 20% scattered: nearly all small


def test_auto_blends_g_into_the_centre_and_fills_the_specks_classically():
    real, generated = _images()
    mask = _center_and_specks()
    auto = HoleFill(mask, "auto")(real, generated)
    known = mask > 0.5
    np.testing.assert_array_equal(auto[:, known], real[:, known])
    classical = biharmonic_fill(real, mask)
    np.testing.assert_allclose(auto[:, 5, 5], classical[:, 5, 5])
    with_specks_known = np.where(known[None, :, :, None] | small_parts(~known)[None, :, :, None],
                                 classical, real)
    blended = PoissonSolver(known | small_parts(~known)).blend(with_specks_known, generated)
    np.testing.assert_allclose(auto, np.clip(blended, -1, 1))


def test_the_flag_forces_either_fill():
    real, generated = _images()
    mask = _center_and_specks()
    everywhere = HoleFill(mask, "dcgan")(real, generated)
    np.testing.assert_allclose(everywhere, np.clip(PoissonSolver(mask).blend(real, generated), -1, 1))
    classical = HoleFill(mask, "biharmonic")(real, generated)
    np.testing.assert_allclose(classical, np.clip(biharmonic_fill(real, mask), -1, 1))
    pasted = HoleFill(mask, "dcgan", poisson=False)(real, generated)
    np.testing.assert_array_equal(pasted[:, 32, 32], generated[:, 32, 32])
