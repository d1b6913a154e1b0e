"""The serving side of k-means: the closest centroid of each example.

Requests: CSV, JSON, JSON Lines or RecordIO-protobuf with ``feature_dim`` features per example
(:mod:`localcloud.algorithms.inputs.invocations`). Answers
(https://docs.aws.amazon.com/sagemaker/latest/dg/km-in-formats.html), by ``Accept``:

- ``application/json`` (default):
  ``{"predictions": [{"closest_cluster": 1.0, "distance_to_cluster": 3.0}, ...]}``;
- ``application/jsonlines``: one such object per line;
- ``text/csv``: ``closest_cluster,distance_to_cluster`` per line;
- ``application/x-recordio-protobuf``: one Record per example, float32 tensors
  ``closest_cluster`` and ``distance_to_cluster`` in its ``label`` map.

``distance_to_cluster`` is the Euclidean distance to that centroid.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from localcloud.algorithms.artifacts import load_arrays
from localcloud.algorithms.inputs.invocations import (
    CSV,
    JSON,
    JSONLINES,
    RECORDIO,
    choose_response_type,
    encode_answer,
    parse_request,
)
from localcloud.containers.errors import ClientError

from .distances import squared_distances

ALGORITHM = "k-means"
RESPONSE_TYPES = (JSON, JSONLINES, RECORDIO, CSV)


class Handler:
    """The :class:`~localcloud.containers.serving.InferenceHandler` of k-means."""

    def __init__(self) -> None:
        self.centroids: np.ndarray | None = None  # (k, feature_dim)

    def load(self, model_dir: Path) -> None:
        arrays = load_arrays(model_dir, ALGORITHM)
        if isinstance(arrays, dict) or len(arrays) != 1 or arrays[0].ndim != 2:
            raise ClientError("model_algo-1 is not a k-means model: it needs one (k, "
                              "feature_dim) array of centroids")
        self.centroids = arrays[0].astype(np.float64)

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        response_type = choose_response_type(accept, RESPONSE_TYPES, ALGORITHM)
        features = parse_request(body, content_type, self.centroids.shape[1], ALGORITHM)
        clusters, distances = self.assign(features)
        answers = [{"closest_cluster": float(cluster), "distance_to_cluster": float(distance)}
                   for cluster, distance in zip(clusters, distances, strict=True)]
        return encode_answer(answers, response_type), response_type

    def assign(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each example's closest centroid and its Euclidean distance to it."""
        squared = squared_distances(features.astype(np.float64), self.centroids)
        closest = squared.argmin(axis=1)
        return closest, np.sqrt(squared[np.arange(closest.size), closest])
