"""The tools refuse values outside an option's sense at once, with a usage error (exit 2)."""

import pytest

from conftest import run_cli


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
def test_a_value_out_of_range_is_a_usage_error(program, argv, message):
    result = run_cli(program, *argv)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
