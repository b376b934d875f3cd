"""--ema: an averaged generator updated in the train step, checkpointed, resumed and exported."""

import dataclasses
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from conftest import first_batch
from dcgan.modeling import checkpoints
from dcgan.training.loop import train
from dcgan.training.trainer import Trainer

pytestmark = pytest.mark.slow  # every test here starts a tool or trains


def _g_values(generator):
    return [v.numpy().astype(np.float64) for v in generator.variables]


def test_ema_equals_a_hand_computed_average(tiny_options):
    trainer = Trainer(dataclasses.replace(tiny_options, ema=0.9))
    expected = _g_values(trainer.generator)  # the average starts at G
    batch = first_batch(tiny_options)
    for step in range(1, 6):
        trainer.train_step(batch)
        decay = min(0.9, (1 + step) / (10 + step))
        expected = [decay * e + (1 - decay) * g for e, g in zip(expected, _g_values(trainer.generator))]
    for e, variable in zip(expected, trainer.ema_generator.variables):
        np.testing.assert_allclose(variable.numpy(), e, rtol=1e-5, atol=1e-6, err_msg=variable.path)
    assert any("moving_mean" in v.path for v in trainer.ema_generator.variables)  # BN statistics too
    raw = trainer.generator(trainer.sample_z, training=False).numpy()
    assert not np.allclose(trainer.samples().numpy(), raw)  # samples come from the average


def test_ema_round_trips_through_a_checkpoint_and_resume_continues_it(tiny_options):
    options = dataclasses.replace(tiny_options, ema=0.99)
    first = train(options, log=lambda m: None)
    assert checkpoints.holds(first.checkpoint, "ema_generator")
    restored = Trainer(options)
    checkpoints.restore_latest(restored.checkpoint, options.checkpoint_dir)
    reader = tf.train.load_checkpoint(first.checkpoint)
    for variable in restored.ema_generator.variables:
        key = checkpoints.checkpoint_keys(variable.path)[0]
        assert key.startswith("ema_generator/")
        np.testing.assert_array_equal(reader.get_tensor(key), variable.numpy())
    saved_ema = _g_values(restored.ema_generator)
    assert any(not np.allclose(a, b) for a, b in zip(saved_ema, _g_values(restored.generator)))

    second = train(dataclasses.replace(options, epoch=2), log=lambda m: None)
    assert second.step == 6
    resumed = Trainer(options)
    checkpoints.restore_latest(resumed.checkpoint, options.checkpoint_dir)
    # Continued, not restarted: still far from G's own weights, and moved from the saved average.
    moved = [not np.allclose(a, b) for a, b in zip(saved_ema, _g_values(resumed.ema_generator))]
    assert any(moved)
    assert any(not np.allclose(a, b) for a, b in
               zip(_g_values(resumed.ema_generator), _g_values(resumed.generator)))


def test_resuming_with_ema_from_a_run_without_starts_the_average_at_g(tiny_options):
    train(tiny_options, log=lambda m: None)
    logs = []
    train(dataclasses.replace(tiny_options, ema=0.99, epoch=2), log=logs.append)
    assert any("holds no averaged generator" in line for line in logs)


def test_export_writes_the_averaged_generator_and_how_it_was_made(tiny_options, tmp_path):
    options = dataclasses.replace(tiny_options, ema=0.99, flip=True)
    result = train(options, log=lambda m: None)
    reader = tf.train.load_checkpoint(result.checkpoint)
    key = "generator/g_h1/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    averaged, trained = reader.get_tensor("ema_" + key), reader.get_tensor(key)
    assert not np.allclose(averaged, trained)
    for raw, expected in ((False, averaged), (True, trained)):
        out = str(tmp_path / f"bundle_{raw}")
        checkpoints.export_model(options.checkpoint_dir, out, raw=raw)
        exported = tf.train.load_checkpoint(os.path.join(out, "model")).get_tensor(key)
        np.testing.assert_allclose(exported, expected.astype(np.float16), rtol=1e-3)
        config = json.load(open(os.path.join(out, "config.json")))
        provenance = config["provenance"]
        assert provenance["step"] == 3 and provenance["images_seen"] == 48
        assert provenance["generator"] == ("trained" if raw else "averaged (--ema)")
        flags = provenance["training"]["runs"][0]["flags"]
        assert flags["dataset"] == options.dataset and flags["flip"] and flags["ema"] == 0.99
