"""python align_dlib.py (dcgan-align) against OpenFace's own outputs, on real photos from ../shared/data."""

import os
import shutil

import numpy as np
import pytest
from PIL import Image

from align.aligner import AlignDlib, affine_from_points
from dcgan.utils.images import load_rgb
from align.template import LANDMARK_INDICES, MINMAX_TEMPLATE
from conftest import REPO, SHARED_DATA, assert_one_line_error, interrupt_when, requires_shared, run_cli

pytestmark = requires_shared  # every test aligns the shared photos or compares with OpenFace's outputs

REFERENCE = os.path.join(os.path.dirname(REPO), "shared", "reference", "openface_aligned")
LFW = os.path.join(SHARED_DATA, "lfw_deepfunneled")
DLIB_FACES = os.path.join(SHARED_DATA, "face_detect_test", "dlib_faces")
NO_FACE = os.path.join(SHARED_DATA, "face_detect_test", "no_face")


@pytest.fixture(scope="module")
def aligner():
    return AlignDlib()


@pytest.fixture
def lfw_sample(tmp_path):
    """20 LFW photos, some in a subfolder, as a user's input folder."""
    folder = tmp_path / "photos"
    (folder / "people").mkdir(parents=True)
    for i, name in enumerate(sorted(os.listdir(LFW))[:20]):
        shutil.copy(os.path.join(LFW, name), folder / ("people" if i % 2 else "") / name)
    return folder


def _psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0 ** 2 / max(mse, 1e-10))


def _outputs(folder):
    return {os.path.relpath(os.path.join(r, n), folder)
            for r, _, names in os.walk(folder) for n in names}


@pytest.mark.parametrize("landmarks,size,reference", [
    ("innerEyesAndBottomLip", 64, "lfw_deepfunneled_inner64"),
    ("outerEyesAndNose", 96, "lfw_deepfunneled_outer96"),
    ("innerEyesAndBottomLip", 96, None),
    ("outerEyesAndNose", 64, None),
])
@pytest.mark.slow
def test_cli_matches_openface_outputs(lfw_sample, tmp_path, aligner, landmarks, size, reference):
    out = tmp_path / "aligned"
    result = run_cli("align_dlib.py", str(lfw_sample), "align", landmarks, str(out), "--size", str(size))
    assert result.returncode == 0, result.stderr
    assert "aligned 20, skipped (exists) 0, no face 0" in result.stdout
    outputs = _outputs(out)
    assert len(outputs) == 20 and sum(o.startswith("people/") for o in outputs) == 10
    psnrs = []
    for relative in outputs:
        mine = np.asarray(Image.open(out / relative))
        assert mine.shape == (size, size, 3)
        if reference:
            theirs = np.asarray(Image.open(os.path.join(REFERENCE, reference, os.path.basename(relative))))
            psnrs.append(_psnr(mine, theirs))
        else:  # no OpenFace output at this size: compare with the in-process aligner
            name = os.path.splitext(os.path.basename(relative))[0] + ".jpg"
            expected = aligner.align(size, load_rgb(os.path.join(LFW, name)),
                                     landmark_indices=LANDMARK_INDICES[landmarks])
            assert np.array_equal(mine, expected)
    if reference:
        assert np.median(psnrs) >= 40, psnrs


def test_celeba_faces_found_where_openface_found_them(tmp_path, aligner):
    source = os.path.join(SHARED_DATA, "celeba_aligned", "test")
    reference = os.path.join(REFERENCE, "celeba_aligned_test_inner64")
    names = sorted(os.listdir(source))[:40]
    found = {n for n in names if os.path.exists(os.path.join(reference, n[:-4] + ".png"))}
    assert 0 < len(found) < len(names)  # the sample holds photos OpenFace found no face in
    for name in names:
        face = aligner.align(64, load_rgb(os.path.join(source, name)))
        assert (face is not None) == (name in found), name
        if face is not None:
            assert _psnr(face, np.asarray(Image.open(os.path.join(reference, name[:-4] + ".png")))) >= 40


