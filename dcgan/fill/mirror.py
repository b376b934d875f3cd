"""Mirror: an eye under the hole filled from the other eye, mirrored.

The model's 64-pixel eye, enlarged to the photo, is soft and often has no iris;
a retoucher clones the other eye instead. Where one eye of a face is in the
hole and the other is known, the known eye and its brow are mapped onto the
hidden ones by the affine map that takes their landmarks, mirrored, onto the
hidden eye's and brow's, Poisson-blended into the hole around the hidden eye
(the model's fill around it is the blend's edge), and faded in from that edge
over a few pixels, so that a brow or lid a pixel off its twin makes no step.
Only on faces that look at the camera: turned away, the far eye is
foreshortened and shaded otherwise, and its mirror is a worse guess than the
model's.
"""

import numpy as np
from PIL import Image
from scipy import ndimage

from align.aligner import warp_affine
from dcgan.fill.poisson import poisson_blend
from dcgan.utils.images import rectangle, window_around

# dlib's landmarks of the eye (the first six) and brow on the photo's left, and of their mirror
# images on its right, in the same order.
LEFT_SIDE = list(range(36, 42)) + list(range(17, 22))
RIGHT_SIDE = [45, 44, 43, 42, 47, 46, 26, 25, 24, 23, 22]
EYE = slice(0, 6)
MIN_EYE_RATIO = 0.9  # the narrower eye's width over the wider's: below, the face is turned
MIN_JAW_RATIO = 0.6  # the nose's distance to the nearer jaw over that to the farther
MARGIN = 0.1  # of the face's width (jaw to jaw) around a hidden eye: what the mirror fills
FADE = 0.04  # of the face's width: the mirror fades in over this from its part's edge


def facing(points):
    """Whether a face (dlib's [68, 2] landmarks) looks near enough at the camera to mirror."""
    widths = np.linalg.norm(points[39] - points[36]), np.linalg.norm(points[45] - points[42])
    jaws = points[30, 0] - points[2, 0], points[14, 0] - points[30, 0]
    return (min(widths) >= MIN_EYE_RATIO * max(widths)
            and min(jaws) >= MIN_JAW_RATIO * max(jaws))


def mirror_eyes(photo, filled, hole, points):
    """`filled` with each hidden eye of one face replaced by its known other eye, mirrored.

    Args:
      photo: uint8 [H, W, 3], the input (its pixels outside the hole are the mirror's source).
      filled: uint8 [H, W, 3], the photo with its hole filled.
      hole: bool [H, W].
      points: [68, 2] the face's landmarks (x, y) in the photo.

    Returns:
      uint8 [H, W, 3]: `filled` itself where no eye is hidden, the other is not wholly
      known, or the face is turned.
    """
    if not facing(points):
        return filled
    for hidden, source in ((LEFT_SIDE, RIGHT_SIDE), (RIGHT_SIDE, LEFT_SIDE)):
        part = _around_eye(points, hidden[EYE], hole)
        if not part.any():
            continue
        window = window_around(part, 1)
        part = part[window]
        # The mirror map, its output shifted to the window's corner: only the window is warped.
        matrix = _mirror_map(points[source], points[hidden] - [window[1].start, window[0].start])
        size = part.shape[1], part.shape[0]
        from_known = warp_affine(np.where(hole, 0, 255).astype(np.uint8), matrix, size,
                                 Image.Resampling.NEAREST) > 0
        if not from_known[part].all():  # the other eye is hidden too, or beyond the photo
            continue
        clone = warp_affine(photo, matrix, size).astype(np.float64)
        before = filled[window].astype(np.float64)
        blended = poisson_blend(before[None], clone[None], ~part)[0]
        inside = ndimage.distance_transform_edt(part) - 0.5
        fade = np.clip(inside / (FADE * _face_width(points)), 0, 1)[..., None]
        mixed = np.round(before + fade * (blended - before))
        filled = filled.copy()
        filled[window] = np.clip(mixed, 0, 255).astype(np.uint8)
    return filled


def _around_eye(points, eye, hole):
    """The hole's pixels within MARGIN of the face's width of an eye whose centre is in the hole."""
    x, y = np.round(points[eye].mean(axis=0)).astype(int)
    height, width = hole.shape
    if not (0 <= x < width and 0 <= y < height and hole[y, x]):
        return np.zeros_like(hole)
    pad = MARGIN * _face_width(points)
    (x0, y0), (x1, y1) = points[eye].min(axis=0) - pad, points[eye].max(axis=0) + pad
    return rectangle(hole.shape, int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))) & hole


def _face_width(points):
    """Jaw to jaw, in pixels."""
    return points[16, 0] - points[0, 0]


def _mirror_map(source, target):
    """The [2, 3] affine map (least squares) taking the source landmarks onto the target's."""
    homogeneous = np.hstack([source, np.ones((len(source), 1))])
    return np.linalg.lstsq(homogeneous, target, rcond=None)[0].T
