"""Training checkpoints: G, D, both optimizers and the counters, with the model config beside them."""

import os

import tensorflow as tf

from dcgan.config import ModelConfig
from dcgan.errors import UserError

CHECKPOINT_NAME = "DCGAN.model"


def check_config(directory, config):
    """Refuses a checkpoint folder that holds a model of another shape.

    Args:
      directory: the checkpoint folder.
      config: the `ModelConfig` of this run.

    Raises:
      UserError: naming both shapes.
    """
    saved = ModelConfig.load(directory)
    if saved is not None and saved != config:
        raise UserError(
            f"the checkpoint in {directory} is a model of {saved.describe()}; this run asks "
            f"for {config.describe()}: pass the same flags, or another --checkpoint_dir")


def has_checkpoint(directory):
    return tf.train.latest_checkpoint(directory) is not None


def make_manager(checkpoint, directory, max_to_keep=3):
    """A `tf.train.CheckpointManager` writing `DIR/DCGAN.model-STEP` as the original did."""
    return tf.train.CheckpointManager(
        checkpoint, directory, max_to_keep=max_to_keep, checkpoint_name=CHECKPOINT_NAME)


def restore_latest(checkpoint, directory):
    """Restores the newest checkpoint in `directory`, if any, checking that every value matched.

    Returns:
      The path restored from, or None when the folder holds none.
    """
    path = tf.train.latest_checkpoint(directory)
    if path is None:
        return None
    try:
        checkpoint.restore(path).assert_existing_objects_matched()
    except (AssertionError, ValueError, tf.errors.OpError) as e:
        raise UserError(f"cannot restore {path}: {str(e).splitlines()[0]}") from None
    return path


def weights_checkpoint(generator, discriminator):
    """The part of a training checkpoint that completion needs: G and D, no optimizer."""
    return tf.train.Checkpoint(generator=generator, discriminator=discriminator)


def checkpoint_dir_exists(directory):
    return os.path.isdir(directory)
