"""Training the DCGAN: one D update and two G updates per batch, compiled, resumable.

Read top to bottom: `train` sets up data, models, optimizers, checkpoint and
TensorBoard writer, then runs epochs of `train_step`, writing summaries,
sample grids and checkpoints as it goes.
"""

import dataclasses
import os
import random
import time

import keras
import numpy as np
import tensorflow as tf
from tqdm import tqdm

from dcgan import checkpoints, data, distribute, images
from dcgan.config import ModelConfig
from dcgan.errors import UserError, name_some
from dcgan.model import build_models

SAMPLE_COUNT = 64


@dataclasses.dataclass
class TrainOptions:
    """Everything a training run needs; the flags of `train_dcgan.py`."""

    dataset: str
    model: ModelConfig = ModelConfig()
    epoch: int = 25
    learning_rate: float = 0.0002
    beta1: float = 0.5
    train_size: int = 0
    batch_size: int = 64
    is_crop: bool = False
    crop_size: int = 108
    checkpoint_dir: str = "checkpoint"
    sample_dir: str = "samples"
    log_dir: str = "logs"
    sample_every: int = 100
    save_every: int = 500
    hist_every: int = 100
    seed: int = 0
    max_steps: int = 0
    mixed_precision: bool = False
    xla: bool = False
    progress: bool = True
    flip: bool = False
    ema: float = 0.0
    heldout: int = 0


class NonFiniteLoss(Exception):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


@dataclasses.dataclass
class TrainResult:
    step: int
    epoch: int
    interrupted: bool
    checkpoint: str


def sigmoid_cross_entropy(label, logits):
    """Per-image sigmoid cross entropy against a constant label (0 or 1)."""
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(logits), label), logits=logits)


def sample_z(seed, step, batch_size, z_dim):
    """z ~ U[-1, 1], a function of (seed, step): resumed and multi-device runs draw the same z."""
    seeds = tf.stack([tf.cast(seed, tf.int64), tf.cast(step, tf.int64)])
    return tf.random.stateless_uniform([batch_size, z_dim], seeds, minval=-1.0, maxval=1.0)


