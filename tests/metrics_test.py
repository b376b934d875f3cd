"""Quality metrics and classical baselines."""

import os

import numpy as np
import pytest
from PIL import Image

from align.aligner import AlignDlib
from conftest import REPO
from dcgan.evaluation import metrics
from dcgan.fill.classical import biharmonic_fill, harmonic_fill, mean_fill
from dcgan.hole.masks import make_mask


def _face():
    from PIL import Image
    examples = os.path.join(REPO, "data", "examples")
    return np.asarray(Image.open(os.path.join(examples, sorted(os.listdir(examples))[0])))


def test_an_image_against_itself():
    face = _face()[None].astype(np.float64)
    assert np.isinf(metrics.psnr(face, face)[0])
    assert metrics.ssim(face, face)[0] == pytest.approx(1.0)
    assert metrics.l1(face, face)[0] == 0


def test_psnr_and_l1_of_a_hand_computed_case():
    a = np.zeros((1, 8, 8, 3))
    b = a.copy()
    b[0, :4] = 10.0  # half the pixels off by 10: MSE 50, L1 5
    assert metrics.psnr(a, b)[0] == pytest.approx(10 * np.log10(255 ** 2 / 50), rel=1e-5)
    assert metrics.l1(a, b)[0] == pytest.approx(5.0)
    region = np.zeros((8, 8), bool)
    region[:4] = True  # only the differing half: MSE 100
    assert metrics.psnr(a, b, region)[0] == pytest.approx(10 * np.log10(255 ** 2 / 100), rel=1e-6)
    assert metrics.ssim(a, b)[0] < 1.0


def test_ssim_over_a_region_is_ssim_of_its_bounding_box():
    face = _face()[None].astype(np.float64)
    noisy = face + np.random.default_rng(0).normal(0, 20, face.shape)
    region = np.zeros(face.shape[1:3], bool)
    region[20:40, 16:48] = True
    region[25, 30] = False  # a hole in the region does not shrink its box
    box = (slice(None), slice(20, 40), slice(16, 48))
    expected = metrics.ssim(face[box], noisy[box])[0]
    assert metrics.ssim(face, noisy, region)[0] == pytest.approx(expected)
    assert expected < 0.9


def test_landmark_error_is_zero_for_the_same_face_and_follows_a_shift():
    aligner = AlignDlib()
    face = _face()
    points = metrics.face_landmarks(aligner, face)
    assert points.shape == (68, 2)
    assert metrics.landmark_error(points, metrics.face_landmarks(aligner, face.copy())) == 0.0
    shifted = np.roll(face, 3, axis=1)  # the face moved 3 px right
    moved = metrics.face_landmarks(aligner, shifted)
    assert 2.0 < metrics.landmark_error(points, moved) < 4.0
    assert 2.0 < float(np.mean(moved[:, 0] - points[:, 0])) < 4.0
    assert metrics.landmark_error(points, None) is None


def test_landmarks_in_a_given_box_measure_a_face_the_detector_misses():
    aligner = AlignDlib()
    face = _face()
    box = metrics.face_box(aligner, face)
    gray = np.full_like(face, 128)  # no face to detect
    assert metrics.face_landmarks(aligner, gray) is None
    assert metrics.face_landmarks(aligner, gray, box=box).shape == (68, 2)


def test_fills_keep_known_pixels_and_are_exact_on_a_ramp():
    ys, xs = np.mgrid[0:32, 0:32]
    ramp = np.stack([3.0 * xs, 2.0 * ys, xs + ys], axis=-1)[None]
    mask = make_mask("center", 32)
    holed = ramp * mask[None, :, :, None]
    known = mask.astype(bool)
    for fill in (harmonic_fill, biharmonic_fill):
        filled = fill(holed, mask)
        assert np.array_equal(filled[0][known], ramp[0][known])
        np.testing.assert_allclose(filled, ramp, atol=1e-8)
    filled = mean_fill(holed, mask)
    np.testing.assert_allclose(filled[0][~known], np.broadcast_to(ramp[0][known].mean(axis=0),
                                                                  filled[0][~known].shape))


def test_mean_and_confidence_interval():
    mean, half, n = metrics.mean_and_ci95([1.0, 2.0, 3.0, None, float("inf")])
    assert (mean, n) == (2.0, 3)
    assert half == pytest.approx(4.302653 * 1.0 / np.sqrt(3), rel=1e-5)


def test_identity_distance_is_zero_for_a_face_and_large_between_two_people():
    from conftest import shared_data
    lfw = shared_data("lfw_deepfunneled")
    aligner = AlignDlib()
    network = metrics.IdentityNetwork(aligner)
    face = _face()
    box = metrics.face_box(aligner, face)
    own = network.descriptor(face, box)
    assert own.shape == (128,)
    assert metrics.identity_distance(own, network.descriptor(face.copy(), box)) == 0.0
    # Two different people of LFW, aligned here to 64x64 as the evaluation's faces are.
    names = sorted(os.listdir(lfw))
    people = [n for n in names if n.rsplit("_", 1)[0] != names[0].rsplit("_", 1)[0]][:1] + names[:1]
    descriptors = []
    for name in people:
        rgb = np.asarray(Image.open(os.path.join(lfw, name)).convert("RGB"))
        aligned = aligner.align(64, rgb)
        descriptors.append(network.descriptor(aligned, metrics.face_box(aligner, aligned)))
    assert metrics.identity_distance(*descriptors) > metrics.SAME_PERSON_DISTANCE
    assert metrics.identity_distance(own, None) is None


def test_sharpness_is_one_for_the_truth_falls_with_blur_and_rises_with_noise():
    from scipy import ndimage
    face = _face()[None].astype(np.float64)
    hole = make_mask("center", 64) < 0.5
    assert metrics.sharpness(face, face, hole)[0] == pytest.approx(1.0)
    blurred = [metrics.sharpness(ndimage.gaussian_filter(face, (0, s, s, 0)), face, hole)[0]
               for s in (0.5, 1.0, 2.0)]
    assert 1.0 > blurred[0] > blurred[1] > blurred[2] > 0
    flat = np.where(hole[None, :, :, None], face[:, hole].mean(axis=1)[:, None, None], face)
    assert metrics.sharpness(flat, face, hole)[0] < 0.3  # only the step at its edge
    noisy = face + np.random.default_rng(0).normal(0, 20, face.shape)
    assert metrics.sharpness(noisy, face, hole)[0] > 1.5
