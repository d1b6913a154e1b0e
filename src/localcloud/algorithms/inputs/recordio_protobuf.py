"""RecordIO-protobuf records: the ``aialgs.data.Record`` messages inside RecordIO frames.

Each RecordIO frame (:mod:`localcloud.formats.recordio`) of a SageMaker first-party algorithm's
file or request body holds one ``aialgs.data.Record`` protobuf message
(``sagemaker/amazon/record.proto`` in the SageMaker Python SDK): a map of named features and a map
of named labels, each value a ``Float32Tensor``, ``Float64Tensor`` or ``Int32Tensor`` that is dense
(``values`` only) or sparse (``keys`` and ``shape`` as well). Training data keeps its feature
vector under ``features["values"]`` and its label under ``label["values"]``; the algorithms'
responses put their outputs in ``label`` (``score``, ``projection``, ``closest_cluster``, ...).
(https://docs.aws.amazon.com/sagemaker/latest/dg/cdf-training.html)

The SDK ships generated classes for these messages, but importing them imports the whole SDK
(seconds, and AWS probes); containers should start fast, so this module declares the same schema
in a private protobuf descriptor pool and lets the protobuf runtime do the parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from localcloud.containers.errors import ClientError
from localcloud.formats.recordio import (
    CONTENT_TYPE,
    frame,
    frames_of,
    split_frames,
    uniform_payloads,
)

__all__ = ["CONTENT_TYPE", "VALUES_KEY", "Record", "RecordMatrix", "dense_matrix", "first_record",
           "frame", "label_records", "parse_records", "read_matrix", "records_to_matrix",
           "tensor_of"]

#: The feature and label entry that SageMaker's writers use for vectors and scalar labels.
VALUES_KEY = "values"

# -- the Record schema ---------------------------------------------------------------------------

_PACKAGE = "aialgs.data"
_FDP = descriptor_pb2.FieldDescriptorProto
#: (message name, protobuf type of its ``values``) for the three tensor messages.
_TENSOR_TYPES = (
    ("Float32Tensor", _FDP.TYPE_FLOAT),
    ("Float64Tensor", _FDP.TYPE_DOUBLE),
    ("Int32Tensor", _FDP.TYPE_INT32),
)
#: Field numbers of the ``Value`` oneof members, as in record.proto.
_VALUE_MEMBERS = (("float32_tensor", 2, "Float32Tensor"), ("float64_tensor", 3, "Float64Tensor"),
                  ("int32_tensor", 7, "Int32Tensor"), ("bytes", 9, "Bytes"))


def _add_field(message, name, number, field_type, *, repeated=False, packed=False, type_name=None,
               oneof_index=None):
    field = message.field.add(name=name, number=number, type=field_type)
    field.label = _FDP.LABEL_REPEATED if repeated else _FDP.LABEL_OPTIONAL
    if packed:
        field.options.packed = True
    if type_name:
        field.type_name = f".{_PACKAGE}.{type_name}"
    if oneof_index is not None:
        field.oneof_index = oneof_index


def _add_map_entry(record, entry_name):
    """A ``map<string, Value>`` is a repeated nested ``{key, value}`` message in protobuf."""
    entry = record.nested_type.add(name=entry_name)
    entry.options.map_entry = True
    _add_field(entry, "key", 1, _FDP.TYPE_STRING)
    _add_field(entry, "value", 2, _FDP.TYPE_MESSAGE, type_name="Value")


def _record_schema() -> descriptor_pb2.FileDescriptorProto:
    """record.proto, declared in code."""
    schema = descriptor_pb2.FileDescriptorProto(
        name="localcloud/aialgs_record.proto", package=_PACKAGE, syntax="proto2")
    for tensor_name, value_type in _TENSOR_TYPES:
        tensor = schema.message_type.add(name=tensor_name)
        _add_field(tensor, "values", 1, value_type, repeated=True, packed=True)
        _add_field(tensor, "keys", 2, _FDP.TYPE_UINT64, repeated=True, packed=True)
        _add_field(tensor, "shape", 3, _FDP.TYPE_UINT64, repeated=True, packed=True)
    raw_bytes = schema.message_type.add(name="Bytes")
    _add_field(raw_bytes, "value", 1, _FDP.TYPE_BYTES, repeated=True)
    _add_field(raw_bytes, "content_type", 2, _FDP.TYPE_STRING)
    value = schema.message_type.add(name="Value")
    value.oneof_decl.add(name="value")
    for member_name, number, type_name in _VALUE_MEMBERS:
        _add_field(value, member_name, number, _FDP.TYPE_MESSAGE, type_name=type_name,
                   oneof_index=0)
    record = schema.message_type.add(name="Record")
    _add_map_entry(record, "FeaturesEntry")
    _add_map_entry(record, "LabelEntry")
    _add_field(record, "features", 1, _FDP.TYPE_MESSAGE, repeated=True,
               type_name="Record.FeaturesEntry")
    _add_field(record, "label", 2, _FDP.TYPE_MESSAGE, repeated=True, type_name="Record.LabelEntry")
    for number, name in enumerate(("uid", "metadata", "configuration"), start=3):
        _add_field(record, name, number, _FDP.TYPE_STRING)
    return schema


def _record_class():
    pool = descriptor_pool.DescriptorPool()  # private: never clashes with the SDK's classes
    pool.Add(_record_schema())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.Record"))


#: The ``aialgs.data.Record`` message class.
Record = _record_class()

# -- records -----------------------------------------------------------------------------------


def parse_records(data: bytes, source: str) -> list:
    """Every ``Record`` message in a RecordIO-protobuf byte string."""
    return [_parse_record(payload, source, index)
            for index, payload in enumerate(split_frames(data, source))]


def first_record(data: bytes, source: str):
    """The first ``Record`` of a RecordIO-protobuf byte string, without reading the others."""
    first = next(frames_of(data, source), None)
    if first is None:
        raise ClientError(f"{source}: holds no RecordIO-protobuf records")
    return _parse_record(first.payload, source, 0)


def _parse_record(payload: bytes, source: str, index: int):
    record = Record()
    try:
        record.ParseFromString(payload)
    except Exception as error:  # protobuf's DecodeError has no stable import path
        raise ClientError(f"{source}: record {index} is not a valid protobuf Record "
                          f"({error})") from None
    return record


# -- records <-> arrays --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordMatrix:
    """The feature vectors and labels of a list of records, as arrays."""

    features: np.ndarray  #: (n, feature_dim) float32
    labels: np.ndarray | None  #: (n,) float32, or None when the records carry no label
    sparse: bool  #: whether any record stored its features sparsely


def tensor_of(value):
    """The tensor message held by a ``Value`` (float32, float64 or int32), or a ClientError."""
    kind = value.WhichOneof("value")
    if kind is None or kind == "bytes":
        raise ClientError(f"expected a numeric tensor, found {kind or 'an empty value'}")
    return getattr(value, kind)


def records_to_matrix(records: list, feature_dim: int, source: str) -> RecordMatrix:
    """Stack the ``features["values"]`` (dense or sparse) and ``label["values"]`` of records."""
    features = np.zeros((len(records), feature_dim), dtype=np.float32)
    labels = np.zeros(len(records), dtype=np.float32)
    labelled = 0
    sparse = False
    for row, record in enumerate(records):
        where = f"{source}, record {row}"
        if VALUES_KEY not in record.features:
            raise ClientError(f"{where}: no features['{VALUES_KEY}'] tensor")
        tensor = _checked_tensor(record.features[VALUES_KEY], where)
        sparse |= _fill_row(features[row], tensor, feature_dim, where)
        if VALUES_KEY in record.label:
            labels[row] = _scalar_label(record.label[VALUES_KEY], where)
            labelled += 1
    if 0 < labelled < len(records):
        raise ClientError(f"{source}: only {labelled} of {len(records)} records have a label")
    return RecordMatrix(features, labels if labelled else None, sparse)


def _checked_tensor(value, where: str):
    try:
        return tensor_of(value)
    except ClientError as error:
        raise ClientError(f"{where}: {error}") from None


def _fill_row(row: np.ndarray, tensor, feature_dim: int, where: str) -> bool:
    """Write one record's features into ``row``; True when they were stored sparsely."""
    values = np.asarray(tensor.values, dtype=np.float32)
    # A sparse row of zeros has a shape and no keys or values at all.
    if not tensor.keys and not (tensor.shape and values.size == 0):
        if values.size != feature_dim:
            raise ClientError(f"{where}: {values.size} feature values, but feature_dim is "
                              f"{feature_dim}")
        row[:] = values
        return False
    keys = np.asarray(tensor.keys, dtype=np.int64)
    if keys.size != values.size:
        raise ClientError(f"{where}: sparse tensor has {keys.size} keys but {values.size} values")
    if tensor.shape and tensor.shape[0] != feature_dim:
        raise ClientError(f"{where}: sparse shape {list(tensor.shape)} does not match "
                          f"feature_dim {feature_dim}")
    if keys.size and int(keys.max()) >= feature_dim:
        raise ClientError(f"{where}: sparse key {int(keys.max())} is out of range for "
                          f"feature_dim {feature_dim}")
    row[keys] = values
    return True


