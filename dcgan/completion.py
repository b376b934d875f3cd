"""Completing a set of images: mask, search z batch by batch, blend, write what the original wrote.

Outputs in --outDir: before.png and masked.png (grids), hats_imgs/NNNN.png and
completed/NNNN.png every --outInterval iterations, completion.gif,
logs/loss.csv, comparison.png (masked | completed | original per image) and
completed/<input name>.png per image. With more than one batch, each batch's
grids, logs and animation go to batch_KK/ so no batch overwrites another's.
"""

import csv
import dataclasses
import os

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from dcgan import images as image_io
from dcgan.blending import PoissonSolver
from dcgan.errors import UserError, name_some
from dcgan.masks import lowres_known, make_mask, weighted_mask
from dcgan.z_search import SearchOptions, ZSearch

BLEND_MODES = ("poisson", "none")


@dataclasses.dataclass
class CompletionOptions:
    """The flags of complete.py, with the original's defaults."""

    out_dir: str = "completions"
    mask_type: str = "center"
    center_scale: float = 0.25
    random_fraction: float = 0.2
    side: str = "left"
    mask_file: str = None
    weighted: bool = False
    n_iter: int = 1000
    out_interval: int = 50
    blend: str = "poisson"
    batch_size: int = 64
    search: SearchOptions = dataclasses.field(default_factory=SearchOptions)
    progress: bool = True


@dataclasses.dataclass
class CompletionResult:
    completed: dict  # input path -> completed image path
    final_loss: dict  # input path -> loss after the search
    initial_loss: dict  # input path -> loss before it
    interrupted: bool = False


def read_inputs(paths, size, log=print):
    """All inputs as [N, size, size, 3] in [-1, 1]; one warning for those resized.

    Raises:
      UserError: a file is missing or does not decode.
    """
    loaded, resized, bad = [], [], []
    for path in paths:
        try:
            image, was_resized = image_io.read_image(path, size)
        except (OSError, ValueError, SyntaxError):
            bad.append(path)
            continue
        loaded.append(image)
        if was_resized:
            resized.append(path)
    if bad:
        missing = [p for p in bad if not os.path.exists(p)]
        what = "no such file" if len(missing) == len(bad) else "not an image (or does not decode)"
        raise UserError(f"{what}: {name_some(bad)}")
    if resized:
        log(f"warning: resized {len(resized)} image(s) to the model's {size}x{size}: "
            f"{name_some(resized)}")
    return np.stack(loaded)


def output_names(paths):
    """completed/<input name>.png names, made unique when two inputs share a name, and kept
    apart from the iteration grids completed/NNNN.png."""
    names, seen = [], {}
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        if len(stem) == 4 and stem.isdigit():
            stem += "_input"
        seen[stem] = seen.get(stem, 0) + 1
        names.append(stem if seen[stem] == 1 else f"{stem}_{seen[stem]}")
    return names


def complete(paths, generator, discriminator, options, stop_requested=lambda: False, log=print):
    """Completes every image in `paths` and writes the outputs.

    Args:
      paths: input image files.
      generator, discriminator: the loaded models.
      options: `CompletionOptions`.
      stop_requested: polled every --outInterval iterations; True stops the
        search there, still writing every output for the z found so far.
      log: where one-line messages go.

    Returns:
      A `CompletionResult`.
    """
    size = 4 * 2 ** generator.num_layers
    inputs = read_inputs(paths, size, log)
    mask = make_mask(options.mask_type, size, options.center_scale, options.random_fraction,
                     options.side, options.mask_file, options.search.seed)
    weights = weighted_mask(mask) if options.weighted else mask
    solver = PoissonSolver(mask) if options.blend == "poisson" else None
    names = output_names(paths)
    batch_size = min(options.batch_size, len(paths))  # a few images need no padding to 64
    batches = range(0, len(paths), batch_size)
    shape = (batch_size, size, size, inputs.shape[-1])
    search = ZSearch(generator, discriminator, np.zeros(shape, np.float32), weights, options.search,
                     lowres=lowres_known(options.mask_type))
    result = CompletionResult({}, {}, {})
    with tqdm(total=options.n_iter * len(batches), desc="completing", unit="it",
              disable=not options.progress, dynamic_ncols=True) as bar:
        for number, start in enumerate(batches, 1):
            real = inputs[start:start + batch_size]
            batch_dir = options.out_dir if len(batches) == 1 else os.path.join(
                options.out_dir, f"batch_{number:02d}")
            search.start(pad_batch(real, batch_size), number - 1)
            stopped = _complete_batch(
                real, mask, search, solver, options, batch_dir,
                names[start:start + len(real)], paths[start:start + len(real)], result, bar,
                stop_requested)
            if stopped:
                result.interrupted = True
                break
    return result


