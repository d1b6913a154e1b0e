"""The serving side of PCA: project examples onto the principal components.

Requests: CSV, JSON, JSON Lines or RecordIO-protobuf with ``feature_dim`` features per example
(:mod:`localcloud.algorithms.inputs.invocations`). The projection of ``x`` is ``(x - mean) · v``,
its values in the order of ``s`` (ascending: the most important component last). Answers
(https://docs.aws.amazon.com/sagemaker/latest/dg/PCA-in-formats.html), by ``Accept``:

- ``application/json`` (default): ``{"projections": [{"projection": [...]}, ...]}`` — note the
  key ``projections``, not ``predictions``;
- ``application/jsonlines``: ``{"projection": [...]}`` per line;
- ``application/x-recordio-protobuf``: one Record per example, ``label["projection"]`` a float32
  tensor;
- ``text/csv``: the projection's values, comma-separated, one example per line.
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

ALGORITHM = "PCA"
RESPONSE_TYPES = (JSON, JSONLINES, RECORDIO, CSV)


class Handler:
    """The :class:`~localcloud.containers.serving.InferenceHandler` of PCA."""

    def __init__(self) -> None:
        self.components: np.ndarray | None = None  # (feature_dim, num_components)
        self.mean: np.ndarray | None = None  # (feature_dim,)

    def load(self, model_dir: Path) -> None:
        arrays = load_arrays(model_dir, ALGORITHM)
        if not isinstance(arrays, dict) or not {"v", "mean"} <= set(arrays):
            raise ClientError("model_algo-1 is not a PCA model: it needs the arrays 'v' and "
                              "'mean'")
        self.components = arrays["v"].astype(np.float64)
        self.mean = arrays["mean"].reshape(-1).astype(np.float64)

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        response_type = choose_response_type(accept, RESPONSE_TYPES, ALGORITHM)
        features = parse_request(body, content_type, self.components.shape[0], ALGORITHM)
        projections = self.project(features)
        answers = [{"projection": row} for row in projections.astype(np.float32).tolist()]
        return encode_answer(answers, response_type, json_key="projections"), response_type

    def project(self, features: np.ndarray) -> np.ndarray:
        """The (n, num_components) projections of (n, feature_dim) examples."""
        return (features.astype(np.float64) - self.mean) @ self.components
