"""complete.py as a user runs it, on a tiny model trained on real faces."""

import glob
import os

import imageio.v3 as iio
import numpy as np
from PIL import Image
import pytest

from conftest import assert_one_line_error, run_cli
from dcgan.hole.masks import make_mask


def _complete(tiny_model, inputs, out, *flags):
    return run_cli("complete.py", *inputs, "--checkpointDir", tiny_model, "--outDir", str(out),
                   "--no_progress", *flags)


def test_every_output_exists_and_known_pixels_are_the_inputs(tiny_model, face_pngs, tmp_path):
    out = tmp_path / "out"
    result = _complete(tiny_model, face_pngs, out, "--nIter", "20", "--outInterval", "10")
    assert result.returncode == 0, result.stderr
    for name in ("before.png", "masked.png", "comparison.png", "hats_imgs/0000.png",
                 "hats_imgs/0010.png", "hats_imgs/0020.png", "snapshots/0000.png",
                 "snapshots/0020.png"):
        assert iio.imread(out / name).ndim == 3, name
    assert len(iio.imread(out / "completion.gif", index=None)) == 3
    rows = (out / "logs" / "loss.csv").read_text().strip().splitlines()
    assert rows[0] == "iteration,image,loss,contextual,perceptual" and len(rows) == 1 + 3 * 6
    known = make_mask("center", 16).astype(bool)
    for path in face_pngs:
        name = os.path.basename(path)
        completed = np.asarray(Image.open(out / "completed" / name))
        original = np.asarray(Image.open(path))
        assert np.array_equal(completed[known], original[known])
        assert not np.array_equal(completed[~known], np.zeros_like(completed[~known]))
    first = {r.split(",")[1]: float(r.split(",")[2]) for r in rows[1:7]}
    last = {r.split(",")[1]: float(r.split(",")[2]) for r in rows[-6:]}
    assert np.mean(list(last.values())) < np.mean(list(first.values()))


