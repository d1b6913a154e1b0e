"""RecordIO framing, the envelope of SageMaker's RecordIO-protobuf data.

A RecordIO file or request body is a sequence of MXNet RecordIO frames
(https://mxnet.apache.org/versions/1.9.1/api/faq/recordio): each frame is a little-endian
``uint32`` magic ``0xCED7230A``, a ``uint32`` whose low 29 bits give the payload length (the top
3 bits flag multi-frame records, which SageMaker never writes), the payload, and zero padding to a
multiple of 4 bytes. Batch transform with ``SplitType=RecordIO`` cuts input at frame boundaries;
the algorithms parse each payload as a protobuf ``Record``
(:mod:`localcloud.algorithms.inputs.protobuf`).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np

from localcloud.containers.errors import ClientError

RECORDIO_MAGIC = 0xCED7230A
#: The media type of RecordIO-protobuf channels, requests and answers.
CONTENT_TYPE = "application/x-recordio-protobuf"
_FRAME_HEADER = struct.Struct("<II")
_MAGIC_BYTES = struct.pack("<I", RECORDIO_MAGIC)
_LENGTH_MASK = (1 << 29) - 1


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


def frames_of(data: bytes, source: str) -> Iterator[Frame]:
    """:func:`iter_frames` for a channel file or request, its errors naming ``source``."""
    try:
        yield from iter_frames(data)
    except FramingError as error:
        raise FramingError(f"{source}: not RecordIO-protobuf data ({error}). If this is CSV, "
                           "declare the channel or request as text/csv.") from None


def split_frames(data: bytes, source: str) -> list[bytes]:
    """The payloads of the RecordIO frames in ``data``; ``source`` names it in error messages."""
    return [frame.payload for frame in frames_of(data, source)]


def uniform_payloads(data: bytes) -> np.ndarray | None:
    """All payloads of ``data`` as one (frames, length) uint8 array, when they share one length.

    SageMaker's writers give every row of a dense matrix a payload of the same length, so the
    frames sit at a fixed stride and one reshape finds them all, instead of a Python loop over
    each frame. Returns None (the caller then uses :func:`frames_of`, which names any problem)
    unless ``data`` is such a run of whole, well-formed frames.
    """
    if len(data) < _FRAME_HEADER.size:
        return None
    magic, length = _FRAME_HEADER.unpack_from(data, 0)
    if magic != RECORDIO_MAGIC or length >> 29:
        return None
    stride = _FRAME_HEADER.size + _padded(length)
    count = -(-len(data) // stride)
    missing = count * stride - len(data)
    # Only the last frame's padding may be missing (as iter_frames allows), not its payload.
    if missing > stride - _FRAME_HEADER.size - length:
        return None
    buffer = np.frombuffer(data, dtype=np.uint8)
    if missing:
        buffer = np.concatenate([buffer, np.zeros(missing, dtype=np.uint8)])
    frames = buffer.reshape(count, stride)
    headers = np.ascontiguousarray(frames[:, :_FRAME_HEADER.size]).view("<u4")
    if not (headers == np.array([RECORDIO_MAGIC, length], dtype="<u4")).all():
        return None
    return frames[:, _FRAME_HEADER.size:_FRAME_HEADER.size + length]


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
