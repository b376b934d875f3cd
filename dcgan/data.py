"""The training images: a folder of photos as a shuffled, batched `tf.data` pipeline in [-1, 1]."""

import collections
import os

import tensorflow as tf

from dcgan.errors import UserError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")


def list_images(folder):
    """All image files under `folder` (recursive, png/jpg/jpeg/bmp in any case), sorted.

    Raises:
      UserError: the folder is missing or holds no image file.
    """
    if not os.path.isdir(folder):
        raise UserError(f"no such folder: {folder}")
    files = sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(folder, followlinks=True)
        for name in names if name.lower().endswith(IMAGE_EXTENSIONS))
    if not files:
        raise UserError(f"no images (png, jpg, jpeg, bmp) in {folder}")
    return files


def count_by_folder(files, root):
    """{subfolder of `root` (`.` for root itself): number of `files` in it}."""
    top = lambda path: os.path.relpath(os.path.dirname(path), root).split(os.sep)[0]
    return dict(sorted(collections.Counter(map(top, files)).items()))


def _decode(path, image_size, crop_size):
    """One file -> uint8 [image_size, image_size, 3], center-cropped to crop_size first if set."""
    image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
    if crop_size:
        shape = tf.shape(image)
        side = tf.minimum(crop_size, tf.minimum(shape[0], shape[1]))
        image = tf.image.crop_to_bounding_box(
            image, (shape[0] - side) // 2, (shape[1] - side) // 2, side, side)
    image = tf.image.resize(image, [image_size, image_size], antialias=True)
    return tf.cast(tf.round(tf.clip_by_value(image, 0, 255)), tf.uint8)


def load_images(files, image_size, crop_size=None, progress=None):
    """Decodes, crops and resizes every file into a memory cache, in parallel.

    Args:
      files: image paths.
      image_size: output height and width.
      crop_size: side of the center crop taken before resizing, or None.
      progress: optional callable(n) told how many images were read.

    Returns:
      (dataset of uint8 images, cached in memory, number of images,
       list of files that did not decode).
    """
    indexed = tf.data.Dataset.from_tensor_slices((tf.range(len(files)), tf.constant(files)))
    decoded = indexed.map(
        lambda i, path: (i, _decode(path, image_size, crop_size)),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).ignore_errors()
    cached = decoded.cache()
    seen = set()
    for index, _ in cached.batch(256):
        seen.update(index.numpy().tolist())
        if progress:
            progress(len(index))
    unreadable = [f for i, f in enumerate(files) if i not in seen]
    return cached.map(lambda i, image: image), len(seen), unreadable


def flip_some(batch, seed=None):
    """Mirrors each image of a batch left-right with probability 1/2 (faces are symmetric)."""
    return tf.image.random_flip_left_right(batch, seed=seed)


def training_batches(images, num_images, batch_size, seed=None, flip=False):
    """Shuffles each epoch, batches (dropping the remainder) and scales to [-1, 1].

    Args:
      images: dataset of uint8 images, from `load_images`.
      num_images: its length (the shuffle buffer holds all of it).
      batch_size: global batch size.
      seed: shuffle seed.
      flip: mirror a random half of each batch, doubling the faces D sees.

    Returns:
      A dataset of float32 batches in [-1, 1].
    """
    if num_images < batch_size:
        raise UserError(f"{num_images} images are fewer than one batch of {batch_size}")
    batches = (images.shuffle(num_images, seed=seed, reshuffle_each_iteration=True)
               .batch(batch_size, drop_remainder=True))
    if flip:
        batches = batches.map(lambda x: flip_some(x, seed), num_parallel_calls=tf.data.AUTOTUNE)
    batches = batches.map(lambda x: tf.cast(x, tf.float32) / 127.5 - 1.0,
                          num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()  # several workers: each takes its share of every global batch
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return batches.with_options(options).prefetch(tf.data.AUTOTUNE)
