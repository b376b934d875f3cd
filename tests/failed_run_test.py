"""A run that fails leaves its output folder as it was, byte for byte; one that succeeds replaces
only what it writes. Run as a user types the commands: from a working folder, relative paths."""

import hashlib
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from conftest import SHARED_DATA, real_faces, run_as_user as user, shared_data

pytestmark = pytest.mark.slow
LFW = os.path.join(SHARED_DATA, "lfw_deepfunneled")


def folder_bytes(folder):
    """{path relative to `folder`: digest of its bytes} of every file under it."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return found


@pytest.fixture
def work(tmp_path, tiny_model):
    """A working folder with the tiny model as `model`, four 16x16 faces and an LFW photo."""
    shutil.copytree(tiny_model, tmp_path / "model")
    (tmp_path / "faces").mkdir()
    for path in real_faces(4):
        Image.open(path).resize((16, 16)).save(tmp_path / "faces" / os.path.basename(path).replace(".jpg", ".png"))
    shared_data("lfw_deepfunneled")
    shutil.copy(os.path.join(LFW, sorted(os.listdir(LFW))[0]), tmp_path / "person.jpg")
    return tmp_path


def _finished_completion(work):
    """`out` after a successful completion, with a file of the user's own beside it."""
    result = user(work, "complete.py", "faces", "--checkpointDir", "model", "--outDir", "out",
                  "--nIter", "2", "--no_progress")
    assert result.returncode == 0, result.stderr
    (work / "out" / "my_notes.txt").write_text("mine")
    return folder_bytes(work / "out")


def test_a_failed_completion_leaves_the_folder_as_it_was(work):
    before = _finished_completion(work)
    (work / "notimage.png").write_text("not an image")
    shutil.copy(os.path.join(shared_data("face_detect_test", "no_face"), "dog.jpg"), work / "dog.jpg")
    failures = {"no face found": ["dog.jpg", "--box", "10,10,20,20"],
                "lies outside": ["person.jpg", "--box", "300,300,10,10"],
                "touches none": ["person.jpg", "--box", "0,0,6,6"],
                "not an image": ["notimage.png", "--box", "1,1,5,5"],
                "no such folder": ["faces", "--checkpointDir", "nomodel"]}
    for message, args in failures.items():
        flags = [] if "--checkpointDir" in args else ["--checkpointDir", "model"]
        result = user(work, "complete.py", *args, *flags, "--outDir", "out", "--nIter", "2",
                      "--no_progress")
        assert result.returncode == 2 and message in result.stderr, (message, result.stderr)
        assert "Traceback" not in result.stderr
        assert folder_bytes(work / "out") == before, message
    assert not [name for name in os.listdir(work) if name.startswith("out.partial")]


def test_a_successful_run_replaces_only_what_it_writes(work):
    before = _finished_completion(work)
    result = user(work, "complete.py", "person.jpg", "--box", "100,150,50,28", "--checkpointDir",
                  "model", "--outDir", "out", "--nIter", "2", "--no_progress")
    assert result.returncode == 0, result.stderr
    after = folder_bytes(work / "out")
    assert after["my_notes.txt"] == before["my_notes.txt"]
    assert "completed/person.png" in after and "out/completed/person.png" in result.stdout
    assert not any(name.startswith("completed/0") for name in after)  # the earlier run's faces


def test_a_failed_evaluation_or_export_leaves_the_folder_as_it_was(work):
    result = user(work, "evaluate.py", "--images", "faces", "--checkpointDir", "model", "--out",
                  "evaluation", "--nIter", "2", "--no_progress", "--no_landmarks")
    assert result.returncode == 0, result.stderr
    before = folder_bytes(work / "evaluation")
    (work / "faces" / "broken.png").write_text("not an image")
    result = user(work, "evaluate.py", "--images", "faces", "--checkpointDir", "model", "--out",
                  "evaluation", "--nIter", "2", "--no_progress", "--no_landmarks")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert folder_bytes(work / "evaluation") == before
    assert user(work, "dcgan.tools.export", "model", "bundle").returncode == 0
    before = folder_bytes(work / "bundle")
    (work / "empty").mkdir()
    result = user(work, "dcgan.tools.export", "empty", "bundle")
    assert result.returncode == 2 and "holds no checkpoint" in result.stderr, result.stderr
    assert folder_bytes(work / "bundle") == before


def test_box_and_mask_file_together_are_their_union(work):
    """The mask covers the mouth, the box a corner away from the face: the face is completed
    (the box alone would touch no face) and both parts change."""
    photo = np.asarray(Image.open(work / "person.jpg").convert("RGB")).copy()
    photo[1:6, 1:6] = (255, 0, 0)  # red in the box: a fill from its neighbours changes it
    Image.fromarray(photo).save(work / "marked.png")
    mask = np.full(photo.shape[:2], 255, np.uint8)
    mask[150:178, 100:150] = 0
    Image.fromarray(mask).save(work / "hole.png")
    result = user(work, "complete.py", "marked.png", "--box", "1,1,5,5", "--maskFile", "hole.png",
                  "--checkpointDir", "model", "--outDir", "out", "--nIter", "2", "--no_progress")
    assert result.returncode == 0, result.stderr
    after = np.asarray(Image.open(work / "out" / "completed" / "marked.png").convert("RGB"))
    assert np.any(after != photo, axis=-1)[150:178, 100:150].mean() > 0.5
    assert np.any(after != photo, axis=-1)[1:6, 1:6].mean() > 0.5


@pytest.mark.parametrize("args,message", [
    (["--nIter", "0"], "--nIter must be at least 1, not 0"),
    (["--starts", "0"], "--starts must be at least 1, not 0"),
    (["--batchSize", "0"], "--batchSize must be at least 1, not 0"),
    (["--lr", "nan"], "--lr must be above 0, not nan"),
    (["--maskFile", "nowhere.png"], "--maskFile nowhere.png: no such file or folder"),
])
def test_range_errors_are_one_line(work, args, message):
    result = user(work, "complete.py", "faces", *args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and lines == [f"complete.py: error: {message}"], result.stderr


def test_align_with_nothing_to_align_exits_2(work):
    (work / "notes").mkdir()
    (work / "notes" / "readme.txt").write_text("no images here")
    result = user(work, "align_dlib.py", "notes", "align", "innerEyesAndBottomLip", "aligned", "--size", "16")
    assert result.returncode == 2 and "nothing was aligned" in result.stderr, result.stderr


def test_a_finished_training_run_again_says_so_and_records_no_run(work):
    train = lambda: user(work, "train_dcgan.py", "--dataset", "faces_train", "--max_steps", "2",
                         "--batch_size", "4", "--image_size", "16", "--z_dim", "16", "--gf_dim", "8",
                         "--df_dim", "8", "--no_progress")
    os.makedirs(work / "faces_train")
    for path in real_faces(8):
        shutil.copy(path, work / "faces_train")
    first = train()
    assert first.returncode == 0 and "saved checkpoint/DCGAN.model-2" in first.stdout, first.stderr
    second = train()
    assert second.returncode == 0, second.stderr
    assert "saved" not in second.stdout and "nothing to train" in second.stdout + second.stderr
    import json
    runs = json.loads((work / "checkpoint" / "training.json").read_text())["runs"]
    assert len(runs) == 1