def pad_batch(real, batch_size):
    """Repeats the last image so a short last batch fills the compiled batch shape."""
    return np.concatenate([real, np.repeat(real[-1:], batch_size - len(real), axis=0)])


def _complete_batch(real, mask, search, solver, options, batch_dir, names, paths, result, bar,
                    stop_requested):
    """The search for one batch (started on `search`) and all its outputs."""
    count = len(real)
    known = mask[None, :, :, None]
    masked = real * known
    image_io.save_grid(real, os.path.join(batch_dir, "before.png"))
    image_io.save_grid(masked, os.path.join(batch_dir, "masked.png"))
    os.makedirs(os.path.join(batch_dir, "logs"), exist_ok=True)
    frames, done, stopped = [], None, False
    with open(os.path.join(batch_dir, "logs", "loss.csv"), "w", newline="") as log_file:
        writer = csv.writer(log_file)
        writer.writerow(["iteration", "image", "loss", "contextual", "perceptual"])
        while True:
            steps = 0 if done is None else min(options.out_interval, options.n_iter - done)
            total, contextual, perceptual, generated = search.run(tf.constant(steps))
            done = int(search.iteration.numpy())
            total, contextual, perceptual = total.numpy(), contextual.numpy(), perceptual.numpy()
            generated = generated.numpy()[:count]
            completed = blend(solver, real, generated, known)
            for i in range(count):
                writer.writerow([done, names[i], f"{total[i]:.6f}", f"{contextual[i]:.6f}",
                                 f"{perceptual[i]:.6f}"])
            log_file.flush()
            image_io.save_grid(generated, os.path.join(batch_dir, "hats_imgs", f"{done:04d}.png"))
            frame = image_io.make_grid(image_io.to_uint8(completed))
            image_io.save_image(frame, os.path.join(batch_dir, "completed", f"{done:04d}.png"))
            frames.append(frame)
            if steps == 0:
                for i, path in enumerate(paths):
                    result.initial_loss[path] = float(total[i])
            bar.update(steps)
            bar.set_postfix_str(f"mean loss {float(np.mean(total[:count])):.2f}", refresh=False)
            if done >= options.n_iter:
                break
            if stop_requested():
                stopped = True
                break
    for i, path in enumerate(paths):
        out = os.path.join(options.out_dir, "completed", f"{names[i]}.png")
        image_io.save_image(image_io.to_uint8(completed[i]), out)
        result.completed[path] = out
        result.final_loss[path] = float(total[i])
    image_io.save_gif(frames, os.path.join(batch_dir, "completion.gif"))
    rows = np.stack([masked, completed, real], axis=1).reshape(-1, *real.shape[1:])
    image_io.save_grid(rows, os.path.join(batch_dir, "comparison.png"), columns=3)
    return stopped


def blend(solver, real, generated, known):
    """Poisson-blended, or pasted (--blend none), completions; known pixels are the input's."""
    if solver is None:
        return known * real + (1 - known) * generated
    return np.clip(solver.blend(real, generated), -1.0, 1.0)
