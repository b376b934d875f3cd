"""Tuning the generator to each image after the z search (after DGP, Pan et al. 2020, and Pivotal
Tuning, Roich et al. 2021): the hole is then filled by a generator that also fits the known pixels.

Each image gets its own copy of G's last two layers (the earlier ones stay as
trained, so their output for the z found is computed once), tuned with Adam on
the contextual loss plus a penalty that keeps the weights near the trained
ones. The per-image layers run batched: a transposed convolution in its
sub-pixel form is a 3x3 convolution, here an einsum of each image's 3x3
patches with its own kernel. The trained weights are never changed.
"""

import keras
import tensorflow as tf

from ops import fast_conv

TUNED_LAYERS = 2


def _patch_conv(x, kernels, biases):
    """Per-image 3x3 'SAME' convolution: x [B, H, W, C], kernels [B, 9C, O], biases [B, O]."""
    patches = tf.image.extract_patches(x, [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    return tf.einsum("bhwp,bpo->bhwo", patches, kernels) + biases[:, None, None, :]


class GeneratorTuning:
    """Tunes per-image copies of a `FoldedGenerator`'s last layers for a batch of images.

    Args:
      folded: the search's `folded.FoldedGenerator`.
      images: [B, H, W, C] inputs in [-1, 1].
      weights: [H, W] contextual weights (the mask).
      options: `SearchOptions` (`tune_iter`, `tune_lr`, `tune_penalty`).
    """

    def __init__(self, folded, images, weights, options):
        self.folded, self.options = folded, options
        self.images = tf.convert_to_tensor(images, tf.float32)
        self.weights = tf.convert_to_tensor(weights, tf.float32)[None, :, :, None]
        count = int(self.images.shape[0])
        self.trained = []
        for kernel, bias in folded.convs[-TUNED_LAYERS:]:
            subpixel = fast_conv.subpixel_kernel(kernel)  # [3, 3, in, 4 * out]
            flat = tf.reshape(subpixel, [-1, subpixel.shape[-1]])
            self.trained.append((flat, tf.tile(bias, [4])))
        self.variables = [tf.Variable(tf.tile(w[None], [count] + [1] * w.shape.rank)) for pair in self.trained
                          for w in pair]
        self.optimizer = keras.optimizers.Adam(learning_rate=options.tune_lr)
        self.step = tf.function(self._step)

    def features(self, z):
        """G's output before the tuned layers: fixed, since z is."""
        return self.folded.features(z, len(self.folded.layers) - TUNED_LAYERS)

    def generate(self, features):
        """The tuned layers on `features`: G(z) with each image's own last layers."""
        x = features
        for i in range(TUNED_LAYERS):
            kernels, biases = self.variables[2 * i], self.variables[2 * i + 1]
            x = tf.nn.depth_to_space(_patch_conv(x, kernels, biases), 2)
            x = tf.nn.relu(x) if i < TUNED_LAYERS - 1 else tf.tanh(x)
        return x

    def losses(self, features):
        """Per image: the contextual L1, and the penalty on the distance to the trained weights."""
        generated = self.generate(features)
        contextual = tf.reduce_sum(tf.abs(self.weights * (generated - self.images)), axis=[1, 2, 3])
        penalty = tf.add_n([tf.reduce_sum(tf.square(v - w[None]), axis=list(range(1, v.shape.rank)))
                            for v, w in zip(self.variables, [w for pair in self.trained for w in pair])])
        return contextual, penalty

    def _step(self, features):
        with tf.GradientTape() as tape:
            contextual, penalty = self.losses(features)
            total = tf.reduce_sum(contextual + self.options.tune_penalty * penalty)
        self.optimizer.apply_gradients(zip(tape.gradient(total, self.variables), self.variables))
        return contextual

    def run(self, z, progress=lambda steps: None, stop_requested=lambda: False):
        """Tunes for `tune_iter` steps from the trained weights, or until `stop_requested()`.

        Returns:
          (G(z) from the tuned layers, whether a stop ended the tuning early).
        """
        features = self.features(tf.convert_to_tensor(z, tf.float32))
        for _ in range(self.options.tune_iter):
            if stop_requested():
                return self.generate(features), True
            self.step(features)
            progress(1)
        return self.generate(features), False
