"""Reading Linear Learner's input channels: CSV or RecordIO-protobuf files, label checks.

Channels (https://docs.aws.amazon.com/sagemaker/latest/dg/linear-learner.html#ll-input_output):
``train`` (required), ``validation`` and ``test`` (optional). Each channel's ``ContentType`` in
inputdataconfig.json picks the format:

- ``text/csv``: no header, the label in the first column, then exactly ``feature_dim`` numbers;
- ``application/x-recordio-protobuf`` (also the default when no content type is given, which is
  what ``LinearLearner.record_set()`` channels look like): Records whose ``features["values"]``
  is a dense or sparse float tensor and whose ``label["values"]`` holds the label.

A channel can hold several files (shards); they are read in name order and stacked. Gzip files
are decompressed. Every problem is a ``ClientError`` that names the file and, for CSV, the line.
"""

from __future__ import annotations

import gzip
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from localcloud.algorithms import recordio
from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import ClientError
from localcloud.containers.media_types import media_type

from .channels import CHANNELS, TRAIN
from .hyperparameters import BINARY, MULTICLASS, Hyperparameters

log = logging.getLogger(__name__)

CSV = "text/csv"
SUPPORTED_CONTENT_TYPES = (CSV, recordio.CONTENT_TYPE)
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Dataset:
    """The examples of one channel."""

    channel: str
    features: np.ndarray  #: (n, feature_dim) float32
    labels: np.ndarray  #: (n,) float32
    sparse: bool = False

    @property
    def size(self) -> int:
        return self.labels.size


@dataclass(frozen=True)
class _Part:
    features: np.ndarray
    labels: np.ndarray
    sparse: bool = False


def load_datasets(paths: MLPaths, params: Hyperparameters) -> tuple[dict[str, Dataset], int]:
    """The datasets of the channels this job received, and the feature dimension."""
    config = paths.read_input_data_config()
    received = paths.received_channels(config)
    if TRAIN not in received:
        listed = ", ".join(received) or "none"
        raise ClientError(f"No 'train' channel: Linear Learner needs a train channel (and "
                          f"optionally validation and test); this job received: {listed}")
    for channel in received:
        if channel not in CHANNELS:
            log.warning("Ignoring channel %r: Linear Learner reads %s", channel,
                        ", ".join(CHANNELS))
    content_types = {channel: _content_type(config, channel) for channel in received}
    feature_dim = params.feature_dim  # None (auto) until the first train file is read
    datasets: dict[str, Dataset] = {}
    for channel in CHANNELS:  # train first: it settles feature_dim for the others
        if channel in received:
            datasets[channel] = _load_channel(paths, channel, content_types[channel], feature_dim,
                                              params)
            feature_dim = datasets[channel].features.shape[1]
    return datasets, feature_dim


def _content_type(config: dict, channel: str) -> str:
    declared = config.get(channel, {}).get("ContentType") or recordio.CONTENT_TYPE
    kind = media_type(declared)
    if kind not in SUPPORTED_CONTENT_TYPES:
        raise ClientError(f"Channel '{channel}' has ContentType {declared!r}; Linear Learner "
                          f"reads {' or '.join(SUPPORTED_CONTENT_TYPES)}")
    return kind


def _channel_files(paths: MLPaths, channel: str) -> list[Path]:
    files = paths.channel_files(channel)
    if not files:
        raise ClientError(f"Channel '{channel}' has no data: no non-empty data file in "
                          f"{paths.channel_dir(channel)} ({paths.describe_channel(channel)})")
    return files


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data.startswith(_GZIP_MAGIC) else data


def _load_channel(paths: MLPaths, channel: str, content_type: str, feature_dim: int | None,
                  params: Hyperparameters) -> Dataset:
    """The examples of every file of a channel; ``feature_dim`` None takes it from the first."""
    parts = []
    for path in _channel_files(paths, channel):
        source = f"{channel}/{path.relative_to(paths.channel_dir(channel))}"
        data = _read_bytes(path)
        if feature_dim is None:
            feature_dim = _first_example_width(data, content_type, source)
            log.info("feature_dim=auto: %d features, from %s", feature_dim, source)
        part = (_read_csv(data, feature_dim, source) if content_type == CSV
                else _read_recordio(data, feature_dim, source))
        check_labels(part.labels, params, source)
        parts.append(part)
    dataset = Dataset(channel=channel,
                      features=np.concatenate([part.features for part in parts]),
                      labels=np.concatenate([part.labels for part in parts]),
                      sparse=any(part.sparse for part in parts))
    log.info("Channel %s: %d examples from %d file(s) (%s)", channel, dataset.size, len(parts),
             content_type)
    return dataset


