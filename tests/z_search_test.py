"""The z search on a tiny model trained on real faces: the loss falls, z stays in [-1, 1].

Comparisons of numbers run in float32 (the default, auto, is bfloat16 on a CPU
that has it); the bfloat16 tests below cover that path.
"""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from dcgan.modeling import precision
from dcgan.modeling.checkpoints import load_models
from dcgan.completion.inputs import read_inputs
from dcgan.hole.masks import make_mask
from dcgan.options import SearchOptions
from dcgan.search.z_search import ZSearch


@pytest.fixture(scope="module")
def model(tiny_model):
    return load_models(tiny_model)


@pytest.mark.parametrize("approach,options", [
    ("adam", {}), ("momentum", {}), ("hmc", {"hmc_l": 10, "hmc_eps": 0.01, "hmc_beta": 50.0})])
def test_loss_falls_and_z_stays_in_range(model, face_pngs, approach, options):
    images, _ = read_inputs(face_pngs, 16)
    search = ZSearch(model, images, make_mask("center", 16),
                     SearchOptions(precision="float32", approach=approach, seed=1, **options))
    start = search.run(tf.constant(0))[0].numpy()
    z_start = search.z.numpy()
    end = search.run(tf.constant(30))[0].numpy()
    assert int(search.iteration.numpy()) == 30
    assert end.mean() < start.mean(), (start, end)
    z = search.z.numpy()
    assert z.min() >= -1 and z.max() <= 1
    assert not np.array_equal(z, z_start)


def test_each_images_gradient_ignores_the_rest_of_the_batch(model, face_pngs):
    """The original averaged -log D over the batch, so the batch size changed every gradient."""
    images, _ = read_inputs(face_pngs, 16)
    mask = make_mask("center", 16)
    alone = ZSearch(model, images[:2], mask, SearchOptions(precision="float32"))
    batch = ZSearch(model, images, mask, SearchOptions(precision="float32"))
    batch.z.assign(tf.concat([alone.z, batch.z[2:]], axis=0))
    loss_alone, grad_alone = alone.loss_and_gradient(alone.z)
    loss_batch, grad_batch = batch.loss_and_gradient(batch.z)
    np.testing.assert_allclose(loss_alone.numpy(), loss_batch.numpy()[:2], rtol=1e-5)
    np.testing.assert_allclose(grad_alone.numpy(), grad_batch.numpy()[:2], rtol=1e-4, atol=1e-6)


def test_paper_perceptual_loss_and_weighted_contextual_loss(model, face_pngs):
    images, _ = read_inputs(face_pngs, 16)
    mask = make_mask("center", 16)
    original = ZSearch(model, images, mask, SearchOptions(precision="float32", lam=1.0))
    paper = ZSearch(model, images, mask, SearchOptions(precision="float32", lam=1.0, perceptual="paper"))
    _, context, perceptual, _ = original.losses(original.z)
    _, context_p, perceptual_p, _ = paper.losses(original.z)
    np.testing.assert_allclose(context.numpy(), context_p.numpy())
    d = tf.sigmoid(model.discriminator(model.generator(original.z))).numpy()
    np.testing.assert_allclose(perceptual.numpy(), -np.log(d), rtol=1e-4)
    np.testing.assert_allclose(perceptual_p.numpy(), np.log(1 - d), rtol=1e-4)


def test_with_lam_0_the_search_leaves_d_out_and_still_reports_its_loss(model, face_pngs):
    """D that gives NaN would spread to z if the search ran it; the reported losses still use it."""
    images, _ = read_inputs(face_pngs, 16)
    mask = make_mask("center", 16)
    options = SearchOptions(precision="float32", lam=0.0, seed=2)
    with_d = ZSearch(model, images, mask, options)
    without_d = ZSearch(model, images, mask, options)
    real_d = without_d.discriminator
    without_d.discriminator = lambda x: real_d(x) * float("nan")
    start = with_d.z.numpy()
    total, contextual, perceptual, _ = with_d.run(tf.constant(10))
    without_d.run(tf.constant(10))
    assert not np.array_equal(with_d.z.numpy(), start)
    np.testing.assert_allclose(without_d.z.numpy(), with_d.z.numpy(), atol=1e-6)
    np.testing.assert_allclose(total.numpy(), contextual.numpy())
    d = tf.sigmoid(model.discriminator(model.generator(with_d.z))).numpy()
    np.testing.assert_allclose(perceptual.numpy(), -np.log(d), rtol=1e-4)


