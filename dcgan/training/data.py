"""The training images: a folder of photos as a shuffled, batched `tf.data` pipeline in [-1, 1]."""

import collections
import dataclasses
import os
import random

import tensorflow as tf
from tqdm import tqdm

from dcgan.errors import UserError, name_some
from dcgan.utils.files import list_images

def count_by_folder(files, root):
    """{subfolder of `root` (`.` for root itself): number of `files` in it}."""
    top = lambda path: os.path.relpath(os.path.dirname(path), root).split(os.sep)[0]
    return dict(sorted(collections.Counter(map(top, files)).items()))


def _decode(path, image_size, crop_size, channels=3):
    """One file -> uint8 [image_size, image_size, channels], center-cropped to crop_size first if set.

    16-bit PNGs are decoded at their depth and scaled, not clipped.
    """
    contents = tf.io.read_file(path)
    sixteen_bit = tf.logical_and(tf.strings.substr(contents, 1, 3) == "PNG",
                                 tf.strings.substr(contents, 24, 1) == "\x10")  # IHDR bit depth
    decode = lambda dtype: tf.cast(tf.io.decode_image(
        contents, channels=channels, dtype=dtype, expand_animations=False), tf.float32)
    image = tf.cond(sixteen_bit, lambda: decode(tf.uint16) / 257.0, lambda: decode(tf.uint8))
    if crop_size:
        shape = tf.shape(image)
        side = tf.minimum(crop_size, tf.minimum(shape[0], shape[1]))
        image = tf.image.crop_to_bounding_box(
            image, (shape[0] - side) // 2, (shape[1] - side) // 2, side, side)
    image = tf.image.resize(image, [image_size, image_size], antialias=True)
    return tf.cast(tf.round(tf.clip_by_value(image, 0, 255)), tf.uint8)


def load_images(files, image_size, crop_size=None, progress=None, channels=3):
    """Decodes, crops and resizes every file into a memory cache, in parallel.

    Args:
      files: image paths.
      image_size: output height and width.
      crop_size: side of the center crop taken before resizing, or None.
      progress: optional callable(n) told how many images were read.
      channels: 3 (RGB) or 1 (grayscale), the model's c_dim.

    Returns:
      (dataset of uint8 images, cached in memory, number of images,
       list of files that did not decode).
    """
    indexed = tf.data.Dataset.from_tensor_slices((tf.range(len(files)), tf.constant(files)))
    decoded = indexed.map(
        lambda i, path: (i, _decode(path, image_size, crop_size, channels)),
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


@dataclasses.dataclass
class TrainingData:
    """The faces of a run: batches, how many, and the held-out and training faces D is watched on."""

    batches: tf.data.Dataset
    count: int
    steps_per_epoch: int
    files: list
    watched: tuple = None  # (held-out faces, as many training faces), or None


def prepare_training_data(options, log=print):
    """Lists, splits off --heldout, reads and caches the faces of a `TrainOptions` run.

    Raises:
      UserError: no such folder, no images, or fewer than one batch of them.
    """
    files = list_images(options.dataset)
    random.Random(options.seed).shuffle(files)
    heldout, files = files[:options.heldout], files[options.heldout:]
    if options.train_size:
        files = files[:options.train_size]
    size, crop = options.model.image_size, options.crop_size if options.is_crop else None
    channels = options.model.c_dim
    with tqdm(total=len(files), desc="reading images", unit="img", leave=False,
              disable=not options.progress) as bar:
        cached, count, unreadable = load_images(files, size, crop, bar.update, channels)
    if unreadable:
        log(f"warning: skipped {len(unreadable)} unreadable file(s): {name_some(unreadable)}")
    batches = training_batches(cached, count, options.batch_size, options.seed, options.flip)
    watched = None
    if heldout:
        held, held_count, _ = load_images(heldout, size, crop, channels=channels)
        as_batch = lambda images: tf.cast(next(iter(images.batch(held_count))), tf.float32) / 127.5 - 1.0
        watched = as_batch(held), as_batch(cached.take(held_count))
    return TrainingData(batches, count, count // options.batch_size, files, watched)


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
