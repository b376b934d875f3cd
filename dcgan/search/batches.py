"""The batched z search that complete.py, evaluate.py, photos and the web page share.

Each image is searched from `--starts` start z at once: its K rows sit next to
each other (image-major) in one compiled batch, and `Starts` turns their results
back into one fill per image.
"""

import dataclasses
import functools

import numpy as np
import tensorflow as tf
from scipy import ndimage

from dcgan.errors import OptionError
from dcgan.fill.hole_fill import generator_needed
from dcgan.modeling.encoder import encode
from dcgan.hole.masks import weighted_mask
from dcgan.search.tuning import GeneratorTuning
from dcgan.search.z_search import ZSearch

STOP_CHECK_EVALUATIONS = 10  # gradient evaluations between two looks at stop_requested


@dataclasses.dataclass
class SearchedBatch:
    """One batch's search: where it starts in the inputs, and its results for the real images."""

    number: int
    start: int
    generated: np.ndarray  # each image's fill, [count, H, W, C]
    total: np.ndarray  # final loss per image (its best start's)
    initial_total: np.ndarray  # loss at the start z
    stopped: bool  # the search was stopped before --nIter


ENCODER_SPREAD = 0.1  # the other starts' standard deviation around the encoder's z
DETAIL_SIGMA = 1.0  # pixels: under --startsFill detail, finer than this comes from the best start


class Starts:
    """The K starts of each image (`--starts`) and how they become its fill (`--startsFill`):
    the best start's G(z) (lowest), the mean of all (mean), or the mean's coarse part with the
    best start's fine detail (detail)."""

    def __init__(self, options):
        self.count, self.how = options.starts, options.starts_fill
        self.mean = self.how != "lowest"  # every start's G(z) goes into the fill

    def from_encoder(self, encoder, images, mask, seed, number):
        """Each image's K start z: the encoder's z first, the others spread around it."""
        z = np.repeat(encode(encoder, images, mask).numpy(), self.count, axis=0)
        spread = np.random.default_rng([seed, number]).normal(0, ENCODER_SPREAD, z.shape)
        spread[::self.count] = 0
        return np.clip(z + spread, -1, 1).astype(np.float32)

    def repeat(self, images):
        """Each image K times in a row: the batch the search runs."""
        return np.repeat(images, self.count, axis=0)

    def best_rows(self, total, images):
        """Of each of the first `images` images' rows, the one with the lowest total loss."""
        total = total.reshape(-1, self.count)[:images]
        return np.arange(len(total)) * self.count + total.argmin(axis=1)

    def filling_rows(self, best_rows):
        """The rows whose G(z) make the fills: every start's under mean, else the best."""
        return np.arange(len(best_rows) * self.count) if self.mean else best_rows

    def fills(self, generated, best_rows):
        """One fill per image from its filling rows' G(z) (see the class)."""
        if not self.mean:
            return generated
        starts = generated.reshape((-1, self.count) + generated.shape[1:])
        mean = starts.mean(axis=1)
        if self.how == "mean":
            return mean
        best = starts[np.arange(len(starts)), best_rows % self.count]
        blur = lambda x: ndimage.gaussian_filter(x, (0, DETAIL_SIGMA, DETAIL_SIGMA, 0))
        return blur(mean) + best - blur(best)


def start_encoder(model, options):
    """The encoder the search starts from (--start), or None for random starts."""
    if options.start == "random" or (options.start == "auto" and model.encoder is None):
        return None
    if model.encoder is None:
        raise OptionError("start", f"encoder, but the model in {model.path} has none: train one "
                                   "with dcgan-train-encoder, or start at random")
    return model.encoder


def settled_search(model, options):
    """`options` (`SearchOptions`) with --nIter and --starts, where unset, chosen for the start
    this model (None: no search) gives the search."""
    return options.settled(model is not None and start_encoder(model, options) is not None)


def settled_options(model, options):
    """`options` (holding a `search`, as `CompletionOptions` do) with its search settled."""
    return dataclasses.replace(options, search=settled_search(model, options.search))


def pad_batch(real, batch_size):
    """Repeats the last image so a short last batch fills the compiled batch shape."""
    return np.concatenate([real, np.repeat(real[-1:], batch_size - len(real), axis=0)])


