"""Aligning a whole folder over a process pool, resumable, with counts of what happened."""

import collections
import dataclasses
import multiprocessing
import os
import random
import shutil
import signal

import numpy as np
from PIL import Image

from align.aligner import AlignDlib, normalized_landmarks
from dcgan.utils.files import atomic_write, list_files
from dcgan.utils.images import load_rgb

_aligner = None  # one per worker process


@dataclasses.dataclass
class Job:
    """One input image and where its aligned face goes."""

    source: str
    output: str
    fallback: str = None


def make_jobs(input_dir, output_dir, fallback_dir=None, limit=0):
    """Maps each input (the first `limit`, if given) to `output_dir/<its subfolder>/<stem>.png`.

    Inputs of one folder that share a stem (`a.jpg`, `a.png`) each get their own
    output (`a_jpg.png`, `a_png.png`); an output folder inside the input folder is
    not read. Each job also names its LFW fallback under `fallback_dir`.
    """
    paths = list_files(input_dir, exclude=output_dir)
    paths = paths[:limit] if limit else paths
    stems = collections.Counter(os.path.splitext(p)[0] for p in paths)
    jobs = []
    for path in paths:
        relative = os.path.relpath(os.path.dirname(path), input_dir)
        stem, extension = os.path.splitext(os.path.basename(path))
        name = stem if stems[os.path.splitext(path)[0]] == 1 else f"{stem}_{extension.lstrip('.')}"
        output = os.path.normpath(os.path.join(output_dir, relative, name + ".png"))
        fallback = None
        if fallback_dir:
            fallback = os.path.normpath(os.path.join(fallback_dir, relative, stem + ".jpg"))
        jobs.append(Job(path, output, fallback))
    return jobs


def _init_worker(predictor_path):
    """Loads the models (unless forked with them) and leaves Ctrl-C to the parent process."""
    global _aligner
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _aligner is None:
        _aligner = AlignDlib(predictor_path)


def _align_one(args):
    job, size, landmark_indices, skip_multi = args
    try:
        rgb = load_rgb(job.source)
    except (OSError, ValueError, SyntaxError) as e:
        return "unreadable", job.source, str(e)
    faces = _aligner.face_boxes(rgb)
    if not faces or (skip_multi and len(faces) > 1):
        status = "no face" if not faces else "several faces"
        if job.fallback:
            if os.path.isfile(job.fallback):
                target = os.path.splitext(job.output)[0] + ".jpg"
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy(job.fallback, target)
                return "fallback", job.source, status
            return status, job.source, f"no fallback at {job.fallback}"
        return status, job.source, f"{len(faces)} faces"
    box = max(faces, key=lambda r: r.width() * r.height())
    face = _aligner.align(size, rgb, box=box, landmark_indices=landmark_indices)
    _write_png(face, job.output)
    return "aligned", job.source, job.output


def _write_png(rgb, path):
    """Writes atomically, so an interrupted run never leaves a half file that looks done."""
    with atomic_write(path, "wb") as f:
        Image.fromarray(rgb).save(f, format="PNG")


def _landmarks_one(path):
    try:
        rgb = load_rgb(path)
    except (OSError, ValueError, SyntaxError) as e:
        return "unreadable", path, str(e)
    box = _aligner.largest_face(rgb)
    if box is None:
        return "no face", path, None
    return "face", path, normalized_landmarks(_aligner.landmarks(rgb, box))


def _pool_map(function, items, aligner, predictor_path, workers, progress):
    """Runs function over items in `workers` processes (or here, for 1), yielding results."""
    global _aligner
    _aligner = aligner  # forked workers inherit the loaded models
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield function(item)
            progress()
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(
            workers, initializer=_init_worker, initargs=(predictor_path,)) as pool:
        for result in pool.imap_unordered(function, items, chunksize=4):
            yield result
            progress()


def align_folder(input_dir, output_dir, size, landmark_indices, aligner, predictor_path=None,
                 skip_multi=False, fallback_dir=None, workers=1, progress=lambda: None,
                 report=lambda status, path, detail: None, limit=0):
    """Aligns every image under input_dir that has no output yet.

    Args:
      input_dir, output_dir: folders; outputs mirror the input's subfolders.
      size: side of the aligned square.
      landmark_indices: the three landmarks put onto the template.
      aligner: a loaded `AlignDlib` (forked workers share it).
      predictor_path: loaded by workers that cannot fork.
      skip_multi: skip images with several faces instead of taking the largest.
      fallback_dir: OpenFace's --fallbackLfw: copy DIR/<subfolder>/<stem>.jpg when no face.
      workers: processes.
      progress: called once per input handled.
      report: called with (status, path, detail) for every input.
      limit: align only the first this many inputs (0: all).

    Returns:
      A Counter of statuses: aligned, exists, no face, several faces, unreadable, fallback.
    """
    counts = collections.Counter()
    todo = []
    for job in make_jobs(input_dir, output_dir, fallback_dir, limit):
        if os.path.exists(job.output):
            counts["exists"] += 1
            report("exists", job.source, job.output)
            progress()
        else:
            todo.append((job, size, landmark_indices, skip_multi))
    for status, path, detail in _pool_map(_align_one, todo, aligner, predictor_path, workers, progress):
        counts[status] += 1
        report(status, path, detail)
    return counts


def mean_landmarks(input_dir, aligner, predictor_path=None, num_images=0, workers=1, seed=0,
                   progress=lambda: None, report=lambda status, path, detail: None):
    """Mean and standard deviation of the min-max normalised 68 landmarks over a folder.

    OpenFace's `computeMean`, which is broken upstream, ported working.

    Returns:
      (mean [68, 2], std [68, 2], Counter of statuses).
    """
    files = list_files(input_dir)
    if num_images and num_images < len(files):
        files = random.Random(seed).sample(files, num_images)
    counts, points = collections.Counter(), []
    for status, path, detail in _pool_map(_landmarks_one, files, aligner, predictor_path,
                                          workers, progress):
        counts[status] += 1
        if status == "face":
            points.append(detail)
        else:
            report(status, path, detail)
    if not points:
        return None, None, counts
    points = np.stack(points)
    return points.mean(axis=0), points.std(axis=0), counts
