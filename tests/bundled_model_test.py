"""The bundled model (dcgan/models/celeba64) completes the bundled example faces as the README says."""

import csv
import json
import os

import numpy as np
import tensorflow as tf
from PIL import Image
import pytest

from conftest import REPO, run_cli
from dcgan.hole.masks import make_mask
from readme_test import quick_start_commands

MODEL = os.path.join(REPO, "dcgan", "models", "celeba64")
EXAMPLES = os.path.join(REPO, "data", "examples")


def test_bundle_holds_generator_and_discriminator_only_and_fits_in_git():
    config = json.load(open(os.path.join(MODEL, "config.json")))
    assert (config["image_size"], config["gf_dim"], config["df_dim"]) == (64, 64, 64)
    stored = [name for name, _ in tf.train.list_variables(os.path.join(MODEL, "model"))]
    assert any(name.startswith("generator/") for name in stored)
    assert any(name.startswith("discriminator/") for name in stored)
    assert not any("optimizer" in name for name in stored)
    size = sum(os.path.getsize(os.path.join(MODEL, f)) for f in os.listdir(MODEL))
    assert size < 40e6


@pytest.mark.slow
def test_readme_command_completes_two_examples_with_the_bundled_model(tmp_path):
    command = quick_start_commands()[0].split("&&")[-1].split()
    assert command[:3] == ["python", "complete.py", "data/examples/*.png"]
    examples = [os.path.join("data", "examples", n) for n in sorted(os.listdir(EXAMPLES))[:2]]
    out = tmp_path / "completions"
    flags = [f if f != "completions" else str(out) for f in command[3:]]
    result = run_cli("complete.py", *examples, *flags, "--nIter", "30", "--outInterval", "15",
                     "--no_progress")
    assert result.returncode == 0, result.stderr
    known = make_mask("center", 64).astype(bool)
    for path in examples:
        stem = os.path.splitext(os.path.basename(path))[0]
        original = np.asarray(Image.open(os.path.join(REPO, path)).convert("RGB"))
        completed = np.asarray(Image.open(out / "completed" / f"{stem}.png"))
        assert np.array_equal(completed[known], original[known])
        hole = completed[~known].astype(float)
        assert hole.std() > 5 and np.abs(hole).mean() > 20  # a face, not the masked input's black
    with open(out / "logs" / "loss.csv") as f:
        rows = list(csv.DictReader(f))
    for image in {row["image"] for row in rows}:
        contextual = [float(r["contextual"]) for r in rows if r["image"] == image]
        assert contextual[-1] < contextual[0]
