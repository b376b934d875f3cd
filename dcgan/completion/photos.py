"""Completing faces in whole photos: find each face the hole touches, align it, complete it, put
it back at full resolution.

As face restoration tools do (facexlib's paste-back, used by GFPGAN and
CodeFormer): each face is warped onto the model's aligned frame with the same
affine map as `align` (the hole with it; pixels from outside the photo count as
unknown), completed there with the usual search and Poisson blending, warped
back with the inverse map, Poisson-blended again at the photo's own size (the
blend in the model's frame cannot meet a sharp photo's pixels exactly), and
blended into the photo only inside the hole (dilated by two pixels,
feathered). Every other pixel stays the input's, byte for byte.
"""

import dataclasses
import os

import numpy as np
from PIL import Image
from scipy import ndimage

from align.aligner import alignment_matrix, warp_affine
from dcgan.utils import images as image_io
from dcgan.fill.background import background_fill, face_outline
from dcgan.fill.hole_fill import HoleFill
from dcgan.fill.poisson import PoissonSolver
from dcgan.search.batches import search_batches, settled_options
from dcgan.errors import UserError, unreadable
from dcgan.fill.grain import add_grain
from dcgan.fill.mirror import mirror_eyes
from dcgan.hole.photo_hole import read_hole

DILATE = 2  # pixels the hole grows by before it is pasted into, so its edge blends too
FEATHER = 1.0  # sigma of the paste's soft edge, in photo pixels
FRAME_RAMP = 4  # model pixels over which a face's fill fades into the background fill at its frame's edge
MIN_FACE_WIDTH = 50  # photo pixels: a narrower face has too little to align and complete from
MIN_KNOWN = 0.15  # share of the aligned face that must be known to complete it from
COMPARISON_SIDE = 1024  # the comparison picture's halves are no larger


@dataclasses.dataclass
class Face:
    """A face the hole touches, in the model's aligned frame."""

    matrix: np.ndarray  # [2, 3]: photo -> aligned frame
    image: np.ndarray  # uint8 [size, size, 3], the aligned face
    known: np.ndarray  # float32 [size, size]: 1 where the aligned pixel is in the photo and not in the hole
    width: int = 0  # the face's width in the photo (dlib's box), in pixels
    points: np.ndarray = None  # [68, 2] dlib's landmarks (x, y) in the photo; None for an aligned face


def known_rgb(photo, transparent, hole):
    """A PIL photo as uint8 RGB, its `transparent` pixels (or None) in the hole made from their
    nearest known neighbours: erased pixels (black, or any colour) would hide the face from dlib
    (eyes erased to black in 40 LFW photos: a face found in 21; nearest-filled: in 38)."""
    rgb = np.asarray(photo.convert("RGB"))
    if transparent is None or not (transparent & hole).any():
        return rgb
    _, (rows, cols) = ndimage.distance_transform_edt(transparent & hole, return_indices=True)
    return rgb[rows, cols]


def faces_in_hole(path, rgb, hole, aligner, size):
    """Every face the hole touches, aligned to size x size.

    Raises:
      UserError: naming the photo: no face, a hole that touches no face, or one
        that covers so much of a face that there is nothing to complete it from.
    """
    if rgb.shape[:2] == (size, size):  # an aligned face already: the frame is the photo
        return [_checked(path, Face(np.eye(2, 3), rgb, (~hole).astype(np.float32)))]
    boxes = aligner.face_boxes(rgb)
    if not boxes:
        raise UserError(f"{path}: no face found")
    inside = np.full(rgb.shape[:2], 255, np.uint8)
    faces = []
    for box in boxes:
        points = aligner.landmarks(rgb, box)
        matrix = alignment_matrix(points, size)
        in_photo = warp_affine(inside, matrix, size, Image.Resampling.NEAREST) > 0
        in_hole = warp_affine(hole.astype(np.uint8) * 255, matrix, size, Image.Resampling.BILINEAR) > 0
        if not (in_hole & in_photo).any():
            continue
        known = (in_photo & ~in_hole).astype(np.float32)
        faces.append(_checked(path, Face(matrix, warp_affine(rgb, matrix, size), known, box.width(),
                                           points)))
    if not faces:
        raise UserError(f"{path}: the hole touches none of the {len(boxes)} face(s) found")
    return faces


def _checked(path, face):
    if face.known.mean() < MIN_KNOWN:
        raise UserError(f"{path}: the hole covers {100 * (1 - face.known.mean()):.0f}% of a face: "
                        "too little is left to complete it from")
    return face


