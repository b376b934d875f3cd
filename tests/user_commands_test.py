"""The commands users type, as they type them: from a working folder, relative paths, the defaults.

`test_every_readme_command_runs` runs each command of the README's code blocks
in order, in a folder laid out as a checkout (its entries linked to this one,
`../shared` beside it), with only flags added to shrink the work (a tiny model,
a few images, a few iterations). The files a command names as the user's own
(`photo.jpg`, `my_faces/`, `hole.png`) are made from real faces first.
`test_a_training_folder_named_relatively_serves_every_tool` is the issue that
broke resume: an empty folder, the scripts called by path, every folder relative.
"""

import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, SHARED_DATA, TINY_FLAGS, real_faces, shared_data

pytestmark = pytest.mark.slow

CHECKOUT_ENTRIES = ("complete.py", "train_dcgan.py", "evaluate.py", "serve.py", "align_dlib.py",
                    "dcgan", "ops", "align", "data", "requirements.txt", "pyproject.toml", "README.md")
MOUTH_BOX = "100,150,50,28"  # x,y,w,h of the mouth on LFW's 250x250 photos
NOT_OURS = ("pip ", "python -m pytest", "python -m venv", "tensorboard ")  # commands of other tools

TRAIN_SHRINK = [*TINY_FLAGS, "--batch_size", "16", "--train_size", "64"]
SHRINK = {  # what each program gets added, so that a README command runs in seconds
    "align align": ["--numImages", "40"],
    "align computeMean": ["--numImages", "4"],
    "train": TRAIN_SHRINK + ["--max_steps", "2"],
    "complete": ["--nIter", "4", "--starts", "2", "--outInterval", "2"],
    "evaluate": ["--limit", "3", "--nIter", "4", "--starts", "2"],
    "serve": ["--port", "0", "--nIter", "4", "--starts", "1"],
}


def readme_commands(text):
    """Each command line of the README's code blocks (continuations joined, comments dropped)."""
    commands = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, re.S | re.M):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#"):
                commands.append(re.sub(r"\s+", " ", line))
    return commands


TOOLS = {"align_dlib.py": "align", "train_dcgan.py": "train", "complete.py": "complete",
         "evaluate.py": "evaluate", "serve.py": "serve"}


def program(command):
    """The key of SHRINK for a command line ('complete', 'align align'), or None: the same key
    for `dcgan-complete`, `python complete.py` and `python -m dcgan.tools.complete`."""
    words = shlex.split(command)
    words = words[3:] if words[0] == "nice" else words
    if words[0].startswith("dcgan-"):
        tool, rest = words[0][len("dcgan-"):], words[1:]
    elif words[:2] == ["python", "-m"] and words[2].startswith("dcgan.tools."):
        tool, rest = words[2][len("dcgan.tools."):], words[3:]
    elif words[0] == "python" and words[1] in TOOLS:
        tool, rest = TOOLS[words[1]], words[2:]
    else:
        return None
    return f"align {rest[1]}" if tool == "align" else tool


