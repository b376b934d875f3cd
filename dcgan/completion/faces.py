"""Completing a set of images: mask, search z batch by batch, blend, write what the original wrote.

Outputs in --outDir: before.png and masked.png (grids), hats_imgs/NNNN.png and
snapshots/NNNN.png every --outInterval iterations, completion.gif,
logs/loss.csv, comparison.png (masked | completed | original per image) and
completed/<input name>.png per image. With more than one batch, each batch's
grids, logs and animation go to batch_KK/ so no batch overwrites another's.
"""

import csv
import dataclasses
import os

import numpy as np
from tqdm import tqdm

from dcgan.fill.hole_fill import HoleFill
from dcgan.hole.masks import lowres_known, make_mask
from dcgan.search.batches import search_batches, settled_options
from dcgan.completion.inputs import output_names, read_inputs
from dcgan.utils import images as image_io


@dataclasses.dataclass
class CompletionResult:
    completed: dict  # input path -> completed image path
    final_loss: dict  # input path -> loss after the search
    initial_loss: dict  # input path -> loss before it
    interrupted: bool = False


def complete(paths, model, options, stop_requested=lambda: False, log=print):
    """Completes every image in `paths` and writes the outputs.

    Args:
      paths: input image files.
      model: a `checkpoints.LoadedModel`.
      options: `CompletionOptions`.
      stop_requested: polled every --outInterval iterations; True stops the
        search there, still writing every output for the z found so far.
      log: where one-line messages go.

    Returns:
      A `CompletionResult`.
    """
    options = settled_options(model, options)
    size, o = model.config.image_size, options
    inputs, gray = read_inputs(paths, size, model.config.c_dim, log)
    mask = make_mask(o.mask.mask_type, size, o.mask.center_scale, o.mask.random_fraction,
                     o.mask.side, o.mask.mask_file, o.search.seed, log)
    writer = _Outputs(inputs, mask, paths, gray, options)
    batch_size = min(o.search.batch_size, len(paths))
    if o.search.approach == "hmc":
        log(f"hmc: each iteration is {o.search.hmc_l} leapfrog steps, about {o.search.hmc_l}x the time "
            "of an adam iteration: the progress bar's estimate after the first iteration is the "
            "time to expect; Ctrl-C stops within a few seconds, keeping the last accepted z")
    with tqdm(total=o.search.steps * -(-len(paths) // batch_size), desc="completing", unit="it",
              disable=not o.progress, dynamic_ncols=True) as bar:
        def snapshot(number, done, losses):
            writer.snapshot(number, batch_size, done, losses)
            bar.set_postfix_str(f"mean loss {float(np.mean(losses[0])):.2f}", refresh=False)

        for batch in search_batches(model, inputs, mask, o.search, lowres_known(o.mask.mask_type),
                                    o.out_interval, snapshot, stop_requested, bar.update):
            writer.finish(batch)
    return writer.result


class _Outputs:
    """Everything complete.py writes: per snapshot (grids, loss log, frames), per batch, per image."""

    def __init__(self, inputs, mask, paths, gray, options):
        self.inputs, self.paths, self.gray, self.options = inputs, paths, gray, options
        self.known = mask[None, :, :, None]
        self.fill = HoleFill(mask, options.search.hole_fill, options.blend == "poisson")
        self.names = output_names(paths)
        self.result = CompletionResult({}, {}, {})
        self.batch_dir, self.frames, self.log_file = None, [], None

    def _start_batch(self, number, batch_size):
        several = len(self.paths) > batch_size
        self.batch_dir = os.path.join(self.options.out_dir, f"batch_{number + 1:02d}") if several \
            else self.options.out_dir
        self.real = self.inputs[number * batch_size:(number + 1) * batch_size]
        self.first = number * batch_size
        image_io.save_grid(self.real, os.path.join(self.batch_dir, "before.png"))
        image_io.save_grid(self.real * self.known, os.path.join(self.batch_dir, "masked.png"))
        os.makedirs(os.path.join(self.batch_dir, "logs"), exist_ok=True)
        self.log_file = open(os.path.join(self.batch_dir, "logs", "loss.csv"), "w", newline="")
        self.csv = csv.writer(self.log_file)
        self.csv.writerow(["iteration", "image", "loss", "contextual", "perceptual"])
        self.frames = []

    def snapshot(self, number, batch_size, done, losses):
        if done == 0:
            self._start_batch(number, batch_size)
        total, contextual, perceptual, generated = losses
        names = self.names[self.first:self.first + len(self.real)]
        for i, name in enumerate(names):
            self.csv.writerow([done, name, f"{total[i]:.6f}", f"{contextual[i]:.6f}", f"{perceptual[i]:.6f}"])
        self.log_file.flush()
        image_io.save_grid(generated, os.path.join(self.batch_dir, "hats_imgs", f"{done:04d}.png"))
        self.completed = self.fill(self.real, generated)
        frame = image_io.make_grid(image_io.to_uint8(self.completed))
        image_io.save_image(frame, os.path.join(self.batch_dir, "snapshots", f"{done:04d}.png"))
        self.frames.append(frame)

    def finish(self, batch):
        """The batch's per-image outputs, its animation and its comparison grid."""
        self.log_file.close()
        self.completed = self.fill(self.real, batch.generated)  # tuned, if so
        for i, path in enumerate(self.paths[batch.start:batch.start + len(self.real)]):
            out = os.path.join(self.options.out_dir, "completed", f"{self.names[batch.start + i]}.png")
            image = image_io.to_uint8(self.completed[i])
            image_io.save_image(image_io.to_gray(image) if self.gray[batch.start + i] else image, out)
            self.result.completed[path] = out
            self.result.final_loss[path] = float(batch.total[i])
            self.result.initial_loss[path] = float(batch.initial_total[i])
        self.result.interrupted = batch.stopped
        image_io.save_gif(self.frames, os.path.join(self.batch_dir, "completion.gif"))
        rows = np.stack([self.real * self.known, self.completed, self.real], axis=1)
        image_io.save_grid(rows.reshape(-1, *self.real.shape[1:]),
                           os.path.join(self.batch_dir, "comparison.png"), columns=3)