def search_batches(model, images, mask, options, lowres=False, interval=None,
                   snapshot=lambda number, done, losses: None, stop_requested=lambda: False,
                   progress=lambda steps: None):
    """Searches z for `images` a batch at a time; yields a `SearchedBatch` per batch.

    One compiled search serves every batch (the batch is no larger than the
    number of images; a short last batch is padded).

    Args:
      model: a `checkpoints.LoadedModel`.
      images: [N, H, W, C] in [-1, 1].
      mask: [H, W], 1 = known. The contextual loss weighs the known pixels by
        it, or by the paper's weighted mask with `options.weighted`.
      options: `SearchOptions`.
      lowres: the 8x8 block means are known (the lowres mask).
      interval: iterations between snapshots (default: only the start and the end).
      snapshot: called with (batch number, iterations done,
        (total, contextual, perceptual, fills) for the batch's real images).
      stop_requested: polled every STOP_CHECK_EVALUATIONS gradient evaluations (an
        HMC iteration is --hmcL of them, and a stop inside it keeps the last accepted
        z); True ends the search there, with a last snapshot.
      progress: called with the iterations of each compiled call, and with each tuning step.
    """
    options = settled_search(model, options)
    batch_size = min(options.batch_size, len(images))
    if not generator_needed(mask, options.hole_fill):
        yield from _without_search(images, batch_size, options, snapshot, progress)
        return
    encoder = start_encoder(model, options)
    weights = weighted_mask(mask) if options.weighted else mask
    starts = Starts(options)
    search = ZSearch(model, np.zeros((batch_size * starts.count,) + images.shape[1:], np.float32),
                     weights, options, lowres=lowres)
    for number, start in enumerate(range(0, len(images), batch_size)):
        count = min(batch_size, len(images) - start)
        batch = pad_batch(images[start:start + count], batch_size)
        z = starts.from_encoder(encoder, batch, mask, options.seed, number) if encoder else None
        search.start(starts.repeat(batch), number, z)
        rows, losses, initial, stopped = _run_search(
            search, starts, options, count, interval or options.n_iter,
            functools.partial(snapshot, number), stop_requested, progress)
        generated = losses[3]
        if options.tune_iter and not stopped:
            filling = starts.filling_rows(rows)
            tuning = GeneratorTuning(search.generator, images[start + filling // starts.count],
                                     weights, options)
            generated, stopped = tuning.run(search.z.numpy()[filling], progress, stop_requested)
            generated = starts.fills(generated.numpy(), rows)
        yield SearchedBatch(number, start, generated, losses[0], initial, stopped)
        if stopped:
            return


def _without_search(images, batch_size, options, snapshot, progress):
    """The batches of a hole the classical fill takes whole: no search, and G(z) unused (zeros)."""
    for number, start in enumerate(range(0, len(images), batch_size)):
        count = min(batch_size, len(images) - start)
        zeros, generated = np.zeros(count, np.float32), np.zeros_like(images[start:start + count])
        snapshot(number, 0, (zeros, zeros, zeros, generated))
        progress(options.steps)
        yield SearchedBatch(number, start, generated, zeros, zeros, False)


def _run_search(search, starts, options, count, interval, snapshot, stop_requested, progress):
    """Runs one started batch's search to its end or a stop.

    Returns:
      (rows, outputs, initial, stopped): each real image's best start (its row),
      (total, contextual, perceptual) there and its fill, the first totals, and
      whether a stop ended it.
    """
    def best(outputs):
        rows = starts.best_rows(outputs[0].numpy(), count)
        chosen = [x.numpy()[rows] for x in outputs[:3]]
        return rows, chosen + [starts.fills(outputs[3].numpy()[starts.filling_rows(rows)], rows)]

    rows, losses = best(search.run(0))
    initial, done, stopped = losses[0], 0, False
    snapshot(done, losses)
    per = search.units_per_iteration  # HMC: a call may end inside an iteration's proposal
    units, total, every = 0, options.n_iter * per, interval * per
    while units < total and not stopped:
        steps = min(STOP_CHECK_EVALUATIONS, every - units % every, total - units)
        rows, losses = best(search.run_units(tf.constant(steps, tf.int64)))
        units += steps
        progress(int(search.iteration.numpy()) - done)
        done = int(search.iteration.numpy())
        stopped = stop_requested() and units < total
        if units % every == 0 or units == total or stopped:
            snapshot(done, losses)
    return rows, losses, initial, stopped
