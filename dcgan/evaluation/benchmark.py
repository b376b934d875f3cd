"""Measuring completion quality: the DCGAN (blended and pasted) beside classical fills,
on the same faces and masks, with PSNR, SSIM, L1 and landmark error."""

import csv
import dataclasses
import os
import time

import numpy as np
from dcgan.utils import images as image_io
from dcgan.evaluation import metrics
from dcgan.evaluation.baselines import BASELINES
from dcgan.fill.poisson import blend
from dcgan.fill.hole_fill import HoleFill, generator_needed
from dcgan.search.batches import search_batches
from dcgan.modeling.checkpoints import provenance
from dcgan.completion.inputs import read_inputs
from dcgan.utils.files import write_json
from dcgan.hole.masks import lowres_known, make_mask
from dcgan.evaluation import face_by_face

METHODS = ("dcgan_poisson", "dcgan_paste") + tuple(BASELINES)
ALL_MASKS = ("center", "random", "left", "half", "pattern")
METRICS = ("psnr", "ssim", "l1", "sharpness", "border_step", "frame_step", "landmark", "identity",
           "same_person", "seconds")
FACE_METRICS = ("landmark", "identity", "same_person")  # on the faces dlib finds in the originals
COLUMN_NAMES = {"seconds": "s/face", "sharpness": "sharpness (hole, 1 = the original's)",
                "border_step": "seam at the hole's edge (1 = the photo's own)",
                "frame_step": "seam at the face frame's edge (1 = the photo's own)"}
CLASSICAL_ONLY = "= biharmonic: every part of the hole is a speck, no search"
FIGURE_FACES = 4
MODEL_FILE = "model.json"


def fill_all(model, real, mask, options, lowres=False, progress=lambda n: None,
             stop_requested=lambda: False, searched=True):
    """Every method's fill of `real` ([N, H, W, C] in [-1, 1]) under `mask`, in [-1, 1], and
    its seconds per image (the DCGAN's include the search, shared by both of its rows).
    `searched`: G(z) fills some of the hole (`generator_needed`); else there is none to paste.

    A stop ends the search: the fills are of the faces of the batches searched to the end,
    the first len(fills[method]) of `real`; (None, None) if no batch was.
    """
    start = time.perf_counter()
    generated = []
    for batch in search_batches(model, real, mask, options, lowres, stop_requested=stop_requested):
        if batch.stopped:
            break
        generated.append(batch.generated)
        progress(len(batch.generated))
    if not generated:
        return None, None
    generated = np.concatenate(generated)
    search = time.perf_counter() - start
    real = real[:len(generated)]
    known = mask[None, :, :, None]
    masked = real * known
    fills, seconds = {}, {}

    def timed(name, fill, spent=0.0):
        start = time.perf_counter()
        fills[name] = fill()
        seconds[name] = (time.perf_counter() - start + spent) / len(real)

    timed("dcgan_poisson", lambda: HoleFill(mask, options.hole_fill)(real, generated), search)
    if searched:
        timed("dcgan_paste", lambda: blend(None, real, generated, known), search)
    for name, fill in BASELINES.items():
        timed(name, lambda: fill(masked, mask))
    return fills, seconds


def score(originals, filled, hole, faces, original_faces):
    """{(metric, region): per-image values} of filled against originals, both uint8.

    The landmark error and the identity distance look at each fill inside the
    original's face box (`original_faces`: a `_Face` per original, or None where
    dlib found no face), so every method is measured on the same faces. `faces`:
    a `metrics.IdentityNetwork` (with its aligner), or None to skip both.
    """
    values = {}
    regions = [("whole", None)] + ([("hole", hole)] if hole.any() else [])  # full: no hole
    for region_name, region in regions:
        values[("psnr", region_name)] = metrics.psnr(filled, originals, region)
        values[("ssim", region_name)] = metrics.ssim(filled, originals, region)
        values[("l1", region_name)] = metrics.l1(filled, originals, region)
    if hole.any():
        values[("sharpness", "hole")] = metrics.sharpness(filled, originals, hole)
    if faces is not None:
        found = list(zip(original_faces, filled))
        values[("landmark", "whole")] = [None if face is None else metrics.landmark_error(
            face.landmarks, metrics.face_landmarks(faces.aligner, image, box=face.box))
            for face, image in found]
        distances = [None if face is None else metrics.identity_distance(
            face.descriptor, faces.descriptor(image, face.box)) for face, image in found]
        values[("identity", "whole")] = distances
        values[("same_person", "whole")] = [
            None if d is None else float(d < metrics.SAME_PERSON_DISTANCE) for d in distances]
    return values