def complete_face(face, model, options, progress=lambda steps: None,
                  snapshot=lambda done, completed: None, stop_requested=lambda: False):
    """The aligned face completed: the search, then Poisson blending in the aligned frame.

    Args:
      progress: told the iterations of each compiled call.
      snapshot: called every --outInterval iterations with the completion so far (uint8).
      stop_requested: polled every few gradient evaluations; True ends the search there.
    """
    real = face.image[None].astype(np.float32) / 127.5 - 1.0
    fill = HoleFill(face.known, options.search.hole_fill, options.blend == "poisson")
    blend = lambda generated: image_io.to_uint8(fill(real, generated))[0]
    batch = next(search_batches(
        model, real, face.known, options.search, interval=options.out_interval,
        snapshot=lambda number, done, losses: snapshot(done, blend(losses[3])),
        stop_requested=stop_requested, progress=progress))
    return blend(batch.generated)


class PasteBack:
    """Blends a face's aligned completions into a photo inside the (dilated, feathered) hole.

    The inverse map and the blending weights depend only on the photo, the hole
    and the face, so they are computed once and reused for every preview.
    """

    def __init__(self, photo_shape, hole, face, size):
        height, width = photo_shape[:2]
        self.shape = (width, height)
        self.inverse = np.linalg.inv(np.vstack([face.matrix, [0, 0, 1]]))[:2]
        self.scale = np.sqrt(abs(np.linalg.det(self.inverse[:, :2])))  # photo pixels per model pixel
        covered = warp_affine(np.full((size, size), 255, np.uint8), self.inverse, self.shape,
                              Image.Resampling.NEAREST) > 0
        # The frame's edge samples black: not pasted. The photo's own edge is no frame edge.
        covered = ndimage.binary_erosion(covered, iterations=1, border_value=1)
        self.covered = covered  # the photo's pixels inside the face's aligned frame
        region = ndimage.binary_dilation(hole, iterations=DILATE) & covered
        alpha = np.where(hole, 1.0, ndimage.gaussian_filter(hole.astype(np.float64), FEATHER) * 2)
        # Where the hole runs past the frame, the fill fades into the background fill: no seam.
        fade = ndimage.distance_transform_edt(np.pad(covered, 1, constant_values=True))[1:-1, 1:-1]
        fade = np.clip(fade / (FRAME_RAMP * self.scale), 0, 1)
        self.alpha = (np.clip(alpha, 0, 1) * region * fade)[..., None]
        self.blend = _PhotoBlend(hole, covered)

    def __call__(self, photo, completed):
        """The photo with the face's part of the hole filled; every pixel outside the
        dilated hole is the input's."""
        back = self.blend(photo, warp_affine(completed, self.inverse, self.shape).astype(np.float64))
        blended = np.round(photo * (1 - self.alpha) + back * self.alpha).astype(np.uint8)
        return np.where(self.alpha > 0, blended, photo)


class _PhotoBlend:
    """Poisson blending of the enlarged fill at the photo's size: its mismatch with the photo's
    known pixels inside the frame is spread over the hole by Laplace's equation (the frame's
    outside counts as no mismatch), so the fill meets the photo's own pixels at the hole's
    edge. One factorisation per photo and hole, reused for every preview."""

    def __init__(self, hole, covered):
        inside = hole & covered
        self.window = image_io.window_around(inside, 1) if inside.any() else None
        if self.window is not None:
            self.inside = inside[self.window]
            self.source = (~hole & covered)[self.window][..., None]
            self.solver = PoissonSolver(~self.inside)

    def __call__(self, photo, back):
        """`back` (float [H, W, 3], the fill warped to the photo) blended to `photo`'s pixels."""
        if self.window is None:
            return back
        mismatch = np.where(self.source, photo[self.window] - back[self.window], 0.0)
        back[self.window] += self.solver.blend(mismatch[None], None)[0] * self.inside[..., None]
        return np.clip(back, 0, 255)


