"""Classical hole fills: harmonic, biharmonic and mean colour.

The baselines of the evaluation, and the biharmonic one fills the small
scattered parts of a hole in completions too (`blending.HoleFill`). Each takes
images [B, H, W, C] (any range) and a mask [H, W] (1 = known) and returns
filled images whose known pixels are the input's.
"""

import numpy as np
from scipy import sparse
from scipy.sparse import linalg

from dcgan.complete.blending import PoissonSolver


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


def biharmonic_fill(images, mask):
    """The smoothest fill in the biharmonic sense: minimises ||Laplacian(x)||^2 with x = y on known pixels."""
    images = np.asarray(images, np.float64)
    b, h, w, c = images.shape
    known = np.asarray(mask).reshape(-1) > 0.5
    if known.all() or not known.any():
        return images.copy()
    lap = _laplacian(h, w)
    energy = (lap.T @ lap).tocsc()
    hole = ~known
    system = energy[hole][:, hole]
    coupling = energy[hole][:, known]
    flat = images.transpose(1, 2, 0, 3).reshape(h * w, b * c)
    solution = linalg.splu(system).solve(-(coupling @ flat[known]))
    out = flat.copy()
    out[hole] = solution
    return out.reshape(h, w, b, c).transpose(2, 0, 1, 3)


def mean_fill(images, mask):
    """Each image's hole painted in the mean colour of its known pixels."""
    images = np.asarray(images, np.float64)
    known = np.asarray(mask) > 0.5
    if not known.any():
        return images.copy()
    means = images[:, known, :].mean(axis=1)  # [B, C]
    return np.where(known[None, :, :, None], images, means[:, None, None, :])