def evaluate(paths, model, options, aligner=None, progress=lambda n: None, log=print,
             stop_requested=lambda: False):
    """Runs every method on every mask type and summarises each metric.

    Args:
      paths: the faces.
      model: a `checkpoints.LoadedModel`.
      options: `EvaluationOptions`; `mask.mask_type` may be `all` (ALL_MASKS).
      aligner: a dlib `AlignDlib` for the landmark error, or None.
      stop_requested: polled during the search; True ends the run, keeping the masks
        done and, of the mask under way, the faces of the batches searched to the end.

    Returns:
      Rows of dicts: method, mask, metric, region, mean, ci95, n, and (but for the
      seconds) values: the value per face.
    """
    size = model.config.image_size
    real, _ = read_inputs(paths, size, model.config.c_dim, log)
    originals = image_io.to_uint8(real)
    faces = metrics.IdentityNetwork(aligner) if aligner else None
    original_faces = [_face(faces, o) for o in originals] if aligner else [None] * len(real)
    if aligner:
        log(f"dlib finds a face in {sum(f is not None for f in original_faces)} of "
            f"{len(originals)} originals; each fill's landmarks are taken in that face's box")
    rows = []
    m = options.mask
    types = mask_types(m.mask_type)
    for index, mask_type in enumerate(types):
        if stop_requested():
            log(f"stopped: {', '.join(types[index:])} not measured")
            break
        mask = make_mask(mask_type, size, m.center_scale, m.random_fraction, m.side, m.mask_file,
                         options.search.seed, log)
        searched = generator_needed(mask, options.search.hole_fill)
        fills, seconds = fill_all(model, real, mask, options.search, lowres_known(mask_type), progress,
                                  stop_requested, searched)
        done = 0 if fills is None else len(fills["mean"])
        if done < len(real):
            log(f"stopped: {mask_type} over the first {done} of {len(real)} faces" if done else
                f"stopped: {mask_type} not measured (no batch of its search had ended)")
        if done:
            rows += _rows(mask_type, fills, seconds, originals[:done], mask, faces,
                          original_faces[:done], searched)
            _write_figure(real[:done], mask, fills, os.path.join(options.out, f"figure_{mask_type}.png"))
    return rows


def _rows(mask_type, fills, seconds, originals, mask, faces, original_faces, searched=True):
    """The summary rows of one mask: per method, each metric's mean and interval (and, under
    "values", its value per face: None where dlib found no face), and the seconds."""
    rows = []
    for method in filter(fills.__contains__, METHODS):
        filled = image_io.to_uint8(fills[method])
        for (metric, region), values in score(originals, filled, mask < 0.5, faces,
                                              original_faces).items():
            rows.append(summary_row(method, mask_type, metric, region, list(values)))
        rows.append(seconds_row(method, mask_type, seconds[method], len(originals)))
    if not searched:  # --holeFill auto gave every part of the hole to the classical fill
        for row in rows:
            if row["method"] == METHODS[0]:
                row["fill"] = CLASSICAL_ONLY
    return rows


def summary_row(method, mask, metric, region, values):
    """One row of the results: a metric's mean and 95% interval over the faces, and the values."""
    mean, ci95, n = metrics.mean_and_ci95(values)
    return {"method": method, "mask": mask, "metric": metric, "region": region, "mean": mean,
            "ci95": ci95, "n": n, "values": values}


def seconds_row(method, mask, seconds, n):
    """The row of a method's seconds per face."""
    return {"method": method, "mask": mask, "metric": "seconds", "region": "whole", "mean": seconds,
            "ci95": 0.0, "n": n}


@dataclasses.dataclass
class _Face:
    """What dlib finds of an original's face: the box every fill is looked at in."""

    box: object
    landmarks: np.ndarray
    descriptor: np.ndarray


def _face(faces, image):
    """The original's `_Face`, or None where dlib finds none."""
    box = metrics.face_box(faces.aligner, image)
    if box is None:
        return None
    return _Face(box, metrics.face_landmarks(faces.aligner, image, box=box), faces.descriptor(image, box))


def mask_types(mask_type):
    """The masks one run evaluates: `all` is ALL_MASKS."""
    return ALL_MASKS if mask_type == "all" else (mask_type,)


def _write_figure(real, mask, fills, path):
    """For a few faces: the masked input, each method's fill, the original, side by side."""
    count = min(FIGURE_FACES, len(real))
    methods = [m for m in METHODS if m in fills]
    columns = [real[:count] * mask[None, :, :, None]] + [fills[m][:count] for m in methods] + [real[:count]]
    grid = np.stack(columns, axis=1).reshape(-1, *real.shape[1:])
    grid = image_io.make_grid(image_io.to_uint8(grid), columns=len(columns))
    labels = ["masked", *(m.replace("dcgan_", "dcgan ") for m in methods), "original"]
    image_io.save_image(image_io.with_column_labels(grid, labels), path)