def fill_photo(rgb, hole, faces, model, options, progress=lambda steps: None,
               preview=lambda photo: None, stop_requested=lambda: False):
    """Completes each face and pastes it back, one after the other.

    Args:
      preview: called every --outInterval iterations with the photo completed so far.

    The part of the hole outside every face's frame gets the biharmonic fill from the
    hole's edge, inside and outside the faces' outlines apart (`background_fill`), and
    each face's fill fades into it at its frame's edge.

    With options.mirror, a hidden eye whose other eye is known is then filled from that
    eye, mirrored (`mirror_eyes`).

    Returns:
      (the filled uint8 RGB photo, with grain if options.grain; the completed aligned faces;
      the share of the hole that only that fill filled).
    """
    outlines = [face_outline(face.points, rgb.shape) for face in faces if face.points is not None]
    outline = np.logical_or.reduce(outlines) if outlines else None
    filled, completed, scales = background_fill(rgb, hole, outline), [], []
    faces_part = np.zeros(hole.shape, np.float64)
    for face in faces:
        done, paste = filled, PasteBack(rgb.shape, hole, face, model.config.image_size)
        crop = complete_face(face, model, options, progress,
                             lambda _, so_far: preview(paste(done, so_far)), stop_requested)
        filled = paste(filled, crop)
        completed.append(crop)
        scales.append(paste.scale)
        faces_part = np.maximum(faces_part, paste.alpha[..., 0])
        if options.mirror and face.points is not None:
            filled = mirror_eyes(rgb, filled, hole, face.points)
    if options.grain:  # over the whole hole, the faces' feathered edges included
        filled = add_grain(rgb, filled, np.maximum(faces_part, hole)[..., None], max(scales))
    return filled, completed, float((faces_part[hole] < 0.5).mean())


def complete_photo(path, model, options, aligner, out_dir, log=print, progress=lambda steps: None,
                   stop_requested=lambda: False, expect_steps=lambda steps: None):
    """Completes the faces the hole touches in one photo; writes it, its aligned crops and a comparison.

    `expect_steps` is told the number of steps once the faces are found, and `progress`
    the steps of each face's search and tuning as they run; `stop_requested()` ends
    them early, and the photo is still written with the fill found so far.

    Returns:
      The path of the completed photo (`out_dir/completed/<name>.png`), of the photo's size and mode.

    Raises:
      UserError: naming the photo (see `read_hole` and `faces_in_hole`).
    """
    options = settled_options(model, options)
    try:
        original = image_io.open_8bit(path)
    except (OSError, ValueError, SyntaxError):
        raise unreadable([path]) from None
    transparent = image_io.transparent(original)
    hole = read_hole(path, original.size, options.box, options.mask.mask_file, transparent)
    rgb = known_rgb(original, transparent, hole)
    faces = faces_in_hole(path, rgb, hole, aligner, model.config.image_size)
    for face in faces:
        if 0 < face.width < MIN_FACE_WIDTH:
            log(f"warning: {path}: a face {face.width} px wide, below the {MIN_FACE_WIDTH} px "
                "it takes to align and complete a face well: expect a blurred fill")
    expect_steps(options.search.steps * len(faces))
    name = os.path.splitext(os.path.basename(path))[0]
    filled, completed, background = fill_photo(rgb, hole, faces, model, options, progress,
                                               stop_requested=stop_requested)
    for number, (face, crop) in enumerate(zip(faces, completed), 1):
        crops = os.path.join(out_dir, "aligned", f"{name}_face{number}")
        masked = np.where(face.known[..., None] > 0, face.image, 128).astype(np.uint8)
        image_io.save_image(masked, crops + "_masked.png")
        image_io.save_image(crop, crops + "_completed.png")
    if background > 0.01:
        log(f"warning: {path}: {100 * background:.0f}% of the hole lies outside every face: "
            "filled there by a smooth classical fill from the hole's edge, not the model")
    gray = image_io.is_grayscale(original)
    out = os.path.join(out_dir, "completed", f"{name}.png")
    image_io.save_image(image_io.to_gray(filled) if gray else filled, out)
    save_comparison(rgb, hole, filled, os.path.join(out_dir, "comparison", f"{name}.png"), gray)
    return out


def save_comparison(rgb, hole, filled, path, gray=False):
    """The photo with its hole in grey beside the completed photo: one picture to look at,
    each half at most COMPARISON_SIDE pixels a side."""
    pair = Image.fromarray(np.hstack([np.where(hole[..., None], 128, rgb).astype(np.uint8), filled]))
    scale = min(1.0, COMPARISON_SIDE / max(rgb.shape[:2]))
    if scale < 1:
        pair = pair.resize((round(pair.width * scale), round(pair.height * scale)),
                           Image.Resampling.LANCZOS)
    image_io.save_image(image_io.to_gray(np.asarray(pair)) if gray else np.asarray(pair), path)
