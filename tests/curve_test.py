"""python -m dcgan.tools.curve: evaluate.py's results along a training run, as a picture and a table."""

import os

from PIL import Image
import pytest

from conftest import assert_one_line_error, run_cli
from dcgan.evaluation.benchmark import MODEL_FILE, write_results
from dcgan.utils.files import write_json


def _run(folder, images_seen, psnr):
    rows = [{"method": "dcgan_poisson", "mask": "center", "metric": "psnr", "region": "hole",
             "mean": psnr, "ci95": 0.5, "n": 64},
            {"method": "harmonic", "mask": "center", "metric": "psnr", "region": "hole",
             "mean": 99.0, "ci95": 0.5, "n": 64}]
    write_results(rows, str(folder))
    if images_seen is not None:
        write_json(os.path.join(folder, MODEL_FILE), {"path": "x", "images_seen": images_seen})
    return str(folder)


@pytest.mark.slow
def test_points_sorted_by_images_seen_beside_the_reference(tmp_path):
    runs = [_run(tmp_path / "b", 128_000, 19.5), _run(tmp_path / "a", 64_000, 18.0)]
    reference = _run(tmp_path / "old", None, 18.9)
    out = tmp_path / "curve.png"
    result = run_cli("-m", "dcgan.tools.curve", *runs, "--reference", reference, "--reference_label", "old bundle",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert lines[1].startswith("| 64,000 | 18.0 ± 0.50 |") and lines[2].startswith("| 128,000 | 19.5 ± 0.50 |")
    assert lines[3].startswith("| old bundle | 18.9 ± 0.50 |")  # the DCGAN's row, not the classical fill's
    picture = Image.open(out)
    assert picture.width > picture.height and len(picture.getcolors(1 << 16)) > 3


@pytest.mark.slow
def test_a_run_without_images_seen_is_one_line(tmp_path):
    result = run_cli("-m", "dcgan.tools.curve", _run(tmp_path / "a", None, 18.0), "--out", str(tmp_path / "c.png"))
    assert result.returncode == 2 and "no images seen" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_folder_that_is_not_a_run_or_an_unwritable_picture_is_one_line(tmp_path):
    missing = run_cli("-m", "dcgan.tools.curve", str(tmp_path / "nowhere"), "--out", str(tmp_path / "c.png"))
    assert f"{tmp_path / 'nowhere'}: no results.csv" in assert_one_line_error(missing)
    (tmp_path / "a_file").write_text("x")
    unwritable = run_cli("-m", "dcgan.tools.curve", _run(tmp_path / "a", 64000, 18.0),
                         "--out", str(tmp_path / "a_file" / "c.png"))
    assert "cannot write" in assert_one_line_error(unwritable)


def test_images_seen_axis_has_round_ticks():
    from dcgan.evaluation.training_curve import _count_label, _round_ticks
    assert [_count_label(v) for v in _round_ticks(1_050_000)] == ["0", "200k", "400k", "600k", "800k", "1M"]
    assert [_count_label(v) for v in _round_ticks(134_400)] == ["0", "25k", "50k", "75k", "100k", "125k"]
