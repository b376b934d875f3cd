"""Poisson blending: fill the hole so its Laplacian matches a guidance image's, the known pixels fixed.

The paper's min ||grad x - grad G(z)||^2 with x = y on known pixels, solved per
channel with one sparse LU factorisation per mask, reused for every channel and
image. With zero guidance it is the harmonic fill, a classical baseline.
"""

import numpy as np
from scipy import sparse
from scipy.sparse import linalg


class PoissonSolver:
    """The factorised Laplace system of one mask.

    Args:
      mask: [H, W], 1 = known, 0 = hole.
    """

    def __init__(self, mask):
        self.known = np.asarray(mask) > 0.5
        h, w = self.known.shape
        hole = ~self.known
        self.hole_index = -np.ones((h, w), np.int64)
        self.hole_index[hole] = np.arange(hole.sum())
        self.size = int(hole.sum())
        self.solver = None
        if self.size == 0 or not self.known.any():
            return  # nothing to fill, or no boundary to fill from: blending is a paste
        rows, cols, values = [], [], []
        neighbours = np.zeros((h, w), np.float64)
        self._links = []  # per direction: (hole pixel ids, their neighbours' coordinates)
        ys, xs = np.nonzero(hole)  # row-major, so pixel i of the hole has id i
        ids = np.arange(self.size)
        for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            ny, nx = ys + dy, xs + dx
            inside = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
            p, qy, qx = ids[inside], ny[inside], nx[inside]
            neighbours[ys[inside], xs[inside]] += 1
            q_hole = hole[qy, qx]
            rows.append(p[q_hole])
            cols.append(self.hole_index[qy[q_hole], qx[q_hole]])
            values.append(-np.ones(q_hole.sum()))
            self._links.append((p, qy, qx))
        rows.append(ids)
        cols.append(ids)
        values.append(neighbours[ys, xs])
        matrix = sparse.csc_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
            shape=(self.size, self.size))
        self.solver = linalg.splu(matrix)
        self._hole_yx = (ys, xs)

    def blend(self, images, guidance):
        """Fills the hole of each image from the guidance's gradients.

        Args:
          images: [B, H, W, C] inputs; their known pixels are kept exactly.
          guidance: [B, H, W, C] (G(z)), or None for the harmonic fill.

        Returns:
          float [B, H, W, C].
        """
        images = np.asarray(images, np.float64)
        known = self.known[None, :, :, None]
        if self.solver is None:
            return images if guidance is None else np.where(known, images, guidance)
        b, h, w, c = images.shape
        ys, xs = self._hole_yx
        rhs = np.zeros((self.size, b * c))
        g = None if guidance is None else np.asarray(guidance, np.float64)
        for p, qy, qx in self._links:
            if g is not None:  # guidance Laplacian: sum over neighbours of g_p - g_q
                diff = (g[:, ys[p], xs[p], :] - g[:, qy, qx, :]).transpose(1, 0, 2).reshape(len(p), b * c)
                np.add.at(rhs, p, diff)
            q_known = self.known[qy, qx]  # known neighbours move to the right-hand side
            values = images[:, qy[q_known], qx[q_known], :].transpose(1, 0, 2).reshape(-1, b * c)
            np.add.at(rhs, p[q_known], values)
        solution = self.solver.solve(rhs).reshape(self.size, b, c).transpose(1, 0, 2)
        out = images.copy()
        out[:, ys, xs, :] = solution
        return out


def poisson_blend(images, guidance, mask):
    """One-shot `PoissonSolver(mask).blend(images, guidance)`."""
    return PoissonSolver(mask).blend(images, guidance)


def blend(solver, real, generated, known):
    """Poisson-blended, or pasted (--blend none), completions; known pixels are the input's."""
    if solver is None:
        return known * real + (1 - known) * generated
    return np.clip(solver.blend(real, generated), -1.0, 1.0)
