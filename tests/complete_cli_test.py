"""complete.py as a user runs it, on a tiny model trained on real faces."""

import os

import imageio.v3 as iio
import numpy as np
from PIL import Image

from conftest import assert_one_line_error, run_cli
from dcgan.masks import make_mask


def _complete(tiny_model, inputs, out, *flags):
    return run_cli("complete.py", *inputs, "--checkpointDir", tiny_model, "--outDir", str(out),
                   "--no_progress", *flags)


def test_every_output_exists_and_known_pixels_are_the_inputs(tiny_model, face_pngs, tmp_path):
    out = tmp_path / "out"
    result = _complete(tiny_model, face_pngs, out, "--nIter", "20", "--outInterval", "10")
    assert result.returncode == 0, result.stderr
    for name in ("before.png", "masked.png", "comparison.png", "hats_imgs/0000.png",
                 "hats_imgs/0010.png", "hats_imgs/0020.png", "completed/0000.png",
                 "completed/0020.png"):
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


def test_mask_file_and_resized_inputs(tiny_model, tmp_path):
    from conftest import real_faces
    hole = np.full((64, 64), 255, np.uint8)
    hole[20:40, 10:50] = 0
    Image.fromarray(hole).save(tmp_path / "hole.png")
    result = _complete(tiny_model, real_faces(2), tmp_path / "out", "--nIter", "2",
                       "--maskType", "mask", "--maskFile", str(tmp_path / "hole.png"))
    assert result.returncode == 0, result.stderr
    assert "warning: resized 2 image(s) to the model's 16x16" in result.stdout


def test_bad_inputs_are_one_line_and_exit_2(tiny_model, face_pngs, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    assert "not an image" in assert_one_line_error(_complete(tiny_model, [str(broken)], tmp_path / "o"))
    missing = _complete(tiny_model, [str(tmp_path / "faces" / "*.png")], tmp_path / "o")
    assert "no such file" in assert_one_line_error(missing)
    (tmp_path / "empty").mkdir()
    assert "no images matched" in assert_one_line_error(
        _complete(tiny_model, [str(tmp_path / "empty")], tmp_path / "o"))
    no_model = run_cli("complete.py", face_pngs[0], "--checkpointDir", str(tmp_path / "none"),
                       "--outDir", str(tmp_path / "o"))
    assert "no checkpoint" in assert_one_line_error(no_model)
    bad_mask = _complete(tiny_model, face_pngs[:1], tmp_path / "o", "--maskType", "mask",
                         "--maskFile", str(broken))
    assert "cannot read mask file" in assert_one_line_error(bad_mask)
    wrong_size = _complete(tiny_model, face_pngs[:1], tmp_path / "o", "--imgSize", "64")
    assert "--imgSize" in assert_one_line_error(wrong_size)


def test_ctrl_c_stops_the_search_and_writes_every_output(tiny_model, face_pngs, tmp_path):
    import signal

    from conftest import interrupt_when
    out = tmp_path / "out"
    command = ["complete.py", *face_pngs, "--checkpointDir", tiny_model, "--outDir", str(out),
               "--nIter", "1000000", "--outInterval", "5", "--no_progress"]
    status, _, err = interrupt_when(command, (out / "completed" / "0005.png").exists)
    assert status == 128 + signal.SIGINT, err
    assert "Traceback" not in err
    for path in face_pngs:
        assert (out / "completed" / os.path.basename(path)).exists()
    assert (out / "completion.gif").exists() and (out / "comparison.png").exists()
