"""The completion loss per image: contextual L1 on the known pixels + lam * perceptual loss."""

import tensorflow as tf

from dcgan.hole.masks import LOWRES_FACTOR
from dcgan.options import PERCEPTUAL_LOSSES


def block_means(images, factor=LOWRES_FACTOR):
    """Means of factor x factor blocks: what `lowres` keeps of an image."""
    return tf.nn.avg_pool2d(images, factor, factor, "VALID")


def contextual_loss(generated, images, weights, lowres=False):
    """Per image sum |W * (G(z) - y)|; with lowres, sum |blocks(G(z)) - blocks(y)| too.

    Args:
      generated: G(z), [B, H, W, C] in [-1, 1].
      images: the inputs y, same shape.
      weights: [H, W] mask (1 = known) or the paper's weighted mask.
      lowres: add the 8x8 block-means term.

    Returns:
      [B] losses.
    """
    weights = weights[None, :, :, None]
    loss = tf.reduce_sum(tf.abs(weights * (generated - images)), axis=[1, 2, 3])
    if lowres:
        loss += tf.reduce_sum(tf.abs(block_means(generated) - block_means(images)), axis=[1, 2, 3])
    return loss


def perceptual_loss(logits, kind="original"):
    """Per image: the original's -log D(G(z)), or the paper's log(1 - D(G(z))).

    Both from D's logits, in the numerically stable softplus form.
    """
    if kind == "original":
        return tf.nn.softplus(-logits)
    if kind == "paper":
        return -tf.nn.softplus(logits)
    raise ValueError(f"unknown perceptual loss {kind}; one of {PERCEPTUAL_LOSSES}")