def _scalar_label(value, where: str) -> float:
    values = _checked_tensor(value, where).values
    if len(values) != 1:
        raise ClientError(f"{where}: label['{VALUES_KEY}'] must hold one value, has {len(values)}")
    return float(values[0])


# -- the fast path: the SDK's dense layout ------------------------------------------------------
#
# Parsing record by record costs several Python calls per row (about 15 us), which dominates
# training on 100,000-row channels. The SDK's writers (``write_numpy_to_dense_tensor``, which
# ``record_set()`` uses) serialize every row of a dense matrix the same way, so all payloads share
# one length and differ only in the bytes of their feature and label values. Those bytes are
# read as one numpy array; any other layout goes through the general path above, which also
# produces every error message.

#: numpy dtypes of the tensors whose values have a fixed width on the wire (int32 values are
#: varints, whose width varies, so their records take the general path).
_FIXED_WIDTH_DTYPES = {"float32_tensor": np.dtype("<f4"), "float64_tensor": np.dtype("<f8")}


@dataclass(frozen=True)
class _DenseLayout:
    """Where the values sit in the payload of a dense record; the other bytes never change."""

    template: np.ndarray  #: the first payload, as uint8
    features: slice  #: the byte span of the feature values
    feature_dtype: np.dtype
    label: slice | None  #: the byte span of the scalar label, None without a label
    label_dtype: np.dtype | None

    @property
    def feature_dim(self) -> int:
        return (self.features.stop - self.features.start) // self.feature_dtype.itemsize

    def fits(self, payloads: np.ndarray) -> bool:
        """Whether every payload (a row of ``payloads``) is the template with other values."""
        fixed = np.ones(self.template.size, dtype=bool)
        fixed[self.features] = False
        if self.label is not None:
            fixed[self.label] = False
        return bool((payloads[:, fixed] == self.template[fixed]).all())

    def matrix(self, payloads: np.ndarray) -> RecordMatrix:
        """The features and labels of payloads that :meth:`fits`."""
        features = _values(payloads, self.features, self.feature_dtype)
        labels = None
        if self.label is not None:
            labels = _values(payloads, self.label, self.label_dtype)[:, 0]
        return RecordMatrix(features, labels, sparse=False)


