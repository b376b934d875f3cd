"""Completion jobs for the web page: checked when submitted, run one at a time in a worker thread,
kept in memory (the newest finished ones) until the server stops."""

import base64
import binascii
import dataclasses
import io
import queue
import threading
import time
import uuid

import numpy as np
from PIL import Image

from dcgan.utils import images as image_io
from dcgan.completion import photos
from dcgan.hole.photo_hole import read_hole
from dcgan.search.batches import settled_options
from dcgan.errors import UserError

MAX_BYTES = 20 * 1024 * 1024
MAX_SIDE = 4096
MAX_WAITING = 8  # queued jobs; a submission beyond is refused (503) rather than held in memory
KEEP_FINISHED = 32  # finished jobs whose pictures are kept; older ones are forgotten (404)
FINISHED = ("done", "error", "cancelled")


class BadRequest(Exception):
    """Input the API refuses with a 4xx status and a readable message."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


@dataclasses.dataclass
class Job:
    id: str
    rgb: np.ndarray
    gray: bool
    hole: np.ndarray
    faces: list
    status: str = "queued"  # queued, running, done, error, cancelled
    iteration: int = 0
    total: int = 0
    error: str = None
    preview: bytes = None  # PNG of the photo completed so far
    result: bytes = None  # PNG of the finished photo, its size and mode
    started: float = None  # time.monotonic() when it began to run
    classical_share: float = None  # of the hole, the share outside every face (a classical fill)
    cancel_requested: bool = False

    def describe(self):
        """The job as the API shows it; `seconds_left` is estimated from the steps so far."""
        left = None
        if self.status == "running" and self.iteration and self.started is not None:
            elapsed = time.monotonic() - self.started
            left = round(elapsed / self.iteration * max(self.total - self.iteration, 0), 1)
        return {"id": self.id, "status": self.status, "iteration": self.iteration,
                "total": self.total, "error": self.error, "seconds_left": left,
                "classical_share": self.classical_share, "preview": self.preview is not None}

    @property
    def finished(self):
        return self.status in FINISHED


def decode_image(data_url, what):
    """A base64 image (a data URL or plain base64) -> PIL image, within the size limits."""
    if not isinstance(data_url, str) or not data_url:
        raise BadRequest(f"no {what} in the request")
    encoded = data_url.split(",", 1)[1] if data_url.startswith("data:") else data_url
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(f"the {what} is not base64 data") from None
    if len(raw) > MAX_BYTES:
        raise BadRequest(f"the {what} is {len(raw) / 1e6:.0f} MB; at most {MAX_BYTES // 2 ** 20} MB", 413)
    try:
        image = Image.open(io.BytesIO(raw))
        if max(image.size) > MAX_SIDE:
            raise BadRequest(f"the {what} is {image.size[0]}x{image.size[1]}; at most {MAX_SIDE} "
                             "pixels a side", 413)
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise BadRequest(f"the {what} is not an image (or does not decode)") from None
    return image


def png_bytes(rgb, gray=False):
    buffer = io.BytesIO()
    image = Image.fromarray(rgb)
    (image.convert("L") if gray else image).save(buffer, format="PNG")
    return buffer.getvalue()


class JobRunner:
    """Checks submissions, queues them and completes them one at a time, in submission order."""

    def __init__(self, model, options, aligner):
        self.model, self.options, self.aligner = model, settled_options(model, options), aligner
        self.jobs, self.queue, self.lock = {}, queue.Queue(), threading.Lock()
        self.stopping = threading.Event()
        self.worker = threading.Thread(target=self._work, name="completion", daemon=True)
        self.worker.start()

    def submit(self, photo_url, mask_url, gray=False):
        """A new job from a photo and a mask (the photo's size, black or painted = missing).

        The result has the photo's mode, or is grey if `gray` (a grey photo the page scaled
        down arrives as an RGB JPEG).

        Raises:
          BadRequest: not an image, over the limits, an empty mask, one that touches no face, or
            MAX_WAITING jobs already waiting (503).
        """
        if self.queue.qsize() >= MAX_WAITING:
            raise BadRequest(f"the server is busy: {MAX_WAITING} jobs are waiting; try again in a "
                             "minute", 503)
        original = image_io.upright(decode_image(photo_url, "photo"))  # as the browser shows it
        mask = decode_image(mask_url, "mask")
        original = image_io.to_8bit(original)
        try:
            hole = read_hole("the photo", original.size, mask=mask)
            rgb = photos.known_rgb(original, image_io.transparent(original), hole)
            faces = photos.faces_in_hole("the photo", rgb, hole, self.aligner, self.model.config.image_size)
        except UserError as e:
            raise BadRequest(str(e)) from None
        job = Job(uuid.uuid4().hex[:12], rgb, gray or image_io.is_grayscale(original), hole, faces,
                  total=self.options.search.steps * len(faces))
        with self.lock:
            self.jobs[job.id] = job
            finished = [key for key, old in self.jobs.items() if old.finished]
            for key in finished[:max(len(finished) - KEEP_FINISHED, 0)]:
                del self.jobs[key]
        self.queue.put(job)
        return job

    def _work(self):
        while not self.stopping.is_set():
            try:
                job = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if not job.cancel_requested:
                self._run(job)
            if job.cancel_requested:
                job.status = "cancelled"
            job.rgb = job.hole = job.faces = None  # only its pictures are asked for from now on

    def _run(self, job):
        job.status, job.started = "running", time.monotonic()
        try:
            filled, _, job.classical_share = photos.fill_photo(
                job.rgb, job.hole, job.faces, self.model, self.options,
                progress=lambda steps: setattr(job, "iteration", job.iteration + steps),
                preview=lambda so_far: setattr(job, "preview", png_bytes(so_far, job.gray)),
                stop_requested=lambda: self.stopping.is_set() or job.cancel_requested)
            if not job.cancel_requested:
                job.result = job.preview = png_bytes(filled, job.gray)
                job.status = "done"
        except Exception as e:  # a job that fails says why on the page; the server goes on
            job.status, job.error = "error", f"completion failed: {e}"

    def cancel(self, job_id):
        """Asks a queued or running job to stop (a running one within a few steps); returns it."""
        job = self.jobs.get(job_id)
        if job is not None and not job.finished:
            job.cancel_requested = True
        return job

    def stop(self):
        self.stopping.set()
        self.worker.join(timeout=30)
