"""G and D for the z search, with inference-mode batch norm folded into the layer before it.

In inference mode batch norm is a per-channel affine map, a * x + b, with
a = gamma / sqrt(moving_variance + epsilon) and b = beta - a * moving_mean.
Scaling the previous layer's output channels by a and shifting its bias gives
the same function with one elementwise pass less per layer. The search needs
gradients with respect to z only, so the folded weights are constants,
computed once per model, and so are the layers' own forms of them
(`ops.fixed_conv2d`). With `dtype` bfloat16 the layers run in bfloat16 (their
weights cast once) and take and give float32 (the losses and z stay float32).
"""

import tensorflow as tf

import ops


def _affine(batch_norm):
    """(a, b) of a Keras batch-norm layer in inference mode."""
    a = batch_norm.gamma / tf.sqrt(batch_norm.moving_variance + batch_norm.epsilon)
    return a, batch_norm.beta - a * batch_norm.moving_mean


class FoldedGenerator(tf.Module):
    """`Generator(z, training=False)` as constants: linear, then transposed convolutions."""

    def __init__(self, generator, dtype=tf.float32):
        super().__init__(name="folded_generator")
        self.dtype = dtype
        n, base = generator.num_layers, generator.base_channels
        a, b = _affine(generator.g_bn0)
        spatial = tf.size(generator.g_h0_lin.bias) // base  # 16 positions of the 4x4 map, channels last
        self.base = base
        self.linear = tuple(tf.cast(w, dtype) for w in (  # in the layers' dtype: only they use it
            generator.g_h0_lin.kernel * tf.tile(a, [spatial]),
            generator.g_h0_lin.bias * tf.tile(a, [spatial]) + tf.tile(b, [spatial])))
        self.convs = []
        for i in range(1, n + 1):
            layer = getattr(generator, f"g_h{i}")
            if i < n:
                a, b = _affine(getattr(generator, f"g_bn{i}"))
                kernel, bias = layer.kernel * a[None, None, :, None], layer.bias * a + b
            else:
                kernel, bias = layer.kernel, layer.bias
            self.convs.append((tf.constant(kernel), tf.constant(bias)))
        self.layers = [ops.fixed_conv2d_transpose(tf.cast(kernel, dtype)) for kernel, _ in self.convs]
        self.biases = [tf.cast(bias, dtype) for _, bias in self.convs]

    def features(self, z, layers):
        """The activations (float32) after the linear layer and the first `layers` transposed convolutions."""
        return tf.cast(self._features(z, layers), tf.float32)

    def _features(self, z, layers):
        kernel, bias = self.linear
        x = tf.nn.relu(tf.reshape(tf.matmul(tf.cast(z, self.dtype), kernel) + bias, [-1, 4, 4, self.base]))
        for layer, bias in zip(self.layers[:layers], self.biases):
            x = tf.nn.relu(tf.nn.bias_add(layer(x), bias))
        return x

    def __call__(self, z):
        x = self._features(z, len(self.layers) - 1)
        x = tf.nn.bias_add(self.layers[-1](x), self.biases[-1])
        return tf.tanh(tf.cast(x, tf.float32))


class FoldedDiscriminator(tf.Module):
    """`Discriminator(images, training=False)` as constants: convolutions, then one logit."""

    def __init__(self, discriminator, dtype=tf.float32):
        super().__init__(name="folded_discriminator")
        self.dtype = dtype
        n = discriminator.num_layers
        self.convs = []
        for i in range(n):
            layer = getattr(discriminator, f"d_h{i}_conv")
            kernel, bias = layer.kernel, layer.bias
            if i > 0:
                a, b = _affine(getattr(discriminator, f"d_bn{i}"))
                kernel, bias = kernel * a, bias * a + b
            self.convs.append((tf.constant(kernel), tf.constant(bias)))
        self.layers = [ops.fixed_conv2d(tf.cast(kernel, dtype)) for kernel, _ in self.convs]
        self.biases = [tf.cast(bias, dtype) for _, bias in self.convs]
        linear = getattr(discriminator, f"d_h{n - 1}_lin")
        self.linear = (tf.constant(linear.kernel), tf.constant(linear.bias))

    def __call__(self, images):
        """The logits (float32) of float32 images."""
        x = tf.cast(images, self.dtype)
        for layer, bias in zip(self.layers, self.biases):
            x = ops.lrelu(tf.nn.bias_add(layer(x), bias))
        kernel, bias = self.linear
        x = tf.cast(tf.reshape(x, [tf.shape(x)[0], -1]), tf.float32)
        return tf.squeeze(tf.matmul(x, kernel) + bias, axis=1)
