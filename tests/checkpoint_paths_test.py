"""Checkpoint folders as users name them: relative, the default, a link, moved or copied after saving."""

import dataclasses
import os
import shutil

import tensorflow as tf
import pytest

from dcgan.modeling import checkpoints
from dcgan.training.loop import train

pytestmark = pytest.mark.slow  # every test here starts a tool or trains

QUIET = dict(log=lambda message: None)


def _relative(options, folder):
    """The options with every output folder named relative to the working folder."""
    return dataclasses.replace(options, checkpoint_dir=folder, sample_dir="samples", log_dir="logs")


def test_a_relative_folder_resumes(tiny_options, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    options = _relative(tiny_options, "checkpoint")
    first = train(dataclasses.replace(options, max_steps=2), **QUIET)
    assert first.checkpoint == os.path.join("checkpoint", "DCGAN.model-2")
    logs = []
    second = train(dataclasses.replace(options, epoch=2), log=logs.append)
    assert any(line.startswith("resuming from checkpoint/DCGAN.model-2") for line in logs), logs
    assert (second.step, second.epoch) == (6, 2)


def test_an_ema_run_resumes_from_a_relative_folder_with_its_average(tiny_options, tmp_path,
                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)
    options = _relative(dataclasses.replace(tiny_options, ema=0.9, epoch=5), "ck")
    train(dataclasses.replace(options, max_steps=2), **QUIET)
    logs = []
    train(dataclasses.replace(options, max_steps=4), log=logs.append)
    assert not any("holds no averaged generator" in line for line in logs), logs
    assert checkpoints.holds(os.path.join("ck", "DCGAN.model-4"), "ema_generator")


def test_a_linked_folder_resumes(tiny_options, tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    monkeypatch.chdir(tmp_path)
    options = _relative(dataclasses.replace(tiny_options, epoch=5), "link")
    train(dataclasses.replace(options, max_steps=2), **QUIET)
    assert train(dataclasses.replace(options, max_steps=4), **QUIET).step == 4
    assert os.path.exists(tmp_path / "real" / "DCGAN.model-4.index")


def _write_absolute_index(folder):
    """Rewrites the folder's index with absolute paths, as older TensorFlow wrote it."""
    state = tf.train.get_checkpoint_state(folder)
    paths = [os.path.abspath(p) for p in state.all_model_checkpoint_paths]
    tf.compat.v1.train.update_checkpoint_state(
        folder, paths[-1], all_model_checkpoint_paths=paths,
        all_model_checkpoint_timestamps=list(state.all_model_checkpoint_timestamps),
        last_preserved_timestamp=state.last_preserved_timestamp)
    assert open(os.path.join(folder, "checkpoint")).read().count(os.path.abspath(folder)) >= 2


def test_a_moved_folder_with_an_absolute_index_resumes_and_loads(tiny_options, tmp_path,
                                                                 monkeypatch):
    train(dataclasses.replace(tiny_options, max_steps=2), **QUIET)
    _write_absolute_index(tiny_options.checkpoint_dir)
    shutil.move(tiny_options.checkpoint_dir, tmp_path / "moved")
    monkeypatch.chdir(tmp_path)
    assert checkpoints.find_checkpoint("moved") == os.path.join("moved", "DCGAN.model-2")
    assert checkpoints.load_models("moved").path == os.path.join("moved", "DCGAN.model-2")
    resumed = train(_relative(dataclasses.replace(tiny_options, epoch=5, max_steps=4), "moved"), **QUIET)
    assert resumed.step == 4
    index = open(os.path.join("moved", "checkpoint")).read()
    assert str(tmp_path) not in index and '"DCGAN.model-2"' in index


def test_a_copied_folder_resumes_from_its_own_files(tiny_options, tmp_path, monkeypatch):
    train(dataclasses.replace(tiny_options, max_steps=2), **QUIET)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(tiny_options.checkpoint_dir, "copy")
    assert train(_relative(dataclasses.replace(tiny_options, epoch=5, max_steps=4), "copy"), **QUIET).step == 4
    assert os.path.exists(os.path.join("copy", "DCGAN.model-4.index"))
    assert not os.path.exists(os.path.join(tiny_options.checkpoint_dir, "DCGAN.model-4.index"))


def test_max_steps_on_an_epochs_last_step_counts_that_epoch_done(tiny_options):
    """48 faces, batch 16: 3 steps an epoch; stopping at step 6 has finished two epochs."""
    result = train(dataclasses.replace(tiny_options, epoch=5, max_steps=6), **QUIET)
    assert (result.step, result.epoch) == (6, 2)
    again = train(dataclasses.replace(tiny_options, epoch=5, max_steps=7), **QUIET)
    assert (again.step, again.epoch) == (7, 2)