def test_batches_restart_from_their_own_z(model, face_pngs):
    images, _ = read_inputs(face_pngs, 16)
    search = ZSearch(model, images, make_mask("center", 16),
                     dataclasses.replace(SearchOptions(precision="float32"), approach="adam"))
    first = search.z.numpy()
    search.run(tf.constant(3))
    search.start(images, number=1)
    assert int(search.iteration.numpy()) == 0 and not np.array_equal(first, search.z.numpy())
    assert np.all(search.m.numpy() == 0)


@pytest.mark.parametrize("approach", ["adam", "momentum"])
def test_folded_batch_norm_search_equals_the_keras_models(model, face_pngs, approach):
    images, _ = read_inputs(face_pngs, 16)
    mask = make_mask("center", 16)
    options = SearchOptions(precision="float32", approach=approach, seed=3)
    folded = ZSearch(model, images, mask, options)
    plain = ZSearch(model, images, mask, options, fold=False)
    z = folded.z.numpy()
    np.testing.assert_allclose(folded.generator(z).numpy(),
                               model.generator(z, training=False).numpy(), atol=1e-5)
    np.testing.assert_allclose(folded.discriminator(folded.generator(z)).numpy(),
                               model.discriminator(model.generator(z, training=False)).numpy(),
                               rtol=1e-4, atol=1e-4)
    loss_f, grad_f = folded.loss_and_gradient(z)
    loss_p, grad_p = plain.loss_and_gradient(z)
    np.testing.assert_allclose(loss_f.numpy(), loss_p.numpy(), rtol=1e-5)
    np.testing.assert_allclose(grad_f.numpy(), grad_p.numpy(), rtol=1e-3, atol=1e-5)
    after_f = [x.numpy() for x in folded.run(tf.constant(10))[:3]]
    after_p = [x.numpy() for x in plain.run(tf.constant(10))[:3]]
    for f, p in zip(after_f, after_p):
        np.testing.assert_allclose(f, p, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(folded.z.numpy(), plain.z.numpy(), atol=1e-4)


def test_several_starts_keep_each_images_lowest_loss(model, face_pngs):
    from dcgan.search.batches import search_batches
    images, _ = read_inputs(face_pngs[:3], 16)
    mask = make_mask("center", 16)
    options = SearchOptions(precision="float32", n_iter=5, starts=4, seed=2, weighted=False, tune_iter=0,
                            starts_fill="lowest")  # the search alone
    kept = next(search_batches(model, images, mask, options))
    # The same search by hand: each image four times in one batch, the same start z.
    by_hand = ZSearch(model, np.repeat(images, 4, axis=0), mask, options)
    total, _, _, generated = [x.numpy() for x in by_hand.run(tf.constant(5))]
    np.testing.assert_allclose(kept.total, total.reshape(3, 4).min(axis=1), rtol=1e-5)
    rows = np.arange(3) * 4 + total.reshape(3, 4).argmin(axis=1)
    np.testing.assert_allclose(kept.generated, generated[rows], atol=1e-5)
    assert len(set(total.reshape(3, 4)[0].round(4))) > 1  # the starts differ
    one = next(search_batches(model, images, mask, dataclasses.replace(options, starts=1)))
    assert one.generated.shape == kept.generated.shape


def test_the_mean_of_several_starts_fills_with_the_mean_of_their_g_of_z(model, face_pngs):
    from dcgan.search.batches import search_batches
    from dcgan.search.tuning import GeneratorTuning
    images, _ = read_inputs(face_pngs[:3], 16)
    mask = make_mask("center", 16)
    options = SearchOptions(precision="float32", n_iter=5, starts=4, seed=2, tune_iter=0, starts_fill="mean")
    kept = next(search_batches(model, images, mask, options))
    by_hand = ZSearch(model, np.repeat(images, 4, axis=0), mask, options)
    total, _, _, generated = [x.numpy() for x in by_hand.run(tf.constant(5))]
    np.testing.assert_allclose(kept.generated, generated.reshape(3, 4, 16, 16, 3).mean(axis=1), atol=1e-5)
    np.testing.assert_allclose(kept.total, total.reshape(3, 4).min(axis=1), rtol=1e-5)  # still the best's loss
    # With tuning, every start is tuned on its own image, and the tuned fills are averaged.
    tuning = dataclasses.replace(options, tune_iter=3)
    tuned = next(search_batches(model, images, mask, tuning))
    each = GeneratorTuning(by_hand.generator, np.repeat(images, 4, axis=0), mask, tuning).run(by_hand.z.numpy())[0]
    np.testing.assert_allclose(tuned.generated, each.numpy().reshape(3, 4, 16, 16, 3).mean(axis=1), atol=1e-4)
    assert not np.allclose(tuned.generated, kept.generated, atol=1e-3)


def test_an_hmc_proposal_spans_calls_and_a_stop_needs_no_whole_iteration(model, face_pngs):
    from dcgan.search.batches import STOP_CHECK_EVALUATIONS, search_batches
    images, _ = read_inputs(face_pngs[:2], 16)
    options = SearchOptions(precision="float32", approach="hmc", hmc_l=25, hmc_eps=0.01, hmc_beta=5.0, n_iter=4, seed=1)
    search = ZSearch(model, images, make_mask("center", 16), options)
    z = search.z.numpy()
    search.run_units(tf.constant(24, tf.int64))  # one step short of the first proposal's end
    assert int(search.iteration.numpy()) == 0 and np.array_equal(search.z.numpy(), z)
    search.run_units(tf.constant(1, tf.int64))
    assert int(search.iteration.numpy()) == 1 and int(search.leap.numpy()) == 0
    snapshots = []
    batch = next(search_batches(model, images, make_mask("center", 16), options,
                                snapshot=lambda number, done, losses: snapshots.append(done),
                                stop_requested=lambda: True))
    assert batch.stopped and snapshots == [0, 0]  # stopped after 10 leapfrog steps, inside iteration 1
    assert STOP_CHECK_EVALUATIONS < options.hmc_l


def test_tuning_fits_the_known_pixels_better_and_leaves_g_as_trained(model, face_pngs):
    from dcgan.search.batches import search_batches
    from dcgan.search.tuning import GeneratorTuning
    images, _ = read_inputs(face_pngs[:4], 16)
    mask = make_mask("center", 16)
    weights_before = [v.numpy().copy() for v in model.generator.variables]
    plain = next(search_batches(model, images, mask, SearchOptions(precision="float32", n_iter=20, seed=4, weighted=False,
                                                                   tune_iter=0)))
    tuned = next(search_batches(model, images, mask, SearchOptions(precision="float32", n_iter=20, seed=4, weighted=False,
                                                                   tune_iter=30, tune_lr=1e-3)))
    contextual = lambda generated: np.abs(mask[None, :, :, None] * (generated - images)).sum(axis=(1, 2, 3))
    assert (contextual(tuned.generated) < contextual(plain.generated)).all()
    assert not np.allclose(tuned.generated[:, 4:12, 4:12], plain.generated[:, 4:12, 4:12])  # the hole too
    for before, variable in zip(weights_before, model.generator.variables):
        np.testing.assert_array_equal(before, variable.numpy())
    # With no steps, the per-image layers are G itself.
    search = ZSearch(model, images, mask, SearchOptions(precision="float32"))
    untuned, _ = GeneratorTuning(search.generator, images, mask, SearchOptions(precision="float32", tune_iter=0)).run(search.z)
    np.testing.assert_allclose(untuned.numpy(), model.generator(search.z, training=False).numpy(), atol=1e-5)


def test_bfloat16_search_runs_g_and_d_in_bfloat16_with_float32_losses_and_z(model, face_pngs):
    images, _ = read_inputs(face_pngs, 16)
    mask = make_mask("center", 16)
    single = ZSearch(model, images, mask, SearchOptions(seed=3, precision="float32"))
    half = ZSearch(model, images, mask, SearchOptions(seed=3, precision="bfloat16"))
    assert (single.precision, half.precision) == ("float32", "bfloat16")
    assert half.generator.layers and half.generator.convs[0][0].dtype == tf.float32  # weights kept
    z = single.z.numpy()
    loss_single, grad_single = single.loss_and_gradient(z)
    loss_half, grad_half = half.loss_and_gradient(z)
    assert loss_half.dtype == grad_half.dtype == tf.float32
    # bfloat16 keeps 8 bits of mantissa: the same losses and gradient directions, to about 1%.
    np.testing.assert_allclose(loss_half.numpy(), loss_single.numpy(), rtol=0.03)
    cosine = tf.reduce_sum(grad_half * grad_single, 1) / (tf.norm(grad_half, axis=1) * tf.norm(grad_single, axis=1))
    assert float(tf.reduce_min(cosine)) > 0.95
    first = float(tf.reduce_mean(half.run(tf.constant(0))[0]))
    last = float(tf.reduce_mean(half.run(tf.constant(30))[0]))
    assert last < first and half.z.dtype == tf.float32
    assert np.all(np.abs(half.z.numpy()) <= 1)


@pytest.mark.parametrize("flags, expected", [("fpu avx2 avx512f", "float32"),
                                             ("fpu avx512f avx512_bf16", "bfloat16"),
                                             ("fpu amx_bf16 amx_tile", "bfloat16")])
def test_the_default_precision_follows_the_cpus_flags(model, face_pngs, tmp_path, monkeypatch, flags,
                                                      expected):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    monkeypatch.setattr(precision, "CPUINFO", str(cpuinfo))
    images, _ = read_inputs(face_pngs, 16)
    assert ZSearch(model, images, make_mask("center", 16), SearchOptions()).precision == expected


def test_weighted_reaches_every_search_through_its_options(model, face_pngs):
    """complete, evaluate, photos and the web page all search through search_batches: the
    paper's weighted mask must come from the options there, not from each caller."""
    from dcgan.search.batches import search_batches
    from dcgan.hole.masks import weighted_mask
    images, _ = read_inputs(face_pngs[:3], 16)
    mask = make_mask("center", 16)
    options = SearchOptions(precision="float32", n_iter=5, seed=2, weighted=True, tune_iter=0, starts=1)  # one start, as by hand
    weighted = next(search_batches(model, images, mask, options))
    by_hand = ZSearch(model, images, weighted_mask(mask), options)
    np.testing.assert_allclose(weighted.total, by_hand.run(tf.constant(5))[0].numpy(), rtol=1e-5)
    plain = next(search_batches(model, images, mask, dataclasses.replace(options, weighted=False)))
    assert not np.allclose(plain.total, weighted.total)


def test_tuning_steps_count_in_the_progress_and_a_stop_ends_the_tuning(model, face_pngs):
    from dcgan.search.batches import search_batches
    images, _ = read_inputs(face_pngs[:2], 16)
    mask = make_mask("center", 16)
    options = SearchOptions(precision="float32", n_iter=6, tune_iter=5, seed=1)
    steps = []
    batch = next(search_batches(model, images, mask, options, progress=steps.append))
    assert sum(steps) == options.steps == 11 and not batch.stopped
    # A stop asked for during the tuning (after the search's last poll) ends it there, with a fill.
    polls = []
    stop_in_tuning = lambda: polls.append(1) or len(polls) > 3
    steps.clear()
    batch = next(search_batches(model, images, mask, options, progress=steps.append,
                                stop_requested=stop_in_tuning))
    assert batch.stopped and options.n_iter <= sum(steps) < options.steps
    assert batch.generated.shape == images.shape and np.isfinite(batch.generated).all()


def test_detail_fill_takes_the_means_coarse_part_and_the_best_starts_fine_part():
    from scipy import ndimage
    from dcgan.search.batches import Starts
    generated = np.random.default_rng(0).normal(size=(6, 8, 8, 3))  # 2 images x 3 starts
    starts = Starts(SearchOptions(starts=3, starts_fill="detail"))
    best = starts.best_rows(np.array([3.0, 1.0, 2.0, 5.0, 6.0, 4.0]), 2)
    assert list(best) == [1, 5]
    blur = lambda x: ndimage.gaussian_filter(x, (0, 1, 1, 0))
    mean = generated.reshape(2, 3, 8, 8, 3).mean(axis=1)
    expected = blur(mean) + generated[[1, 5]] - blur(generated[[1, 5]])
    np.testing.assert_allclose(starts.fills(generated, best), expected)
    same = np.repeat(generated[:2], 3, axis=0)  # starts that agree: the fill is each of them
    np.testing.assert_allclose(starts.fills(same, best), generated[:2], atol=1e-12)
