"""The original DCGAN's layer helpers (`ops.py` of carpedm20/bamos) as Keras 3 layers.

Variables keep the original's names and layouts (`Matrix`/`bias`, `w`/`biases`,
transposed-conv kernels as [h, w, out, in]) so that TF1 checkpoints map onto them
by name, and weights move freely between implementations of the same layer.
"""

import contextlib
import hashlib
import json
import os
import platform
import tempfile

import keras
import tensorflow as tf

from ops import fast_conv
from ops.cpuinfo import cpuinfo_line

KERNEL_SIZE = 5
STRIDE = 2
INIT_STDDEV = 0.02
IMPLEMENTATIONS = ("auto", "native", "fast", "edges")
_implementation = "auto"
_cpu_choice = None
OPS_VARIABLE = "DCGAN_OPS"  # native, fast or edges: overrides the CPU's probe


def set_implementation(name):
    """Chooses the strided convolutions.

    `native`: TF's ops. `fast`: ops/fast_conv.py everywhere (no Conv2DBackpropInput).
    `edges`: fast_conv only for the layers next to the image (3 channels), where the
    native op is slowest. `auto`: native with a GPU (cuDNN); on the CPU `fast` where
    a probe finds the native transposed convolution slower than the sub-pixel form,
    else `edges`, probed once per machine and kept (`probe_cache_path`; $DCGAN_OPS
    overrides it), so that a machine's runs give the same bytes. Read when a function
    is traced; the weights are the same for all.
    """
    global _implementation
    if name not in IMPLEMENTATIONS:
        raise ValueError(f"unknown implementation {name}; one of {IMPLEMENTATIONS}")
    _implementation = name


def use_fast_ops(image_side_channels):
    """Whether a layer whose image-side tensor has `image_side_channels` channels runs fast_conv."""
    choice = _implementation
    if choice == "auto":
        choice = "native" if tf.config.list_logical_devices("GPU") else _probe_cpu()
    if choice == "edges":
        return image_side_channels <= 4
    return choice == "fast"


def _probe_cpu():
    """The CPU's choice: $DCGAN_OPS if set, else the probe's, made once per machine and kept
    in a cache file, so that every run on this machine computes the same bytes."""
    global _cpu_choice
    if _cpu_choice is None:
        _cpu_choice = os.environ.get(OPS_VARIABLE) or _cached_probe()
        if _cpu_choice not in IMPLEMENTATIONS[1:]:
            raise ValueError(f"${OPS_VARIABLE} is {_cpu_choice}; one of {IMPLEMENTATIONS[1:]}")
    return _cpu_choice


def probe_cache_path():
    """Where this machine's probe result is kept: one file per CPU model, its flags and TF."""
    cpu = platform.processor() + cpuinfo_line("model name") + cpuinfo_line("flags")
    key = hashlib.sha256(f"{cpu}|{tf.__version__}".encode()).hexdigest()[:16]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "dcgan-completion", f"ops-{key}.json")


def _cached_probe():
    path = probe_cache_path()
    with contextlib.suppress(OSError, ValueError, KeyError):
        with open(path) as f:
            return json.load(f)["implementation"]
    with tf.init_scope():  # eager, even while a tf.function is being traced
        choice = "fast" if fast_conv.native_transpose_is_slow() else "edges"
    with contextlib.suppress(OSError):  # a read-only home probes in every process, as before
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(path), delete=False) as f:
            json.dump({"implementation": choice}, f)
        os.replace(f.name, path)
    return choice


class _KernelAndBias(keras.layers.Layer):
    """A kernel and a bias, named as the original's variables, initialised as the original."""

    kernel_name, bias_name = "w", "biases"

    def __init__(self, width, stddev=INIT_STDDEV, **kwargs):
        super().__init__(**kwargs)
        self.width = width  # units or output channels
        self.stddev = stddev

    def _add_weights(self, kernel_shape, initializer):
        self.kernel = self.add_weight(name=self.kernel_name, shape=kernel_shape,
                                      initializer=initializer(stddev=self.stddev))
        self.bias = self.add_weight(name=self.bias_name, shape=(self.width,), initializer="zeros")


class Linear(_KernelAndBias):
    """Fully connected layer, weights N(0, 0.02), bias 0."""

    kernel_name, bias_name = "Matrix", "bias"

    def build(self, input_shape):
        self._add_weights((int(input_shape[-1]), self.width), keras.initializers.RandomNormal)

    def call(self, x):
        return tf.matmul(x, self.kernel) + self.bias


class Conv2D(_KernelAndBias):
    """5x5 stride-2 'SAME' convolution, weights truncated N(0, 0.02), as the original D."""

    def build(self, input_shape):
        self._add_weights((KERNEL_SIZE, KERNEL_SIZE, int(input_shape[-1]), self.width),
                          keras.initializers.TruncatedNormal)

    def call(self, x):
        return tf.nn.bias_add(conv2d(x, tf.convert_to_tensor(self.kernel)), self.bias)


class Conv2DTranspose(_KernelAndBias):
    """5x5 stride-2 'SAME' transposed convolution doubling height and width, weights N(0, 0.02).

    The kernel is [h, w, out_channels, in_channels], as `tf.nn.conv2d_transpose` takes it.
    """

    def build(self, input_shape):
        self._add_weights((KERNEL_SIZE, KERNEL_SIZE, self.width, int(input_shape[-1])),
                          keras.initializers.RandomNormal)

    def call(self, x):
        return tf.nn.bias_add(conv2d_transpose(x, tf.convert_to_tensor(self.kernel)), self.bias)


def conv2d(x, kernel):
    """5x5 stride-2 'SAME' convolution by the chosen implementation; kernel [h, w, in, out]."""
    if use_fast_ops(int(kernel.shape[2])):
        return fast_conv.conv2d(x, kernel)
    return tf.nn.conv2d(x, kernel, strides=STRIDE, padding="SAME")


def conv2d_transpose(x, kernel):
    """5x5 stride-2 'SAME' transposed convolution by the chosen implementation; kernel [h, w, out, in]."""
    width = int(kernel.shape[2])
    if use_fast_ops(width):
        return fast_conv.conv2d_transpose(x, kernel)
    shape = tf.shape(x)
    out_shape = tf.stack([shape[0], shape[1] * STRIDE, shape[2] * STRIDE, width])
    return tf.nn.conv2d_transpose(x, kernel, out_shape, strides=STRIDE, padding="SAME")


def fixed_conv2d(kernel):
    """`x -> conv2d(x, kernel)` for a constant kernel, gradients for x only: the z search's layers."""
    if use_fast_ops(int(kernel.shape[2])):
        return fast_conv.fixed_conv2d(kernel)
    return lambda x: conv2d(x, kernel)


def fixed_conv2d_transpose(kernel):
    """`x -> conv2d_transpose(x, kernel)` for a constant kernel, gradients for x only."""
    if use_fast_ops(int(kernel.shape[2])):
        return fast_conv.fixed_conv2d_transpose(kernel)
    return lambda x: conv2d_transpose(x, kernel)


def batch_norm(name, synchronized=False):
    """Batch norm with the original's epsilon 1e-5 and moving-average decay 0.9.

    Args:
      name: layer name (the original's `g_bn0`, `d_bn1`, ...).
      synchronized: average the batch statistics over all replicas of a
        `tf.distribute` strategy, so several devices train as one.
    """
    return keras.layers.BatchNormalization(
        momentum=0.9, epsilon=1e-5, synchronized=synchronized, name=name)


def lrelu(x, leak=0.2):
    """Leaky ReLU with the original's slope 0.2."""
    return tf.nn.leaky_relu(x, alpha=leak)
