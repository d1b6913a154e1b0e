"""A job's input channels, read as SageMaker's first-party algorithms read them.

Each channel's ``ContentType`` in inputdataconfig.json picks the format
(https://docs.aws.amazon.com/sagemaker/latest/dg/cdf-training.html):

- ``text/csv``: no header, numbers only. ``label_size`` says how many leading columns are labels:
  1 (the default) for supervised algorithms, 0 (``text/csv;label_size=0``) for unsupervised
  ones, whose CSV channels must say which they mean;
- ``application/x-recordio-protobuf`` (the default when none is given, which is what the SDK's
  ``record_set()`` channels look like): Records whose ``features["values"]`` is a dense or sparse
  float tensor and whose ``label["values"]`` holds the label, if any.

A channel can hold several files (``ShardedByS3Key`` shards, the objects a ``ManifestFile`` lists):
they are read in name order and stacked. Gzip files are decompressed. Every problem is a
``ClientError`` that names the file and, for CSV, the line.
"""

from __future__ import annotations

import gzip
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import ClientError
from localcloud.containers.media_types import media_parameters, media_type

from . import recordio_protobuf as recordio
from .csv_table import label_size, read_csv_table

log = logging.getLogger(__name__)

CSV = "text/csv"
RECORDIO = recordio.CONTENT_TYPE
SUPPORTED_CONTENT_TYPES = (CSV, RECORDIO)
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Dataset:
    """The examples of one channel."""

    channel: str
    features: np.ndarray  #: (n, feature_dim) float32
    labels: np.ndarray | None  #: (n,) float32; None for unlabelled data
    sparse: bool = False

    @property
    def size(self) -> int:
        return self.features.shape[0]


@dataclass(frozen=True)
class ChannelReader:
    """How one algorithm reads its channels.

    ``channels`` lists the channels it reads, the required one first; ``supervised`` says whether
    every example needs a label (unsupervised algorithms ignore labels they are given).
    """

    algorithm: str
    channels: tuple[str, ...]
    supervised: bool

    @property
    def required(self) -> str:
        return self.channels[0]

    def read_all(self, paths: MLPaths, feature_dim: int | None) -> tuple[dict[str, Dataset], int]:
        """The datasets of the channels this job received, and the feature dimension.

        ``feature_dim`` None (``auto``) takes it from the first example of the required channel.
        """
        config = paths.read_input_data_config()
        received = self._received(paths, config)
        content_types = {channel: self.content_type(config, channel) for channel in received}
        datasets: dict[str, Dataset] = {}
        for channel in self.channels:  # the required one first: it settles feature_dim
            if channel in received:
                datasets[channel] = self.read_channel(paths, channel, content_types[channel],
                                                      feature_dim)
                feature_dim = datasets[channel].features.shape[1]
        return datasets, feature_dim

    def _received(self, paths: MLPaths, config: dict) -> list[str]:
        received = paths.received_channels(config)
        if self.required not in received:
            listed = ", ".join(received) or "none"
            others = ", ".join(self.channels[1:])
            optional = f" (and optionally {others.replace(', ', ' and ')})" if others else ""
            raise ClientError(f"No '{self.required}' channel: {self.algorithm} needs a "
                              f"{self.required} channel{optional}; this job received: {listed}")
        for channel in received:
            if channel not in self.channels:
                log.warning("Ignoring channel %r: %s reads %s", channel, self.algorithm,
                            ", ".join(self.channels))
        return received

    def content_type(self, config: dict, channel: str) -> str:
        """The channel's full ContentType (RecordIO-protobuf when none is declared), checked."""
        declared = config.get(channel, {}).get("ContentType") or RECORDIO
        if media_type(declared) not in SUPPORTED_CONTENT_TYPES:
            raise ClientError(f"Channel '{channel}' has ContentType {declared!r}; "
                              f"{self.algorithm} reads {' or '.join(SUPPORTED_CONTENT_TYPES)}")
        return declared

    def read_channel(self, paths: MLPaths, channel: str, content_type: str,
                     feature_dim: int | None) -> Dataset:
        """The examples of every file of a channel; ``feature_dim`` None takes it from the first."""
        csv_labels = self._csv_label_columns(content_type, channel)
        parts = []
        for path in channel_files(paths, channel):
            source = f"{channel}/{path.relative_to(paths.channel_dir(channel))}"
            data = read_bytes(path)
            if csv_labels is None:
                part = self._read_recordio(data, feature_dim, source)
            else:
                part = self._read_csv(data, csv_labels, feature_dim, source)
            feature_dim = part.features.shape[1]
            parts.append(part)
        dataset = Dataset(channel=channel,
                          features=np.concatenate([part.features for part in parts]),
                          labels=_join_labels([part.labels for part in parts]),
                          sparse=any(part.sparse for part in parts))
        log.info("Channel %s: %d examples from %d file(s) (%s)", channel, dataset.size,
                 len(parts), media_type(content_type))
        return dataset

    def _csv_label_columns(self, content_type: str, channel: str) -> int | None:
        """How many label columns a CSV channel has (None for RecordIO-protobuf)."""
        if media_type(content_type) != CSV:
            return None
        if self.supervised:
            if label_size(content_type) != 1:
                raise ClientError(f"Channel '{channel}': {self.algorithm} needs a label column; "
                                  "declare the channel as text/csv (label in the first column)")
            return 1
        if "label_size" not in media_parameters(content_type):
            raise ClientError(f"Channel '{channel}' has ContentType {content_type!r}: "
                              f"{self.algorithm} is unsupervised, so say whether the CSV has a "
                              "label column: text/csv;label_size=0 (features only) or "
                              "text/csv;label_size=1 (the first column is a label, ignored)")
        return label_size(content_type)

    def _read_csv(self, data: bytes, label_columns: int, feature_dim: int | None,
                  source: str) -> Dataset:
        hint = csv_hint(self.algorithm, label_columns)
        table = read_csv_table(data.decode("utf-8", errors="replace"), source, hint,
                               allow_empty_cells=False)
        if feature_dim is None:
            feature_dim = table.shape[1] - label_columns
            log.info("feature_dim=auto: %d features, from %s", feature_dim, source)
        if table.shape[1] != feature_dim + label_columns:
            label = "the label plus " if label_columns else ""
            raise ClientError(f"{source}: rows have {table.shape[1]} columns, but {label}"
                              f"feature_dim={feature_dim} features make "
                              f"{feature_dim + label_columns}")
        bad_rows = np.flatnonzero(~np.isfinite(table).all(axis=1))
        if bad_rows.size:
            raise ClientError(f"{source}: row {bad_rows[0] + 1} has a missing or non-finite value "
                              f"(NaN or inf); {self.algorithm} needs every value filled in")
        labels = table[:, 0] if label_columns and self.supervised else None
        return Dataset(source, table[:, label_columns:], labels)

    def _read_recordio(self, data: bytes, feature_dim: int | None, source: str) -> Dataset:
        # The SDK's dense layout decodes in one vectorised pass; the rest record by record.
        matrix = recordio.dense_matrix(data, feature_dim)
        if matrix is None:
            matrix = _parse_recordio(data, feature_dim, source)
        if feature_dim is None:
            log.info("feature_dim=auto: %d features, from %s", matrix.features.shape[1], source)
        if self.supervised and matrix.labels is None:
            raise ClientError(f"{source}: the records carry no label (label['values']); training "
                              f"data needs one per record")
        if not np.isfinite(matrix.features).all():
            raise ClientError(f"{source}: features contain NaN or infinite values")
        return Dataset(source, matrix.features, matrix.labels if self.supervised else None,
                       matrix.sparse)


