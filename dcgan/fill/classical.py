"""Classical hole fills: harmonic, biharmonic and mean colour.

The baselines of the evaluation, and the biharmonic one fills the small
scattered parts of a hole in completions too (`hole_fill.HoleFill`). Each takes
images [B, H, W, C] (any range) and a mask [H, W] (1 = known) and returns
filled images whose known pixels are the input's.
"""

import numpy as np
from scipy import sparse
from scipy.sparse import linalg

from dcgan.fill.poisson import PoissonSolver


def harmonic_fill(images, mask):
    """Laplace's equation in the hole, the known pixels as boundary: Poisson blending with no guidance."""
    return PoissonSolver(mask).blend(images, None)


def _laplacian(h, w):
    """The 5-point Laplacian of an h x w grid with reflecting (Neumann) borders, as a sparse matrix."""
    def second_difference(n):
        d = sparse.diags([np.ones(n - 1), -2 * np.ones(n), np.ones(n - 1)], [-1, 0, 1], format="lil")
        d[0, 0] = d[n - 1, n - 1] = -1
        return d.tocsr()
    return sparse.kron(sparse.identity(h), second_difference(w)) + sparse.kron(second_difference(h), sparse.identity(w))


class BiharmonicSolver:
    """The factorised biharmonic system of one mask: minimise ||Laplacian(x)||^2 with x = y on
    the known pixels. Built once per mask, like `PoissonSolver`, and reused for every image.

    Args:
      mask: [H, W], 1 = known.
    """

    def __init__(self, mask):
        h, w = np.asarray(mask).shape
        self.known = np.asarray(mask).reshape(-1) > 0.5
        self.solver = None
        if self.known.all() or not self.known.any():
            return  # nothing to fill, or nothing to fill from
        lap = _laplacian(h, w)
        energy = (lap.T @ lap).tocsc()
        hole = ~self.known
        self.coupling = energy[hole][:, self.known]
        self.solver = linalg.splu(energy[hole][:, hole])

    def fill(self, images):
        """Images [B, H, W, C] (any range) with the hole filled; known pixels are the input's."""
        images = np.asarray(images, np.float64)
        if self.solver is None:
            return images.copy()
        b, h, w, c = images.shape
        flat = images.transpose(1, 2, 0, 3).reshape(h * w, b * c)
        out = flat.copy()
        out[~self.known] = self.solver.solve(-(self.coupling @ flat[self.known]))
        return out.reshape(h, w, b, c).transpose(2, 0, 1, 3)


def biharmonic_fill(images, mask):
    """The smoothest fill in the biharmonic sense: minimises ||Laplacian(x)||^2 with x = y on known pixels."""
    return BiharmonicSolver(mask).fill(images)


def mean_fill(images, mask):
    """Each image's hole painted in the mean colour of its known pixels."""
    images = np.asarray(images, np.float64)
    known = np.asarray(mask) > 0.5
    if not known.any():
        return images.copy()
    means = images[:, known, :].mean(axis=1)  # [B, C]
    return np.where(known[None, :, :, None], images, means[:, None, None, :])