class Trainer:
    """G, D, their optimizers and the compiled train step, under one `tf.distribute` strategy."""

    def __init__(self, options, strategy=None):
        self.options = options
        self.strategy = strategy or tf.distribute.get_strategy()
        config = options.model
        keras.mixed_precision.set_global_policy("mixed_float16" if options.mixed_precision else "float32")
        with self.strategy.scope():
            sync = self.strategy.num_replicas_in_sync > 1
            self.generator, self.discriminator = build_models(config, sync_batch_norm=sync)
            self.g_optimizer = self._adam()
            self.d_optimizer = self._adam()
            self.g_optimizer.build(self.generator.trainable_variables)
            self.d_optimizer.build(self.discriminator.trainable_variables)
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
            self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
            self.epoch_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch_step")
            self.images_seen = tf.Variable(0, dtype=tf.int64, trainable=False, name="images_seen")
            self.ema_generator = build_models(config)[0] if options.ema else None
        tracked = dict(
            generator=self.generator, discriminator=self.discriminator,
            generator_optimizer=self.g_optimizer, discriminator_optimizer=self.d_optimizer,
            step=self.step, epoch=self.epoch, epoch_step=self.epoch_step,
            images_seen=self.images_seen)
        self._without_ema = tf.train.Checkpoint(**tracked)
        if self.ema_generator is not None:
            tracked["ema_generator"] = self.ema_generator
            self.reset_ema()
        self.checkpoint = tf.train.Checkpoint(**tracked)
        self.sample_z = sample_z(options.seed, -1, SAMPLE_COUNT, config.z_dim)
        self.train_step = tf.function(self._train_step, jit_compile=options.xla)

    def _adam(self):
        adam = keras.optimizers.Adam(
            learning_rate=self.options.learning_rate, beta_1=self.options.beta1, epsilon=1e-8)
        return keras.optimizers.LossScaleOptimizer(adam) if self.options.mixed_precision else adam

    def _scaled(self, optimizer, loss):
        """The loss to differentiate: scaled under mixed precision (apply_gradients unscales)."""
        return optimizer.scale_loss(loss) if self.options.mixed_precision else loss

    def _replica_step(self, real, step):
        """One D update and two G updates on this replica's share of the batch."""
        global_batch = self.options.batch_size
        context = tf.distribute.get_replica_context()
        local_batch = tf.shape(real)[0]
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * local_batch
        z = sample_z(self.options.seed, step, global_batch, self.options.model.z_dim)
        z = z[start:start + local_batch]
        average = lambda x: tf.nn.compute_average_loss(x, global_batch_size=global_batch)
        G, D = self.generator, self.discriminator

        fake = G(z, training=True)  # outside the tape: D's update needs no gradient through G
        logits = lambda images: tf.cast(D(images, training=True), tf.float32)
        with tf.GradientTape() as tape:
            real_logits = logits(real)
            fake_logits = logits(fake)
            d_loss_real = average(sigmoid_cross_entropy(1.0, real_logits))
            d_loss_fake = average(sigmoid_cross_entropy(0.0, fake_logits))
            d_loss = d_loss_real + d_loss_fake
            scaled = self._scaled(self.d_optimizer, d_loss)
        grads = tape.gradient(scaled, D.trainable_variables)
        self.d_optimizer.apply_gradients(zip(grads, D.trainable_variables))

        for _ in range(2):  # two G updates per D update, as the original
            with tf.GradientTape() as tape:
                g_loss = average(sigmoid_cross_entropy(1.0, logits(G(z, training=True))))
                scaled = self._scaled(self.g_optimizer, g_loss)
            grads = tape.gradient(scaled, G.trainable_variables)
            self.g_optimizer.apply_gradients(zip(grads, G.trainable_variables))

        scalars = {
            "d_loss": d_loss, "d_loss_real": d_loss_real, "d_loss_fake": d_loss_fake,
            "g_loss": g_loss, "d_real": average(tf.sigmoid(real_logits)),
            "d_fake": average(tf.sigmoid(fake_logits)),
        }
        return scalars, {"z": z, "d_real_logits": real_logits, "d_fake_logits": fake_logits}

    def _train_step(self, real):
        """The full step on a distributed batch; returns global scalars and gathered tensors.

        Compiled as `self.train_step`, with XLA only under --xla (slower on the CPU).
        """
        scalars, tensors = self.strategy.run(self._replica_step, args=(real, self.step))
        self.step.assign_add(1)
        self.epoch_step.assign_add(1)
        self.images_seen.assign_add(self.options.batch_size)
        if self.ema_generator is not None:
            self._update_ema()
        scalars = {k: self.strategy.reduce("SUM", v, axis=None) for k, v in scalars.items()}
        tensors = {k: self.strategy.gather(v, axis=0) for k, v in tensors.items()}
        return scalars, tensors

    def restore(self, directory, log):
        """Restores the newest checkpoint in `directory`; returns its path or None.

        A checkpoint of a run without --ema restores into this one with --ema,
        the average starting from its generator.
        """
        path = tf.train.latest_checkpoint(directory)
        if path and self.ema_generator is not None and not checkpoints.holds(path, "ema_generator"):
            checkpoints.restore_latest(self._without_ema, directory)
            self.reset_ema()
            log(f"{path} holds no averaged generator: the average starts from its generator")
            return path
        return checkpoints.restore_latest(self.checkpoint, directory)

    def ema_decay(self):
        """`--ema`, ramped up as `tf.train.ExponentialMovingAverage` does with num_updates.

        Early on the average would otherwise be dominated by the random initial weights.
        """
        step = tf.cast(self.step, tf.float32)
        return tf.minimum(self.options.ema, (1.0 + step) / (10.0 + step))

    def _update_ema(self):
        """Averages every variable of G, its batch-norm statistics included, into the EMA copy."""
        decay = self.ema_decay()
        for average, variable in zip(self.ema_generator.variables, self.generator.variables):
            average.assign(decay * average + (1.0 - decay) * tf.cast(variable, average.dtype))

    def reset_ema(self):
        """Starts the average at G's current weights (a new run, or a checkpoint without one)."""
        for average, variable in zip(self.ema_generator.variables, self.generator.variables):
            average.assign(variable)

    @property
    def sampler(self):
        """The generator to look at: the averaged one under --ema."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def samples(self):
        """G on the fixed sample z, batch norm in inference mode: the picture to watch."""
        return tf.cast(self.sampler(self.sample_z, training=False), tf.float32)

    def d_mean(self, images):
        """D's mean output in inference mode, on a fixed set of real faces."""
        return float(tf.reduce_mean(tf.sigmoid(tf.cast(
            self.discriminator(images, training=False), tf.float32))))


