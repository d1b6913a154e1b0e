"""The bodies of ``/invocations`` requests and answers of SageMaker's first-party algorithms.

Linear Learner, PCA and k-means read the same request formats
(https://docs.aws.amazon.com/sagemaker/latest/dg/cdf-inference.html):

- ``text/csv``: one example per line, ``feature_dim`` numbers, no label;
- ``application/json``: ``{"instances": [{"features": [...]}, ...]}``, where an instance may
  instead be ``{"data": {"features": {"values": [...]}}}`` or the sparse
  ``{"data": {"features": {"keys": [...], "shape": [d], "values": [...]}}}``; a single instance
  without ``instances`` is accepted too;
- ``application/jsonlines``: one such instance per line;
- ``application/x-recordio-protobuf``: Records with ``features["values"]`` (what the SDK's
  predictors send by default).

They answer, by the ``Accept`` header (JSON by default), one object per example: in
``{"<key>": [...]}`` for JSON (``predictions`` for most, ``projections`` for PCA), one object per
line for JSON Lines, one Record per example with each field a float32 tensor in its ``label`` map
for RecordIO-protobuf, and the fields' values comma-separated per line for CSV.
"""

from __future__ import annotations

import json

import numpy as np

from localcloud.containers.errors import ClientError, UnsupportedContentType
from localcloud.containers.media_types import accepted_types, media_type

from . import recordio_protobuf as recordio

CSV = "text/csv"
JSON = "application/json"
JSONLINES = "application/jsonlines"
RECORDIO = recordio.CONTENT_TYPE
REQUEST_TYPES = (CSV, JSON, JSONLINES, RECORDIO)
_ANY = ("*/*", "application/*")


def choose_response_type(accept: str, response_types: tuple[str, ...], algorithm: str) -> str:
    """The first type of ``response_types`` an Accept header lists; JSON for none or a wildcard."""
    wanted = accepted_types(accept)
    for kind in wanted:
        if kind in response_types:
            return kind
        if kind in _ANY:
            return JSON
    if not wanted:
        return JSON
    raise UnsupportedContentType(f"Accept {accept!r} is not supported; {algorithm} answers "
                                 f"{', '.join(response_types)}")


# -- requests ------------------------------------------------------------------------------------


def parse_request(body: bytes, content_type: str, feature_dim: int, algorithm: str) -> np.ndarray:
    """The (n, feature_dim) feature matrix of a request body sent to ``algorithm``."""
    kind = media_type(content_type)
    if kind not in REQUEST_TYPES:
        raise UnsupportedContentType(f"Content type {content_type!r} is not supported; "
                                     f"{algorithm} reads {', '.join(REQUEST_TYPES)}")
    if not body.strip():
        raise ClientError("The request body is empty")
    if kind == RECORDIO:
        return recordio.read_matrix(body, feature_dim, "request").features
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


# -- answers -------------------------------------------------------------------------------------


def encode_answer(objects: list[dict], response_type: str, json_key: str = "predictions") -> bytes:
    """One answer object per example, in ``response_type``."""
    if response_type == RECORDIO:
        names = objects[0].keys() if objects else ()
        return recordio.label_records({name: np.asarray([item[name] for item in objects])
                                       for name in names})
    if response_type == JSONLINES:
        return "".join(json.dumps(item) + "\n" for item in objects).encode()
    if response_type == CSV:
        return "".join(",".join(_csv_cells(item)) + "\n" for item in objects).encode()
    return json.dumps({json_key: objects}).encode()


def _csv_cells(item: dict) -> list[str]:
    cells = []
    for value in item.values():
        cells.extend(repr(float(number)) for number in np.atleast_1d(value))
    return cells
