"""RecordIO-protobuf and ``model_algo-1`` artifacts, without MXNet.

SageMaker's first-party algorithms (Linear Learner, PCA, k-means, ...) speak RecordIO-protobuf and
save their models as MXNet NDArray files. AWS's own examples read those with ``mxnet``, whose
wheel cannot be imported next to numpy 2; this module reads them with numpy alone:

- :func:`read_model` reads a ``model_algo-1`` from a local file, a ``model.tar.gz`` or an S3 URI
  into numpy arrays (a dict when the arrays are named, a list otherwise), what
  ``mx.ndarray.load("model_algo-1")`` returns as NDArrays; :func:`read_pca_model` and
  :func:`read_kmeans_centroids` name the parts of the two built-ins' artifacts;
- :func:`to_records` turns a numpy array or scipy sparse matrix (and optional labels) into
  RecordIO-protobuf bytes, what ``estimator.record_set()`` uploads, for the low-level path;
- :func:`label_array` and :func:`feature_array` read the answers of the built-ins' endpoints
  (``predictor.predict(...)`` with the SDK's RecordDeserializer, or raw bytes) into arrays.

Example::

    model = read_pca_model(pca.model_data)            # PCA's s, v and mean
    projections = label_array(predictor.predict(X), "projection")
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from localcloud.formats.ndarray import load_ndarrays

MODEL_FILE = "model_algo-1"
#: Linear Learner's model_algo-1 is a zip of an MXNet checkpoint; its weights are this member.
_CHECKPOINT_SUFFIX = "-0000.params"


class PCAModel(NamedTuple):
    """Built-in PCA's artifact. Components are in ASCENDING order of importance."""

    s: np.ndarray  #: (num_components,) singular values, ascending
    v: np.ndarray  #: (feature_dim, num_components) the components as columns, in s's order
    mean: np.ndarray  #: (1, feature_dim) the mean subtracted before projecting

    def explained_variance_ratio(self) -> np.ndarray:
        """Each component's share of the variance the components explain, largest first."""
        variance = self.s[::-1].astype(np.float64) ** 2
        return variance / variance.sum()

    def components(self) -> np.ndarray:
        """(num_components, feature_dim): the components as rows, most important first."""
        return self.v[:, ::-1].T


def read_model(source: str | os.PathLike[str]) -> dict[str, np.ndarray] | list[np.ndarray]:
    """The arrays of a ``model_algo-1``: a path to it, to a ``model.tar.gz``, or an S3 URI."""
    data = _model_bytes(source)
    if data.startswith(b"PK"):  # Linear Learner: the weights live in the checkpoint's params
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            params = [name for name in archive.namelist() if name.endswith(_CHECKPOINT_SUFFIX)]
            if not params:
                raise ValueError(f"{source}: a zip without an MXNet '*{_CHECKPOINT_SUFFIX}' file")
            data = archive.read(params[0])
    return load_ndarrays(data)


def read_pca_model(source: str | os.PathLike[str]) -> PCAModel:
    """Built-in PCA's ``s``, ``v`` and ``mean`` (see :func:`read_model` for ``source``)."""
    arrays = read_model(source)
    if not isinstance(arrays, dict) or not {"s", "v", "mean"} <= set(arrays):
        raise ValueError(f"{source} is not a PCA model: it has no arrays s, v and mean")
    return PCAModel(arrays["s"], arrays["v"], arrays["mean"])


def read_kmeans_centroids(source: str | os.PathLike[str]) -> np.ndarray:
    """Built-in k-means' (k, feature_dim) centroids (see :func:`read_model` for ``source``)."""
    arrays = read_model(source)
    if isinstance(arrays, dict) or len(arrays) != 1:
        raise ValueError(f"{source} is not a k-means model: it holds no single centroid array")
    return arrays[0]


def _model_bytes(source: str | os.PathLike[str]) -> bytes:
    text = str(source)
    if text.startswith("s3://"):
        with tempfile.TemporaryDirectory() as folder:
            local = Path(folder) / text.rstrip("/").rsplit("/", 1)[-1]
            _download_s3(text, local)
            return _model_bytes(local)
    path = Path(source)
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            member = archive.extractfile(_model_member(archive, path))
            return member.read()
    return path.read_bytes()


def _model_member(archive: tarfile.TarFile, path: Path) -> tarfile.TarInfo:
    for member in archive.getmembers():
        if member.isfile() and Path(member.name).name == MODEL_FILE:
            return member
    names = ", ".join(archive.getnames()) or "nothing"
    raise ValueError(f"{path} holds no {MODEL_FILE} (it holds: {names})")


def _download_s3(uri: str, path: Path) -> None:
    import boto3  # only for S3 sources

    bucket, _, key = uri[len("s3://"):].partition("/")
    boto3.client("s3").download_file(bucket, key, str(path))


# -- RecordIO-protobuf ---------------------------------------------------------------------------


def _sdk_common():
    from sagemaker.amazon import common  # the SDK's own RecordIO-protobuf writer and reader

    return common


def to_records(features, labels=None) -> bytes:
    """RecordIO-protobuf bytes of a 2-D numpy array or scipy sparse matrix (float32 tensors).

    Each row becomes one record with ``features["values"]`` (sparse rows keep only their
    non-zero values, with their keys and shape) and, given ``labels``, ``label["values"]``.
    """
    from scipy import sparse

    buffer = io.BytesIO()
    common = _sdk_common()
    labels = None if labels is None else np.asarray(labels, dtype=np.float32)
    if sparse.issparse(features):
        common.write_spmatrix_to_sparse_tensor(buffer, sparse.csr_matrix(features), labels)
    else:
        common.write_numpy_to_dense_tensor(buffer, np.asarray(features, dtype=np.float32), labels)
    return buffer.getvalue()


def read_records(data: bytes) -> list:
    """The ``Record`` messages of RecordIO-protobuf bytes (an endpoint's raw answer, a file)."""
    return _sdk_common().read_records(io.BytesIO(data))


def label_array(records: bytes | Iterable, name: str) -> np.ndarray:
    """One row per record of ``record.label[name]``: (n,) for single values, else (n, k).

    ``records`` is what the SDK's RecordDeserializer returns (``predictor.predict(...)`` of a
    PCA, k-means or Linear Learner predictor) or raw RecordIO-protobuf bytes.
    """
    return _stack(records, lambda record: record.label, name)


def feature_array(records: bytes | Iterable, name: str = "values") -> np.ndarray:
    """Like :func:`label_array`, for ``record.features[name]`` (dense records only)."""
    return _stack(records, lambda record: record.features, name)


def _stack(records, field, name: str) -> np.ndarray:
    if isinstance(records, bytes | bytearray):
        records = read_records(bytes(records))
    rows = []
    for index, record in enumerate(records):
        entries = field(record)
        if name not in entries:
            raise KeyError(f"record {index} has no {name!r} (it has {sorted(entries)})")
        value = entries[name]
        tensor = getattr(value, value.WhichOneof("value"))
        rows.append(np.asarray(tensor.values))
    if rows and all(row.size == 1 for row in rows):
        return np.concatenate(rows)
    return np.vstack(rows) if rows else np.empty(0)
