"""Every mask type: shape, known share, the original's exact semantics."""

import numpy as np
import pytest
from PIL import Image

from dcgan.errors import OptionError, UserError
from dcgan.hole.masks import make_mask, weighted_mask


@pytest.mark.parametrize("mask_type,known", [
    ("center", 0.75), ("left", 0.5), ("full", 1.0), ("grid", 1 / 16), ("lowres", 0.0),
    ("half", 0.5),
])
def test_known_share_of_fixed_masks(mask_type, known):
    mask = make_mask(mask_type, 64)
    assert mask.shape == (64, 64) and mask.dtype == np.float32
    assert set(np.unique(mask)) <= {0.0, 1.0}
    assert mask.mean() == pytest.approx(known)


def test_center_is_the_originals_square():
    mask = make_mask("center", 64)
    assert np.all(mask[16:48, 16:48] == 0) and mask[15, 30] == 1 and mask[48, 30] == 1
    small = make_mask("center", 64, center_scale=0.4)
    assert np.all(small[25:38, 25:38] == 0) and small[24, 30] == 1 and small[38, 30] == 1


def test_grid_keeps_every_4th_row_and_column():
    mask = make_mask("grid", 32)
    assert np.all(mask[::4, ::4] == 1) and mask.sum() == 64


def test_left_and_each_half_side():
    assert np.all(make_mask("left", 16)[:, :8] == 0) and np.all(make_mask("left", 16)[:, 8:] == 1)
    assert np.all(make_mask("half", 16, side="right")[:, 8:] == 0)
    assert np.all(make_mask("half", 16, side="top")[:8] == 0)
    assert np.all(make_mask("half", 16, side="bottom")[8:] == 0)


def test_random_and_pattern_miss_their_share_and_follow_the_seed():
    random = make_mask("random", 64, random_fraction=0.8, seed=3)
    assert 1 - random.mean() == pytest.approx(0.8, abs=0.03)
    assert 1 - make_mask("random", 64).mean() == pytest.approx(0.2, abs=0.03)
    pattern = make_mask("pattern", 64, seed=3)
    assert 1 - pattern.mean() == pytest.approx(0.25, abs=0.01)
    assert np.array_equal(pattern, make_mask("pattern", 64, seed=3))
    assert not np.array_equal(pattern, make_mask("pattern", 64, seed=4))


def test_mask_file_is_resized_and_black_is_missing(tmp_path):
    picture = np.full((128, 128), 255, np.uint8)
    picture[:64, :] = 0
    Image.fromarray(picture).save(tmp_path / "hole.png")
    mask = make_mask("mask", 32, mask_file=str(tmp_path / "hole.png"))
    assert mask.shape == (32, 32)
    assert np.all(mask[:16] == 0) and np.all(mask[16:] == 1)


def test_bad_mask_inputs_are_user_errors(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(UserError, match="cannot read mask file"):
        make_mask("mask", 16, mask_file=str(tmp_path / "bad.png"))
    with pytest.raises(OptionError, match="mask_file is needed"):
        make_mask("mask", 16)
    with pytest.raises(OptionError, match="is a folder: a folder of masks.* is for photos"):
        make_mask("mask", 16, mask_file=str(tmp_path))
    with pytest.raises(OptionError, match=r"center_scale must be in \[0, 0.5\], not 0.7"):
        make_mask("center", 16, center_scale=0.7)


def test_weighted_mask_favours_known_pixels_next_to_the_hole():
    mask = make_mask("center", 64)
    weights = weighted_mask(mask)
    assert np.all(weights[mask == 0] == 0)
    assert weights[15, 32] > weights[13, 32] > 0  # next to the hole > 3 pixels away
    assert weights[0, 0] == 0  # farther than the 7x7 window
    assert weights[15, 32] == pytest.approx(21 / 49)  # 3 of 7 rows of the window are hole


def test_weighted_mask_with_nothing_missing_keeps_every_pixel():
    """Reconstruction (--maskType full) under the weighted loss must still see the image."""
    mask = make_mask("full", 16)
    np.testing.assert_array_equal(weighted_mask(mask), mask)
