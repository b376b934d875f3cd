"""What a person watches of a training run: the progress bar, TensorBoard's summaries, the
sample grids, and the check that the losses stay finite."""

import os
import time

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from dcgan.training import distribute
from dcgan.utils import images


class NonFiniteLoss(Exception):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


class Watch:
    """What a person watches of a run: the progress bar, images/s, and the step's graph once."""

    def __init__(self, trainer, faces):
        self.trainer = trainer
        options = trainer.options
        total = options.epoch * faces.steps_per_epoch
        if options.max_steps:
            total = min(total, options.max_steps)
        self.first_step = int(trainer.step.numpy()) + 1
        self.bar = tqdm(total=total, initial=self.first_step - 1, unit="step", dynamic_ncols=True,
                        disable=not options.progress, desc=trainer.epoch_label())
        self.tick = time.perf_counter()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()

    def step(self, real):
        """One train step; the first of a run also writes its graph to TensorBoard."""
        if self.trainer.step.numpy() + 1 == self.first_step:
            tf.summary.trace_on(graph=True)
            result = self.trainer.train_step(real)
            tf.summary.trace_export("train_step", step=self.first_step)
            return result
        return self.trainer.train_step(real)

    def done(self, scalars):
        """Advances the bar; returns images/s since the previous step."""
        now = time.perf_counter()
        speed = self.trainer.options.batch_size / max(now - self.tick, 1e-9)
        self.tick = now
        self.bar.set_description(self.trainer.epoch_label(), refresh=False)
        self.bar.set_postfix_str(_format({**scalars, "images_per_s": speed}), refresh=False)
        self.bar.update(1)
        return speed


def record(trainer, watch, scalars, tensors, watched, saver):
    """After a step: checks the losses, writes summaries, samples and checkpoints when due."""
    options = trainer.options
    step = int(trainer.step.numpy())
    scalars = {k: float(v) for k, v in scalars.items()}
    scalars["images_per_s"] = watch.done(scalars)
    if not all(np.isfinite(v) for v in scalars.values()):
        raise NonFiniteLoss(f"loss is not finite at step {step} ({_format(scalars)}); stopped. "
                            f"The last good checkpoint is {saver.last or 'none (none was written yet)'}")
    _write_scalars(scalars, step)
    first = step == watch.first_step
    if first or step % options.hist_every == 0:
        _write_histograms(trainer, tensors, step)
        _write_overfitting(trainer, watched, step)
    if (first or step % options.sample_every == 0) and distribute.is_chief(trainer.strategy):
        write_samples(trainer)
    if step % options.save_every == 0:
        saver.save()


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


def _write_overfitting(trainer, watched, step):
    if watched is not None:
        heldout, training = watched
        tf.summary.scalar("d_heldout", trainer.d_mean(heldout), step=step)
        tf.summary.scalar("d_train_fixed", trainer.d_mean(training), step=step)


def write_samples(trainer):
    """The fixed-z grid as train_EE_SSSS.png (the original's 0-based epoch) and in TensorBoard."""
    step, epoch = int(trainer.step.numpy()), int(trainer.epoch.numpy())
    if trainer.epoch_step.numpy() == 0 and epoch > 0:
        epoch -= 1  # the last step of an epoch belongs to it
    samples = trainer.samples()
    images.save_grid(samples.numpy(), os.path.join(
        trainer.options.sample_dir, f"train_{epoch:02d}_{step:04d}.png"))
    tf.summary.image("G", (samples + 1.0) / 2.0, step=step, max_outputs=8)
