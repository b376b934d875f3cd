"""Flags made from option dataclasses: one definition gives the flag, its help and its check."""

import argparse
import dataclasses

import pytest

from dcgan import flags


@dataclasses.dataclass
class _Options:
    n_iter: int = flags.option(300, "iterations", flag="--nIter", minimum=1)
    lr: float = flags.option(0.01, "step size", above=0)
    beta1: float = flags.option(0.9, "Adam beta1", minimum=0, below=1)
    scale: float = flags.option(0.25, "center scale", flag="--centerScale", minimum=0, maximum=0.5)
    weighted: bool = flags.option(False, "weigh known pixels near the hole more")
    progress: bool = flags.option(True, "no progress bars", flag="--no_progress")


def _parse(*argv):
    parser = argparse.ArgumentParser()
    flags.add_flags(parser, _Options)
    args = parser.parse_args(argv)
    flags.check(parser, args, _Options)
    return flags.from_args(_Options, args), parser


def test_defaults_and_listed_spellings():
    options, parser = _parse()
    assert options == _Options()
    assert _parse("--weighted", "--no_progress", "--nIter", "5")[0] == _Options(
        5, weighted=True, progress=False)
    text = parser.format_help()
    assert "--weighted" in text and "--no_progress" in text and "(default: 300)" in text


def test_each_boolean_accepts_its_other_spelling_unlisted():
    assert _parse("--weighted", "--no_weighted")[0].weighted is False
    assert _parse("--no_progress", "--progress")[0].progress is True
    text = _parse()[1].format_help()
    assert "--no_weighted" not in text and "--progress " not in text


def test_a_value_below_the_minimum_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        _parse("--nIter", "0")
    assert stop.value.code == 2
    assert "--nIter must be at least 1, not 0" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (("--lr", "0"), "--lr must be above 0, not 0.0"),
    (("--beta1", "1"), "--beta1 must be in [0, 1), not 1.0"),
    (("--beta1", "-0.1"), "--beta1 must be in [0, 1), not -0.1"),
    (("--centerScale", "0.6"), "--centerScale must be in [0, 0.5], not 0.6"),
])
def test_a_value_outside_the_bounds_is_a_usage_error(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        _parse(*argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_the_bounds_themselves_are_accepted():
    options = _parse("--lr", "1e-9", "--beta1", "0", "--centerScale", "0.5")[0]
    assert (options.lr, options.beta1, options.scale) == (1e-9, 0, 0.5)
