"""Choosing the `tf.distribute` strategy: one device, all local GPUs, or several machines.

TensorFlow's own engines do the work (MirroredStrategy, MultiWorkerMirroredStrategy);
this module only picks one and says which worker writes the outputs.
"""

import json
import os

import tensorflow as tf

from dcgan.errors import OptionError
from dcgan.options import STRATEGIES


def make_strategy(kind="auto", devices=None):
    """The strategy for `kind`.

    Args:
      kind: `auto` (multiworker when TF_CONFIG is set, mirrored when several
        GPUs are visible, else one), `one` (the default device), `mirrored`
        (all local GPUs, or `devices`), `multiworker` (the cluster in TF_CONFIG).
      devices: device names for `mirrored`, e.g. ["/gpu:0", "/gpu:1"].

    Returns:
      A `tf.distribute.Strategy`.
    """
    if kind == "auto":
        if os.environ.get("TF_CONFIG"):
            kind = "multiworker"
        elif devices or len(tf.config.list_logical_devices("GPU")) > 1:
            kind = "mirrored"
        else:
            kind = "one"
    if kind == "one":
        return tf.distribute.get_strategy()
    if kind == "mirrored":
        return tf.distribute.MirroredStrategy(devices or None)
    if kind == "multiworker":
        if not os.environ.get("TF_CONFIG"):
            raise OptionError("strategy", "multiworker needs TF_CONFIG (docs/training.md: more GPUs and machines)")
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise OptionError("strategy", f"must be one of {', '.join(STRATEGIES)}, not {kind}")


def is_chief(strategy):
    """Whether this process writes checkpoints, samples and logs: the chief, or worker 0 without one."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def worker_checkpoint_dir(strategy, checkpoint_dir):
    """Every worker takes part in saving; the others write to a scratch folder beside the real one."""
    if is_chief(strategy):
        return checkpoint_dir
    resolver = strategy.cluster_resolver
    return os.path.join(checkpoint_dir, f".{resolver.task_type}_{resolver.task_id}")
