"""The serving side of Linear Learner: request parsing, prediction, response formats.

Requests: CSV, JSON, JSON Lines or RecordIO-protobuf, read as every first-party algorithm reads
them (:mod:`localcloud.algorithms.inputs.invocations`).

Responses (https://docs.aws.amazon.com/sagemaker/latest/dg/LL-in-formats.html), chosen by the
``Accept`` header, JSON by default:

- ``application/json``: ``{"predictions": [{"score": 0.4, "predicted_label": 0.0}, ...]}``
  (regressors: ``{"score": ...}`` only; multiclass: ``score`` is the list of class probabilities);
- ``application/jsonlines``: one prediction object per line;
- ``application/x-recordio-protobuf``: one Record per example with float32 tensors ``score`` and
  ``predicted_label`` in its ``label`` map.
"""

from __future__ import annotations

from pathlib import Path

from localcloud.algorithms.inputs.invocations import (
    JSON,
    JSONLINES,
    RECORDIO,
    choose_response_type,
    encode_answer,
    parse_request,
)

from .artifact import load_model
from .model import LinearModel, Predictions

ALGORITHM = "Linear Learner"
RESPONSE_TYPES = (JSON, JSONLINES, RECORDIO)


class Handler:
    """The :class:`~localcloud.containers.serving.InferenceHandler` of Linear Learner."""

    def __init__(self) -> None:
        self.model: LinearModel | None = None

    def load(self, model_dir: Path) -> None:
        self.model = load_model(model_dir)

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        response_type = choose_response_type(accept, RESPONSE_TYPES, ALGORITHM)
        features = parse_request(body, content_type, self.model.feature_dim, ALGORITHM)
        predictions = self.model.predict(features)
        return encode_response(predictions, response_type), response_type


# -- responses -----------------------------------------------------------------------------------


def prediction_objects(predictions: Predictions) -> list[dict]:
    """One ``{"score": ..., "predicted_label": ...}`` per example, as in the JSON format.

    The documentation's examples show ``"predicted_label": 0``; real endpoints answer ``0.0`` (the
    value of the float32 tensor they build first), and so do we.
    """
    scores = predictions.scores.tolist()
    if predictions.labels is None:
        return [{"score": score} for score in scores]
    return [{"score": score, "predicted_label": float(label)}
            for score, label in zip(scores, predictions.labels.tolist(), strict=True)]


def encode_response(predictions: Predictions, response_type: str) -> bytes:
    return encode_answer(prediction_objects(predictions), response_type)