def train(options, stop_requested=lambda: False, strategy=None, log=print):
    """Trains (or resumes training) a DCGAN on a folder of images.

    Args:
      options: a `TrainOptions`.
      stop_requested: polled after every step; when it returns True (Ctrl-C,
        SIGTERM) the run saves a checkpoint and returns.
      strategy: a `tf.distribute.Strategy`, or None for the default device.
      log: where one-line messages go.

    Returns:
      A `TrainResult`.

    Raises:
      UserError: bad folder, too few images, or a checkpoint of another model.
      NonFiniteLoss: a loss became NaN; nothing after the last checkpoint is saved.
    """
    config = options.model
    checkpoints.check_config(options.checkpoint_dir, config)

    files = data.list_images(options.dataset)
    random.Random(options.seed).shuffle(files)
    heldout_files, files = files[:options.heldout], files[options.heldout:]
    if options.train_size:
        files = files[:options.train_size]
    if len(files) < options.batch_size:
        raise UserError(f"{len(files)} images in {options.dataset} are fewer than one "
                        f"batch of {options.batch_size}")
    crop = options.crop_size if options.is_crop else None
    with tqdm(total=len(files), desc="reading images", unit="img", leave=False,
              disable=not options.progress) as bar:
        cached, num_images, unreadable = data.load_images(files, config.image_size, crop, bar.update)
    if unreadable:
        log(f"warning: skipped {len(unreadable)} unreadable file(s): {name_some(unreadable)}")
    batches = data.training_batches(cached, num_images, options.batch_size, options.seed, options.flip)
    steps_per_epoch = num_images // options.batch_size
    watched = _watched_faces(cached, heldout_files, config.image_size, crop)

    trainer = Trainer(options, strategy)
    chief = distribute.is_chief(trainer.strategy)
    restored = trainer.restore(options.checkpoint_dir, log)
    for optimizer in (trainer.g_optimizer, trainer.d_optimizer):
        optimizer.learning_rate.assign(options.learning_rate)  # the flag wins over the checkpoint
    if chief:
        config.save(options.checkpoint_dir)
        checkpoints.save_training_options(options, options.checkpoint_dir, int(trainer.step.numpy()),
                                          data.count_by_folder(files, options.dataset))
    manager = checkpoints.make_manager(
        trainer.checkpoint, distribute.worker_checkpoint_dir(trainer.strategy, options.checkpoint_dir))
    step, epoch = int(trainer.step.numpy()), int(trainer.epoch.numpy())
    if restored:
        log(f"resuming from {restored}: epoch {epoch}, step {step}")
    log(f"training on {num_images} images from {options.dataset}: {config.describe()}, "
        f"batch {options.batch_size}, {steps_per_epoch} steps per epoch, "
        f"{trainer.strategy.num_replicas_in_sync} replica(s)")

    writer = tf.summary.create_file_writer(options.log_dir) if chief else tf.summary.create_noop_writer()
    last_saved, saved_state = restored, _state(trainer)

    def save():
        """Writes a checkpoint unless the newest one already holds this very state."""
        nonlocal last_saved, saved_state
        if last_saved is None or _state(trainer) != saved_state:
            last_saved, saved_state = manager.save(checkpoint_number=trainer.step), _state(trainer)
        return last_saved

    traced = False
    while epoch < options.epoch:
        done_in_epoch = int(trainer.epoch_step.numpy())
        remaining = steps_per_epoch - done_in_epoch
        dataset = trainer.strategy.experimental_distribute_dataset(batches.take(max(remaining, 0)))
        bar = tqdm(total=steps_per_epoch, initial=done_in_epoch, desc=f"epoch {epoch + 1}/{options.epoch}",
                   unit="step", disable=not options.progress, dynamic_ncols=True)
        with bar, writer.as_default():
            tick = time.perf_counter()
            for real in dataset:
                if not traced:
                    tf.summary.trace_on(graph=True)
                scalars, tensors = trainer.train_step(real)
                scalars = {k: float(v) for k, v in scalars.items()}
                step = int(trainer.step.numpy())
                if not traced:
                    tf.summary.trace_export("train_step", step=step)
                    traced = True
                now = time.perf_counter()
                scalars["images_per_s"] = options.batch_size / max(now - tick, 1e-9)
                tick = now
                if not all(np.isfinite(v) for v in scalars.values()):
                    raise NonFiniteLoss(
                        f"loss is not finite at step {step} ({_format(scalars)}); stopped. "
                        f"The last good checkpoint is {last_saved or 'none (none was written yet)'}")
                _write_scalars(scalars, step)
                if step % options.hist_every == 0:
                    _write_histograms(trainer, tensors, step)
                    _write_overfitting(trainer, watched, step)
                if step % options.sample_every == 0 and chief:
                    _write_samples(trainer, options.sample_dir, epoch, step)
                if step % options.save_every == 0:
                    save()
                bar.update(1)
                bar.set_postfix_str(_format(scalars), refresh=False)
                if stop_requested() or (options.max_steps and step >= options.max_steps):
                    path = save()
                    writer.flush()
                    return TrainResult(step, epoch, stop_requested(), path)
        epoch += 1
        trainer.epoch.assign(epoch)
        trainer.epoch_step.assign(0)
        save()
    if chief:
        _write_samples(trainer, options.sample_dir, epoch - 1, step)
    writer.flush()
    return TrainResult(step, epoch, False, save())


