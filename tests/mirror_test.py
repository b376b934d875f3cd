"""A hidden eye filled from the other eye, mirrored, on faces that look at the camera."""

import os

import numpy as np
import pytest

from conftest import SHARED_DATA, run_cli, shared_data
from dcgan.evaluation import metrics
from dcgan.evaluation.photo_benchmark import classical_fills, place_holes, step_ratio
from dcgan.fill.mirror import facing, mirror_eyes
from dcgan.utils.images import load_rgb

LFW = os.path.join(SHARED_DATA, "lfw_deepfunneled")


@pytest.fixture(scope="module")
def frontal():
    """The first LFW photo whose face looks at the camera: (path, rgb, its 68 landmarks)."""
    from align.aligner import AlignDlib
    aligner = AlignDlib()
    folder = shared_data(LFW)
    for name in sorted(os.listdir(folder))[:20]:
        rgb = load_rgb(os.path.join(folder, name))
        box = aligner.largest_face(rgb)
        points = aligner.landmarks(rgb, box).astype(np.float64) if box else None
        if points is not None and facing(points):
            return os.path.join(folder, name), rgb, points
    pytest.fail("no LFW photo among the first 20 looks at the camera")


def test_a_hidden_eye_comes_back_from_the_other_eye(frontal):
    _, rgb, points = frontal
    hole = place_holes(points, rgb.shape)["eye"]
    smooth = classical_fills(rgb, hole)["biharmonic"]
    mirrored = mirror_eyes(rgb, smooth, hole, points)
    assert np.array_equal(mirrored[~hole], rgb[~hole])  # nothing changes outside the hole
    psnr = [metrics.psnr(image[None], rgb[None], hole)[0] for image in (smooth, mirrored)]
    sharpness = [metrics.sharpness(image[None], rgb[None], hole)[0] for image in (smooth, mirrored)]
    assert psnr[1] > psnr[0]  # closer to the hidden eye than the smooth fill
    assert sharpness[1] > 0.6 > sharpness[0]  # an eye's detail, not a smooth patch
    assert step_ratio(mirrored, rgb, hole) < 1  # it fades in: no step at the hole's edge


def test_no_mirror_when_both_eyes_are_hidden_or_the_face_is_turned(frontal):
    _, rgb, points = frontal
    both = place_holes(points, rgb.shape)["eyes"]
    smooth = classical_fills(rgb, both)["biharmonic"]
    assert mirror_eyes(rgb, smooth, both, points) is smooth
    turned = points.copy()
    turned[42:48, 0] = turned[42:48, 0].mean() + 0.7 * (turned[42:48, 0] - turned[42:48, 0].mean())
    assert not facing(turned)
    one = place_holes(points, rgb.shape)["eye"]
    smooth = classical_fills(rgb, one)["biharmonic"]
    assert mirror_eyes(rgb, smooth, one, turned) is smooth


def test_no_mirror_leaves_the_models_eye(tiny_model, tmp_path, frontal):
    path, rgb, points = frontal
    hole = place_holes(points, rgb.shape)["eye"]
    ys, xs = np.nonzero(hole)
    box = f"{xs.min()},{ys.min()},{xs.max() - xs.min() + 1},{ys.max() - ys.min() + 1}"
    fills = {}
    for flag in ("--no_mirror", None):
        out = tmp_path / str(flag)
        result = run_cli("complete.py", path, "--checkpointDir", tiny_model, "--outDir", str(out),
                         "--nIter", "2", "--no_progress", "--box", box, "--no_grain",
                         *([flag] if flag else []))
        assert result.returncode == 0, result.stderr
        fills[flag] = load_rgb(str(out / "completed" / os.path.basename(path).replace(".jpg", ".png")))
    psnr = {flag: metrics.psnr(fill[None], rgb[None], hole)[0] for flag, fill in fills.items()}
    assert psnr[None] > psnr["--no_mirror"] + 1  # the tiny model's eye is a blur; the mirror is an eye