def csv_hint(algorithm: str, label_columns: int) -> str:
    """What a valid CSV file of ``algorithm`` looks like, for error messages."""
    label = "the label in the first column, " if label_columns else ""
    return f"{algorithm}'s CSV must have no header, {label}numbers only"


def channel_files(paths: MLPaths, channel: str) -> list[Path]:
    """The data files of a channel, or a ClientError listing what the folder holds."""
    files = paths.channel_files(channel)
    if not files:
        raise ClientError(f"Channel '{channel}' has no data: no non-empty data file in "
                          f"{paths.channel_dir(channel)} ({paths.describe_channel(channel)})")
    return files


def read_bytes(path: Path) -> bytes:
    """A channel file's bytes, decompressed when it is gzip."""
    data = path.read_bytes()
    return gzip.decompress(data) if data.startswith(_GZIP_MAGIC) else data


def _parse_recordio(data: bytes, feature_dim: int | None, source: str) -> recordio.RecordMatrix:
    """The general RecordIO-protobuf path: any layout, and the error messages for bad data."""
    records = recordio.parse_records(data, source)
    if feature_dim is None:
        feature_dim = first_example_width(records, source)
    return recordio.records_to_matrix(records, feature_dim, source)


def first_example_width(records: list, source: str) -> int:
    """feature_dim=auto: the number of features of the first record."""
    if not records:
        raise ClientError(f"{source}: holds no RecordIO-protobuf records")
    tensor = recordio.tensor_of(records[0].features[recordio.VALUES_KEY])
    return int(tensor.shape[0]) if tensor.keys or tensor.shape else len(tensor.values)


def _join_labels(labels: list[np.ndarray | None]) -> np.ndarray | None:
    return None if any(part is None for part in labels) else np.concatenate(labels)
