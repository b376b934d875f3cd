"""How G(z)'s fill goes into the hole: Poisson-blended where the hole is large, the biharmonic
fill where it is a few scattered pixels.

One missing pixel among known neighbours is texture, and a smooth fill from
them is nearly exact; a large part of the hole is structure, which only the
generator can supply. `--holeFill auto` decides per connected part of the hole
by its area; `dcgan` blends G(z) into all of it, `biharmonic` into none.
"""

import numpy as np
from scipy import ndimage

from dcgan.fill.poisson import PoissonSolver, blend
from dcgan.fill.classical import BiharmonicSolver

SMALL_PART = 16  # pixels of a 64x64 face (scaled with its area): a part this small is texture


def small_parts(hole):
    """The pixels of `hole` ([H, W] bool) in connected parts (4-neighbours) of SMALL_PART or fewer."""
    labels, count = ndimage.label(hole)
    if not count:
        return np.zeros_like(hole)
    areas = np.bincount(labels.ravel())
    limit = SMALL_PART * hole.size / 64 ** 2
    small = areas <= limit
    small[0] = False  # the known pixels
    return small[labels]


def classical_part(hole, how):
    """The pixels of `hole` that the classical fill takes under --holeFill `how`."""
    return {"auto": small_parts(hole), "dcgan": np.zeros_like(hole), "biharmonic": hole}[how]


def generator_needed(mask, how):
    """Whether G(z) fills any of the hole ([H, W] mask, 1 = known): with auto and a hole of
    specks alone it fills none, and no search is needed. An empty hole (reconstruction,
    --maskType full) is all G's to show."""
    hole = np.asarray(mask) <= 0.5
    return not hole.any() or bool((hole & ~classical_part(hole, how)).any())


class HoleFill:
    """Fills one mask's hole from G(z), for any number of images.

    Args:
      mask: [H, W], 1 = known.
      how: auto, dcgan or biharmonic (see the module).
      poisson: blend G(z) by its gradients (False pastes it, --blend none).
    """

    def __init__(self, mask, how="auto", poisson=True):
        known = np.asarray(mask) > 0.5
        hole = ~known
        self.classical = classical_part(hole, how)
        self.biharmonic = BiharmonicSolver(known) if self.classical.any() else None
        self.from_g = (known | self.classical).astype(np.float64)  # known, or filled classically
        self.solver = PoissonSolver(self.from_g) if poisson else None

    def __call__(self, real, generated):
        """The completions ([N, H, W, C] in [-1, 1]); known pixels are the input's."""
        base = real
        if self.biharmonic is not None:
            base = np.where(self.classical[None, :, :, None], self.biharmonic.fill(real), real)
        return blend(self.solver, base, generated, self.from_g[None, :, :, None])
