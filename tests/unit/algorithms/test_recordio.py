"""RecordIO framing and protobuf records: the frames of a byte string, the errors that name where
it breaks, and the Record messages inside."""

from __future__ import annotations

import struct

import pytest

from localcloud.algorithms.inputs import recordio_protobuf
from localcloud.containers.errors import ClientError
from localcloud.formats import recordio

MAGIC = 0xCED7230A


def framed(payload: bytes, flags: int = 0) -> bytes:
    """One frame as SageMaker's writers lay it out: magic, length word, payload, zero padding."""
    padding = b"\0" * (-len(payload) % 4)
    return struct.pack("<II", MAGIC, len(payload) | flags << 29) + payload + padding


def test_frames_give_their_payload_and_their_span_with_padding():
    data = framed(b"abc") + framed(b"") + framed(b"defgh")
    frames = list(recordio.iter_frames(data))
    assert [frame.payload for frame in frames] == [b"abc", b"", b"defgh"]
    assert [(frame.start, frame.end) for frame in frames] == [(0, 12), (12, 20), (20, 36)]
    assert b"".join(data[frame.start:frame.end] for frame in frames) == data


def test_the_last_frame_may_lack_its_padding():
    data = framed(b"abc")[:-1]
    assert list(recordio.iter_frames(data)) == [recordio.Frame(0, 11, b"abc")]


def test_frames_before_a_break_are_yielded_first():
    frames = recordio.iter_frames(framed(b"good") + b"bad!")
    assert next(frames).payload == b"good"
    with pytest.raises(recordio.FramingError, match="byte 12 does not start a RecordIO frame"):
        next(frames)


@pytest.mark.parametrize(("data", "message"), [
    (b"1,2,3\n", "byte 0 does not start a RecordIO frame"),
    (struct.pack("<I", MAGIC) + b"\x01", "truncated RecordIO frame header at byte 0"),
    (framed(b"abcdefgh")[:12], "truncated RecordIO record at byte 0"),
    (framed(b"abc", flags=1), "multi-part RecordIO record at byte 0"),
])
def test_broken_framing_is_a_client_error(data, message):
    with pytest.raises(recordio.FramingError, match=message) as raised:
        list(recordio.iter_frames(data))
    assert isinstance(raised.value, ClientError)


def test_split_frames_names_the_source_and_suggests_csv():
    assert recordio.split_frames(framed(b"abc") + framed(b"de"), "train/a.pbr") == [b"abc", b"de"]
    with pytest.raises(ClientError, match=r"^train/a\.pbr: not RecordIO-protobuf data \(byte 0 "
                                          r"does not start a RecordIO frame\)\. If this is CSV"):
        recordio.split_frames(b"1,2,3\n", "train/a.pbr")


def test_first_record_reads_only_the_first_frame():
    record = recordio_protobuf.Record()
    record.features[recordio_protobuf.VALUES_KEY].float32_tensor.values.extend([1.0, 2.0])
    first_frame = framed(record.SerializeToString())
    data = first_frame + b"anything after it"
    first = recordio_protobuf.first_record(data, "train/a.pbr")
    assert list(first.features[recordio_protobuf.VALUES_KEY].float32_tensor.values) == [1.0, 2.0]
    with pytest.raises(ClientError, match=f"byte {len(first_frame)} does not start"):
        recordio_protobuf.parse_records(data, "train/a.pbr")
    with pytest.raises(ClientError, match="train/a.pbr: holds no RecordIO-protobuf records"):
        recordio_protobuf.first_record(b"", "train/a.pbr")