def test_template_landmarks_land_within_2_pixels_at_96(aligner):
    """dlib's landmarks on the aligned faces sit on the template, within the predictor's own noise.

    The predictor runs on a new box in the 96x96 crop, so single points wander
    by a pixel or three; the mean over faces must be within 2 pixels.
    """
    import dlib
    for landmarks, indices in LANDMARK_INDICES.items():
        errors = []
        for name in sorted(os.listdir(LFW))[:8]:
            rgb = load_rgb(os.path.join(LFW, name))
            original = aligner.landmarks(rgb, aligner.largest_face(rgb))[list(indices)]
            matrix = affine_from_points(original, 96 * MINMAX_TEMPLATE[list(indices)])
            mapped = np.hstack([original, np.ones((3, 1))]) @ matrix.T
            np.testing.assert_allclose(mapped, 96 * MINMAX_TEMPLATE[list(indices)], atol=1e-3)
            face = aligner.align(96, rgb, landmark_indices=indices)
            box = aligner.largest_face(face) or dlib.rectangle(0, 0, 95, 95)
            points = aligner.landmarks(face, box)[list(indices)]
            errors.append(np.linalg.norm(points - 96 * MINMAX_TEMPLATE[list(indices)], axis=1))
        assert np.mean(errors, axis=0).max() <= 2.0, (landmarks, errors)
        assert np.max(errors) <= 5.0, (landmarks, errors)


@pytest.mark.slow
def test_no_face_several_faces_and_unreadable_are_counted(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(os.path.join(NO_FACE, "dog.jpg"), photos)
    shutil.copy(os.path.join(DLIB_FACES, "2008_001009.jpg"), photos)
    shutil.copy(os.path.join(DLIB_FACES, "Tom_Cruise_avp_2014_4.jpg"), photos)
    (photos / "notes.txt").write_text("not an image")
    (photos / "broken.jpg").write_bytes(b"\xff\xd8 truncated")
    out = tmp_path / "aligned"
    skip = run_cli("align_dlib.py", str(photos), "align", "outerEyesAndNose", str(out),
                   "--skipMulti", "--verbose")
    assert skip.returncode == 0, skip.stderr
    assert ("aligned 1, skipped (exists) 0, no face 1, several faces 1, unreadable 2"
            in skip.stdout)
    for name in ("dog.jpg", "2008_001009.jpg", "notes.txt", "broken.jpg"):
        assert name in skip.stderr  # named under --verbose
    assert _outputs(out) == {"Tom_Cruise_avp_2014_4.png"}
    assert "Traceback" not in skip.stderr

    largest = run_cli("align_dlib.py", str(photos), "align", "outerEyesAndNose", str(out))
    assert ("aligned 1, skipped (exists) 1, no face 1, several faces 0, unreadable 2"
            in largest.stdout)
    assert _outputs(out) == {"Tom_Cruise_avp_2014_4.png", "2008_001009.png"}


@pytest.mark.slow
def test_second_run_skips_everything(lfw_sample, tmp_path):
    out = tmp_path / "aligned"
    run_cli("align_dlib.py", str(lfw_sample), "align", "innerEyesAndBottomLip", str(out), "--size", "64")
    before = {p: os.path.getmtime(out / p) for p in _outputs(out)}
    again = run_cli("align_dlib.py", str(lfw_sample), "align", "innerEyesAndBottomLip", str(out), "--size", "64")
    assert again.returncode == 0
    assert "aligned 0, skipped (exists) 20" in again.stdout
    assert {p: os.path.getmtime(out / p) for p in _outputs(out)} == before


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "CMYK"])
def test_any_colour_mode_is_aligned_as_rgb(tmp_path, aligner, mode):
    path = tmp_path / ("face.png" if mode != "CMYK" else "face.jpg")
    Image.open(os.path.join(LFW, sorted(os.listdir(LFW))[0])).convert(mode).save(path)
    face = aligner.align(64, load_rgb(str(path)))
    assert face is not None and face.shape == (64, 64, 3) and face.dtype == np.uint8


@pytest.mark.slow
def test_grayscale_lfw_originals(tmp_path):
    photos = tmp_path / "raw"
    photos.mkdir()
    raw = os.path.join(SHARED_DATA, "lfw_raw")
    for name in sorted(os.listdir(raw))[:6]:
        shutil.copy(os.path.join(raw, name), photos)
    assert Image.open(photos / sorted(os.listdir(photos))[0]).mode == "L"
    result = run_cli("align_dlib.py", str(photos), "align", "outerEyesAndNose", str(tmp_path / "out"))
    assert result.returncode == 0 and "aligned 6" in result.stdout
    assert Image.open(tmp_path / "out" / sorted(_outputs(tmp_path / "out"))[0]).mode == "RGB"


@pytest.mark.slow
def test_compute_mean_prints_68_points_in_unit_square(lfw_sample):
    result = run_cli("align_dlib.py", str(lfw_sample), "computeMean", "innerEyesAndBottomLip")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "index,x,y,std_x,std_y"
    points = np.array([[float(v) for v in line.split(",")[1:3]] for line in lines[1:]])
    assert points.shape == (68, 2)
    assert points.min() >= 0 and points.max() <= 1
    assert np.abs(points - MINMAX_TEMPLATE).mean() < 0.05  # close to OpenFace's own mean face


