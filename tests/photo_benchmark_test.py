"""evaluate.py --photos: whole photos judged at their own size, on holes placed from landmarks."""

import os

import numpy as np
import pytest

from conftest import SHARED_DATA, run_as_user, shared_data


def _photo_and_landmarks(index=0):
    from align.aligner import AlignDlib
    from dcgan.utils.images import load_rgb
    folder = shared_data("lfw_deepfunneled")
    rgb = load_rgb(os.path.join(folder, sorted(os.listdir(folder))[index]))
    aligner = AlignDlib()
    return rgb, aligner.landmarks(rgb, aligner.largest_face(rgb))


def test_holes_fall_where_their_landmarks_are():
    from dcgan.evaluation.photo_benchmark import HOLE_KINDS, place_holes
    rgb, points = _photo_and_landmarks()
    holes = place_holes(points, rgb.shape)
    assert tuple(holes) == HOLE_KINDS
    inside = lambda kind, indices: all(holes[kind][int(y), int(x)] for x, y in points[indices])
    assert inside("eye", range(36, 42)) and not inside("eye", range(42, 48))
    assert inside("eyes", range(36, 48)) and inside("mouth", range(48, 68))
    assert holes["past_edge"][:, 0].any() and not holes["cheek_band"][:, -1].any()
    cheek = holes["cheek_band"]
    assert cheek[:, :int(points[2, 0])].any() and cheek[:, int(points[2, 0]):int(points[30, 0])].any()


def test_a_seam_is_the_step_across_a_line_over_the_steps_along_it_against_the_photos_own():
    from dcgan.evaluation.photo_benchmark import step_ratio
    rng = np.random.default_rng(0)
    photo = 100 + rng.normal(0, 10, (40, 40, 3))
    line = np.zeros((40, 40), bool)
    line[:, 20:] = True
    assert step_ratio(photo, photo, line) == pytest.approx(1.0)
    grain = photo.copy()
    grain[:, 20:] = 100 + rng.normal(0, 10, (40, 20, 3))  # other noise, as rough: no seam
    assert step_ratio(grain, photo, line) == pytest.approx(1.0, abs=0.1)
    stepped = photo.copy()
    stepped[:, 20:] += 40  # an edge four times the noise: a seam
    assert step_ratio(stepped, photo, line) > 2.5
    assert step_ratio(stepped, photo, line, within=np.zeros((40, 40), bool)) is None


def test_classical_fills_change_only_the_hole_and_fill_all_of_it():
    from dcgan.evaluation.photo_benchmark import classical_fills, place_holes
    rgb, points = _photo_and_landmarks()
    hole = place_holes(points, rgb.shape)["mouth"]
    for name, filled in classical_fills(rgb, hole).items():
        assert np.array_equal(filled[~hole], rgb[~hole]), name
        assert filled.shape == rgb.shape and np.any(filled != rgb, axis=-1)[hole].mean() > 0.5, name


@pytest.mark.slow
def test_the_photo_benchmark_scores_every_hole_kind_and_draws_them(tiny_model, tmp_path):
    shared_data("lfw_deepfunneled")
    result = run_as_user(tmp_path, "evaluate.py", "--photos", os.path.join(SHARED_DATA, "lfw_deepfunneled"),
                         "--limit", "2", "--checkpointDir", tiny_model, "--nIter", "2", "--starts", "1",
                         "--out", "photos", "--no_progress")
    assert result.returncode == 0, result.stderr
    table = (tmp_path / "photos" / "results.md").read_text()
    for kind in ("eye", "eyes", "mouth", "cheek_band", "past_edge"):
        assert f"### mask: {kind} (2 faces)" in table
        assert (tmp_path / "photos" / f"figure_photo_{kind}.png").exists()
    assert "seam at the face frame's edge" in table and "| biharmonic |" in table
    both = run_as_user(tmp_path, "evaluate.py", "--photos", "x", "--images", "y")
    assert both.returncode == 2 and "give --images" in both.stderr