def _values(payloads: np.ndarray, span: slice, dtype: np.dtype) -> np.ndarray:
    """The little-endian values in one byte span of every payload, as a float32 (n, k) array."""
    return np.ascontiguousarray(payloads[:, span]).view(dtype).astype(np.float32)


def read_matrix(data: bytes, feature_dim: int, source: str) -> RecordMatrix:
    """:func:`records_to_matrix` of :func:`parse_records`, fast for the SDK's dense layout."""
    matrix = dense_matrix(data, feature_dim)
    if matrix is None:
        matrix = records_to_matrix(parse_records(data, source), feature_dim, source)
    return matrix


def dense_matrix(data: bytes, feature_dim: int | None) -> RecordMatrix | None:
    """The features and labels of RecordIO-protobuf data in the SDK's dense layout, else None.

    The layout: every record holds ``features["values"]`` as a dense float32 (or float64)
    tensor of ``feature_dim`` values (any width when ``feature_dim`` is None) and, in every
    record or in none, a scalar float32 (or float64) ``label["values"]``, and nothing else.
    The result equals ``records_to_matrix(parse_records(data, ...), feature_dim, ...)``; None
    means "use that instead" (other layouts, and every kind of bad data).
    """
    payloads = uniform_payloads(data)
    if payloads is None or not len(payloads):
        return None
    layout = _dense_layout(payloads[0].tobytes())
    if layout is None or feature_dim not in (None, layout.feature_dim):
        return None
    return layout.matrix(payloads) if layout.fits(payloads) else None


