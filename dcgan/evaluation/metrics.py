"""Completion quality on [0, 255] images: PSNR, SSIM, L1 over the whole image or the hole,
the hole's sharpness against the original's, and the landmark error of dlib's 68 points.
Mean and 95% confidence interval per cell."""

import dlib
import face_recognition_models
import numpy as np
from PIL import Image
from scipy import ndimage, stats


def psnr(a, b, region=None):
    """PSNR in dB of [N, H, W, C] images in [0, 255]; over `region` ([H, W] bool) when given.

    The whole image uses `tf.image.psnr`; a region, the same formula on its pixels.
    """
    import tensorflow as tf  # here, so that the statistics below load without it (dcgan.evaluation.face_by_face)
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if region is None:
        return tf.image.psnr(tf.constant(a), tf.constant(b), max_val=255.0).numpy()
    mse = ((a - b) ** 2)[:, region, :].mean(axis=(1, 2))
    with np.errstate(divide="ignore"):
        return 10 * np.log10(255.0 ** 2 / mse)


def ssim(a, b, region=None):
    """SSIM (`tf.image.ssim`) of [N, H, W, C] images in [0, 255]; over the bounding box of `region`."""
    import tensorflow as tf
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    if region is not None:
        rows, cols = ndimage.find_objects(np.asarray(region, np.int8))[0]
        a, b = a[:, rows, cols], b[:, rows, cols]
    size = min(11, a.shape[1], a.shape[2])
    return tf.image.ssim(tf.constant(a), tf.constant(b), max_val=255.0, filter_size=size).numpy()


def l1(a, b, region=None):
    """Mean absolute difference per image, on [0, 255]; over `region` when given."""
    diff = np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
    return diff[:, region, :].mean(axis=(1, 2)) if region is not None else diff.mean(axis=(1, 2, 3))


def sharpness(filled, original, region):
    """Fine detail of each fill in `region` against the original's there: 1.0 is as sharp.

    The detail is the RMS of the high-pass (the image minus its Gaussian blur of
    one pixel) over the region's pixels and channels; PSNR rewards blur, this
    does not. Above 1: more fine detail (or noise) than the truth.
    """
    def detail(images):
        images = np.asarray(images, np.float64)
        high = images - ndimage.gaussian_filter(images, sigma=(0, 1, 1, 0))
        return np.sqrt((high[:, region, :] ** 2).mean(axis=(1, 2)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return detail(filled) / detail(original)


def face_box(aligner, image, upscale=4):
    """dlib's box of the largest face of a small uint8 face image, on the `upscale`d image, or None.

    Aligned 64x64 faces are too small for the detector: it looks at them `upscale` times larger.
    """
    return aligner.largest_face(_upscaled(image, upscale))


def face_landmarks(aligner, image, box=None, upscale=4):
    """dlib's 68 landmarks of a small uint8 face [H, W, 3] in its own pixels, or None if no face.

    With `box` (from `face_box` on the original), the landmarks are predicted inside
    that box: a blurred fill that the detector would miss is still measured.
    """
    big = _upscaled(image, upscale)
    box = box if box is not None else aligner.largest_face(big)
    return None if box is None else aligner.landmarks(big, box) / upscale


def _upscaled(image, upscale):
    image = np.asarray(image, np.uint8)
    if image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    return np.asarray(Image.fromarray(image).resize(
        (image.shape[1] * upscale, image.shape[0] * upscale), Image.Resampling.BICUBIC))


SAME_PERSON_DISTANCE = 0.6  # dlib's threshold: descriptors closer than this show the same person


class IdentityNetwork:
    """dlib's face recognition ResNet (shipped by `face-recognition-models`): a 128-number
    descriptor per face, whose Euclidean distances tell people apart (0.6: same person)."""

    def __init__(self, aligner, path=None):
        self.aligner = aligner
        self.network = dlib.face_recognition_model_v1(
            path or face_recognition_models.face_recognition_model_location())

    def descriptor(self, image, box, upscale=4):
        """The descriptor of the face in `box` (from `face_box` on the original) of a small image."""
        big = _upscaled(image, upscale)
        shape = self.aligner.predictor(big, box)
        return np.asarray(self.network.compute_face_descriptor(big, shape))


def identity_distance(descriptor_a, descriptor_b):
    """Euclidean distance of two face descriptors; None when either face was not found."""
    if descriptor_a is None or descriptor_b is None:
        return None
    return float(np.linalg.norm(descriptor_a - descriptor_b))


def landmark_error(points_a, points_b):
    """Mean pixel distance between two sets of 68 landmarks; None when either face was not found."""
    if points_a is None or points_b is None:
        return None
    return float(np.linalg.norm(points_a - points_b, axis=1).mean())


def mean_and_ci95(values):
    """(mean, half-width of the 95% confidence interval by Student's t, n) of the finite values."""
    values = np.asarray([v for v in values if v is not None and np.isfinite(v)], np.float64)
    n = len(values)
    if n == 0:
        return float("nan"), float("nan"), 0
    if n == 1:
        return float(values[0]), float("nan"), 1
    half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return float(values.mean()), float(half), n
