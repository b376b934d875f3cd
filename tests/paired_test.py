"""python -m dcgan.tools.paired: face-by-face differences between two evaluate.py runs."""

import csv

import numpy as np
import pytest

from conftest import assert_one_line_error, run_cli
from dcgan.evaluation import face_by_face


def _write_run(folder, values):
    """A faces.csv of the center mask: {(method, metric, region): [value per face]}."""
    folder.mkdir()
    with open(folder / face_by_face.FACES_FILE, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["face", "mask", "method", "metric", "region", "value"])
        for (method, metric, region), per_face in values.items():
            for face, value in enumerate(per_face):
                writer.writerow([f"{face:04d}.png", "center", method, metric, region,
                                 "" if value is None else value])
    return str(folder)


def test_differences_face_by_face_and_their_verdicts(tmp_path):
    psnr = np.random.default_rng(0).normal(19, 3, 20)  # faces far apart: the runs' intervals overlap
    base = _write_run(tmp_path / "base", {
        ("dcgan_poisson", "psnr", "hole"): psnr, ("dcgan_poisson", "ssim", "hole"): [0.4] * 20,
        ("dcgan_poisson", "landmark", "whole"): [1.0] * 19 + [None]})
    other = _write_run(tmp_path / "other", {
        ("dcgan_poisson", "psnr", "hole"): psnr + 0.3 + np.linspace(-0.05, 0.05, 20),
        ("dcgan_poisson", "ssim", "hole"): [0.4] * 20,
        ("dcgan_poisson", "landmark", "whole"): [1.5] * 18 + [1.4, 2.0]})
    rows = {row[1]: row for row in face_by_face.compare(face_by_face.read_faces(base), face_by_face.read_faces(other),
                                                   "dcgan_poisson", "dcgan_poisson")}
    mask, _, a, b, diff, ci95, n, verdict = rows["hole PSNR (dB)"]
    assert (mask, n, verdict) == ("center", 20, "better") and diff == pytest.approx(0.3)
    assert 0 < ci95 < 0.05 and b - a == pytest.approx(0.3)
    assert rows["hole SSIM"][4:] == (0.0, 0.0, 20, "level")
    assert rows["landmark error (px)"][6:] == (19, "worse")  # the face without landmarks left out
    assert "identity distance" not in rows


def test_rows_of_an_evaluation_compare_like_its_faces_csv(tmp_path):
    rows = [{"mask": "center", "method": method, "metric": "psnr", "region": "hole", "values": values}
            for method, values in (("harmonic", [18.0, 19.0, 20.0]), ("dcgan_poisson", [19.0, 21.0, 20.5]))]
    rows.append({"mask": "center", "method": "dcgan_poisson", "metric": "landmark", "region": "whole",
                 "values": [1.0, None, 2.0]})
    (_, _, a, b, diff, _, n, _), = face_by_face.compare(face_by_face.from_rows(rows), face_by_face.from_rows(rows),
                                                  "harmonic", "dcgan_poisson")
    assert (a, b, diff, n) == (19.0, pytest.approx(20.1667, abs=1e-4), pytest.approx(7 / 6), 3)


@pytest.mark.slow
def test_the_command_prints_a_table_and_refuses_bad_runs_in_one_line(tmp_path):
    run = _write_run(tmp_path / "run", {("dcgan_poisson", "psnr", "hole"): [20.0, 21.0, 22.0],
                                        ("harmonic", "psnr", "hole"): [19.0, 19.5, 21.5]})
    result = run_cli("-m", "dcgan.tools.paired", run, run, "--base_method", "harmonic")
    assert result.returncode == 0, result.stderr
    assert "| center | hole PSNR (dB) | 20.000 | 21.000 | +1.000 ± 1.242 | 3 | level |" in result.stdout
    assert "no faces.csv" in assert_one_line_error(run_cli("-m", "dcgan.tools.paired", run, str(tmp_path)))
    wrong = run_cli("-m", "dcgan.tools.paired", run, run, "--method", "dcgan")
    assert "has no dcgan (it has: dcgan_poisson, harmonic)" in assert_one_line_error(wrong)
