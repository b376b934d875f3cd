"""dlib face detection, 68 landmarks and OpenFace's affine warp: a port of `openface/align_dlib.py`.

OpenCV's `getAffineTransform` + `warpAffine` become a 3-point solve in numpy and
Pillow's bilinear affine transform, with OpenCV's pixel-centre convention.
"""

import os

import dlib
import face_recognition_models
import numpy as np
from PIL import Image

from align.template import INNER_EYES_AND_BOTTOM_LIP, MINMAX_TEMPLATE


class AlignError(Exception):
    """The predictor file is missing or is not a dlib shape predictor."""


def default_predictor_path():
    """The 68-landmark model shipped by the `face-recognition-models` package."""
    return face_recognition_models.pose_predictor_model_location()


def affine_from_points(source, target):
    """The 2x3 affine map taking three source points onto three target points.

    Args:
      source: [3, 2] points (x, y).
      target: [3, 2] points (x, y).

    Returns:
      [2, 3] float64 matrix M with target = M @ [x, y, 1].
    """
    source = np.asarray(source, np.float64)
    target = np.asarray(target, np.float64)
    homogeneous = np.hstack([source, np.ones((3, 1))])
    return np.linalg.solve(homogeneous, target).T


def warp_affine(rgb, matrix, size, resample=Image.Resampling.BILINEAR):
    """OpenCV's `warpAffine(rgb, matrix, (size, size))`: bilinear, black outside, with Pillow.

    `size` is a side, or (width, height). Works on any uint8 image Pillow takes
    (RGB, or a 2-D mask). OpenCV puts pixel centres on integer coordinates and
    Pillow on half-integers, so the inverse map is shifted by half a pixel on both sides.
    """
    width, height = (size, size) if np.isscalar(size) else size
    inverse = np.linalg.inv(np.vstack([matrix, [0, 0, 1]]))[:2]
    a, b, c = inverse[0]
    d, e, f = inverse[1]
    c += 0.5 - 0.5 * (a + b)
    f += 0.5 - 0.5 * (d + e)
    image = Image.fromarray(rgb)
    warped = image.transform((width, height), Image.Transform.AFFINE, (a, b, c, d, e, f),
                             resample=resample, fillcolor=0 if image.mode == "L" else (0, 0, 0))
    return np.asarray(warped)


class AlignDlib:
    """Finds faces and their 68 landmarks with dlib and warps them onto OpenFace's template.

    Args:
      predictor_path: a dlib 68-point shape predictor (.dat); default: the one
        shipped by `face-recognition-models`.
    """

    def __init__(self, predictor_path=None):
        predictor_path = predictor_path or default_predictor_path()
        if not os.path.isfile(predictor_path):
            raise AlignError(f"no dlib face predictor at {predictor_path}")
        try:
            self.predictor = dlib.shape_predictor(predictor_path)
        except RuntimeError as e:
            raise AlignError(f"{predictor_path} is not a dlib shape predictor: {e}") from None
        self.detector = dlib.get_frontal_face_detector()

    def face_boxes(self, rgb):
        """All face boxes dlib's HOG detector finds, upsampling once, as OpenFace."""
        return list(self.detector(rgb, 1))

    def largest_face(self, rgb, skip_multi=False):
        """The largest face box, or None (no face, or several under skip_multi)."""
        faces = self.face_boxes(rgb)
        if (not skip_multi and faces) or len(faces) == 1:
            return max(faces, key=lambda r: r.width() * r.height())
        return None

    def landmarks(self, rgb, box):
        """The 68 landmarks in `box` as a [68, 2] float32 array of (x, y)."""
        shape = self.predictor(rgb, box)
        return np.float32([(p.x, p.y) for p in shape.parts()])

    def align(self, size, rgb, box=None, landmarks=None,
              landmark_indices=INNER_EYES_AND_BOTTOM_LIP, skip_multi=False):
        """A size x size face whose chosen landmarks sit on size * MINMAX_TEMPLATE.

        Returns:
          uint8 [size, size, 3], or None when no face is found.
        """
        if box is None and landmarks is None:
            box = self.largest_face(rgb, skip_multi)
            if box is None:
                return None
        if landmarks is None:
            landmarks = self.landmarks(rgb, box)
        return warp_affine(rgb, alignment_matrix(landmarks, size, landmark_indices), size)


def alignment_matrix(landmarks, size, landmark_indices=INNER_EYES_AND_BOTTOM_LIP):
    """The [2, 3] affine map from a photo to the size x size aligned face of its 68 `landmarks`."""
    indices = list(landmark_indices)
    return affine_from_points(landmarks[indices], size * MINMAX_TEMPLATE[indices])


def normalized_landmarks(landmarks):
    """Landmarks min-max normalised per axis to [0, 1], as OpenFace's template."""
    low, high = landmarks.min(axis=0), landmarks.max(axis=0)
    return (landmarks - low) / np.maximum(high - low, 1e-9)