def write_results(rows, out_dir, model=None, faces=None):
    """results.csv (method, mask, metric, region, mean, ci95, n), results.md, given the
    `checkpoints.LoadedModel` model.json (its path and how it was made), and given the faces'
    names faces.csv (face, mask, method, metric, region, value: for paired comparisons, see
    `dcgan.evaluation.face_by_face`); returns the Markdown."""
    os.makedirs(out_dir, exist_ok=True)
    if model is not None:
        write_json(os.path.join(out_dir, MODEL_FILE), {"path": model.path, **provenance(model.path)})
    fields = ["method", "mask", "metric", "region", "mean", "ci95", "n"]
    with open(os.path.join(out_dir, "results.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    if faces is not None:
        _write_faces(rows, faces, os.path.join(out_dir, face_by_face.FACES_FILE))
    markdown = to_markdown(rows) + against_fills(rows)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(markdown)
    return markdown


def _write_faces(rows, faces, path):
    """One line per face, mask, method and metric; an empty value where dlib found no face."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["face", "mask", "method", "metric", "region", "value"])
        for row in rows:
            for face, value in zip(faces, row.get("values", ())):
                writer.writerow([face, row["mask"], row["method"], row["metric"], row["region"],
                                 "" if value is None else float(value)])


BETTER = {"psnr": 1, "ssim": 1, "l1": -1, "landmark": -1, "identity": -1, "same_person": 1, "seconds": -1}
ARROWS = {1: " ↑", -1: " ↓"}
LEGEND = ("↑: higher is better; ↓: lower is better; sharpness: the fill's fine detail in the hole "
          "over the original's there (1 = as much; below is a blur, above a speckle). landmark: "
          "mean distance in pixels of dlib's 68 landmarks from the original's; identity: distance "
          "of dlib's face descriptors from the original's; same_person: the share of faces whose "
          "descriptor lies within 0.6 of the original's, dlib's threshold for the same person. "
          "seam (photos): how much more the image steps across the hole's edge, or across the face "
          "frame's edge inside the hole, than along it, over the same in the photo (1: no seam; "
          "above: a visible edge). "
          "Each cell is the mean ± its 95% interval over the faces.")


def to_markdown(rows):
    """One table per mask: a row per method, a column per metric and region, mean ± 95% CI; then
    which method is best on each of the main columns."""
    columns = [(m, r) for m in METRICS for r in ("whole", "hole") if any(
        row["metric"] == m and row["region"] == r for row in rows)]
    lines = [LEGEND, ""]
    for mask in dict.fromkeys(row["mask"] for row in rows):
        cells = {(row["method"], row["metric"], row["region"]): row for row in rows if row["mask"] == mask}
        faces = next((row["n"] for row in rows if row["mask"] == mask and row["metric"] == "seconds"), None)
        lines += [f"### mask: {mask}" + (f" ({faces} faces)" if faces else ""), "",
                  "| method | " + " | ".join(COLUMN_NAMES.get(m, f"{m} ({r})") + ARROWS.get(BETTER.get(m), "")
                                           for m, r in columns) + " |",
                  "|---|" + "---|" * len(columns)]
        methods = [m for m in METHODS if any(key[0] == m for key in cells)]
        for method in methods:
            values = [_cell(cells.get((method, metric, region)), metric) for metric, region in columns]
            fill = next((row["fill"] for key, row in cells.items() if key[0] == method and "fill" in row), "")
            label = f"{method} {fill}".strip()
            lines.append(f"| {label} | " + " | ".join(values) + " |")
        lines += ["", _winners(cells, methods), ""]
    return "\n".join(lines)


def _cell(row, metric):
    if row is None:
        return ""
    if metric == "seconds":
        return f"{row['mean']:.3g}"
    text = f"{row['mean']:.3g} ± {row['ci95']:.2g}"
    return (("no face" if row["n"] == 0 else text) + f" (n={row['n']})") if metric in FACE_METRICS else text


def _winners(cells, methods):
    """'Best: hole PSNR: dcgan_poisson (apart from biharmonic's interval); ...' for one mask."""
    said = []
    for metric, region, label, sign in face_by_face.COMPARED:
        ranked = sorted((cells[(m, metric, region)] for m in methods if (m, metric, region) in cells
                         and cells[(m, metric, region)]["n"]), key=lambda r: -sign * r["mean"])
        if len(ranked) < 2:
            continue
        best, second = ranked[:2]
        apart = abs(best["mean"] - second["mean"]) > best["ci95"] + second["ci95"]
        said.append(f"{label}: {best['method']} ({'ahead of' if apart else 'within the intervals of'} "
                    f"{second['method']})")
    return "Best: " + "; ".join(said) + "." if said else ""


def against_fills(rows):
    """Markdown: the DCGAN's blended fill against each classical fill, face by face (`dcgan.evaluation.face_by_face`)."""
    values = face_by_face.from_rows(rows)
    if not any(key[1] == METHODS[0] for key in values):
        return ""
    lines = ["", f"### {METHODS[0]} against each classical fill, face by face", ""]
    for fill in BASELINES:
        compared = face_by_face.compare(values, values, fill, METHODS[0])
        if compared:
            lines += [face_by_face.to_markdown(compared, fill, METHODS[0]), ""]
    return "\n".join(lines) if len(lines) > 3 else ""
