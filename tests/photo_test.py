"""Completing faces in whole photos: found, aligned, completed, put back at the photo's size."""

import os

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from conftest import SHARED_DATA, phone_photo, run_cli, shared_data

LFW_COLOUR = os.path.join(SHARED_DATA, "lfw_deepfunneled")
LFW_GRAY = os.path.join(SHARED_DATA, "lfw_raw")
GROUPS = os.path.join(SHARED_DATA, "face_detect_test", "dlib_faces")
MOUTH_BOX = (100, 150, 50, 28)  # x, y, w, h on LFW's 250x250 photos
SEAM_LEVELS = 40  # grey levels: no step between neighbours inside a fill is this large


def _photo(folder, index=0):
    shared_data(folder)
    return os.path.join(folder, sorted(os.listdir(folder))[index])


def _complete(tiny_model, inputs, out, *flags):
    return run_cli("complete.py", *inputs, "--checkpointDir", tiny_model, "--outDir", str(out),
                   "--nIter", "2", "--no_progress", *flags)


def _hole(shape, box):
    x, y, w, h = box
    hole = np.zeros(shape, bool)
    hole[y:y + h, x:x + w] = True
    return hole


@pytest.mark.parametrize("folder,mode", [(LFW_COLOUR, "RGB"), (LFW_GRAY, "L")])
def test_the_photo_keeps_its_size_and_mode_and_changes_only_inside_the_hole(tiny_model, tmp_path,
                                                                           folder, mode):
    photo = _photo(folder)
    result = _complete(tiny_model, [photo], tmp_path, "--box", ",".join(map(str, MOUTH_BOX)))
    assert result.returncode == 0, result.stderr
    name = os.path.splitext(os.path.basename(photo))[0]
    before = Image.open(photo)
    after = Image.open(tmp_path / "completed" / f"{name}.png")
    assert after.size == before.size and after.mode == mode
    before, after = np.asarray(before.convert(mode)), np.asarray(after)
    hole = _hole(before.shape[:2], MOUTH_BOX)
    outside = ~ndimage.binary_dilation(hole, iterations=2)
    assert np.array_equal(after[outside], before[outside])
    changed = np.any(after != before, axis=-1) if after.ndim == 3 else after != before
    assert changed[hole].mean() > 0.5
    for kind in ("masked", "completed"):
        assert Image.open(tmp_path / "aligned" / f"{name}_face1_{kind}.png").size == (16, 16)
    comparison = Image.open(tmp_path / "comparison" / f"{name}.png")
    assert comparison.size == (500, 250) and comparison.mode == mode
    masked, completed = np.split(np.asarray(comparison), 2, axis=1)
    assert np.array_equal(completed, after)
    assert (masked[hole] == 128).all() and np.array_equal(masked[~hole], before[~hole])


