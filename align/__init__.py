"""Face alignment as OpenFace's align-dlib: dlib landmarks warped onto OpenFace's template."""

from align.aligner import AlignDlib, AlignError
from align.template import INNER_EYES_AND_BOTTOM_LIP, LANDMARK_INDICES, MINMAX_TEMPLATE, OUTER_EYES_AND_NOSE

__all__ = ["AlignDlib", "AlignError", "INNER_EYES_AND_BOTTOM_LIP", "LANDMARK_INDICES",
           "MINMAX_TEMPLATE", "OUTER_EYES_AND_NOSE"]
