"""The original DCGAN generator and discriminator, for any power-of-two image size.

Layer names follow the original TF1 code (`g_h0_lin`, `g_bn0`, `g_h1`, ...,
`d_h0_conv`, `d_bn1`, ..., `d_h3_lin`), so its checkpoints map onto ours by name.
"""

import keras
import tensorflow as tf

import ops


class Generator(keras.Model):
    """z in [-1, 1]^z_dim -> image in [-1, 1].

    A linear layer to 4x4 x (gf_dim * 2^(n-1)), then n 5x5 stride-2 transposed
    convolutions halving the channels down to gf_dim (batch norm + ReLU), the
    last one to c_dim with tanh. For 64x64, n = 4 and the 4x4 map has gf_dim*8
    channels, exactly the original.
    """

    def __init__(self, config, sync_batch_norm=False, **kwargs):
        super().__init__(name="generator", **kwargs)
        n = config.num_layers
        self.num_layers = n
        self.base_channels = config.gf_dim * 2 ** (n - 1)
        _add(self, ops.Linear(4 * 4 * self.base_channels, name="g_h0_lin"))
        for i in range(n):
            _add(self, ops.batch_norm(f"g_bn{i}", sync_batch_norm))
        for i in range(1, n + 1):
            width = config.gf_dim * 2 ** (n - 1 - i) if i < n else config.c_dim
            _add(self, ops.Conv2DTranspose(width, name=f"g_h{i}"))

    def call(self, z, training=False):
        x = tf.reshape(self.g_h0_lin(z), [-1, 4, 4, self.base_channels])
        x = tf.nn.relu(self.g_bn0(x, training=training))
        for i in range(1, self.num_layers):
            x = getattr(self, f"g_h{i}")(x)
            x = tf.nn.relu(getattr(self, f"g_bn{i}")(x, training=training))
        return tf.tanh(getattr(self, f"g_h{self.num_layers}")(x))


class Discriminator(keras.Model):
    """Image in [-1, 1] -> one logit per image (shape [batch]).

    n 5x5 stride-2 convolutions doubling the channels from df_dim, leaky ReLU
    0.2, batch norm from the second one on, then a linear layer to one logit.
    """

    def __init__(self, config, sync_batch_norm=False, **kwargs):
        super().__init__(name="discriminator", **kwargs)
        n = config.num_layers
        self.num_layers = n
        for i in range(n):
            _add(self, ops.Conv2D(config.df_dim * 2 ** i, name=f"d_h{i}_conv"))
            if i > 0:
                _add(self, ops.batch_norm(f"d_bn{i}", sync_batch_norm))
        _add(self, ops.Linear(1, name=f"d_h{n - 1}_lin"))

    def call(self, images, training=False):
        x = ops.lrelu(self.d_h0_conv(images))
        for i in range(1, self.num_layers):
            x = getattr(self, f"d_h{i}_conv")(x)
            x = ops.lrelu(getattr(self, f"d_bn{i}")(x, training=training))
        x = tf.reshape(x, [tf.shape(x)[0], -1])
        logits = getattr(self, f"d_h{self.num_layers - 1}_lin")(x)
        return tf.squeeze(logits, axis=1)


def _add(model, layer):
    """Sets `layer` as an attribute named after it: checkpoints track attributes, not lists."""
    setattr(model, layer.name, layer)


def build_models(config, sync_batch_norm=False):
    """Creates G and D with their variables (built on a dummy batch).

    Args:
      config: a `ModelConfig`.
      sync_batch_norm: synchronise batch norm statistics across replicas.

    Returns:
      (generator, discriminator).
    """
    generator = Generator(config, sync_batch_norm)
    discriminator = Discriminator(config, sync_batch_norm)
    images = generator(tf.zeros([1, config.z_dim]))
    discriminator(images)
    return generator, discriminator
