"""MXNet's NDArray list file (``mx.nd.save`` / ``mx.nd.load``), written and read without MXNet.

This is the binary format of ``.params`` files and of the ``model_algo-1`` artifacts of
SageMaker's MXNet-based algorithms. Layout (little-endian, MXNet 1.x, ``src/ndarray/ndarray.cc``;
the same layout is read by third-party converters such as ncnn's ``mxnet2ncnn``)::

    uint64 0x112                      list magic (kMXAPINDArrayListMagic)
    uint64 0                          reserved
    uint64 count                      number of arrays, then for each array:
        uint32 0xF993FAC9             NDArray V2 magic (with storage type)
        int32  0                      storage type: dense
        uint32 ndim; int64 dims[ndim] shape
        int32  1; int32 0             context: CPU, device 0
        int32  type_flag              0 float32, 1 float64, 2 float16, 3 uint8, 4 int32, 5 int8,
                                      6 int64
        raw element data (C order)
    uint64 name_count                 0 for an unnamed list, else count, then for each name:
        uint64 length; bytes name

``save_ndarrays`` writes V2 dense arrays; ``load_ndarrays`` also reads the older V1 layout
(magic 0xF993FAC8, no storage type).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence

import numpy as np

LIST_MAGIC = 0x112
V2_MAGIC = 0xF993FAC9
V1_MAGIC = 0xF993FAC8
_DENSE_STORAGE = 0
_CPU_DEVICE = 1
_TYPE_FLAGS = {
    np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.float16): 2,
    np.dtype(np.uint8): 3, np.dtype(np.int32): 4, np.dtype(np.int8): 5, np.dtype(np.int64): 6,
}
_DTYPES = {flag: dtype for dtype, flag in _TYPE_FLAGS.items()}


def save_ndarrays(arrays: Mapping[str, np.ndarray] | Sequence[np.ndarray]) -> bytes:
    """The bytes ``mx.nd.save`` writes for a dict (named) or a list (unnamed) of arrays."""
    names = list(arrays) if isinstance(arrays, Mapping) else []
    values = [arrays[name] for name in names] if names else list(arrays)
    chunks = [struct.pack("<QQQ", LIST_MAGIC, 0, len(values))]
    chunks.extend(_encode_array(np.asarray(value)) for value in values)
    chunks.append(struct.pack("<Q", len(names)))
    for name in names:
        encoded = name.encode()
        chunks.append(struct.pack("<Q", len(encoded)) + encoded)
    return b"".join(chunks)


def _encode_array(array: np.ndarray) -> bytes:
    if array.dtype not in _TYPE_FLAGS:
        raise ValueError(f"MXNet NDArray files cannot hold dtype {array.dtype}")
    header = struct.pack("<IiI", V2_MAGIC, _DENSE_STORAGE, array.ndim)
    shape = struct.pack(f"<{array.ndim}q", *array.shape)
    context_and_type = struct.pack("<iii", _CPU_DEVICE, 0, _TYPE_FLAGS[array.dtype])
    data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    return header + shape + context_and_type + data


def load_ndarrays(data: bytes) -> dict[str, np.ndarray] | list[np.ndarray]:
    """Parse an NDArray list file: a dict when the arrays are named, else a list."""
    reader = _Reader(data)
    magic, _reserved, count = reader.unpack("<QQQ")
    if magic != LIST_MAGIC:
        raise ValueError("not an MXNet NDArray file (bad list magic)")
    values = [_decode_array(reader) for _ in range(count)]
    (name_count,) = reader.unpack("<Q")
    if not name_count:
        return values
    if name_count != count:
        raise ValueError(f"NDArray file has {count} arrays but {name_count} names")
    names = [reader.take(reader.unpack("<Q")[0]).decode() for _ in range(name_count)]
    return dict(zip(names, values, strict=True))


def _decode_array(reader: _Reader) -> np.ndarray:
    (magic,) = reader.unpack("<I")
    if magic == V2_MAGIC:
        (storage,) = reader.unpack("<i")
        if storage != _DENSE_STORAGE:
            raise ValueError("sparse NDArrays are not supported")
    elif magic != V1_MAGIC:
        raise ValueError(f"unsupported NDArray magic {magic:#x}")
    (ndim,) = reader.unpack("<I")
    shape = reader.unpack(f"<{ndim}q")
    if ndim == 0:
        return np.zeros(0, dtype=np.float32)
    _device_type, _device_id, type_flag = reader.unpack("<iii")
    dtype = _DTYPES.get(type_flag)
    if dtype is None:
        raise ValueError(f"unsupported NDArray type flag {type_flag}")
    size = int(np.prod(shape)) * dtype.itemsize
    return np.frombuffer(reader.take(size), dtype=dtype.newbyteorder("<")).reshape(shape).copy()


class _Reader:
    """Sequential reads from a byte string, with a clear error when it ends early."""

    def __init__(self, data: bytes):
        self._data = data
        self._offset = 0

    def take(self, size: int) -> bytes:
        if self._offset + size > len(self._data):
            raise ValueError("truncated MXNet NDArray file")
        chunk = self._data[self._offset:self._offset + size]
        self._offset += size
        return chunk

    def unpack(self, layout: str) -> tuple:
        return struct.unpack(layout, self.take(struct.calcsize(layout)))
