"""`pip install .` gives a package with its bundled model and a command per tool, each working from
any folder; and the same command with the same seed writes the same bytes."""

import glob
import hashlib
import os
import shutil
import site
import subprocess
import sys

import pytest

from conftest import REPO, TINY_FLAGS, real_faces, run_cli, shared_data

pytestmark = pytest.mark.slow
COMMANDS = ("dcgan-align", "dcgan-train", "dcgan-complete", "dcgan-evaluate", "dcgan-serve",
            "dcgan-export", "dcgan-paired", "dcgan-curve", "dcgan-train-encoder")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the checkout installed (not editable) into it; it sees
    this Python's installed dependencies through a .pth line, so the install takes seconds."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = glob.glob(str(venv / "lib" / "python*" / "site-packages"))[0]
    with open(os.path.join(packages, "dependencies.pth"), "w") as f:
        f.write("\n".join(site.getsitepackages()) + "\n")
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                             "--no-build-isolation", REPO], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return venv


def _run(venv, work, *command):
    return subprocess.run([str(venv / "bin" / command[0]), *command[1:]], cwd=work, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "PYTHONPATH": ""})


def test_every_command_helps_from_any_folder(installed, tmp_path):
    for command in COMMANDS:
        result = _run(installed, tmp_path, command, "--help")
        assert result.returncode == 0 and result.stdout.startswith(f"usage: {command}"), result.stderr
    imported = _run(installed, tmp_path, "python", "-c", "import dcgan; print(dcgan.__file__)")
    assert str(installed) in imported.stdout, imported.stdout  # the installed copy, not the checkout


def test_the_installed_page_offers_the_example_faces(installed, tmp_path):
    found = _run(installed, tmp_path, "python", "-c",
                 "import os; from dcgan.tools.serve import EXAMPLES; print(EXAMPLES, len(os.listdir(EXAMPLES)))")
    folder, count = found.stdout.split()
    assert folder.startswith(str(installed)) and int(count) == len(os.listdir(os.path.join(REPO, "data", "examples")))


def test_the_commands_run_from_a_working_folder_with_relative_paths(installed, tmp_path):
    """Align photos, train, export and complete with the trained model, then complete with the
    bundled model that came with the package: each from a folder outside the checkout."""
    photos = tmp_path / "photos"
    photos.mkdir()
    lfw = shared_data("lfw_deepfunneled")
    for name in sorted(os.listdir(lfw))[:24]:
        shutil.copytree(os.path.join(lfw, name), photos / name) if os.path.isdir(os.path.join(lfw, name)) \
            else shutil.copy(os.path.join(lfw, name), photos)
    steps = [
        ("dcgan-align", "photos", "align", "innerEyesAndBottomLip", "faces", "--size", "16"),
        ("dcgan-train", "--dataset", "faces", *TINY_FLAGS, "--batch_size", "4", "--max_steps", "2",
         "--no_progress"),
        ("dcgan-export", "checkpoint", "my_model"),
        ("dcgan-evaluate", "--images", "faces", "--limit", "4", "--checkpointDir", "my_model",
         "--nIter", "2", "--starts", "1", "--no_landmarks", "--no_progress"),
        ("dcgan-paired", "evaluation", "evaluation", "--base_method", "harmonic"),
        ("dcgan-complete", "faces", "--checkpointDir", "my_model", "--outDir", "mine", "--nIter", "2",
         "--no_progress"),
    ]
    for step in steps:
        result = _run(installed, tmp_path, *step)
        assert result.returncode == 0, f"{step}\n{result.stderr[-2000:]}"
    assert os.path.exists(tmp_path / "my_model" / "model.index")
    assert glob.glob(str(tmp_path / "mine" / "completed" / "*.png"))
    faces = tmp_path / "examples"
    faces.mkdir()
    for path in sorted(glob.glob(os.path.join(REPO, "data", "examples", "*.png")))[:2]:
        shutil.copy(path, faces)
    result = _run(installed, tmp_path, "dcgan-complete", "examples", "--nIter", "2", "--starts", "1",
                  "--no_progress")
    assert result.returncode == 0, result.stderr
    assert f"model: {installed}" in result.stdout  # the bundle installed with the package
    assert len(os.listdir(tmp_path / "completions" / "completed")) == 2


def _digests(folder):
    return {os.path.relpath(path, folder): hashlib.sha256(open(path, "rb").read()).hexdigest()
            for path in glob.glob(os.path.join(folder, "**", "*.*"), recursive=True) if os.path.isfile(path)}


def test_the_same_command_and_seed_write_the_same_bytes(tmp_path):
    """Twice the same completion with the bundled model, each in a process of its own."""
    faces = real_faces(4, os.path.join(os.path.dirname(REPO), "shared", "data", "celeba_faces64", "test"))
    runs = []
    for number in range(2):
        out = tmp_path / f"run{number}"
        result = run_cli("complete.py", *faces, "--outDir", str(out), "--nIter", "20", "--seed", "3",
                         "--no_progress")
        assert result.returncode == 0, result.stderr
        runs.append(_digests(out))
    assert runs[0] == runs[1] and any(name.startswith("completed/") for name in runs[0])