@pytest.mark.slow
def test_missing_or_empty_folder_or_bad_predictor_is_one_line_and_exit_2(tmp_path, lfw_sample):
    missing = run_cli("align_dlib.py", str(tmp_path / "nowhere"), "align", "outerEyesAndNose", str(tmp_path / "o"))
    assert "no such folder" in assert_one_line_error(missing)
    (tmp_path / "empty").mkdir()
    empty = run_cli("align_dlib.py", str(tmp_path / "empty"), "align", "outerEyesAndNose", str(tmp_path / "o"))
    assert "no files in" in assert_one_line_error(empty)
    predictor = run_cli("align_dlib.py", str(lfw_sample), "align", "outerEyesAndNose", str(tmp_path / "o"),
                        "--dlibFacePredictor", str(tmp_path / "none.dat"))
    assert "predictor" in assert_one_line_error(predictor)
    not_a_model = tmp_path / "bad.dat"
    not_a_model.write_bytes(b"not a model")
    bad = run_cli("align_dlib.py", str(lfw_sample), "computeMean", "--dlibFacePredictor", str(not_a_model))
    assert "not a dlib shape predictor" in assert_one_line_error(bad)


@pytest.mark.slow
def test_fallback_lfw_copies_the_deep_funneled_image_when_no_face(tmp_path):
    photos, fallback = tmp_path / "photos" / "animals", tmp_path / "funneled" / "animals"
    photos.mkdir(parents=True)
    fallback.mkdir(parents=True)
    shutil.copy(os.path.join(NO_FACE, "dog.jpg"), photos)
    shutil.copy(os.path.join(LFW, sorted(os.listdir(LFW))[0]), fallback / "dog.jpg")
    out = tmp_path / "aligned"
    result = run_cli("align_dlib.py", str(tmp_path / "photos"), "align", "outerEyesAndNose", str(out),
                     "--fallbackLfw", str(tmp_path / "funneled"))
    assert result.returncode == 0, result.stderr
    assert "fallbacks 1" in result.stdout
    assert (out / "animals" / "dog.jpg").read_bytes() == (fallback / "dog.jpg").read_bytes()


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_next_run_goes_on(tmp_path):
    source = os.path.join(SHARED_DATA, "celeba_half", "train")
    out = tmp_path / "aligned"
    command = ["align_dlib.py", source, "align", "innerEyesAndBottomLip", str(out), "--size", "32"]
    aligned = lambda: {o for o in _outputs(out) if o.endswith(".png")}  # not a file half written
    status, _, err = interrupt_when(command, lambda: out.exists() and len(aligned()) >= 20)
    assert status == 130
    assert "Traceback" not in err and "run the same command again" in err
    done = aligned()
    assert 20 <= len(done) < len(os.listdir(source))
    for path in done:  # what was written is whole, so the next run may skip it
        with Image.open(out / path) as image:
            image.load()
            assert image.size == (32, 32)


@pytest.mark.slow
def test_same_stems_get_their_own_outputs_and_an_output_inside_the_input_is_not_read(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    source = os.path.join(SHARED_DATA, "lfw_deepfunneled")
    first = sorted(os.listdir(source))[0]
    Image.open(os.path.join(source, first)).save(photos / "same.jpg")
    Image.open(os.path.join(source, first)).save(photos / "same.png")
    out = photos / "aligned"
    for _ in range(2):
        result = run_cli("align_dlib.py", str(photos), "align", "innerEyesAndBottomLip", str(out), "--size", "32")
        assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(out)) == ["same_jpg.png", "same_png.png"]
    assert "aligned 0, skipped (exists) 2" in result.stdout  # its own outputs were not read again
    (tmp_path / "a_file").write_text("x")
    result = run_cli("align_dlib.py", str(photos), "align", "innerEyesAndBottomLip", str(tmp_path / "a_file"))
    assert "is a file" in assert_one_line_error(result)


def test_a_16_bit_photo_aligns_as_its_8_bit_self(tmp_path, aligner):
    from dcgan.utils.images import load_rgb
    source = os.path.join(SHARED_DATA, "lfw_raw", sorted(os.listdir(os.path.join(SHARED_DATA, "lfw_raw")))[0])
    gray = np.asarray(Image.open(source).convert("L"))
    Image.fromarray(gray.astype(np.uint16) * 257).save(tmp_path / "sixteen.png")
    assert np.array_equal(load_rgb(str(tmp_path / "sixteen.png"))[..., 0], gray)
