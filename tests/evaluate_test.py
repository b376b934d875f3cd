"""evaluate.py on a tiny model: a row per method and a finite value in every cell."""

import csv
import glob
import json
import os

import numpy as np
from PIL import Image
import pytest

from conftest import assert_one_line_error, run_cli
from dcgan.evaluation.benchmark import METHODS


def test_table_has_every_method_and_finite_cells(tiny_model, face_pngs, tmp_path):
    images = os.path.dirname(face_pngs[0])
    out = tmp_path / "eval"
    result = run_cli("evaluate.py", "--images", images, "--checkpointDir", tiny_model, "--nIter", "5",
                     "--maskType", "center", "--out", str(out), "--no_progress", "--no_landmarks")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(open(out / "results.csv")))
    assert {r["method"] for r in rows} == set(METHODS)
    assert {"dcgan_poisson", "dcgan_paste"} <= {r["method"] for r in rows}
    for row in rows:
        assert row["mask"] == "center" and row["region"] in ("whole", "hole")
        assert np.isfinite(float(row["mean"])) and np.isfinite(float(row["ci95"])), row
        assert int(row["n"]) == len(face_pngs)
    assert {(r["metric"], r["region"]) for r in rows} == {
        (m, r) for m in ("psnr", "ssim", "l1") for r in ("whole", "hole")} | {
        ("sharpness", "hole"), ("seconds", "whole")}
    seconds = {r["method"]: float(r["mean"]) for r in rows if r["metric"] == "seconds"}
    assert seconds["dcgan_poisson"] > seconds["mean"] > 0  # the search is in the DCGAN's time
    table = (out / "results.md").read_text()
    assert all(f"| {method} |" in table for method in METHODS)
    assert "dcgan_poisson against each classical fill, face by face" in table
    for fill in ("harmonic", "biharmonic", "mean"):  # a paired table per fill
        assert f"| mask | metric | {fill} | dcgan_poisson | difference (95% interval) | n | |" in table
    assert (out / "figure_center.png").exists()
    model = json.load(open(out / "model.json"))  # which model, and how it was made
    assert model["path"].startswith(tiny_model) and model["step"] > 0 and model["images_seen"] > 0
    per_face = list(csv.DictReader(open(out / "faces.csv")))  # the values behind each mean
    assert {r["face"] for r in per_face} == {os.path.basename(p) for p in face_pngs}
    for row in rows:
        values = [float(f["value"]) for f in per_face if all(f[k] == row[k] for k in
                                                              ("mask", "method", "metric", "region"))]
        if row["metric"] == "seconds":
            assert values == []
        else:
            assert len(values) == len(face_pngs) and np.mean(values) == np.float64(row["mean"])


def test_landmark_column_has_the_same_faces_in_every_row(tmp_path):
    """The tiny model makes 16x16 faces; landmarks need real ones: the bundled 64x64 model, 2 iterations."""
    from align.aligner import AlignDlib
    from conftest import REPO
    from dcgan.modeling.checkpoints import load_models
    from dcgan.evaluation.benchmark import evaluate, to_markdown
    from dcgan.options import EvaluationOptions, MaskOptions, SearchOptions
    examples = os.path.join(REPO, "data", "examples")
    paths = [os.path.join(examples, f) for f in sorted(os.listdir(examples))[:4]]
    options = EvaluationOptions(out=str(tmp_path), mask=MaskOptions(mask_type="center"),
                                search=SearchOptions(n_iter=2))
    rows = evaluate(paths, load_models(os.path.join(REPO, "dcgan", "models", "celeba64")), options,
                    aligner=AlignDlib(), log=lambda m: None)
    landmark = [r for r in rows if r["metric"] in ("landmark", "identity", "same_person")]
    assert {r["method"] for r in landmark} == set(METHODS) and len(landmark) == 3 * len(METHODS)
    assert len({r["n"] for r in landmark}) == 1 and landmark[0]["n"] >= 3  # the blurred fills too
    assert all(np.isfinite(r["mean"]) and r["mean"] >= 0 for r in landmark)
    assert all(0 <= r["mean"] <= 1 for r in landmark if r["metric"] == "same_person")
    table = to_markdown(rows)
    assert "landmark (whole)" in table and "identity (whole)" in table
    assert all(f"(n={landmark[0]['n']})" in line for line in table.splitlines() if line.startswith("| mean"))


@pytest.mark.slow
def test_missing_folder_or_model_is_one_line(tmp_path, face_pngs):
    missing = run_cli("evaluate.py", "--images", str(tmp_path / "nowhere"))
    assert "no such folder" in assert_one_line_error(missing)
    a_file = run_cli("evaluate.py", "--images", face_pngs[0])
    assert f"{face_pngs[0]} is a file, not a folder of images" in assert_one_line_error(a_file)
    (tmp_path / "empty").mkdir()
    empty = run_cli("evaluate.py", "--images", str(tmp_path / "empty"))
    assert "no images" in assert_one_line_error(empty)
    no_model = run_cli("evaluate.py", "--images", os.path.dirname(face_pngs[0]),
                       "--checkpointDir", str(tmp_path / "none"), "--out", str(tmp_path / "out"))
    assert f"--checkpointDir {tmp_path / 'none'}: no such folder" in assert_one_line_error(no_model)
    assert not (tmp_path / "out").exists()  # a refused run leaves no empty output folder