def _state(trainer):
    return int(trainer.step.numpy()), int(trainer.epoch.numpy())


def _format(scalars):
    return (f"d_loss {scalars['d_loss']:.3f} g_loss {scalars['g_loss']:.3f} "
            f"D(x) {scalars['d_real']:.2f} D(G(z)) {scalars['d_fake']:.2f} "
            f"{scalars['images_per_s']:.1f} img/s")


def _write_scalars(scalars, step):
    for name, value in scalars.items():
        tf.summary.scalar(name, value, step=step)


def _write_histograms(trainer, tensors, step):
    for name, value in tensors.items():
        tf.summary.histogram(name, value, step=step)
    for variable in trainer.generator.variables + trainer.discriminator.variables:
        tf.summary.histogram(variable.path, variable, step=step)


def _watched_faces(cached, heldout_files, image_size, crop):
    """(held-out faces, as many training faces): D's view of both shows when it over-fits."""
    if not heldout_files:
        return None
    heldout, count, _ = data.load_images(heldout_files, image_size, crop)
    as_batch = lambda images: tf.cast(next(iter(images.batch(count))), tf.float32) / 127.5 - 1.0
    return as_batch(heldout), as_batch(cached.take(count))


def _write_overfitting(trainer, watched, step):
    if watched is not None:
        heldout, training = watched
        tf.summary.scalar("d_heldout", trainer.d_mean(heldout), step=step)
        tf.summary.scalar("d_train_fixed", trainer.d_mean(training), step=step)


def _write_samples(trainer, sample_dir, epoch, step):
    samples = trainer.samples()
    images.save_grid(samples.numpy(), os.path.join(sample_dir, f"train_{epoch:02d}_{step:04d}.png"))
    tf.summary.image("G", (samples + 1.0) / 2.0, step=step, max_outputs=8)
