"""One reading of a photo's hole for complete.py and the web page: box, mask image, transparency."""

import numpy as np
import pytest
from PIL import Image

from dcgan.hole.photo_hole import mask_image_hole, read_hole
from dcgan.errors import UserError

SIZE = (40, 30)  # width, height


def _black_on_white(mode="L"):
    mask = Image.new("L", SIZE, 255)
    mask.paste(0, (10, 5, 20, 15))
    return mask.convert(mode)


def _painted_layer():
    """The page's brush: a transparent layer with the painted part opaque (in any colour)."""
    layer = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    layer.paste((255, 40, 40, 255), (10, 5, 20, 15))
    return layer


def _expected():
    hole = np.zeros(SIZE[::-1], bool)
    hole[5:15, 10:20] = True
    return hole


@pytest.mark.parametrize("mask", [_black_on_white(), _black_on_white("RGB"), _black_on_white("RGBA"),
                                  _painted_layer()], ids=["L", "RGB", "opaque RGBA", "painted layer"])
def test_every_kind_of_mask_image_marks_the_same_hole(mask):
    np.testing.assert_array_equal(mask_image_hole(mask), _expected())
    np.testing.assert_array_equal(read_hole("p", SIZE, mask=mask), _expected())


def test_a_mask_file_and_a_folder_of_masks_read_as_the_image(tmp_path):
    _painted_layer().save(tmp_path / "p.png")
    np.testing.assert_array_equal(read_hole("p.jpg", SIZE, mask=str(tmp_path / "p.png")), _expected())
    np.testing.assert_array_equal(read_hole("dir/p.jpg", SIZE, mask=str(tmp_path)), _expected())
    with pytest.raises(UserError, match="no mask"):
        read_hole("q.jpg", SIZE, mask=str(tmp_path))


def test_a_box_is_cut_at_the_photos_edge_and_one_outside_it_says_so():
    np.testing.assert_array_equal(read_hole("p", SIZE, box="10,5,10,10"), _expected())
    past = read_hole("p", SIZE, box="-5,-5,10,10")
    assert past.sum() == 25 and past[:5, :5].all()
    with pytest.raises(UserError, match="outside the 40x30 photo"):
        read_hole("p", SIZE, box="50,0,10,10")


def test_transparency_a_wrong_size_and_an_empty_mask():
    transparent = _expected()
    np.testing.assert_array_equal(read_hole("p", SIZE, transparent=transparent), transparent)
    with pytest.raises(UserError, match="20x30, the photo 40x30"):
        read_hole("p", SIZE, mask=Image.new("L", (20, 30)))
    with pytest.raises(UserError, match="empty"):
        read_hole("p", SIZE, mask=Image.new("L", SIZE, 255))
    with pytest.raises(UserError, match="no hole given"):
        read_hole("p", SIZE)
