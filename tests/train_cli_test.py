"""train_dcgan.py as a user runs it: --help, bad folders, Ctrl-C, resuming."""

import os
import signal

import pytest

from conftest import TINY_FLAGS, assert_one_line_error, interrupt_when, run_cli

pytestmark = pytest.mark.slow  # every test here starts a tool or trains

TINY = TINY_FLAGS + ["--batch_size", "16", "--no_progress"]


def _outputs(tmp_path):
    return ["--checkpoint_dir", str(tmp_path / "ck"), "--sample_dir", str(tmp_path / "samples"),
            "--log_dir", str(tmp_path / "logs")]


def test_help_explains_the_flags():
    result = run_cli("train_dcgan.py", "--help")
    assert result.returncode == 0
    for flag in ("--epoch", "--learning_rate", "--beta1", "--train_size", "--batch_size",
                 "--image_size", "--dataset", "--checkpoint_dir", "--sample_dir", "--log_dir",
                 "--is_crop", "--crop_size", "--z_dim", "--gf_dim", "--df_dim",
                 "--sample_every", "--save_every", "--seed"):
        assert flag in result.stdout, flag


def test_bad_folders_give_one_line_and_exit_2(tmp_path, faces_dir):
    missing = run_cli("train_dcgan.py", "--dataset", str(tmp_path / "nowhere"), *TINY, *_outputs(tmp_path))
    assert "no such folder" in assert_one_line_error(missing)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no images here")
    empty = run_cli("train_dcgan.py", "--dataset", str(tmp_path / "empty"), *TINY, *_outputs(tmp_path))
    assert "no images" in assert_one_line_error(empty)
    few = run_cli("train_dcgan.py", "--dataset", faces_dir, *TINY, "--batch_size", "64",
                  *_outputs(tmp_path))
    assert "fewer than one batch" in assert_one_line_error(few)
    size = run_cli("train_dcgan.py", "--dataset", faces_dir, *TINY, "--image_size", "24",
                   *_outputs(tmp_path))
    assert "--image_size must be a power of two from 8 up, not 24" in assert_one_line_error(size)


def test_unreadable_file_is_one_warning_and_training_goes_on(tmp_path, faces_dir):
    (tmp_path / "faces" / "broken.png").write_bytes(b"\x89PNG not really")
    result = run_cli("train_dcgan.py", "--dataset", faces_dir, *TINY, "--epoch", "1",
                     *_outputs(tmp_path))
    assert result.returncode == 0, result.stderr
    warnings = [l for l in result.stdout.splitlines() if l.startswith("warning:")]
    assert len(warnings) == 1 and "broken.png" in warnings[0]
    assert os.path.exists(tmp_path / "ck" / "DCGAN.model-3.index")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_saves_a_checkpoint_and_the_same_command_resumes(tmp_path, faces_dir, stop_signal):
    args = ["train_dcgan.py", "--dataset", faces_dir, *TINY, "--epoch", "100000",
            "--sample_every", "1", *_outputs(tmp_path)]
    samples = tmp_path / "samples"
    status, out, err = interrupt_when(args, lambda: samples.is_dir() and len(os.listdir(samples)) >= 3,
                                      stop_signal)
    assert status == 128 + stop_signal, err
    assert "Traceback" not in err
    step = int(out.strip().splitlines()[-1].split("step ")[1].rstrip(")"))
    assert step > 0
    assert os.path.exists(tmp_path / "ck" / f"DCGAN.model-{step}.index")

    resumed = run_cli(*args[:2], faces_dir, *TINY, "--epoch", "100000", "--max_steps", str(step + 2),
                      *_outputs(tmp_path))
    assert resumed.returncode == 0, resumed.stderr
    assert f"step {step}" in resumed.stdout and f"step {step + 2})" in resumed.stdout


def test_gpu_only_flags_are_refused_on_the_cpu(tmp_path, faces_dir):
    for flag in ("--mixed_precision", "--xla"):
        result = run_cli("train_dcgan.py", "--dataset", faces_dir, *TINY, flag, *_outputs(tmp_path),
                         env=dict(os.environ, CUDA_VISIBLE_DEVICES=""))
        assert f"{flag} needs a GPU" in assert_one_line_error(result)


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path, faces_dir):
    (tmp_path / "a_file").write_text("x")
    for flag in ("--checkpoint_dir", "--sample_dir", "--log_dir"):
        outputs = dict(zip(_outputs(tmp_path)[::2], _outputs(tmp_path)[1::2]), **{flag: str(tmp_path / "a_file")})
        result = run_cli("train_dcgan.py", "--dataset", faces_dir, *TINY,
                         *[x for pair in outputs.items() for x in pair])
        assert f"{flag} {tmp_path / 'a_file'} is a file" in assert_one_line_error(result)


def test_a_second_run_into_the_same_checkpoint_dir_is_refused(tmp_path, faces_dir):
    from dcgan.utils.files import FolderLock
    with FolderLock(str(tmp_path / "ck"), "test"):
        result = run_cli("train_dcgan.py", "--dataset", faces_dir, *TINY, "--max_steps", "1",
                         *_outputs(tmp_path))
        assert "is in use by process" in assert_one_line_error(result)
        (tmp_path / "empty").mkdir()  # refused before the images are read: not "no images"
        result = run_cli("train_dcgan.py", "--dataset", str(tmp_path / "empty"), *TINY, *_outputs(tmp_path))
        assert "is in use by process" in assert_one_line_error(result)
    # A run that died leaves the lock file but no lock: the next run goes on.
    assert (tmp_path / "ck" / ".lock").exists()
    result = run_cli("train_dcgan.py", "--dataset", faces_dir, *TINY, "--max_steps", "1", *_outputs(tmp_path))
    assert result.returncode == 0, result.stderr
