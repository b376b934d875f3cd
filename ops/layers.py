"""The original DCGAN's layer helpers (`ops.py` of carpedm20/bamos) as Keras 3 layers.

Variables keep the original's names and layouts (`Matrix`/`bias`, `w`/`biases`,
transposed-conv kernels as [h, w, out, in]) so that TF1 checkpoints map onto them
by name, and weights move freely between implementations of the same layer.
"""

import keras
import tensorflow as tf

KERNEL_SIZE = 5
STRIDE = 2
INIT_STDDEV = 0.02


class Linear(keras.layers.Layer):
    """Fully connected layer, weights N(0, 0.02), bias 0."""

    def __init__(self, units, stddev=INIT_STDDEV, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.stddev = stddev

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="Matrix", shape=(int(input_shape[-1]), self.units),
            initializer=keras.initializers.RandomNormal(stddev=self.stddev))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, x):
        return tf.matmul(x, self.kernel) + self.bias


class Conv2D(keras.layers.Layer):
    """5x5 stride-2 'SAME' convolution, weights truncated N(0, 0.02), as the original D."""

    def __init__(self, filters, stddev=INIT_STDDEV, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.stddev = stddev

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="w", shape=(KERNEL_SIZE, KERNEL_SIZE, int(input_shape[-1]), self.filters),
            initializer=keras.initializers.TruncatedNormal(stddev=self.stddev))
        self.bias = self.add_weight(name="biases", shape=(self.filters,), initializer="zeros")

    def call(self, x):
        y = tf.nn.conv2d(x, self.kernel, strides=STRIDE, padding="SAME")
        return tf.nn.bias_add(y, self.bias)


class Conv2DTranspose(keras.layers.Layer):
    """5x5 stride-2 'SAME' transposed convolution doubling height and width, weights N(0, 0.02).

    The kernel is [h, w, out_channels, in_channels], as `tf.nn.conv2d_transpose` takes it.
    """

    def __init__(self, filters, stddev=INIT_STDDEV, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.stddev = stddev

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="w", shape=(KERNEL_SIZE, KERNEL_SIZE, self.filters, int(input_shape[-1])),
            initializer=keras.initializers.RandomNormal(stddev=self.stddev))
        self.bias = self.add_weight(name="biases", shape=(self.filters,), initializer="zeros")

    def call(self, x):
        shape = tf.shape(x)
        out_shape = tf.stack([shape[0], shape[1] * STRIDE, shape[2] * STRIDE, self.filters])
        y = tf.nn.conv2d_transpose(x, self.kernel, out_shape, strides=STRIDE, padding="SAME")
        return tf.nn.bias_add(y, self.bias)


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