def _dense_layout(payload: bytes) -> _DenseLayout | None:
    """The layout of one record's payload, or None when it is not a plain dense record."""
    record = _plain_dense_record(payload)
    if record is None:
        return None
    # Protobuf writes fields in number order (features, then label), and each map holds one
    # entry whose innermost, last field is the packed values: each part ends with its values.
    feature_part = _serialized_part(record, "features")
    label_part = _serialized_part(record, "label") if record.label else b""
    if feature_part + label_part != payload:  # another writer's byte order: be safe, go slow
        return None
    feature_dtype = _value_dtype(record.features)
    feature_bytes = len(tensor_of(record.features[VALUES_KEY]).values) * feature_dtype.itemsize
    label_span = label_dtype = None
    if record.label:
        label_dtype = _value_dtype(record.label)
        label_span = slice(len(payload) - label_dtype.itemsize, len(payload))
    return _DenseLayout(template=np.frombuffer(payload, dtype=np.uint8),
                        features=slice(len(feature_part) - feature_bytes, len(feature_part)),
                        feature_dtype=feature_dtype, label=label_span, label_dtype=label_dtype)


def _plain_dense_record(payload: bytes):
    """The Record in ``payload`` if it holds only dense features and maybe a scalar label."""
    record = Record()
    try:
        record.ParseFromString(payload)
    except Exception:  # the general path reports it
        return None
    if any(record.HasField(name) for name in ("uid", "metadata", "configuration")):
        return None
    if set(record.features) != {VALUES_KEY} or set(record.label) - {VALUES_KEY}:
        return None
    features = _plain_tensor(record.features[VALUES_KEY])
    if features is None or not features.values:
        return None
    if record.label:
        label = _plain_tensor(record.label[VALUES_KEY])
        if label is None or len(label.values) != 1:
            return None
    return record


def _value_dtype(entries) -> np.dtype:
    """The wire dtype of the ``values`` entry of a record's ``features`` or ``label`` map."""
    return _FIXED_WIDTH_DTYPES[entries[VALUES_KEY].WhichOneof("value")]


def _plain_tensor(value):
    """A ``Value``'s tensor when it is dense with fixed-width values, else None."""
    kind = value.WhichOneof("value")
    if kind not in _FIXED_WIDTH_DTYPES:
        return None
    tensor = getattr(value, kind)
    return None if tensor.keys or tensor.shape else tensor


def _serialized_part(record, map_name: str) -> bytes:
    """The bytes of ``record``'s one entry of the ``features`` or ``label`` map on its own."""
    part = Record()
    getattr(part, map_name)[VALUES_KEY].CopyFrom(getattr(record, map_name)[VALUES_KEY])
    return part.SerializeToString()


def label_records(columns: Mapping[str, np.ndarray]) -> bytes:
    """Response records: one per row, each column a float32 tensor in the record's ``label`` map.

    A column of shape (n,) gives one value per record, (n, k) gives k values per record.
    """
    arrays = {name: np.asarray(column, dtype=np.float32) for name, column in columns.items()}
    count = len(next(iter(arrays.values()))) if arrays else 0
    payloads = []
    for row in range(count):
        record = Record()
        for name, array in arrays.items():
            record.label[name].float32_tensor.values.extend(np.atleast_1d(array[row]).tolist())
        payloads.append(record.SerializeToString())
    return frame(payloads)