def shell(command, cwd, extra=(), timeout=600):
    """Runs a command line as a shell would (globs expanded), `python` being this one."""
    line = re.sub(r"(^|\s)python\s", lambda m: f"{m.group(1)}{shlex.quote(sys.executable)} ",
                  command, count=1)
    line += "".join(" " + shlex.quote(arg) for arg in extra)
    return subprocess.run(["bash", "-c", line], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": ""})


def lay_out_checkout(root):
    """`root/main`, a checkout made of links to this one, with `root/shared` beside it."""
    work = root / "main"
    work.mkdir()
    for name in CHECKOUT_ENTRIES:
        os.symlink(os.path.join(REPO, name), work / name)
    os.symlink(os.path.dirname(SHARED_DATA), root / "shared")
    return work


def add_users_files(work, size=64):
    """The files the README names as the user's own: a photo, its hole, `size`-pixel faces, a hole."""
    folder = shared_data("lfw_deepfunneled")
    photo = Image.open(os.path.join(folder, sorted(os.listdir(folder))[0])).convert("RGB")
    photo.save(work / "photo.jpg", quality=95)
    hole = np.full(photo.size[::-1], 255, np.uint8)
    x, y, w, h = map(int, MOUTH_BOX.split(","))
    hole[y:y + h, x:x + w] = 0
    Image.fromarray(hole).save(work / "photo_hole.png")
    (work / "my_faces").mkdir()
    for path in sorted(glob.glob(os.path.join(REPO, "data", "examples", "*.png")))[:2]:
        face = Image.open(path).resize((size, size), Image.Resampling.LANCZOS)
        face.save(work / "my_faces" / os.path.basename(path))
    square = np.full((size, size), 255, np.uint8)
    square[size * 9 // 16:size * 3 // 4, size // 4:size * 3 // 4] = 0
    Image.fromarray(square).save(work / "hole.png")


def run_serve(command, work):
    """Starts the page's server as the README does, fetches the page and the examples, stops it."""
    line = shlex.split(command)
    process = subprocess.Popen([*_as_run(line), *SHRINK["serve"]], cwd=work,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        address = re.search(r"serving (http://\S+)", process.stdout.readline()).group(1)
        with urllib.request.urlopen(address + "/", timeout=30) as page:
            assert b"<canvas" in page.read()
        with urllib.request.urlopen(address + "/api/examples", timeout=30) as examples:
            assert examples.status == 200
    finally:
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out


def _as_run(words):
    """A command's words with `python` being this Python (a dcgan-* command as it is)."""
    return [sys.executable, *words[1:]] if words[0] == "python" else words


def check_train_resumes(command, work):
    """The README's training command twice: the second run goes on from the first's checkpoint."""
    first = shell(command, work, SHRINK["train"])
    assert first.returncode == 0, first.stderr
    saved = re.search(r"saved (\S+)", first.stdout).group(1)
    assert not os.path.isabs(saved) and os.path.exists(work / (saved + ".index")), first.stdout
    again = shell(command, work, TRAIN_SHRINK + ["--max_steps", "4"])
    assert again.returncode == 0, again.stderr
    assert f"resuming from {saved}" in again.stdout + again.stderr, again.stdout + again.stderr
    assert "step 4)" in again.stdout


@pytest.mark.skipif(not os.path.isdir(SHARED_DATA), reason="needs ../shared/data")
def test_every_readme_command_runs(tmp_path):
    work = lay_out_checkout(tmp_path)
    add_users_files(work)
    commands = readme_commands(open(os.path.join(REPO, "README.md")).read())
    ran = []
    for command in commands:
        if command.startswith(NOT_OURS):
            continue
        key = program(command)
        assert key is not None, f"a README command this test does not know: {command}"
        if key == "train":
            check_train_resumes(command, work)
        elif key == "serve":
            run_serve(command, work)
        else:
            result = shell(command, work, SHRINK.get(key, ()))
            assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
            assert "Traceback" not in result.stderr, result.stderr
        ran.append(key)
    for needed in ("align align", "train", "export", "complete", "evaluate", "serve", "paired"):
        assert needed in ran, f"the README shows no {needed} command"


def test_a_training_folder_named_relatively_serves_every_tool(tmp_path):
    """Issue 35's steps: train, train again (resume, --ema), move the folder, every tool reads it."""
    outside = tmp_path / "elsewhere"
    (outside / "faces").mkdir(parents=True)
    for path in real_faces(64):
        shutil.copy(path, outside / "faces")
    train = (f"python {shlex.quote(os.path.join(REPO, 'train_dcgan.py'))} --dataset faces "
             "--checkpoint_dir ck --sample_dir samples --ema 0.99")
    first = shell(train, outside, TRAIN_SHRINK + ["--max_steps", "4"])
    assert "saved ck/DCGAN.model-4 (1 of 25 epochs done" in first.stdout, first.stdout + first.stderr
    second = shell(train, outside, TRAIN_SHRINK + ["--max_steps", "8"])
    assert "resuming from ck/DCGAN.model-4" in second.stdout, second.stdout + second.stderr
    assert "saved ck/DCGAN.model-8 (2 of 25 epochs done, step 8)" in second.stdout
    work = lay_out_checkout(tmp_path)
    add_users_files(work, size=16)
    shutil.move(outside / "ck", work / "moved")
    shutil.move(outside / "faces", work / "faces")
    tools = [
        "python -m dcgan.tools.export moved exported",
        "python complete.py my_faces/*.png --checkpointDir moved --outDir out --nIter 3 --starts 1",
        "python evaluate.py --images faces --limit 2 --checkpointDir moved --out evaluation "
        "--nIter 3 --starts 1",
        f"python complete.py photo.jpg --box {MOUTH_BOX} --checkpointDir exported --outDir photo_out "
        "--nIter 3 --starts 1",
    ]
    for command in tools:
        result = shell(command, work)
        assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
    assert os.path.exists(work / "exported" / "model.index")
    assert glob.glob(str(work / "out" / "completed" / "*.png"))
    assert glob.glob(str(work / "evaluation" / "*")) and glob.glob(str(work / "photo_out" / "*"))
    run_serve("python serve.py --checkpointDir moved", work)
