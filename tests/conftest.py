"""Shared fixtures: real faces from ../shared/data, tiny model options, running the CLIs."""

import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(os.path.dirname(REPO), "shared", "data")
FACES64_TRAIN = os.path.join(SHARED_DATA, "celeba_faces64", "train")
TINY_MODEL = dict(image_size=16, z_dim=16, gf_dim=8, df_dim=8)  # the tests' model: seconds to train
TINY_FLAGS = [arg for name, value in TINY_MODEL.items() for arg in (f"--{name}", str(value))]


requires_shared = pytest.mark.skipif(not os.path.isdir(SHARED_DATA),
                                     reason=f"shared data not found at {SHARED_DATA}")


def shared_data(*parts):
    """A path under ../shared/data; skips the test where it is missing (a checkout without the data)."""
    path = os.path.join(SHARED_DATA, *parts)
    if not os.path.exists(path):
        pytest.skip(f"shared data not found at {path}")
    return path


def real_faces(count, source=FACES64_TRAIN):
    """The first `count` real face files of a shared data folder."""
    shared_data(source)
    names = sorted(os.listdir(source))[:count]
    return [os.path.join(source, n) for n in names]


def first_batch(options):
    """The first training batch of `options.dataset`, as the train step gets it (seed 0)."""
    from dcgan.training import data
    from dcgan.utils.files import list_images
    images, count, _ = data.load_images(list_images(options.dataset), options.model.image_size)
    return next(iter(data.training_batches(images, count, options.batch_size, seed=0)))


def phone_photo(path, height=200):
    """Writes LFW's first photo as a phone camera does: stored on its side as a JPEG whose EXIF
    orientation (6) says to turn it upright. Cropped to 250 x `height` so that the stored and
    the upright sizes differ.

    Returns:
      The upright photo, uint8 [height, 250, 3], as a viewer shows it.
    """
    from PIL import Image, ImageOps
    folder = shared_data("lfw_deepfunneled")
    upright = Image.open(os.path.join(folder, sorted(os.listdir(folder))[0])).crop((0, 0, 250, height))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to show
    upright.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif.tobytes(), quality=95)
    with Image.open(path) as stored:
        assert stored.size == (height, 250)
        return np.asarray(ImageOps.exif_transpose(stored).convert("RGB"))


@pytest.fixture
def faces_dir(tmp_path):
    """A folder of 48 real 64x64 CelebA faces, some in a subfolder."""
    folder = tmp_path / "faces"
    (folder / "sub").mkdir(parents=True)
    for i, path in enumerate(real_faces(48)):
        shutil.copy(path, folder / ("sub" if i % 3 == 0 else "") / os.path.basename(path))
    return str(folder)


@pytest.fixture
def tiny_options(faces_dir, tmp_path):
    """TrainOptions for a 16x16 model with gf_dim=df_dim=8, batch 16, writing under tmp_path."""
    from dcgan.modeling.config import ModelConfig
    from dcgan.options import TrainOptions
    return TrainOptions(
        dataset=faces_dir, model=ModelConfig(**TINY_MODEL),
        epoch=1, batch_size=16, checkpoint_dir=str(tmp_path / "checkpoint"),
        sample_dir=str(tmp_path / "samples"), log_dir=str(tmp_path / "logs"),
        sample_every=2, save_every=1000, hist_every=2, progress=False)


def run_cli(*args, timeout=300, **kwargs):
    """Runs a command-line tool of the repo as a user would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def run_as_user(work, tool, *args, timeout=300):
    """`python TOOL ARGS...` typed in the working folder `work`: a script of the checkout by its
    path (`complete.py`), or a module (`dcgan.tools.export`, run with -m)."""
    command = [os.path.join(REPO, tool)] if tool.endswith(".py") else ["-m", tool]
    return subprocess.run([sys.executable, *command, *args], cwd=work, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": REPO})


def _default_sigint():
    """In the child: Ctrl-C's default action, even when the suite runs with SIGINT ignored (nohup, &)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_when(command, ready, stop_signal=signal.SIGINT, timeout=120):
    """Starts a CLI of the repo, waits until `ready()` says it has done some work, signals it.

    The signal goes to the CLI's whole process group, as a terminal's Ctrl-C does.

    Returns:
      (exit status, stdout, stderr).
    """
    process = subprocess.Popen([sys.executable, *command], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=_default_sigint)
    deadline = time.monotonic() + timeout
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if process.poll() is None:
        os.killpg(process.pid, stop_signal)
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def assert_one_line_error(result):
    """Exit status 2, one line on stderr, no traceback."""
    assert result.returncode == 2, result.stderr
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "error:" in lines[0]
    return lines[0]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A 16x16 DCGAN (gf_dim=df_dim=8, z_dim 16) trained 12 steps on 96 real faces: its checkpoint dir."""
    from dcgan.modeling.config import ModelConfig
    from dcgan.options import TrainOptions
    from dcgan.training.loop import train
    root = tmp_path_factory.mktemp("tiny_model")
    faces = root / "faces"
    faces.mkdir()
    for path in real_faces(96):
        shutil.copy(path, faces)
    options = TrainOptions(
        dataset=str(faces), model=ModelConfig(**TINY_MODEL),
        epoch=2, batch_size=16, checkpoint_dir=str(root / "checkpoint"),
        sample_dir=str(root / "samples"), log_dir=str(root / "logs"), progress=False)
    train(options, log=lambda message: None)
    return str(root / "checkpoint")


@pytest.fixture
def face_pngs(tmp_path):
    """Six real faces as 16x16 PNGs, the tiny model's size, so known pixels compare exactly."""
    from PIL import Image
    folder = tmp_path / "inputs"
    folder.mkdir()
    paths = []
    for path in real_faces(6, os.path.join(SHARED_DATA, "celeba_faces64", "test")):
        out = folder / (os.path.splitext(os.path.basename(path))[0] + ".png")
        Image.open(path).convert("RGB").resize((16, 16), Image.Resampling.LANCZOS).save(out)
        paths.append(str(out))
    return paths


SLOW_FIXTURES = ("tiny_model",)  # a test that uses one of these trains (once per session)


def pytest_collection_modifyitems(items):
    """Marks `slow` every test that uses a fixture of SLOW_FIXTURES, beside those marked
    `@pytest.mark.slow` by hand (they start a tool, a browser or train): `python -m pytest
    -m "not slow"` runs the rest, which never train, in a minute or two."""
    for item in items:
        if any(name in item.fixturenames for name in SLOW_FIXTURES):
            item.add_marker(pytest.mark.slow)
