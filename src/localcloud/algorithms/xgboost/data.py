"""Reading training channels and inference requests in the formats SageMaker XGBoost accepts.

The algorithm's documented input interface
(https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost-how-to-use.html#InputOutput-XGBoost):

- ``text/libsvm`` (the default when a channel names no ContentType): one record per line,
  ``<label>[:<weight>] <index>:<value> ...`` with zero-based feature indices; inference
  requests may leave the label out.
- ``text/csv``: no header; for training the label is the first column (with ``csv_weights=1``
  the instance weight is the second); inference rows hold the features only.

Every parsing problem becomes a ClientError that names the file (or the request body), the line
and the offending value, so a learner can fix the data without reading a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xgboost
from scipy import sparse

from localcloud.algorithms.inputs.csv_table import label_size, read_csv_table
from localcloud.containers.errors import ClientError, UnsupportedContentType
from localcloud.containers.media_types import media_type

log = logging.getLogger(__name__)

CSV = "csv"
LIBSVM = "libsvm"

_CSV_TYPES = ("csv", "text/csv")
_LIBSVM_TYPES = ("libsvm", "text/libsvm", "text/x-libsvm")
_KNOWN_ELSEWHERE = ("parquet", "application/x-parquet", "recordio-protobuf",
                    "application/x-recordio-protobuf")

CSV_TRAINING_HINT = "text/csv channels take numbers only, label in the first column, no header"
CSV_REQUEST_HINT = ("text/csv requests take numbers only, one row per line, "
                    "no label column and no header")
LIBSVM_TRAINING_HINT = "text/libsvm rows look like '<label> <index>:<value> <index>:<value> ...'"
LIBSVM_REQUEST_HINT = "text/libsvm requests look like '<index>:<value> <index>:<value> ...'"


# -- content types ---------------------------------------------------------------------------

def channel_format(content_type: str | None) -> str:
    """CSV or LIBSVM for a channel's ContentType (libsvm when none is given, as on AWS)."""
    if content_type is None:
        return LIBSVM
    kind = media_type(content_type)
    if kind in _LIBSVM_TYPES:
        return LIBSVM
    if kind in _CSV_TYPES:
        label_size(content_type, allowed=(1,))
        return CSV
    if kind in _KNOWN_ELSEWHERE:
        raise ClientError(f"ContentType {content_type} is accepted by SageMaker XGBoost but not "
                          "implemented by localcloud; use text/csv or text/libsvm")
    raise ClientError(f"{content_type} is not an accepted ContentType: "
                      "text/csv, text/csv; label_size=1, text/libsvm, libsvm, csv")


def request_format(content_type: str) -> str:
    """CSV or LIBSVM for an inference request's Content-Type header."""
    kind = media_type(content_type)
    if kind == "text/csv":
        return CSV
    if kind in ("text/libsvm", "text/x-libsvm"):
        return LIBSVM
    raise UnsupportedContentType(f"Content type {content_type} is not supported by SageMaker "
                                 "XGBoost in localcloud; send text/csv or text/libsvm")


# -- records ---------------------------------------------------------------------------------

@dataclass
class Records:
    """Rows read from a channel or a request: features, and labels and weights for training."""

    features: np.ndarray | sparse.csr_matrix
    labels: np.ndarray | None = None
    weights: np.ndarray | None = None

    @property
    def num_rows(self) -> int:
        return self.features.shape[0]

    @property
    def num_columns(self) -> int:
        return self.features.shape[1]

    def widened_features(self, num_columns: int | None = None) -> np.ndarray | sparse.csr_matrix:
        """The features, sparse rows widened to ``num_columns`` so data sets and models line up."""
        features = self.features
        if sparse.issparse(features) and num_columns and num_columns > features.shape[1]:
            return _widen(features, num_columns)
        return features

    def to_dmatrix(self, num_columns: int | None = None) -> xgboost.DMatrix:
        """A DMatrix of :meth:`widened_features`, with the labels and weights."""
        return xgboost.DMatrix(self.widened_features(num_columns), label=self.labels,
                               weight=self.weights)


def concatenate(parts: list[Records]) -> Records:
    """One Records holding the rows of several files, in order."""
    if len(parts) == 1:
        return parts[0]
    if sparse.issparse(parts[0].features):
        width = max(part.num_columns for part in parts)
        features = sparse.vstack([_widen(part.features, width) for part in parts], format="csr")
    else:
        features = np.vstack([part.features for part in parts])
    return Records(features=features, labels=_join(part.labels for part in parts),
                   weights=_join(part.weights for part in parts))


