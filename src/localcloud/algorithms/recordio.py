"""RecordIO-protobuf, the binary format of SageMaker's first-party algorithms.

A RecordIO-protobuf file or request body is a sequence of MXNet RecordIO frames
(https://mxnet.apache.org/versions/1.9.1/api/faq/recordio): each frame is a little-endian
``uint32`` magic ``0xCED7230A``, a ``uint32`` whose low 29 bits give the payload length (the top
3 bits flag multi-frame records, which SageMaker never writes), the payload, and zero padding to a
multiple of 4 bytes. Each payload is one ``aialgs.data.Record`` protobuf message
(``sagemaker/amazon/record.proto`` in the SageMaker Python SDK): a map of named features and a map
of named labels, each value a ``Float32Tensor``, ``Float64Tensor`` or ``Int32Tensor`` that is dense
(``values`` only) or sparse (``keys`` and ``shape`` as well). Training data keeps its feature
vector under ``features["values"]`` and its label under ``label["values"]``; the algorithms'
responses put their outputs in ``label`` (``score``, ``predicted_label``, ...).
(https://docs.aws.amazon.com/sagemaker/latest/dg/cdf-training.html)

The SDK ships generated classes for these messages, but importing them imports the whole SDK
(seconds, and AWS probes); containers should start fast, so this module declares the same schema
in a private protobuf descriptor pool and lets the protobuf runtime do the parsing.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from localcloud.containers.errors import ClientError

RECORDIO_MAGIC = 0xCED7230A
CONTENT_TYPE = "application/x-recordio-protobuf"
_FRAME_HEADER = struct.Struct("<II")
_MAGIC_BYTES = struct.pack("<I", RECORDIO_MAGIC)
_LENGTH_MASK = (1 << 29) - 1
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

# -- framing -------------------------------------------------------------------------------------


class Frame(NamedTuple):
    """One RecordIO frame of a byte string: ``data[start:end]``, header and padding included."""

    start: int
    end: int
    payload: bytes


class FramingError(ClientError):
    """Bytes that are not a sequence of whole RecordIO frames."""


def iter_frames(data: bytes) -> Iterator[Frame]:
    """The RecordIO frames of ``data`` in order, read as they are consumed.

    Raises FramingError (after yielding the frames before it) where the framing breaks.
    """
    offset = 0
    while offset < len(data):
        if data[offset:offset + 4] != _MAGIC_BYTES:
            raise FramingError(f"byte {offset} does not start a RecordIO frame")
        if len(data) - offset < _FRAME_HEADER.size:
            raise FramingError(f"truncated RecordIO frame header at byte {offset}")
        _magic, length_word = _FRAME_HEADER.unpack_from(data, offset)
        if length_word >> 29:
            # SageMaker's writers never split a record over several frames.
            raise FramingError(f"multi-part RecordIO record at byte {offset}, which localcloud "
                               "does not join")
        length = length_word & _LENGTH_MASK
        start = offset + _FRAME_HEADER.size
        if start + length > len(data):
            raise FramingError(f"truncated RecordIO record at byte {offset}")
        end = start + _padded(length)
        # The last frame's padding may be missing; the payload is whole, so it counts.
        yield Frame(offset, min(end, len(data)), data[start:start + length])
        offset = end


def split_frames(data: bytes, source: str) -> list[bytes]:
    """The payloads of the RecordIO frames in ``data``; ``source`` names it in error messages."""
    return [frame.payload for frame in _frames_of(data, source)]


def _frames_of(data: bytes, source: str) -> Iterator[Frame]:
    """:func:`iter_frames` for a channel file or request, its errors naming ``source``."""
    try:
        yield from iter_frames(data)
    except FramingError as error:
        raise FramingError(f"{source}: not RecordIO-protobuf data ({error}). If this is CSV, "
                           "declare the channel or request as text/csv.") from None


def _padded(length: int) -> int:
    return (length + 3) & ~3


def frame(payloads: Iterable[bytes]) -> bytes:
    """Wrap serialized messages in RecordIO frames, as SageMaker's writers do."""
    chunks = []
    for payload in payloads:
        chunks.append(_FRAME_HEADER.pack(RECORDIO_MAGIC, len(payload)))
        chunks.append(payload)
        chunks.append(b"\x00" * (_padded(len(payload)) - len(payload)))
    return b"".join(chunks)


def parse_records(data: bytes, source: str) -> list:
    """Every ``Record`` message in a RecordIO-protobuf byte string."""
    return [_parse_record(payload, source, index)
            for index, payload in enumerate(split_frames(data, source))]


def first_record(data: bytes, source: str):
    """The first ``Record`` of a RecordIO-protobuf byte string, without reading the others."""
    first = next(_frames_of(data, source), None)
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