def _first_example_width(data: bytes, content_type: str, source: str) -> int:
    """feature_dim=auto: the number of features of the first example in a file."""
    if content_type == CSV:
        first_line = next((line for line in data.decode(errors="replace").splitlines()
                           if line.strip()), "")
        return max(len(first_line.split(",")) - 1, 1)
    first = recordio.first_record(data, source)
    tensor = recordio.tensor_of(first.features[recordio.VALUES_KEY])
    return int(tensor.shape[0]) if tensor.keys else len(tensor.values)


# -- CSV -----------------------------------------------------------------------------------------


def _read_csv(data: bytes, feature_dim: int, source: str) -> _Part:
    text = data.decode("utf-8", errors="replace")
    try:
        table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64, ndmin=2,
                           comments=None)
    except ValueError:
        raise ClientError(f"{source}: {_csv_problem(text)}") from None
    if table.shape[1] != feature_dim + 1:
        raise ClientError(f"{source}: rows have {table.shape[1]} columns, but the label plus "
                          f"feature_dim={feature_dim} features make {feature_dim + 1}")
    bad_rows = np.flatnonzero(~np.isfinite(table).all(axis=1))
    if bad_rows.size:
        raise ClientError(f"{source}: row {bad_rows[0] + 1} has a missing or non-finite value "
                          f"(NaN or inf); Linear Learner needs every value filled in")
    return _Part(features=table[:, 1:].astype(np.float32), labels=table[:, 0].astype(np.float32))


def _csv_problem(text: str) -> str:
    """Say which line and column of a CSV file np.loadtxt could not read."""
    width = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split(",")
        for column, cell in enumerate(cells, start=1):
            if not _is_number(cell):
                return _bad_cell_message(number, column, cell, line)
        if width is not None and len(cells) != width:
            return f"line {number} has {len(cells)} values, earlier lines have {width}"
        width = len(cells)
    return "could not be read as CSV"


def _bad_cell_message(number: int, column: int, cell: str, line: str) -> str:
    if number == 1:
        return (f"line 1 looks like a header row ({line[:80]!r}); Linear Learner's CSV must "
                f"have no header, the label in the first column and numbers only")
    shown = repr(cell.strip()) if cell.strip() else "an empty value"
    return (f"line {number}, column {column}: {shown} is not a number; Linear Learner's CSV "
            f"must hold numbers only (encode text columns first)")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# -- RecordIO-protobuf ---------------------------------------------------------------------------


def _read_recordio(data: bytes, feature_dim: int, source: str) -> _Part:
    matrix = recordio.records_to_matrix(recordio.parse_records(data, source), feature_dim, source)
    if matrix.labels is None:
        raise ClientError(f"{source}: the records carry no label (label['values']); training "
                          f"data needs one per record")
    if not np.isfinite(matrix.features).all():
        raise ClientError(f"{source}: features contain NaN or infinite values")
    return _Part(matrix.features, matrix.labels, matrix.sparse)


# -- labels --------------------------------------------------------------------------------------


def check_labels(labels: np.ndarray, params: Hyperparameters, source: str) -> None:
    """Labels must suit predictor_type: 0/1, 0..num_classes-1, or any finite number."""
    if not np.isfinite(labels).all():
        raise ClientError(f"{source}: labels contain NaN or infinite values")
    if params.predictor_type == BINARY:
        bad = labels[(labels != 0) & (labels != 1)]
        if bad.size:
            raise ClientError(f"{source}: binary_classifier labels must be 0 or 1, found "
                              f"{bad[0]:g}")
    elif params.predictor_type == MULTICLASS:
        bad = labels[(labels != np.round(labels)) | (labels < 0) | (labels >= params.num_classes)]
        if bad.size:
            raise ClientError(f"{source}: multiclass_classifier labels must be integers from 0 "
                              f"to num_classes-1={params.num_classes - 1}, found {bad[0]:g}")