def _widen(matrix: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    """The same rows with ``width`` columns (the extra columns hold no value: missing)."""
    return sparse.csr_matrix((matrix.data, matrix.indices, matrix.indptr),
                             shape=(matrix.shape[0], width))


def _join(arrays: Iterable[np.ndarray | None]) -> np.ndarray | None:
    arrays = list(arrays)
    return None if any(array is None for array in arrays) else np.concatenate(arrays)


# -- training files --------------------------------------------------------------------------

def read_training_file(path: Path, data_format: str, csv_weights: bool = False) -> Records:
    """The labelled records of one channel file (empty Records for an empty file)."""
    if data_format == CSV:
        return _labelled_csv(path, csv_weights)
    with path.open(encoding="utf-8", errors="replace") as lines:
        return parse_libsvm(lines, path.name, labelled=True, hint=LIBSVM_TRAINING_HINT)


def _labelled_csv(path: Path, csv_weights: bool) -> Records:
    table = read_csv_table(path, path.name, CSV_TRAINING_HINT, delimiter=None)
    if table.shape[0] == 0:
        return Records(features=table, labels=np.empty(0, dtype=np.float32))
    first_feature = 2 if csv_weights else 1
    if table.shape[1] <= first_feature:
        raise ClientError(f"{path.name} has {table.shape[1]} column(s); {CSV_TRAINING_HINT}"
                          + (", instance weight in the second" if csv_weights else ""))
    labels = table[:, 0]
    _check_labels_present(labels, path.name)
    return Records(features=table[:, first_feature:], labels=labels,
                   weights=table[:, 1] if csv_weights else None)


def _check_labels_present(labels: np.ndarray, source: str) -> None:
    missing = np.flatnonzero(np.isnan(labels))
    if missing.size:
        raise ClientError(f"missing label in line {missing[0] + 1} of {source}; "
                          f"{CSV_TRAINING_HINT}")


# -- request bodies --------------------------------------------------------------------------

def read_request(body: bytes, data_format: str) -> Records:
    """The feature rows of an inference request body."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        raise ClientError("The request body is empty; send one or more rows of features")
    if data_format == CSV:
        table = read_csv_table(text, "the request body", CSV_REQUEST_HINT, delimiter=None)
        return Records(features=table)
    return parse_libsvm(text.splitlines(), "the request body", labelled=False,
                        hint=LIBSVM_REQUEST_HINT)


# -- LIBSVM ----------------------------------------------------------------------------------

def parse_libsvm(lines: Iterable[str], name: str, *, labelled: bool, hint: str) -> Records:
    """Records from LIBSVM lines; requests may carry a label, which is ignored."""
    labels, weights = [], []
    indptr, indices, values = [0], [], []
    for line_number, line in enumerate(lines, start=1):
        tokens = line.split()
        if not tokens:
            continue
        if labelled:
            label, weight = _libsvm_label(tokens[0], line_number, name, hint)
            labels.append(label)
            weights.append(weight)
        if labelled or ":" not in tokens[0]:
            tokens = tokens[1:]
        for token in tokens:
            index, value = _libsvm_feature(token, line_number, name, hint)
            indices.append(index)
            values.append(value)
        indptr.append(len(indices))
    width = max(indices) + 1 if indices else 0
    features = sparse.csr_matrix((np.asarray(values, dtype=np.float32),
                                  np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
                                 shape=(len(indptr) - 1, width))
    return Records(features=features,
                   labels=np.asarray(labels, dtype=np.float32) if labelled else None,
                   weights=_libsvm_weights(weights) if labelled else None)


def _libsvm_label(token: str, line_number: int, name: str, hint: str) -> tuple[float, float | None]:
    label, _, weight = token.partition(":")
    try:
        return float(label), float(weight) if weight else None
    except ValueError:
        raise ClientError(f"could not read the label {token!r} in line {line_number} of {name}; "
                          f"{hint}") from None


def _libsvm_feature(token: str, line_number: int, name: str, hint: str) -> tuple[int, float]:
    index, colon, value = token.partition(":")
    try:
        if not colon:
            raise ValueError(token)
        parsed = int(index), float(value)
    except ValueError:
        raise ClientError(f"{token!r} in line {line_number} of {name} is not <index>:<value>; "
                          f"{hint}") from None
    if parsed[0] < 0:
        raise ClientError(f"negative feature index in {token!r}, line {line_number} of {name}")
    return parsed


def _libsvm_weights(weights: list[float | None]) -> np.ndarray | None:
    """Instance weights when any row gives one (rows without a weight count once)."""
    if all(weight is None for weight in weights):
        return None
    return np.asarray([1.0 if weight is None else weight for weight in weights], dtype=np.float32)