def test_several_batches_pad_the_last_and_overwrite_nothing(tiny_model, face_pngs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    result = _complete(tiny_model, face_pngs[:5], out, "--nIter", "4", "--outInterval", "2",
                       "--batchSize", "2", "--maskType", "random", "--blend", "none",
                       "--approach", "momentum")
    assert result.returncode == 0, result.stderr
    assert (out / "mine.txt").read_text() == "keep me"
    assert sorted(os.listdir(out / "completed")) == sorted(os.path.basename(p) for p in face_pngs[:5])
    for batch in ("batch_01", "batch_02", "batch_03"):
        assert (out / batch / "completion.gif").exists() and (out / batch / "before.png").exists()


def test_bad_inputs_are_one_line_and_exit_2(tiny_model, face_pngs, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    not_image = _complete(tiny_model, [face_pngs[0], str(broken)], tmp_path / "o")
    assert "not an image" in assert_one_line_error(not_image)
    assert "model:" not in not_image.stdout  # named before the model loads
    missing = _complete(tiny_model, [str(tmp_path / "faces" / "*.png")], tmp_path / "o")
    assert "no such file" in assert_one_line_error(missing)
    (tmp_path / "empty").mkdir()
    assert "no images matched" in assert_one_line_error(
        _complete(tiny_model, [str(tmp_path / "empty")], tmp_path / "o"))
    no_model = run_cli("complete.py", face_pngs[0], "--checkpointDir", str(tmp_path / "none"),
                       "--outDir", str(tmp_path / "o"))
    assert f"--checkpointDir {tmp_path / 'none'}: no such folder" in assert_one_line_error(no_model)
    bad_mask = _complete(tiny_model, face_pngs[:1], tmp_path / "o", "--maskType", "mask",
                         "--maskFile", str(broken))
    assert "cannot read mask file" in assert_one_line_error(bad_mask)
    no_mask = _complete(tiny_model, face_pngs[:1], tmp_path / "o", "--maskFile",
                        str(tmp_path / "none.png"))
    assert no_mask.returncode == 2 and "none.png: no such file" in no_mask.stderr
    assert "Traceback" not in no_mask.stderr and "model:" not in no_mask.stdout
    wrong_size = _complete(tiny_model, face_pngs[:1], tmp_path / "o", "--imgSize", "64")
    assert "--imgSize" in assert_one_line_error(wrong_size)


def test_ctrl_c_stops_the_search_and_writes_every_output(tiny_model, face_pngs, tmp_path):
    import signal

    from conftest import interrupt_when
    out = tmp_path / "out"
    command = ["complete.py", *face_pngs, "--checkpointDir", tiny_model, "--outDir", str(out),
               "--nIter", "1000000", "--outInterval", "5", "--no_progress"]
    status, _, err = interrupt_when(  # the run writes beside --outDir until it ends
        command, lambda: bool(glob.glob(str(tmp_path / "out.partial-*" / "snapshots" / "0005.png"))))
    assert status == 128 + signal.SIGINT, err
    assert "Traceback" not in err
    for path in face_pngs:
        assert (out / "completed" / os.path.basename(path)).exists()
    assert (out / "completion.gif").exists() and (out / "comparison.png").exists()


def _bundle(tiny_model, tmp_path):
    from dcgan.modeling.checkpoints import export_model
    out = str(tmp_path / "bundle")
    export_model(tiny_model, out)
    return out


def test_a_damaged_model_or_a_bad_output_path_is_one_line(tiny_model, face_pngs, tmp_path):
    import shutil
    bundle = _bundle(tiny_model, tmp_path)
    data_file = next(os.path.join(bundle, f) for f in os.listdir(bundle) if ".data" in f)
    for damage, expected in (("flip", "damaged"), ("truncate", "damaged"), ("config", "not JSON")):
        copy = tmp_path / damage
        shutil.copytree(bundle, copy)
        target = copy / os.path.basename(data_file)
        raw = bytearray(target.read_bytes())
        if damage == "flip":
            for i in range(100, len(raw), 97):
                raw[i] ^= 0xFF
            target.write_bytes(bytes(raw))
        elif damage == "truncate":
            target.write_bytes(bytes(raw[:len(raw) // 2]))
        else:
            (copy / "config.json").write_text("{not json")
        result = _complete(str(copy), face_pngs[:1], tmp_path / "o", "--nIter", "1")
        assert expected in assert_one_line_error(result), damage
    (tmp_path / "a_file").write_text("x")
    result = _complete(tiny_model, face_pngs[:1], tmp_path / "a_file", "--nIter", "1")
    assert "is a file" in assert_one_line_error(result)


def test_mask_file_alone_is_used_and_bad_mask_files_are_named(tiny_model, face_pngs, tmp_path):
    hole = np.full((32, 32), 255, np.uint8)
    hole[8:24, 8:24] = 0
    Image.fromarray(hole).save(tmp_path / "hole.png")
    result = _complete(tiny_model, face_pngs[:1], tmp_path / "out", "--nIter", "1",
                       "--maskFile", str(tmp_path / "hole.png"))
    assert result.returncode == 0, result.stderr
    assert "warning: mask file" in result.stdout and "resized" in result.stdout
    masked = np.asarray(Image.open(tmp_path / "out" / "masked.png"))
    assert (masked[4:12, 4:12] == 128).all() and (masked[:3, :3] != 128).any()  # the file's hole, gray
    pair = _complete(tiny_model, face_pngs[:1], tmp_path / "o", "--maskType", "left",
                     "--maskFile", str(tmp_path / "hole.png"))
    assert pair.returncode == 2 and "--maskFile goes with --maskType mask" in pair.stderr
    for value, word in ((255, "all white"), (0, "all black")):
        Image.fromarray(np.full((16, 16), value, np.uint8)).save(tmp_path / f"m{value}.png")
        result = _complete(tiny_model, face_pngs[:1], tmp_path / "o", "--maskFile",
                           str(tmp_path / f"m{value}.png"))
        assert word in assert_one_line_error(result)


def test_grayscale_and_16_bit_inputs_come_back_as_they_went_in(tiny_model, face_pngs, tmp_path):
    gray8 = np.asarray(Image.open(face_pngs[0]).convert("L"))
    Image.fromarray(gray8).save(tmp_path / "gray.png")
    Image.fromarray(gray8.astype(np.uint16) * 257).save(tmp_path / "gray16.png")
    colour16 = tmp_path / "colour16.png"
    import tensorflow as tf
    colour16.write_bytes(tf.io.encode_png(np.asarray(Image.open(face_pngs[1])).astype(np.uint16) * 257).numpy())
    result = _complete(tiny_model, [str(tmp_path / "gray.png"), str(tmp_path / "gray16.png"),
                                    str(colour16)], tmp_path / "out", "--nIter", "2")
    assert result.returncode == 0, result.stderr
    known = make_mask("center", 16).astype(bool)
    for name in ("gray", "gray16"):
        out = Image.open(tmp_path / "out" / "completed" / f"{name}.png")
        assert out.mode == "L", name
        assert np.array_equal(np.asarray(out)[known], gray8[known]), name  # 16-bit read at its depth
    colour = np.asarray(Image.open(tmp_path / "out" / "completed" / "colour16.png"))
    assert np.array_equal(colour[known], np.asarray(Image.open(face_pngs[1]))[known])


def test_a_reused_out_dir_holds_only_this_runs_outputs(tiny_model, face_pngs, tmp_path):
    out = tmp_path / "out"
    first = _complete(tiny_model, face_pngs, out, "--nIter", "2", "--batchSize", "2")
    assert first.returncode == 0 and (out / "batch_03").is_dir()
    (out / "mine.txt").write_text("keep me")
    second = _complete(tiny_model, face_pngs[:2], out, "--nIter", "2")
    assert second.returncode == 0, second.stderr
    assert sorted(os.listdir(out)) == sorted(["before.png", "masked.png", "comparison.png", "completion.gif",
                                              "hats_imgs", "snapshots", "completed", "logs",
                                              "mine.txt"])
    assert sorted(os.listdir(out / "snapshots")) == ["0000.png", "0002.png"]
    assert sorted(os.listdir(out / "completed")) == sorted(os.path.basename(p) for p in face_pngs[:2])
    photo_only = _complete(tiny_model, face_pngs[:1], out, "--nIter", "2", "--photo", "--box", "4,4,8,8")
    assert photo_only.returncode == 0, photo_only.stderr
    assert sorted(os.listdir(out)) == ["aligned", "comparison", "completed", "mine.txt"]
    assert os.listdir(out / "completed") == [os.path.basename(face_pngs[0])]


def test_a_photo_without_a_hole_in_its_pixels_is_told_how_to_give_one(tiny_model, face_pngs, tmp_path):
    """Told before the aligned faces beside it are searched: nothing is written."""
    from conftest import shared_data
    lfw = shared_data("lfw_raw")
    photo = os.path.join(lfw, sorted(os.listdir(lfw))[0])  # 250x250: not the model's 16x16, so a photo
    result = _complete(tiny_model, [photo, face_pngs[0]], tmp_path / "out", "--nIter", "1")
    line = assert_one_line_error(result)
    assert photo in line and "--box" in line and "--maskFile" in line and "transparent" in line
    assert not (tmp_path / "out").exists()


def test_an_aligned_face_with_transparent_pixels_is_warned_of_or_filled_as_a_photo(tiny_model, face_pngs,
                                                                                 tmp_path):
    rgba = np.asarray(Image.open(face_pngs[0]).convert("RGBA")).copy()
    rgba[:4, :4] = 0  # a corner erased: outside the center mask
    Image.fromarray(rgba).save(tmp_path / "erased.png")
    inputs = [str(tmp_path / "erased.png")]
    result = _complete(tiny_model, inputs, tmp_path / "out", "--nIter", "2")
    assert result.returncode == 0, result.stderr
    assert "erased.png have transparent pixels" in result.stdout
    as_photo = _complete(tiny_model, inputs, tmp_path / "photo", "--nIter", "2", "--photo")
    assert as_photo.returncode == 0, as_photo.stderr
    filled = np.asarray(Image.open(tmp_path / "photo" / "completed" / "erased.png"))
    assert filled.shape == (16, 16, 3) and (filled[:4, :4] > 0).any(axis=-1).mean() > 0.9
    assert np.array_equal(filled[8:, 8:], rgba[8:, 8:, :3])  # far from the erased corner


@pytest.mark.slow
def test_a_bad_box_or_a_missing_file_is_told_before_tensorflow_loads(tmp_path):
    """A `tensorflow` that fails to import stands in for the real one: the errors come first."""
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text("raise ImportError('tensorflow loaded')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    for box in ("10,10,50", "10,10,0,20"):
        line = assert_one_line_error(run_cli("complete.py", "nowhere.jpg", "--box", box, env=env))
        assert "--box" in line
    negative = run_cli("complete.py", "nowhere.jpg", "--box", "-10,300,250,120", env=env)
    assert "no such file: nowhere.jpg" in assert_one_line_error(negative)
    (tmp_path / "text.png").write_text("not a picture")
    not_image = run_cli("complete.py", str(tmp_path / "text.png"), env=env)
    assert "not an image" in assert_one_line_error(not_image)
