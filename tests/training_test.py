"""Training on real faces: weights move, losses stay finite, outputs appear, checkpoints resume."""

import dataclasses
import glob
import os

import numpy as np
import pytest
import tensorflow as tf

from conftest import first_batch
from dcgan.modeling import checkpoints
from dcgan.errors import UserError
from dcgan.training.loop import train
from dcgan.training.progress import NonFiniteLoss
from dcgan.training.trainer import Trainer

pytestmark = pytest.mark.slow  # every test here starts a tool or trains


def _values(variables):
    return [v.numpy().copy() for v in variables]


def _before_batch_norm(path, num_layers):
    """A bias that the batch norm right after it cancels: its gradient is rounding noise."""
    layers = {"g_h0_lin"} | {f"g_h{i}" for i in range(1, num_layers)} | {
        f"d_h{i}_conv" for i in range(1, num_layers)}
    _, layer, name = path.split("/")
    return layer in layers and name in ("bias", "biases")


def test_one_step_moves_every_weight_that_matters(tiny_options):
    trainer = Trainer(tiny_options)
    watched = [v for v in trainer.generator.trainable_variables + trainer.discriminator.trainable_variables
               if not _before_batch_norm(v.path, trainer.generator.num_layers)]
    assert len(watched) == 15  # of 18: all but the three biases right before batch norm
    before = _values(watched)
    scalars, tensors = trainer.train_step(first_batch(tiny_options))
    for value, var in zip(before, watched):
        change = np.abs(var.numpy() - value).max()
        assert change > 1e-5, (var.path, change)  # Adam's first step moves each by about lr
    assert int(trainer.step.numpy()) == 1
    assert int(trainer.g_optimizer.iterations.numpy()) == 2  # two G updates
    assert int(trainer.d_optimizer.iterations.numpy()) == 1  # per D update
    assert tensors["z"].shape == (16, 16)
    assert np.all(np.abs(tensors["z"].numpy()) <= 1)
    assert all(np.isfinite(float(v)) for v in scalars.values())


def test_step_equals_the_originals_schedule_of_three_g_forward_passes(tiny_options):
    """G's first update reuses the forward pass of D's fakes: the same weights as recomputing it."""
    from dcgan.training.trainer import sample_z, sigmoid_cross_entropy
    ours, original = Trainer(tiny_options), Trainer(tiny_options)
    for model in ("generator", "discriminator"):
        getattr(original, model).set_weights(getattr(ours, model).get_weights())
    batch = first_batch(tiny_options)
    ours.train_step(batch)
    G, D = original.generator, original.discriminator
    z = sample_z(tiny_options.seed, 0, tiny_options.batch_size, tiny_options.model.z_dim)
    loss = lambda label, images: tf.reduce_mean(sigmoid_cross_entropy(label, D(images, training=True)))
    fake = G(z, training=True)
    with tf.GradientTape() as tape:
        d_loss = loss(1.0, batch) + loss(0.0, fake)
    original.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, D.trainable_variables),
                                              D.trainable_variables))
    for _ in range(2):
        with tf.GradientTape() as tape:
            g_loss = loss(1.0, G(z, training=True))
        original.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, G.trainable_variables),
                                                  G.trainable_variables))
    # Adam's first moments hold the gradients themselves (its first steps are nearly their signs).
    for model, optimizer in (("generator", "g_optimizer"), ("discriminator", "d_optimizer")):
        pairs = zip(getattr(ours, model).trainable_variables, getattr(original, model).trainable_variables,
                    getattr(ours, optimizer)._momentums, getattr(original, optimizer)._momentums)
        for variable, expected, moment, expected_moment in pairs:
            if _before_batch_norm(variable.path, G.num_layers):  # their gradient is 0 but for rounding
                continue
            np.testing.assert_allclose(variable.numpy(), expected.numpy(), rtol=1e-4, atol=1e-6,
                                       err_msg=variable.path)
            error = np.linalg.norm(moment.numpy() - expected_moment.numpy()) / np.linalg.norm(expected_moment.numpy())
            assert error < 1e-4, (variable.path, error)  # rounding: about 1e-6


def test_short_run_moves_d_of_g_z(tiny_options):
    trainer = Trainer(tiny_options)
    batch = first_batch(tiny_options)
    first, _ = trainer.train_step(batch)
    for _ in range(15):
        last, _ = trainer.train_step(batch)
    assert all(np.isfinite(float(v)) for v in last.values())
    assert abs(float(last["d_fake"]) - float(first["d_fake"])) > 0.01
    assert abs(float(last["d_real"]) - float(first["d_real"])) > 0.01


