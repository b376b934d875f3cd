"""--diffaug: DiffAugment's translation and cutout, differentiable, on D's inputs in training."""

import dataclasses

import numpy as np
import tensorflow as tf

from conftest import first_batch
from dcgan import augment
from dcgan.training_loop import Trainer


def _faces(options):
    """Eight real 16x16 faces in [-1, 1]."""
    return tf.constant(first_batch(options)[:8])


def test_translation_moves_each_image_by_its_own_shift_and_fills_zeros(tiny_options):
    images = _faces(tiny_options)[:2]
    moved = augment.translate(images, tf.constant([[2, -3], [-1, 0]])).numpy()
    x = images.numpy()
    expected = np.zeros_like(x)
    expected[0, 2:, :-3] = x[0, :-2, 3:]  # down 2, left 3
    expected[1, :-1] = x[1, 1:]  # up 1
    np.testing.assert_array_equal(moved, expected)


def test_cutout_zeroes_a_square_of_half_the_side_clipped_at_the_border():
    images = tf.ones([2, 16, 16, 3])
    cut = augment.cut_out(images, tf.constant([[8, 8], [0, 15]]), 8).numpy()
    assert (cut[0, 4:12, 4:12] == 0).all() and cut[0].sum() == 3 * (256 - 64)
    assert (cut[1, :4, 11:] == 0).all() and cut[1].sum() == 3 * (256 - 4 * 5)


def test_augmentation_is_differentiable_and_repeatable(tiny_options):
    images = tf.Variable(_faces(tiny_options))
    with tf.GradientTape() as tape:
        augmented = augment.diff_augment(images, 1, 7, 0)
        total = tf.reduce_sum(augmented)
    grad = tape.gradient(total, images).numpy()
    kept = augment.diff_augment(tf.ones_like(images), 1, 7, 0).numpy()  # 1 where a pixel was kept
    assert grad.sum() == kept.sum() > 0  # each kept output pixel passes its gradient back once
    zero_share = (kept == 0).mean()
    assert 0.15 < zero_share < 0.6  # cutout's quarter and the shifts' borders
    np.testing.assert_array_equal(augment.diff_augment(images, 1, 7, 0), augmented)
    assert not np.array_equal(augment.diff_augment(images, 1, 7, 1), augmented)  # another use
    assert not np.array_equal(augment.diff_augment(images, 1, 8, 0), augmented)  # another step


def test_train_step_with_diffaug_trains_and_differs_from_without(tiny_options):
    batch = first_batch(tiny_options)
    results = {}
    for diffaug in (False, True):
        trainer = Trainer(dataclasses.replace(tiny_options, diffaug=diffaug))
        for _ in range(3):
            scalars, _ = trainer.train_step(batch)
        assert all(np.isfinite(float(v)) for v in scalars.values())
        results[diffaug] = [v.numpy() for v in trainer.discriminator.trainable_variables]
    assert any(not np.allclose(a, b) for a, b in zip(results[False], results[True]))
