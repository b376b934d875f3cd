"""The tf.data pipeline over a folder of real faces."""

import os
import shutil

import numpy as np
import pytest

from conftest import SHARED_DATA, real_faces
from dcgan.training import data
from dcgan.utils import files
from dcgan.errors import UserError


def test_lists_images_recursively_by_extension(faces_dir):
    open(os.path.join(faces_dir, "notes.txt"), "w").write("not an image")
    shutil.copy(real_faces(1)[0], os.path.join(faces_dir, "sub", "UPPER.JPG"))
    found = files.list_images(faces_dir)
    assert len(found) == 49
    assert any(f.endswith("UPPER.JPG") for f in found)
    assert not any(f.endswith(".txt") for f in found)


def test_missing_and_empty_folders_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="no such folder"):
        files.list_images(str(tmp_path / "missing"))
    with pytest.raises(UserError, match="no images"):
        files.list_images(str(tmp_path))


def test_unreadable_files_are_skipped_and_named(faces_dir):
    bad = os.path.join(faces_dir, "broken.jpg")
    open(bad, "wb").write(b"this is not a jpeg")
    images, count, unreadable = data.load_images(files.list_images(faces_dir), 16)
    assert unreadable == [bad]
    assert count == 48
    assert len(list(images)) == 48


def test_batches_are_scaled_shuffled_and_drop_the_remainder(faces_dir):
    images, count, _ = data.load_images(files.list_images(faces_dir), 32)
    batches = list(data.training_batches(images, count, 20, seed=1))
    assert len(batches) == 2  # 48 // 20, remainder dropped
    x = np.concatenate([b.numpy() for b in batches])
    assert x.shape == (40, 32, 32, 3)
    assert x.min() >= -1.0 and x.max() <= 1.0 and x.min() < -0.5 and x.max() > 0.5
    first_epoch = [b.numpy() for b in data.training_batches(images, count, 20, seed=1)]
    second = [b.numpy() for b in data.training_batches(images, count, 20, seed=2)]
    assert not np.array_equal(first_epoch[0], second[0])


def test_center_crop_of_celeba_photos():
    files = real_faces(2, source=os.path.join(SHARED_DATA, "celeba_aligned", "train"))
    cropped, _, _ = data.load_images(files, 64, crop_size=108)
    whole, _, _ = data.load_images(files, 64)
    a, b = next(iter(cropped)).numpy(), next(iter(whole)).numpy()
    assert a.shape == b.shape == (64, 64, 3)
    assert not np.array_equal(a, b)


def test_fewer_images_than_a_batch_is_a_user_error(faces_dir):
    images, count, _ = data.load_images(files.list_images(faces_dir), 16)
    with pytest.raises(UserError, match="fewer than one batch"):
        data.training_batches(images, count, 64)


def test_flip_mirrors_about_half_of_a_batch_and_keeps_the_rest(faces_dir):
    images, count, _ = data.load_images(files.list_images(faces_dir), 16)
    batch = next(iter(images.batch(count)))
    flipped = data.flip_some(batch, seed=3).numpy()
    batch = batch.numpy()
    mirrored = [np.array_equal(f, b[:, ::-1]) for f, b in zip(flipped, batch)]
    kept = [np.array_equal(f, b) for f, b in zip(flipped, batch)]
    assert all(m or k for m, k in zip(mirrored, kept))
    assert 10 <= sum(m and not k for m, k in zip(mirrored, kept)) <= 38  # of 48, p = 1/2


def test_training_batches_flip_only_when_asked(faces_dir):
    images, count, _ = data.load_images(files.list_images(faces_dir), 16)
    originals = {img.numpy().tobytes() for img in images}
    as_uint8 = lambda batch: np.round((batch.numpy() + 1.0) * 127.5).astype(np.uint8)
    plain = as_uint8(next(iter(data.training_batches(images, count, 48, seed=0))))
    assert all(img.tobytes() in originals for img in plain)
    flipped = as_uint8(next(iter(data.training_batches(images, count, 48, seed=0, flip=True))))
    assert sum(img.tobytes() not in originals for img in flipped) > 0
    assert all(img.tobytes() in originals or img[:, ::-1].tobytes() in originals for img in flipped)


def test_count_by_folder_names_each_top_level_subfolder(faces_dir):
    counts = data.count_by_folder(files.list_images(faces_dir), faces_dir)
    assert counts == {".": 32, "sub": 16}


def test_a_16_bit_png_trains_as_its_8_bit_self(tmp_path):
    from PIL import Image
    face = np.asarray(Image.open(real_faces(1)[0]).convert("L"))
    Image.fromarray(face).save(tmp_path / "eight.png")
    Image.fromarray(face.astype(np.uint16) * 257).save(tmp_path / "sixteen.png")
    images, count, _ = data.load_images([str(tmp_path / "eight.png"), str(tmp_path / "sixteen.png")], 64)
    eight, sixteen = [image.numpy() for image in images]
    assert count == 2 and np.array_equal(eight, sixteen) and eight.mean() < 250  # not white
