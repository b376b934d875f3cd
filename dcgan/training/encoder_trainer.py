"""Training the encoder against a frozen G, compiled and resumable.

Each step takes a batch of the model's own training faces, gives each a hole
from the bank (`hole_bank`), and moves the encoder so that G(E(masked face,
mask)) draws the whole face (L1), hole included. A quarter batch of G's own
faces, whose z is known, adds the squared z error: it keeps E's z where G's
prior puts faces, so that a search from there stays in G's domain.
"""

import dataclasses
import os
import random

import keras
import numpy as np
import tensorflow as tf
from tqdm import tqdm

from dcgan.modeling.folded import FoldedGenerator
from dcgan.errors import UserError
from dcgan.modeling import checkpoints, precision
from dcgan.modeling.encoder import ENCODER_FOLDER, EncoderConfig, build_encoder, save_encoder
from dcgan.training import data
from dcgan.training.hole_bank import hole_bank
from dcgan.utils import images as image_io
from dcgan.utils.files import FolderLock, list_images, read_json

BANK_SIZE = 8192  # training holes
WATCHED = 256  # held-out faces (and holes) the loss is watched on
PICTURE_ROWS = 16


@dataclasses.dataclass
class EncoderTrainResult:
    step: int
    interrupted: bool
    checkpoint: str


