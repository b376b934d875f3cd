"""Whole photos judged at their own size, as a user sees them.

Holes are placed from each photo's 68 landmarks (one eye, both eyes, the
mouth, a band from the nose across the cheek into the background, a band from
the nose past the photo's edge). The model's fill is made as complete.py
makes it (found, aligned, completed, put back, grain); the classical fills
fill the whole hole at the photo's resolution. Every fill is scored against
the photo's own pixels over the whole hole, and its seams against the photo's
own steps at the same pixel pairs.
"""

import time

import numpy as np

from dcgan.completion.photos import PasteBack, faces_in_hole, fill_photo
from dcgan.errors import UserError
from dcgan.evaluation import metrics
from dcgan.evaluation.baselines import BASELINES
from dcgan.evaluation.benchmark import seconds_row, summary_row
from dcgan.utils import images as image_io

HOLE_KINDS = ("eye", "eyes", "mouth", "cheek_band", "past_edge")
OURS = "dcgan_poisson"
FIGURE_PHOTOS = 3
WINDOW_MARGIN = 8  # photo pixels of known surroundings the classical fills see around the hole


def place_holes(points, shape):
    """{kind: bool [H, W] hole} of one photo, from its [68, 2] landmarks (x, y)."""
    width = points[16, 0] - points[0, 0]  # jaw to jaw
    band_y = (points[29, 1] + points[33, 1]) / 2  # the cheek's height, below the eyes
    band = (band_y - 0.08 * width, band_y + 0.08 * width)
    return {"eye": _box(shape, points[36:42], 0.09 * width, 0.09 * width),
            "eyes": _box(shape, points[36:48], 0.06 * width, 0.08 * width),
            "mouth": _box(shape, points[48:68], 0.06 * width, 0.06 * width),
            "cheek_band": _rect(shape, points[2, 0] - 0.35 * width, band[0], points[30, 0], band[1]),
            "past_edge": _rect(shape, -1.0, band[0], points[31, 0], band[1])}


def _box(shape, points, pad_x, pad_y):
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return _rect(shape, x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)


def _rect(shape, x0, y0, x1, y1):
    return image_io.rectangle(shape, *(int(round(v)) for v in (x0, y0, x1, y1)))


def classical_fills(rgb, hole):
    """{name: the photo with its hole filled by that classical fill} at the photo's resolution."""
    window = image_io.window_around(hole, WINDOW_MARGIN)
    part, known = rgb[window][None].astype(np.float64), ~hole[window]
    filled = {}
    for name, fill in BASELINES.items():
        photo = rgb.copy()
        photo[window] = np.clip(np.round(fill(part, known)[0]), 0, 255).astype(np.uint8)
        filled[name] = photo
    return filled


def step_ratio(filled, original, across, within=None):
    """How much more an image steps across the line `across` ([H, W] bool: one side True) than
    along it, in the fill over in the photo: 1 is no seam, above is a visible edge. Only pixel
    pairs in `within` count. Against the steps along the line, so grain or texture that is as
    rough across as along does not count as a seam. None where no pair is."""
    within = np.ones(across.shape, bool) if within is None else within
    fill_across, fill_along, own_across, own_along = _line_steps(
        [filled.astype(np.float64), original.astype(np.float64)], across, within)
    if not len(own_across) or not len(own_along):
        return None
    own = own_across.mean() / max(own_along.mean(), 1e-6)
    return float(fill_across.mean() / max(fill_along.mean(), 1e-6) / max(own, 1e-6))


def _line_steps(images, side, within):
    """Per image, the absolute steps between neighbours across the line and along it (neighbours
    both beside the line, on one side)."""
    horizontal, vertical = (np.s_[:, 1:], np.s_[:, :-1]), (np.s_[1:, :], np.s_[:-1, :])
    steps = [([], []) for _ in images]
    for (a, b), (c, d) in ((horizontal, vertical), (vertical, horizontal)):
        cut = (side[a] != side[b]) & within[a] & within[b]
        line = np.zeros(side.shape, bool)
        line[a] |= cut
        line[b] |= cut
        along = line[c] & line[d] & (side[c] == side[d])
        for image, (across_steps, along_steps) in zip(images, steps):
            across_steps.append(np.abs(image[a] - image[b])[cut].ravel())
            along_steps.append(np.abs(image[c] - image[d])[along].ravel())
    return [np.concatenate(part) for image_steps in steps for part in image_steps]


