"""The fast convolutions (no Conv2DBackpropInput) equal TF's native ones, values and gradients."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ops
from dcgan.modeling.config import ModelConfig
from dcgan.modeling.model import build_models
from ops import fast_conv


def _values_and_gradients(function, x, kernel, weights):
    with tf.GradientTape() as tape:
        tape.watch([x, kernel])
        y = function(x, kernel)
        loss = tf.reduce_sum(y * weights)
    return [y.numpy(), *[g.numpy() for g in tape.gradient(loss, [x, kernel])]]


def _assert_close(fast, native):
    """Equal within float32 rounding, relative to each tensor's scale."""
    for a, b in zip(fast, native):
        np.testing.assert_allclose(a, b, atol=1e-5 * np.abs(b).max(), rtol=0)


@pytest.mark.parametrize("size,c_in,c_out", [(4, 32, 16), (2, 8, 16), (8, 16, 8), (16, 8, 3), (2, 4, 4)])
def test_transposed_conv_matches_native(size, c_in, c_out):
    rng = np.random.default_rng(size)
    x = tf.constant(rng.normal(size=(3, size, size, c_in)), tf.float32)
    kernel = tf.constant(rng.normal(0, 0.02, (5, 5, c_out, c_in)), tf.float32)
    weights = tf.constant(rng.normal(size=(3, 2 * size, 2 * size, c_out)), tf.float32)
    native = lambda x, k: tf.nn.conv2d_transpose(x, k, [3, 2 * size, 2 * size, c_out], 2, "SAME")
    _assert_close(_values_and_gradients(fast_conv.conv2d_transpose, x, kernel, weights),
                  _values_and_gradients(native, x, kernel, weights))


@pytest.mark.parametrize("size,c_in,c_out", [(8, 3, 16), (16, 8, 4), (4, 16, 32), (8, 32, 16)])
def test_strided_conv_matches_native(size, c_in, c_out):
    rng = np.random.default_rng(size)
    x = tf.constant(rng.normal(size=(3, size, size, c_in)), tf.float32)
    kernel = tf.constant(rng.normal(0, 0.02, (5, 5, c_in, c_out)), tf.float32)
    weights = tf.constant(rng.normal(size=(3, size // 2, size // 2, c_out)), tf.float32)
    native = lambda x, k: tf.nn.conv2d(x, k, 2, "SAME")
    _assert_close(_values_and_gradients(fast_conv.conv2d, x, kernel, weights),
                  _values_and_gradients(native, x, kernel, weights))


@pytest.mark.parametrize("implementation", ["fast", "edges"])
def test_whole_model_matches_native_with_the_same_weights(implementation):
    keras.utils.set_random_seed(0)  # the same weights every run
    generator, discriminator = build_models(ModelConfig(image_size=32, z_dim=8, gf_dim=4, df_dim=4))
    z = tf.random.stateless_uniform([4, 8], [0, 1], -1, 1)

    @tf.function
    def run(z):  # traced once per implementation
        with tf.GradientTape() as tape:
            tape.watch(z)
            logits = discriminator(generator(z, training=True), training=True)
            loss = tf.reduce_sum(logits)
        variables = generator.trainable_variables + discriminator.trainable_variables
        return [logits, *tape.gradient(loss, [z] + variables)]

    try:
        ops.set_implementation("native")
        native = [t.numpy() for t in run(z)]
        ops.set_implementation(implementation)
        fast = [t.numpy() for t in tf.function(run.python_function)(z)]
    finally:
        ops.set_implementation("auto")
    # A bias right before batch norm has a zero gradient in exact arithmetic: both are rounding noise.
    names = ["logits", "z"] + [v.path for v in generator.trainable_variables + discriminator.trainable_variables]
    before_norm = {f"generator/g_h{i}/biases" for i in range(1, 3)} | {
        f"discriminator/d_h{i}_conv/biases" for i in range(1, 3)}
    largest = max(np.abs(b).max() for b in native)
    for name, a, b in zip(names, fast, native):
        if name in before_norm:
            assert max(np.abs(a).max(), np.abs(b).max()) < 1e-3 * largest, name  # noise, not a gradient
        else:
            _assert_close([a], [b])


@pytest.mark.parametrize("transposed", [True, False])
def test_fixed_kernel_layers_match_native_values_and_input_gradients(transposed):
    rng = np.random.default_rng(7)
    x = tf.constant(rng.normal(size=(2, 8, 8, 16)), tf.float32)
    if transposed:
        kernel = tf.constant(rng.normal(0, 0.02, (5, 5, 16, 16)), tf.float32)
        fixed, native = fast_conv.fixed_conv2d_transpose(kernel), lambda x: tf.nn.conv2d_transpose(
            x, kernel, [2, 16, 16, 16], 2, "SAME")
    else:
        kernel = tf.constant(rng.normal(0, 0.02, (5, 5, 16, 16)), tf.float32)
        fixed, native = fast_conv.fixed_conv2d(kernel), lambda x: tf.nn.conv2d(x, kernel, 2, "SAME")
    weights = tf.constant(rng.normal(size=native(x).shape), tf.float32)

    def values_and_gradient(function):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = function(x)
            loss = tf.reduce_sum(y * weights)
        return [y.numpy(), tape.gradient(loss, x).numpy()]

    _assert_close(values_and_gradient(tf.function(fixed)), values_and_gradient(native))


def test_interleave_is_depth_to_space_of_the_concatenated_phases():
    phases = [tf.random.stateless_normal([2, 3, 5, 4], [i, 0]) for i in range(4)]
    np.testing.assert_array_equal(fast_conv.interleave(phases).numpy(),
                                  tf.nn.depth_to_space(tf.concat(phases, axis=3), 2).numpy())
