"""A training run: the data, the `Trainer`, its checkpoints, and the epochs to the end or a stop.

Read top to bottom: `train` sets up data, the trainer (trainer.py) and the
checkpoint, then runs epochs of the train step; progress.py writes what a
person watches (the bar, TensorBoard, sample grids) as it goes.
"""

import contextlib
import dataclasses

import tensorflow as tf

from dcgan.errors import OptionError
from dcgan.modeling import checkpoints
from dcgan.training import data, distribute
from dcgan.training.progress import Watch, record, write_samples
from dcgan.training.trainer import Trainer
from dcgan.utils.files import FolderLock


@dataclasses.dataclass
class TrainResult:
    step: int
    epoch: int
    interrupted: bool
    checkpoint: str
    trained: bool = True  # False: the checkpoint had already reached the end asked for


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
    if strategy is None:  # first: a multi-worker strategy must exist before any other TF op
        devices = [f"/gpu:{i.strip()}" for i in options.gpus.split(",")] if options.gpus else None
        strategy = distribute.make_strategy(options.strategy, devices)
    checkpoints.check_config(options.checkpoint_dir, options.model)
    if (options.mixed_precision or options.xla) and not tf.config.list_logical_devices("GPU"):
        raise OptionError("mixed_precision" if options.mixed_precision else "xla",
                          "needs a GPU; none is visible (pip install 'tensorflow[and-cuda]==2.21.*' "
                          "for CUDA)")
    with _lock(options, strategy):  # before reading the images: a second run is refused at once
        trainer = Trainer(options, strategy)
        restored = trainer.restore(options.checkpoint_dir, log)
        if restored and trainer.done():  # told before the images are read for nothing
            log(f"nothing to train: {restored} is at {trainer.position()}, the end this run asks "
                "for; raise the epochs or the step limit to go on")
            return TrainResult(int(trainer.step.numpy()), int(trainer.epoch.numpy()), False, restored,
                               trained=False)
        faces = data.prepare_training_data(options, log)
        return _run(trainer, faces, restored, stop_requested, log)


def _lock(options, strategy):
    """One run per checkpoint folder (the chief's lock; the other workers write scratch folders)."""
    if not distribute.is_chief(strategy):
        return contextlib.nullcontext()
    return FolderLock(options.checkpoint_dir, "wait for that training run to stop, or train into "
                                              "another folder")


def _run(trainer, faces, restored, stop_requested, log):
    """The epochs of `train`, from the restored checkpoint (or none) to the end, a stop or --max_steps."""
    options = trainer.options
    saver = _start(trainer, faces, restored, log)
    chief = distribute.is_chief(trainer.strategy)
    writer = tf.summary.create_file_writer(options.log_dir) if chief else tf.summary.create_noop_writer()
    stopped = False
    with writer.as_default(), Watch(trainer, faces) as watch:
        while not stopped and not trainer.done():
            for real in trainer.rest_of_epoch(faces):
                scalars, tensors = watch.step(real)
                record(trainer, watch, scalars, tensors, faces.watched, saver)
                stopped = stop_requested()
                if stopped or trainer.done():
                    break
            if trainer.epoch_finished(faces):  # also when --max_steps stops on its last step
                trainer.end_epoch()
                saver.save()
        if chief:
            write_samples(trainer)
        path = saver.save()
    return TrainResult(int(trainer.step.numpy()), int(trainer.epoch.numpy()), stopped, path)


def _start(trainer, faces, restored, log):
    """Writes the config and this run's flags beside the checkpoints, says what runs.

    Returns:
      The run's `checkpoints.Saver`.
    """
    options = trainer.options
    for optimizer in (trainer.g_optimizer, trainer.d_optimizer):
        optimizer.learning_rate.assign(options.learning_rate)  # the flag wins over the checkpoint
    if distribute.is_chief(trainer.strategy):
        options.model.save(options.checkpoint_dir)
        checkpoints.save_training_options(options, options.checkpoint_dir, int(trainer.step.numpy()),
                                          data.count_by_folder(faces.files, options.dataset))
    if restored:
        log(f"resuming from {restored}: {trainer.position()}")
    log(f"training on {faces.count} images from {options.dataset}: {options.model.describe()}, "
        f"batch {options.batch_size}, {faces.steps_per_epoch} steps per epoch, "
        f"{trainer.strategy.num_replicas_in_sync} replica(s), {trainer.precision}")
    directory = distribute.worker_checkpoint_dir(trainer.strategy, options.checkpoint_dir)
    return checkpoints.Saver(trainer.checkpoint, directory, restored, trainer.step, trainer.epoch)