class EncoderTrainer:
    """The encoder, its optimizer and the compiled step, for one frozen G."""

    def __init__(self, model, options):
        self.options, size = options, model.config.image_size
        dtype = precision.resolve(options.precision, bool(tf.config.list_logical_devices("GPU")))
        self.precision = dtype
        self.generator = FoldedGenerator(model.generator, tf.as_dtype(dtype))
        self.config = EncoderConfig.for_model(model.config)
        self.encoder = build_encoder(self.config)
        self.optimizer = keras.optimizers.Adam(options.learning_rate)
        self.optimizer.build(self.encoder.trainable_variables)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.holes = tf.constant(hole_bank(size, BANK_SIZE, options.seed)[..., None], tf.float32)
        self.checkpoint = tf.train.Checkpoint(encoder=self.encoder, optimizer=self.optimizer,
                                              step=self.step)
        self.train_step = tf.function(self._train_step, jit_compile=False)
        self.fill = tf.function(self._fill, jit_compile=False)

    def _holes(self, count, stream):
        seed = tf.stack([tf.cast(self.options.seed, tf.int64), self.step * 2 + stream])
        return tf.gather(self.holes, tf.random.stateless_uniform([count], seed, 0, BANK_SIZE, tf.int32))

    def _fill(self, faces, masks):
        """G(E(masked face, mask)): the encoder's whole face."""
        return self.generator(self.encoder(faces * masks, masks))

    def _train_step(self, faces):
        count = tf.shape(faces)[0]
        masks, own_masks = self._holes(count, 0), self._holes(count // 4, 1)
        seed = tf.stack([tf.cast(self.options.seed, tf.int64), -1 - self.step])
        own_z = tf.random.stateless_uniform([count // 4, self.config.z_dim], seed, -1.0, 1.0)
        own = self.generator(own_z)
        with tf.GradientTape() as tape:
            fill = self._fill(faces, masks)
            pixel = tf.reduce_mean(tf.abs(fill - faces))
            z_error = tf.reduce_mean(tf.square(self.encoder(own * own_masks, own_masks) - own_z))
            loss = pixel + self.options.z_weight * z_error
        variables = self.encoder.trainable_variables
        self.optimizer.learning_rate.assign(self._rate())  # the flags win over a checkpoint's rate
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        self.step.assign_add(1)
        hole = masked_l1(fill, faces, 1 - masks)
        return {"loss": loss, "pixel_l1": pixel, "hole_l1": hole, "z_error": z_error,
                "learning_rate": self.optimizer.learning_rate}

    def _rate(self):
        """--learning_rate, falling linearly to 0 at --max_steps from step --decay_from on: a
        constant rate levels the loss off, and its decay at the end takes it lower."""
        rate, start, end = self.options.learning_rate, self.options.decay_from, self.options.max_steps
        if start is None or start >= end:
            return tf.constant(rate, tf.float32)
        left = (end - tf.cast(self.step, tf.float32)) / (end - start)
        return rate * tf.clip_by_value(left, 0.0, 1.0)


def masked_l1(fill, faces, region):
    """Mean absolute difference over the pixels (and channels) where `region` ([B, H, W, 1]) is 1."""
    return tf.reduce_sum(tf.abs(fill - faces) * region) / tf.maximum(3 * tf.reduce_sum(region), 1.0)


def train_encoder(model, options, stop_requested=lambda: False, log=print):
    """Trains (or resumes training) an encoder for `model` (a `checkpoints.LoadedModel`).

    Returns:
      An `EncoderTrainResult`.

    Raises:
      UserError: no faces, fewer than one batch, or a checkpoint of another encoder.
    """
    with FolderLock(options.encoder_dir, "wait for that run to stop, or train into another folder"):
        files, heldout = _split(options)
        trainer = EncoderTrainer(model, options)
        restored = checkpoints.restore_latest(trainer.checkpoint, options.encoder_dir, log)
        if restored:
            log(f"resuming from {restored}: step {int(trainer.step.numpy())}")
        cached, count, _ = data.load_images(files, model.config.image_size)
        batches = data.training_batches(cached, count, options.batch_size, options.seed, flip=True)
        watched = _watched(heldout, model.config.image_size, options.seed)
        manager = checkpoints.make_manager(trainer.checkpoint, options.encoder_dir, name="encoder")
        checkpoints.save_training_options(options, options.encoder_dir, int(trainer.step.numpy()),
                                          data.count_by_folder(files, options.dataset))
        log(f"training the encoder of {model.path} on {count} faces from {options.dataset}, "
            f"batch {options.batch_size}, G in {trainer.precision}")
        return _run(trainer, batches, watched, manager, stop_requested)


def _split(options):
    """(training files, held-out files) of --dataset, split by --seed."""
    files = list_images(options.dataset)
    random.Random(options.seed).shuffle(files)
    if len(files) < options.heldout + options.batch_size:
        raise UserError(f"{options.dataset} holds {len(files)} images: fewer than --heldout "
                        f"{options.heldout} and one batch of {options.batch_size}")
    return files[options.heldout:], files[:options.heldout]


def _watched(files, size, seed):
    """The held-out faces in [-1, 1] with a fixed hole each (a bank of their own)."""
    cached, count, _ = data.load_images(files[:WATCHED], size)
    faces = np.concatenate([b.numpy() for b in cached.batch(256)]).astype(np.float32) / 127.5 - 1
    return faces, hole_bank(size, count, seed + 1)[..., None].astype(np.float32)


def _run(trainer, batches, watched, manager, stop_requested):
    options = trainer.options
    writer = tf.summary.create_file_writer(options.log_dir)
    step, stopped = int(trainer.step.numpy()), False
    with writer.as_default(), tqdm(total=options.max_steps, initial=step, unit="step",
                                   disable=not options.progress, dynamic_ncols=True) as bar:
        for faces in batches.repeat():
            if step >= options.max_steps or stopped:
                break
            scalars = {k: float(v) for k, v in trainer.train_step(faces).items()}
            step = int(trainer.step.numpy())
            bar.update(1)
            bar.set_postfix_str(f"L1 {scalars['pixel_l1']:.3f} hole {scalars['hole_l1']:.3f}",
                                refresh=False)
            for name, value in scalars.items():
                tf.summary.scalar(name, value, step=step)
            if step % options.sample_every == 0 or step == 1:
                _watch(trainer, watched, step)
            if step % options.save_every == 0:
                manager.save(checkpoint_number=step)
            stopped = stop_requested()
        latest = manager.latest_checkpoint
        path = latest if latest and latest.endswith(f"-{step}") else manager.save(checkpoint_number=step)
    return EncoderTrainResult(step, stopped, path)


def _watch(trainer, watched, step):
    """The held-out losses (L1 in the holes and on the known pixels), and a picture of the first
    faces: masked, the encoder's fill blended in, the original."""
    faces, masks = watched
    fill = trainer.fill(faces, masks).numpy()
    tf.summary.scalar("heldout_hole_l1", masked_l1(fill, faces, 1 - masks), step=step)
    tf.summary.scalar("heldout_known_l1", masked_l1(fill, faces, masks), step=step)
    faces, masks, fill = faces[:PICTURE_ROWS], masks[:PICTURE_ROWS], fill[:PICTURE_ROWS]
    rows = np.stack([faces * masks, fill * (1 - masks) + faces * masks, faces], axis=1)
    grid = image_io.make_grid(image_io.to_uint8(rows.reshape(-1, *faces.shape[1:])), columns=6)
    image_io.save_image(grid, os.path.join(trainer.options.log_dir, "samples", f"step_{step:06d}.png"))
    tf.summary.image("masked_fill_original", grid[None] / 255.0, step=step)


def install_encoder(model, model_dir, options):
    """Writes the newest encoder checkpoint of --encoder_dir beside the model, with how it was trained.

    Returns:
      The folder written.
    """
    trainer = EncoderTrainer(model, options)  # with its optimizer: older checkpoints hold the convolutions only there
    restored = checkpoints.restore_latest(trainer.checkpoint, options.encoder_dir)
    if restored is None:
        raise UserError(f"{options.encoder_dir} holds no encoder checkpoint: train one first")
    training = os.path.join(options.encoder_dir, checkpoints.TRAINING_FILE)
    provenance = {"checkpoint": os.path.basename(restored), "step": int(trainer.step.numpy()),
                  "training": read_json(training) if os.path.exists(training) else {}}
    save_encoder(trainer.encoder, model_dir, provenance)
    return os.path.join(model_dir, ENCODER_FOLDER)
