"""G, D, their optimizers and the compiled train step: one D update and two G updates per batch."""

import keras
import tensorflow as tf

from dcgan.modeling import checkpoints, precision
from dcgan.modeling.model import build_models

SAMPLE_COUNT = 64


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
        self.precision = precision.resolve(options.precision, bool(tf.config.list_logical_devices("GPU")))
        keras.mixed_precision.set_global_policy(
            precision.keras_policy(self.precision, options.mixed_precision))
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

    @staticmethod
    def _apply(optimizer, tape, scaled, model):
        """One optimizer step of `model` on the gradient of the (scaled) loss the tape recorded."""
        grads = tape.gradient(scaled, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    def _replica_step(self, real, step):
        """One D update and two G updates on this replica's share of the batch.

        G's first update reuses the forward pass that made D's fakes (G has not
        changed in between): two G forward passes a step where the original ran
        three, for the same gradients.
        """
        global_batch = self.options.batch_size
        context = tf.distribute.get_replica_context()
        local_batch = tf.shape(real)[0]
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * local_batch
        z = sample_z(self.options.seed, step, global_batch, self.options.model.z_dim)
        z = z[start:start + local_batch]
        average = lambda x: tf.nn.compute_average_loss(x, global_batch_size=global_batch)
        G = self.generator

        with tf.GradientTape() as g_tape:
            fake = G(z, training=True)
            with g_tape.stop_recording():  # D's update needs no gradient through G
                scalars, real_logits, fake_logits = self._update_d(real, fake, average)
            g_loss = average(sigmoid_cross_entropy(1.0, self._logits(fake)))  # D as just updated
            scaled = self._scaled(self.g_optimizer, g_loss)
        self._apply(self.g_optimizer, g_tape, scaled, G)

        with tf.GradientTape() as g_tape:  # the second G update, as the original: G as just updated
            g_loss = average(sigmoid_cross_entropy(1.0, self._logits(G(z, training=True))))
            scaled = self._scaled(self.g_optimizer, g_loss)
        self._apply(self.g_optimizer, g_tape, scaled, G)

        scalars["g_loss"] = g_loss
        return scalars, {"z": z, "d_real_logits": real_logits, "d_fake_logits": fake_logits}

    def _logits(self, images):
        """D's logits in training mode, in float32 whatever the step's precision."""
        return tf.cast(self.discriminator(images, training=True), tf.float32)

    def _update_d(self, real, fake, average):
        """D's update; returns its scalars and its logits of the real and the generated faces."""
        with tf.GradientTape() as tape:
            real_logits = self._logits(real)
            fake_logits = self._logits(fake)
            d_loss_real = average(sigmoid_cross_entropy(1.0, real_logits))
            d_loss_fake = average(sigmoid_cross_entropy(0.0, fake_logits))
            d_loss = d_loss_real + d_loss_fake
            scaled = self._scaled(self.d_optimizer, d_loss)
        self._apply(self.d_optimizer, tape, scaled, self.discriminator)
        scalars = {"d_loss": d_loss, "d_loss_real": d_loss_real, "d_loss_fake": d_loss_fake,
                   "d_real": average(tf.sigmoid(real_logits)), "d_fake": average(tf.sigmoid(fake_logits))}
        return scalars, real_logits, fake_logits

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
        path = next(iter(checkpoints.saved_checkpoints(directory)), None)
        if path and self.ema_generator is not None and not checkpoints.holds(path, "ema_generator"):
            path = checkpoints.restore_latest(self._without_ema, directory, log)
            self.reset_ema()
            log(f"{path} holds no averaged generator: the average starts from its generator")
            return path
        return checkpoints.restore_latest(self.checkpoint, directory, log)

    def done(self):
        """Whether the run has trained all --epoch epochs, or --max_steps steps."""
        max_steps = self.options.max_steps
        return (int(self.epoch.numpy()) >= self.options.epoch
                or bool(max_steps and int(self.step.numpy()) >= max_steps))

    def rest_of_epoch(self, faces):
        """The batches left in the current epoch (all of them, unless resumed mid-epoch)."""
        remaining = faces.steps_per_epoch - int(self.epoch_step.numpy())
        return self.strategy.experimental_distribute_dataset(faces.batches.take(max(remaining, 0)))

    def epoch_finished(self, faces):
        """Whether every batch of the current epoch has been trained."""
        return int(self.epoch_step.numpy()) >= faces.steps_per_epoch

    def end_epoch(self):
        self.epoch.assign_add(1)
        self.epoch_step.assign(0)

    def epoch_label(self):
        """'epoch 3/25': the one numbering of progress bars and messages (1-based epochs)."""
        return f"epoch {min(int(self.epoch.numpy()) + 1, self.options.epoch)}/{self.options.epoch}"

    def position(self):
        """'epoch 3/25, step 1234'."""
        return f"{self.epoch_label()}, step {int(self.step.numpy())}"

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
