"""The tools refuse values outside an option's sense at once, with a usage error (exit 2)."""

import os

import pytest

from conftest import TINY_FLAGS, TINY_MODEL, assert_one_line_error, run_cli, shared_data


@pytest.mark.parametrize("program, argv, message", [
    ("complete.py", ("--tuneLr", "-1", "face.png"), "--tuneLr must be above 0"),
    ("complete.py", ("--lam", "-0.1", "face.png"), "--lam must be at least 0"),
    ("complete.py", ("--beta1", "1.5", "face.png"), "--beta1 must be in [0, 1)"),
    ("complete.py", ("--randomFraction", "2", "face.png"), "--randomFraction must be in [0, 1]"),
    ("evaluate.py", ("--lr", "0"), "--lr must be above 0"),
    ("serve.py", ("--port", "70000"), "--port must be in [0, 65535]"),
    ("train_dcgan.py", ("--ema", "1"), "--ema must be in [0, 1)"),
    ("train_dcgan.py", ("--learning_rate", "0"), "--learning_rate must be above 0"),
])
@pytest.mark.slow
def test_a_value_out_of_range_is_a_usage_error(program, argv, message):
    result = run_cli(program, *argv)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_an_option_error_names_each_tools_own_flag(capsys):
    """The library names an option by its field; each tool's error line names its own flag."""
    from dcgan.cli import fail
    from dcgan.errors import OptionError
    from dcgan.options import ModelSource, TrainOptions
    error = OptionError("checkpoint_dir", "models/x holds no checkpoint")
    assert str(error) == "checkpoint_dir models/x holds no checkpoint"
    assert fail("complete.py", error, ModelSource) == 2
    assert fail("train_dcgan.py", error, TrainOptions) == 2
    assert fail("python -m dcgan.tools.export", error) == 2
    assert capsys.readouterr().err.splitlines() == [
        "complete.py: error: --checkpointDir models/x holds no checkpoint",
        "train_dcgan.py: error: --checkpoint_dir models/x holds no checkpoint",
        "python -m dcgan.tools.export: error: checkpoint_dir models/x holds no checkpoint"]


@pytest.mark.slow
def test_a_flag_that_needs_another_is_a_usage_error():
    result = run_cli("complete.py", "--maskType", "mask", "face.png")
    assert result.returncode == 2, result.stderr
    assert "--maskType mask needs --maskFile PATH" in result.stderr.splitlines()[-1]


@pytest.mark.slow
def test_a_strategy_refused_by_the_library_names_the_flag_and_leaves_no_folders(tmp_path, faces_dir):
    outputs = {flag: tmp_path / "new" / flag[2:] for flag in ("--checkpoint_dir", "--sample_dir", "--log_dir")}
    result = run_cli("train_dcgan.py", "--dataset", faces_dir, "--strategy", "multiworker",
                     *(str(arg) for item in outputs.items() for arg in item),
                     env={k: v for k, v in os.environ.items() if k != "TF_CONFIG"})
    assert "--strategy multiworker needs TF_CONFIG" in assert_one_line_error(result)
    assert not (tmp_path / "new").exists()  # the output folders were tried, then removed


@pytest.mark.slow
def test_a_model_of_another_shape_names_the_checkpoint_flag(tmp_path, faces_dir):
    from dcgan.modeling.config import ModelConfig
    ModelConfig(**TINY_MODEL).save(str(tmp_path / "ck"))
    result = run_cli("train_dcgan.py", "--dataset", faces_dir, *TINY_FLAGS, "--gf_dim", "4",
                     "--checkpoint_dir", str(tmp_path / "ck"), "--sample_dir", str(tmp_path / "s"),
                     "--log_dir", str(tmp_path / "l"))
    line = assert_one_line_error(result)
    assert f"--checkpoint_dir {tmp_path / 'ck'} holds a model of 16x16x3 images" in line
    assert "gf_dim 4" in line


def test_a_bad_box_names_the_flag(tiny_model, tmp_path):
    lfw = shared_data("lfw_raw")
    photo = os.path.join(lfw, sorted(os.listdir(lfw))[0])
    result = run_cli("complete.py", photo, "--checkpointDir", tiny_model, "--outDir", str(tmp_path / "out"),
                     "--box", "1,2,3", "--no_progress")
    assert "--box must be x,y,w,h in pixels" in assert_one_line_error(result)
