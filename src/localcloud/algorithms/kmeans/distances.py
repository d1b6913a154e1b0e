"""Distances between examples and centroids, shared by training and serving (numpy only: the
model server must not load scikit-learn)."""

from __future__ import annotations

import numpy as np


def squared_distances(rows: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """(n, k) squared Euclidean distances."""
    distances = ((rows ** 2).sum(axis=1)[:, None] - 2 * rows @ centroids.T
                 + (centroids ** 2).sum(axis=1)[None, :])
    return np.clip(distances, 0, None)