def test_a_hole_over_two_faces_completes_both(tiny_model, tmp_path):
    from align.aligner import AlignDlib
    from dcgan.utils.images import load_rgb
    photo = _photo(GROUPS, sorted(os.listdir(GROUPS)).index("bald_guys.jpg"))
    rgb = load_rgb(photo)
    boxes = sorted(AlignDlib().face_boxes(rgb), key=lambda b: -b.width())[:2]
    assert len(boxes) == 2
    mask = np.full(rgb.shape[:2], 255, np.uint8)
    for box in boxes:  # a hole over the lower middle of each face
        cx, cy, w = (box.left() + box.right()) // 2, (box.top() + box.bottom()) // 2, box.width()
        mask[cy:cy + w // 4, cx - w // 6:cx + w // 6] = 0
    Image.fromarray(mask).save(tmp_path / "mask.png")
    result = _complete(tiny_model, [photo], tmp_path / "out", "--maskFile", str(tmp_path / "mask.png"))
    assert result.returncode == 0, result.stderr
    after = np.asarray(Image.open(tmp_path / "out" / "completed" / "bald_guys.png"))
    changed = np.any(after != rgb, axis=-1)
    for box in boxes:
        assert changed[box.top():box.bottom(), box.left():box.right()].any()
    assert sorted(os.listdir(tmp_path / "out" / "aligned"))[:4] == [
        "bald_guys_face1_completed.png", "bald_guys_face1_masked.png",
        "bald_guys_face2_completed.png", "bald_guys_face2_masked.png"]
    outside = ~ndimage.binary_dilation(mask == 0, iterations=2)
    assert np.array_equal(after[outside], rgb[outside])


def test_the_aligned_face_lands_on_the_template():
    from align.aligner import AlignDlib
    from dcgan.utils.images import load_rgb
    from align.template import INNER_EYES_AND_BOTTOM_LIP, MINMAX_TEMPLATE
    from dcgan.completion.photos import faces_in_hole
    aligner = AlignDlib()
    photo = _photo(LFW_COLOUR, 3)
    rgb = load_rgb(photo)
    face = faces_in_hole(photo, rgb, _hole(rgb.shape[:2], MOUTH_BOX), aligner, 64)[0]
    big = np.asarray(Image.fromarray(face.image).resize((256, 256), Image.Resampling.BICUBIC))
    box = aligner.largest_face(big)
    points = aligner.landmarks(big, box)[list(INNER_EYES_AND_BOTTOM_LIP)] / 4
    template = 64 * MINMAX_TEMPLATE[list(INNER_EYES_AND_BOTTOM_LIP)]
    assert np.abs(points - template).max() < 2.0
    assert face.known.mean() > 0.5 and (face.known == 0).any()


def test_each_bad_photo_is_one_line_and_the_others_still_complete(tiny_model, tmp_path):
    photos, masks = tmp_path / "photos", tmp_path / "masks"
    photos.mkdir()
    masks.mkdir()
    mouth = np.full((250, 250), 255, np.uint8)
    x, y, w, h = MOUTH_BOX
    mouth[y:y + h, x:x + w] = 0
    corner, whole = mouth.copy(), np.zeros((250, 250), np.uint8)
    corner[:] = 255
    corner[:20, :20] = 0
    for name, index, mask in (("good", 0, mouth), ("corner", 1, corner), ("whole", 2, whole),
                              ("small", 3, mouth[:40, :40])):
        Image.open(_photo(LFW_COLOUR, index)).save(photos / f"{name}.png")
        Image.fromarray(mask).save(masks / f"{name}.png")
    dog = Image.open(shared_data("face_detect_test", "no_face", "dog.jpg"))
    dog.save(photos / "dog.png")
    Image.fromarray(np.zeros((dog.size[1], dog.size[0]), np.uint8)).save(masks / "dog.png")
    (photos / "broken.png").write_bytes(b"not a png")
    result = _complete(tiny_model, [str(photos), str(photos / "gone.png")], tmp_path / "out",
                       "--photo", "--maskFile", str(masks))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = sorted(l for l in result.stderr.splitlines() if l.strip())
    expected = {"broken": "not an image", "corner": "touches none", "dog": "no face found",
                "gone": "no such file", "small": "must have its size", "whole": "covers"}
    assert len(lines) == len(expected), result.stderr
    for line, (name, message) in zip(lines, sorted(expected.items())):
        assert line.startswith("complete.py: error: ") and f"{name}.png" in line and message in line
    assert os.listdir(tmp_path / "out" / "completed") == ["good.png"]


@pytest.mark.parametrize("side,box", [(120, "48,72,24,14"), (1000, "400,600,200,112")])
def test_a_small_and_a_large_face_both_complete(tiny_model, tmp_path, side, box):
    """LFW's 250x250 photo scaled so that its face is about 55 px or 450 px wide."""
    photo = tmp_path / f"face{side}.png"
    Image.open(_photo(LFW_COLOUR)).resize((side, side), Image.Resampling.LANCZOS).save(photo)
    result = _complete(tiny_model, [str(photo)], tmp_path / "out", "--box", box)
    assert result.returncode == 0, result.stderr
    after = np.asarray(Image.open(tmp_path / "out" / "completed" / f"face{side}.png"))
    hole = _hole((side, side), tuple(int(v) for v in box.split(",")))
    assert after.shape == (side, side, 3)
    assert np.any(after != np.asarray(Image.open(photo)), axis=-1)[hole].mean() > 0.5


@pytest.mark.parametrize("hole_from", ["box", "mask"])
def test_a_phone_photo_is_completed_upright_as_viewers_show_it(tiny_model, tmp_path, hole_from):
    """A camera's EXIF orientation is applied: the box, or a mask drawn on the photo as a
    viewer shows it, is where the user sees the mouth."""
    photo = tmp_path / "phone.jpg"
    upright = phone_photo(photo)
    hole = _hole(upright.shape[:2], MOUTH_BOX)
    if hole_from == "box":
        flags = ["--box", ",".join(map(str, MOUTH_BOX))]
    else:
        Image.fromarray(np.where(hole, 0, 255).astype(np.uint8)).save(tmp_path / "hole.png")
        flags = ["--maskFile", str(tmp_path / "hole.png")]
    result = _complete(tiny_model, [str(photo)], tmp_path / "out", *flags)
    assert result.returncode == 0, result.stderr
    after = np.asarray(Image.open(tmp_path / "out" / "completed" / "phone.png"))
    assert after.shape == upright.shape == (200, 250, 3)
    outside = ~ndimage.binary_dilation(hole, iterations=2)
    assert np.array_equal(after[outside], upright[outside])
    assert np.any(after != upright, axis=-1)[hole].mean() > 0.5


def test_a_photo_erased_to_transparent_needs_no_box(tiny_model, tmp_path):
    """Pixels erased in an editor (alpha 0, their colour lost) are the hole; the result is opaque.
    The hole runs to the photo's bottom edge, which the face's frame covers: filled to the edge."""
    rgb = np.asarray(Image.open(_photo(LFW_COLOUR)).convert("RGB"))[:190]  # the frame reaches row 201
    hole = _hole(rgb.shape[:2], (100, 160, 50, 30))
    erased = np.dstack([np.where(hole[..., None], 0, rgb), np.where(hole, 0, 255)]).astype(np.uint8)
    Image.fromarray(erased, "RGBA").save(tmp_path / "erased.png")
    result = _complete(tiny_model, [str(tmp_path / "erased.png")], tmp_path / "out")
    assert result.returncode == 0, result.stderr
    after = Image.open(tmp_path / "out" / "completed" / "erased.png")
    assert after.mode == "RGB"
    after = np.asarray(after)
    outside = ~ndimage.binary_dilation(hole, iterations=2)
    assert np.array_equal(after[outside], rgb[outside])
    assert (after[hole] > 0).any(axis=-1).mean() > 0.9  # no longer the erased black
    assert (after[-1, 100:150] > 0).any(axis=-1).all()  # the photo's last row too


def test_a_face_with_its_eyes_erased_is_still_found(tiny_model, tmp_path):
    """Erased pixels are lost, not black: dlib finds no face in this photo with its eyes black."""
    from align.aligner import AlignDlib
    rgba = np.asarray(Image.open(_photo(LFW_COLOUR)).convert("RGBA")).copy()
    eyes = _hole(rgba.shape[:2], (85, 105, 80, 25))
    rgba[eyes] = 0
    assert not AlignDlib().face_boxes(np.ascontiguousarray(rgba[..., :3]))
    Image.fromarray(rgba).save(tmp_path / "no_eyes.png")
    result = _complete(tiny_model, [str(tmp_path / "no_eyes.png")], tmp_path / "out")
    assert result.returncode == 0, result.stderr
    after = np.asarray(Image.open(tmp_path / "out" / "completed" / "no_eyes.png"))
    assert (after[eyes] > 0).any(axis=-1).mean() > 0.9


def test_ctrl_c_during_a_photos_search_still_writes_the_photo(tiny_model, tmp_path):
    import signal
    import time

    from conftest import interrupt_when
    photo = _photo(LFW_COLOUR)
    out = tmp_path / "out"
    command = ["complete.py", photo, "--checkpointDir", tiny_model, "--outDir", str(out),
               "--nIter", "1000000", "--box", ",".join(map(str, MOUTH_BOX)), "--no_progress"]
    started = time.monotonic()
    status, _, err = interrupt_when(command, lambda: time.monotonic() - started > 15)
    assert status == 128 + signal.SIGINT, err
    assert "Traceback" not in err
    written = out / "completed" / (os.path.splitext(os.path.basename(photo))[0] + ".png")
    assert written.exists()
    assert Image.open(written).size == Image.open(photo).size


def test_the_progress_is_told_its_total_before_the_first_step(tiny_model, tmp_path):
    from align.aligner import AlignDlib
    from dcgan.modeling.checkpoints import load_models
    from dcgan.options import CompletionOptions, SearchOptions
    from dcgan.completion.photos import complete_photo
    options = CompletionOptions(box=",".join(map(str, MOUTH_BOX)), progress=False,
                                search=SearchOptions(n_iter=4, tune_iter=2))
    told = []
    complete_photo(_photo(LFW_COLOUR), load_models(tiny_model), options, AlignDlib(), str(tmp_path),
                   progress=lambda steps: told.append(steps),
                   expect_steps=lambda steps: told.append(("total", steps)))
    assert told[0] == ("total", 6) and sum(told[1:]) == 6


def test_the_fill_of_a_large_face_gets_grain_unless_no_grain(tiny_model, tmp_path):
    """The photo enlarged and given sensor-like noise: a sharp photo around a smooth fill."""
    from dcgan.fill.grain import detail
    photo = tmp_path / "face1000.png"
    enlarged = np.asarray(Image.open(_photo(LFW_COLOUR)).resize((1000, 1000), Image.Resampling.LANCZOS))
    noise = np.random.default_rng(0).normal(0, 5, (1000, 1000, 1))
    Image.fromarray(np.clip(enlarged + noise, 0, 255).astype(np.uint8)).save(photo)
    box = (400, 600, 200, 112)
    fills = {}
    for flags in ((), ("--no_grain",)):
        result = _complete(tiny_model, [str(photo)], tmp_path / "out", "--box", ",".join(map(str, box)),
                           "--seed", "0", *flags)
        assert result.returncode == 0, result.stderr
        fills[flags] = np.asarray(Image.open(tmp_path / "out" / "completed" / "face1000.png"))
    hole = _hole((1000, 1000), box)
    grain, plain = detail(fills[()], hole), detail(fills[("--no_grain",)], hole)
    assert np.all(grain > 2 * plain)
    outside = ~ndimage.binary_dilation(hole, iterations=2)
    assert np.array_equal(fills[()][outside], fills[("--no_grain",)][outside])


def test_a_hole_running_past_the_face_is_filled_all_through_without_a_seam(tiny_model, tmp_path):
    """A box from the cheek out past the photo's left edge: the part outside the face's frame
    gets a smooth fill from its edge, the face's fill fades into it, and the warning says so."""
    photo = _photo(LFW_COLOUR)
    result = _complete(tiny_model, [photo], tmp_path, "--box=-10,110,130,70")
    assert result.returncode == 0, result.stderr
    assert "outside every face" in result.stdout + result.stderr
    name = os.path.splitext(os.path.basename(photo))[0]
    before = np.asarray(Image.open(photo).convert("RGB")).astype(float)
    after = np.asarray(Image.open(tmp_path / "completed" / f"{name}.png")).astype(float)
    hole = _hole(before.shape[:2], (0, 110, 120, 70))
    assert np.any(after != before, axis=-1)[hole].mean() > 0.95  # nothing left as it was
    inside = hole[:, 1:] & hole[:, :-1]
    jumps = np.abs(np.diff(after, axis=1)).max(axis=-1)[inside]
    assert np.percentile(jumps, 99.9) < SEAM_LEVELS, np.percentile(jumps, 99.9)
    from dcgan.fill.grain import detail
    outside_frame, face_side = hole.copy(), hole.copy()  # the frame starts right of x 40 here
    outside_frame[:, 30:], face_side[:, :80] = False, False
    assert detail(after, outside_frame).mean() > 0.5 * detail(after, face_side).mean()  # grain there too
