"""DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training").

D sees every image, real or generated, randomly translated and cut out, and
G's loss goes through the same kind of augmentation, so that D cannot memorise
the training faces while G is still pushed towards unaugmented faces. Both
augmentations are gathers and masks: differentiable with respect to the images.
The randomness is stateless, drawn from (seed, step, use), so a resumed run
augments as an uninterrupted one would.
"""

import tensorflow as tf

TRANSLATION = 1 / 8  # largest shift, as a share of the side (the paper's)
CUTOUT = 1 / 2  # side of the cut-out square, as a share of the image's side (the paper's)


def _offset_grid(size, offsets, extent):
    """Per image, the row and column indices less its (dy, dx) offset ([B, H] and [B, W]), and
    [B, H, W]: whether both fall in [0, extent) (extent: (height, width))."""
    rows = tf.range(size[0])[None, :] - offsets[:, :1]
    cols = tf.range(size[1])[None, :] - offsets[:, 1:]
    inside = ((rows >= 0) & (rows < extent[0]))[:, :, None] & ((cols >= 0) & (cols < extent[1]))[:, None, :]
    return rows, cols, inside


def translate(images, shifts):
    """Shifts each image by its own (dy, dx) pixels, filling with zeros (the padding value).

    Args:
      images: [B, H, W, C].
      shifts: [B, 2] int32 (dy, dx); a positive dy moves the face down.
    """
    size = tf.shape(images)[1:3]
    rows, cols, inside = _offset_grid(size, shifts, size)  # the source pixel of each output pixel
    rows = tf.clip_by_value(rows, 0, size[0] - 1)
    cols = tf.clip_by_value(cols, 0, size[1] - 1)
    moved = tf.gather(tf.gather(images, rows, axis=1, batch_dims=1), cols, axis=2, batch_dims=1)
    return moved * tf.cast(inside, images.dtype)[..., None]


def cut_out(images, centers, side):
    """Zeroes a `side` x `side` square (clipped at the border) centred on each image's (y, x)."""
    _, _, hole = _offset_grid(tf.shape(images)[1:3], centers - side // 2, (side, side))
    return images * tf.cast(~hole, images.dtype)[..., None]


def diff_augment(images, seed, step, use):
    """Translation then cutout, each image its own draw; `use` (an int) tells a step's draws apart."""
    batch, height = tf.shape(images)[0], images.shape[1]
    seeds = tf.random.experimental.stateless_fold_in(
        tf.stack([tf.cast(seed, tf.int64), tf.cast(step, tf.int64)]), use)
    limit = int(height * TRANSLATION + 0.5)
    shifts = tf.random.stateless_uniform([batch, 2], seeds, -limit, limit + 1, dtype=tf.int32)
    side = int(height * CUTOUT + 0.5)
    centers = tf.random.stateless_uniform([batch, 2], seeds + [0, 1], 0, height + (1 - side % 2),
                                          dtype=tf.int32)
    return cut_out(translate(images, shifts), centers, side)