def _tags_and_plugins(log_dir):
    tags, plugins = set(), {}
    for path in glob.glob(os.path.join(log_dir, "events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(path):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                tags.add(value.tag)
                plugins[value.tag] = value.metadata.plugin_data.plugin_name
    return tags, plugins


def test_run_writes_samples_checkpoint_and_tensorboard(tiny_options):
    result = train(tiny_options, log=lambda msg: None)
    assert result.step == 3 and result.epoch == 1  # 48 images, batch 16
    assert sorted(os.listdir(tiny_options.sample_dir)) == ["train_00_0001.png", "train_00_0002.png", "train_00_0003.png"]
    assert os.path.exists(os.path.join(tiny_options.checkpoint_dir, "config.json"))
    assert result.checkpoint.endswith("DCGAN.model-3")
    tags, plugins = _tags_and_plugins(tiny_options.log_dir)
    for tag in ("d_loss", "d_loss_real", "d_loss_fake", "g_loss", "d_real", "d_fake",
                "images_per_s", "z", "d_real_logits", "d_fake_logits", "G",
                "generator/g_h1/w", "discriminator/d_h0_conv/w"):
        assert tag in tags, tag
    assert plugins["train_step"] == "graph_run_metadata_graph"  # the step's graph


def test_checkpoint_restores_the_end_of_training_bit_for_bit_and_resume_continues(tiny_options):
    variables = lambda t: (t.generator.variables + t.discriminator.variables
                           + t.g_optimizer.variables + t.d_optimizer.variables)
    trained = Trainer(tiny_options)
    batch = first_batch(tiny_options)
    for _ in range(3):
        trained.train_step(batch)
    at_end = _values(variables(trained))
    saver = checkpoints.Saver(trained.checkpoint, tiny_options.checkpoint_dir, None,
                              trained.step, trained.epoch)
    saver.save()
    restored = Trainer(tiny_options)
    assert checkpoints.restore_latest(restored.checkpoint, tiny_options.checkpoint_dir)
    assert int(restored.step.numpy()) == 3
    for value, var in zip(at_end, variables(restored)):
        np.testing.assert_array_equal(value, var.numpy(), err_msg=var.path)

    logs = []
    second = train(dataclasses.replace(tiny_options, epoch=2), log=logs.append)
    assert any("resuming" in line and "step 3" in line for line in logs)
    assert (second.step, second.epoch) == (6, 2)


def test_max_steps_reached_trains_no_further_when_run_again(tiny_options):
    options = dataclasses.replace(tiny_options, epoch=5, max_steps=2)
    assert train(options, log=lambda m: None).step == 2
    again = train(options, log=lambda m: None)
    assert again.step == 2 and again.checkpoint.endswith("DCGAN.model-2")


def test_stop_request_saves_mid_epoch_and_resume_finishes_the_epoch(tiny_options):
    calls = iter([False, True])
    stopped = train(tiny_options, stop_requested=lambda: next(calls, True), log=lambda m: None)
    assert stopped.interrupted and stopped.step == 2 and stopped.epoch == 0
    assert stopped.checkpoint.endswith("DCGAN.model-2")
    finished = train(tiny_options, log=lambda m: None)
    assert (finished.step, finished.epoch) == (3, 1)


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tiny_options):
    train(dataclasses.replace(tiny_options, epoch=1), log=lambda m: None)
    exploding = dataclasses.replace(tiny_options, epoch=50, learning_rate=1e35)
    with pytest.raises(NonFiniteLoss, match="not finite"):
        train(exploding, log=lambda m: None)
    trainer = Trainer(tiny_options)
    path = checkpoints.restore_latest(trainer.checkpoint, tiny_options.checkpoint_dir)
    assert path.endswith("DCGAN.model-3")
    assert all(np.all(np.isfinite(v.numpy())) for v in trainer.generator.variables)


def test_checkpoint_of_another_shape_is_refused(tiny_options):
    train(tiny_options, log=lambda m: None)
    wider = dataclasses.replace(tiny_options, model=dataclasses.replace(tiny_options.model, gf_dim=16))
    with pytest.raises(UserError, match="gf_dim 8.*gf_dim 16"):
        train(wider, log=lambda m: None)


def test_mixed_precision_computes_in_float16_and_keeps_float32_weights(tiny_options):
    import keras
    try:
        trainer = Trainer(dataclasses.replace(tiny_options, mixed_precision=True))
        before = _values(trainer.generator.trainable_variables)
        batch = first_batch(tiny_options)
        for _ in range(3):
            scalars, _ = trainer.train_step(batch)
        assert trainer.generator.g_h1.compute_dtype == "float16"
        assert all(v.dtype == "float32" for v in trainer.generator.variables)
        assert all(np.isfinite(float(v)) for v in scalars.values())
        assert all(not np.array_equal(b, v.numpy())
                   for b, v in zip(before, trainer.generator.trainable_variables))
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_heldout_faces_are_not_trained_on_and_d_heldout_is_logged(tiny_options):
    logs = []
    result = train(dataclasses.replace(tiny_options, heldout=16), log=logs.append)
    assert any("training on 32 images" in line for line in logs)
    assert result.step == 2  # 32 of the 48 images, batch 16
    tags, _ = _tags_and_plugins(tiny_options.log_dir)
    assert {"d_heldout", "d_train_fixed"} <= tags


def test_a_damaged_newest_checkpoint_falls_back_to_the_one_before(tiny_options):
    options = dataclasses.replace(tiny_options, save_every=1, epoch=1)
    train(options, log=lambda m: None)
    newest = tf.train.latest_checkpoint(options.checkpoint_dir)
    data_file = next(p for p in glob.glob(newest + ".data*"))
    raw = bytearray(open(data_file, "rb").read())
    open(data_file, "wb").write(bytes(raw[:len(raw) // 3]))
    logs = []
    result = train(dataclasses.replace(options, epoch=2), log=logs.append)
    assert any("skipped a damaged checkpoint" in line and newest in line for line in logs)
    assert any("resuming from" in line and "DCGAN.model-2" in line for line in logs)
    assert result.step == 6  # resumed at step 2 of epoch 1's 3, then the rest of it and epoch 2