def test_all_masks_are_five_different_masks():
    """evaluate.py's half defaults to the bottom: complete.py's left would repeat the left mask."""
    from dcgan.tools import evaluate
    from dcgan.evaluation.benchmark import ALL_MASKS
    from dcgan.hole.masks import make_mask
    args = evaluate.parse_args(["--images", "faces", "--maskType", "all"])
    masks = [make_mask(m, 16, args.center_scale, args.random_fraction, args.side) for m in ALL_MASKS]
    assert len({m.tobytes() for m in masks}) == len(ALL_MASKS)


def test_markdown_says_no_face_where_dlib_found_none():
    from dcgan.evaluation.benchmark import to_markdown
    rows = [{"method": "mean", "mask": "center", "metric": "landmark", "region": "whole",
             "mean": float("nan"), "ci95": float("nan"), "n": 0},
            {"method": "harmonic", "mask": "center", "metric": "landmark", "region": "whole",
             "mean": 1.5, "ci95": 0.25, "n": 3}]
    table = to_markdown(rows)
    assert "| mean | no face (n=0) |" in table and "| harmonic | 1.5 ± 0.25 (n=3) |" in table
    assert "nan" not in table


def test_every_mask_of_help_works_and_a_bad_out_is_one_line(tiny_model, face_pngs, tmp_path):
    images = os.path.dirname(face_pngs[0])
    hole = np.full((16, 16), 255, np.uint8)
    hole[4:12, 4:8] = 0
    Image.fromarray(hole).save(tmp_path / "hole.png")
    for flags in (["--maskType", "full"], ["--maskFile", str(tmp_path / "hole.png")]):
        out = tmp_path / flags[-1].replace("/", "_")
        result = run_cli("evaluate.py", "--images", images, "--checkpointDir", tiny_model, "--nIter", "2",
                         "--out", str(out), "--no_progress", "--no_landmarks", *flags)
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(open(out / "results.csv")))
        assert rows and all(np.isfinite(float(r["mean"])) or r["metric"] == "psnr" for r in rows)
    (tmp_path / "a_file").write_text("x")
    result = run_cli("evaluate.py", "--images", images, "--checkpointDir", tiny_model,
                     "--out", str(tmp_path / "a_file"))
    assert "is a file" in assert_one_line_error(result)


def test_a_stop_keeps_the_batches_searched_to_the_end(tiny_model, face_pngs, tmp_path):
    """Stopped during center's second batch: center over its first batch's faces, no other mask."""
    from dcgan.modeling.checkpoints import load_models
    from dcgan.evaluation.benchmark import evaluate
    from dcgan.options import EvaluationOptions, MaskOptions, SearchOptions
    options = EvaluationOptions(out=str(tmp_path / "eval"), mask=MaskOptions(mask_type="all"),
                                search=SearchOptions(n_iter=50, batch_size=2, tune_iter=0))
    searched = []
    logged = []
    rows = evaluate(face_pngs, load_models(tiny_model), options, progress=searched.append,
                    log=logged.append, stop_requested=lambda: len(searched) >= 1)
    assert searched == [2]
    assert {r["mask"] for r in rows} == {"center"} and {r["n"] for r in rows} == {2}
    assert {r["method"] for r in rows} == set(METHODS)
    assert logged == [f"stopped: center over the first 2 of {len(face_pngs)} faces",
                      "stopped: random, left, half, pattern not measured"]
    assert os.listdir(tmp_path / "eval") == ["figure_center.png"]


def test_ctrl_c_writes_the_masks_done_and_exits_130(tiny_model, face_pngs, tmp_path):
    """Ctrl-C once center's figure is written (the next mask's search under way)."""
    import signal

    from conftest import interrupt_when
    out = tmp_path / "eval"
    command = ["evaluate.py", "--images", os.path.dirname(face_pngs[0]), "--checkpointDir", tiny_model,
               "--maskType", "all", "--nIter", "5000", "--tuneIter", "0", "--out", str(out),
               "--no_progress", "--no_landmarks"]
    status, stdout, err = interrupt_when(  # the run writes beside --out until it ends
        command, lambda: bool(glob.glob(str(tmp_path / "eval.partial-*" / "figure_center.png"))))
    assert status == 128 + signal.SIGINT, err
    assert "Traceback" not in err and "stopped: left, half, pattern not measured" in stdout
    rows = list(csv.DictReader(open(out / "results.csv")))
    assert {r["mask"] for r in rows} == {"center"} and {r["n"] for r in rows} == {str(len(face_pngs))}
    assert f"### mask: center ({len(face_pngs)} faces)" in (out / "results.md").read_text()
    assert (out / "model.json").exists()