def score(original, filled, hole, identity, frame):
    """{(metric, region): value} of one fill; `identity` is (network, box, the original's
    descriptor) or None; `frame` the photo's pixels inside the face's frame, or None."""
    o, f = original[None], filled[None]
    scores = {("psnr", "hole"): float(metrics.psnr(f, o, hole)[0]),
              ("ssim", "hole"): float(metrics.ssim(f, o, hole)[0]),
              ("sharpness", "hole"): float(metrics.sharpness(f, o, hole)[0]),
              ("border_step", "hole"): step_ratio(filled, original, hole)}
    if frame is not None and (frame & hole).any() and (~frame & hole).any():
        scores[("frame_step", "hole")] = step_ratio(filled, original, frame, within=hole)
    if identity is not None:
        network, box, descriptor = identity
        scores[("identity", "whole")] = metrics.identity_distance(
            network.descriptor(filled, box, upscale=1), descriptor)
    return scores


def fill_and_score(rgb, hole, model, options, aligner, identity):
    """{method: (scores, seconds, filled photo)} for one photo and hole: ours, then each classical fill."""
    start = time.perf_counter()
    faces = faces_in_hole("photo", rgb, hole, aligner, model.config.image_size)
    ours, _, _ = fill_photo(rgb, hole, faces, model, options)
    seconds = time.perf_counter() - start
    frame = np.logical_or.reduce([PasteBack(rgb.shape, hole, face, model.config.image_size).covered
                                  for face in faces])
    results = {OURS: (score(rgb, ours, hole, identity, frame), seconds, ours)}
    for name, filled in classical_fills(rgb, hole).items():
        results[name] = (score(rgb, filled, hole, identity, frame), 0.0, filled)
    return results


def evaluate_photos(paths, model, options, aligner, progress=lambda n: None, log=print,
                    stop_requested=lambda: False):
    """Every hole kind on every photo, the model's fill made with `options` (`CompletionOptions`).

    Returns:
      (the rows of `benchmark.write_results`, {kind: the first photos' (masked, ours,
      biharmonic, original)} for the figures).
    """
    network = metrics.IdentityNetwork(aligner)
    values, seconds, shown = {}, {}, {kind: [] for kind in HOLE_KINDS}
    for index, path in enumerate(paths):
        if stop_requested():
            log(f"stopped after {index} photos")
            break
        rgb = image_io.load_rgb(path)
        box = aligner.largest_face(rgb)
        if box is None:
            log(f"skipped {path}: no face found")
            continue
        identity = (network, box, network.descriptor(rgb, box, upscale=1))
        for kind, hole in place_holes(aligner.landmarks(rgb, box), rgb.shape).items():
            try:
                results = fill_and_score(rgb, hole, model, options, aligner, identity)
            except UserError as e:
                log(f"skipped {kind} of {path}: {e}")
                continue
            for method, (scores, spent, filled) in results.items():
                for key, value in scores.items():
                    values.setdefault((kind, method) + key, {})[index] = value
                seconds.setdefault((kind, method), []).append(spent)
            if len(shown[kind]) < FIGURE_PHOTOS:
                shown[kind].append([np.where(hole[..., None], 128, rgb).astype(np.uint8),
                                    results[OURS][2], results["biharmonic"][2], rgb])
            progress(1)
    return _rows(values, seconds, len(paths)), shown



def _rows(values, seconds, count):
    """The summary rows (as the face benchmark's): per kind, method and metric, over the photos."""
    rows = []
    for (kind, method, metric, region), by_photo in values.items():
        rows.append(summary_row(method, kind, metric, region, [by_photo.get(i) for i in range(count)]))
    for (kind, method), spent in seconds.items():
        rows.append(seconds_row(method, kind, float(np.mean(spent)), len(spent)))
    return rows


def save_figure(rows_of_photos, path):
    """Each photo's (masked, ours, biharmonic, original) side by side at the photo's own size."""
    strips = [np.hstack(images) for images in rows_of_photos]
    width = max(strip.shape[1] for strip in strips)
    padded = [np.pad(s, ((0, 4), (0, width - s.shape[1]), (0, 0)), constant_values=255) for s in strips]
    image_io.save_image(image_io.with_column_labels(np.vstack(padded), ["masked", "dcgan",
                                                                         "biharmonic", "original"], scale=1), path)
