"""The serving side of Linear Learner: request parsing, prediction, response formats.

Requests (https://docs.aws.amazon.com/sagemaker/latest/dg/cdf-inference.html):

- ``text/csv``: one example per line, ``feature_dim`` numbers, no label;
- ``application/json``: ``{"instances": [{"features": [...]}, ...]}``, where an instance may
  instead be ``{"data": {"features": {"values": [...]}}}`` or the sparse
  ``{"data": {"features": {"keys": [...], "shape": [d], "values": [...]}}}``; a single instance
  without ``instances`` is accepted too;
- ``application/jsonlines``: one such instance per line;
- ``application/x-recordio-protobuf``: Records with ``features["values"]`` (what the SDK's
  ``LinearLearnerPredictor`` sends by default).

Responses (https://docs.aws.amazon.com/sagemaker/latest/dg/LL-in-formats.html), chosen by the
``Accept`` header, JSON by default:

- ``application/json``: ``{"predictions": [{"score": 0.4, "predicted_label": 0.0}, ...]}``
  (regressors: ``{"score": ...}`` only; multiclass: ``score`` is the list of class probabilities);
- ``application/jsonlines``: one prediction object per line;
- ``application/x-recordio-protobuf``: one Record per example with float32 tensors ``score`` and
  ``predicted_label`` in its ``label`` map.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from localcloud.algorithms import recordio
from localcloud.containers.errors import ClientError, UnsupportedContentType
from localcloud.containers.media_types import accepted_types, media_type

from .artifact import load_model
from .model import LinearModel, Predictions

CSV = "text/csv"
JSON = "application/json"
JSONLINES = "application/jsonlines"
REQUEST_TYPES = (CSV, JSON, JSONLINES, recordio.CONTENT_TYPE)
RESPONSE_TYPES = (JSON, JSONLINES, recordio.CONTENT_TYPE)
_ANY = ("*/*", "application/*")


class Handler:
    """The :class:`~localcloud.containers.serving.InferenceHandler` of Linear Learner."""

    def __init__(self) -> None:
        self.model: LinearModel | None = None

    def load(self, model_dir: Path) -> None:
        self.model = load_model(model_dir)

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        response_type = choose_response_type(accept)
        features = parse_request(body, content_type, self.model.feature_dim)
        predictions = self.model.predict(features)
        return encode_response(predictions, response_type), response_type


def choose_response_type(accept: str) -> str:
    """The first supported type in an Accept header; JSON for none or a wildcard."""
    wanted = accepted_types(accept)
    for kind in wanted:
        if kind in RESPONSE_TYPES:
            return kind
        if kind in _ANY:
            return JSON
    if not wanted:
        return JSON
    raise UnsupportedContentType(f"Accept {accept!r} is not supported; Linear Learner answers "
                                 f"{', '.join(RESPONSE_TYPES)}")


# -- requests ------------------------------------------------------------------------------------


def parse_request(body: bytes, content_type: str, feature_dim: int) -> np.ndarray:
    """The (n, feature_dim) feature matrix of a request body."""
    kind = media_type(content_type)
    if kind not in REQUEST_TYPES:
        raise UnsupportedContentType(f"Content type {content_type!r} is not supported; Linear "
                                     f"Learner reads {', '.join(REQUEST_TYPES)}")
    if not body.strip():
        raise ClientError("The request body is empty")
    if kind == recordio.CONTENT_TYPE:
        return recordio.records_to_matrix(recordio.parse_records(body, "request"), feature_dim,
                                          "request").features
    text = _decode(body)
    if kind == CSV:
        rows = [_csv_row(line, number, feature_dim)
                for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    elif kind == JSON:
        rows = [_instance_vector(instance, index, feature_dim)
                for index, instance in enumerate(_json_instances(text))]
    else:
        rows = [_instance_vector(_json_value(line, f"line {number}"), number - 1, feature_dim)
                for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), feature_dim)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ClientError("The request body is not UTF-8 text") from None


def _csv_row(line: str, number: int, feature_dim: int) -> list[float]:
    cells = line.split(",")
    if len(cells) != feature_dim:
        raise ClientError(f"CSV line {number} has {len(cells)} values; the model expects "
                          f"feature_dim={feature_dim} features per line and no label")
    try:
        return [float(cell) for cell in cells]
    except ValueError:
        raise ClientError(f"CSV line {number} holds a value that is not a number: "
                          f"{line[:80]!r}") from None


def _json_value(text: str, where: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ClientError(f"The request {where} is not valid JSON: {error}") from None


def _json_instances(text: str) -> list:
    document = _json_value(text, "body")
    if isinstance(document, dict) and "instances" in document:
        instances = document["instances"]
        if isinstance(instances, list):
            return instances
    elif isinstance(document, dict) and ("features" in document or "data" in document):
        return [document]
    raise ClientError('A JSON request must look like {"instances": [{"features": [...]}, ...]}')


def _instance_vector(instance, index: int, feature_dim: int) -> np.ndarray:
    """The dense feature vector of one JSON instance (dense list or protobuf-like dict)."""
    where = f"instance {index}"
    if not isinstance(instance, dict):
        raise ClientError(f'{where} must be an object such as {{"features": [...]}}')
    if "features" in instance:
        element = instance["features"]
    elif isinstance(instance.get("data"), dict) and "features" in instance["data"]:
        element = instance["data"]["features"]
    else:
        raise ClientError(f'{where} has no "features" (or "data": {{"features": ...}})')
    if isinstance(element, dict):
        return _tensor_vector(element, where, feature_dim)
    return _dense_vector(element, where, feature_dim)


def _dense_vector(values, where: str, feature_dim: int) -> np.ndarray:
    return _full_length(_numbers(values, where), where, feature_dim)


def _full_length(vector: np.ndarray, where: str, feature_dim: int) -> np.ndarray:
    if vector.size != feature_dim:
        raise ClientError(f"{where} has {vector.size} features; the model expects "
                          f"feature_dim={feature_dim}")
    return vector


def _tensor_vector(element: dict, where: str, feature_dim: int) -> np.ndarray:
    values = _numbers(element.get("values"), where)
    if not element.get("keys"):
        return _full_length(values, where, feature_dim)
    keys = _numbers(element["keys"], where).astype(np.int64)
    if keys.size != values.size or keys.min() < 0 or keys.max() >= feature_dim:
        raise ClientError(f"{where}: sparse keys must match values and lie in [0, {feature_dim})")
    vector = np.zeros(feature_dim, dtype=np.float32)
    vector[keys] = values
    return vector


def _numbers(values, where: str) -> np.ndarray:
    if not isinstance(values, list):
        raise ClientError(f"{where}: features must be a list of numbers")
    try:
        return np.asarray(values, dtype=np.float32).reshape(-1)
    except (TypeError, ValueError):
        raise ClientError(f"{where}: features must be numbers, got {values[:5]!r}") from None


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
    if response_type == recordio.CONTENT_TYPE:
        columns = {"score": predictions.scores}
        if predictions.labels is not None:
            columns["predicted_label"] = predictions.labels
        return recordio.label_records(columns)
    objects = prediction_objects(predictions)
    if response_type == JSONLINES:
        return "".join(json.dumps(item) + "\n" for item in objects).encode()
    return json.dumps({"predictions": objects}).encode()
