"""How batch transform cuts input objects into records and request bodies."""

from __future__ import annotations

import struct

import pytest

from localcloud.sagemaker.transform import (
    MB,
    TransformError,
    batch_records,
    split_records,
)


def test_line_split_drops_blank_lines():
    assert split_records(b"1,2\n\n3,4\n", "Line") == [b"1,2", b"3,4"]


def test_no_split_sends_the_whole_object():
    assert split_records(b"anything\nat all", "None") == [b"anything\nat all"]
    assert split_records(b"", "None") == []


def recordio(payload: bytes) -> bytes:
    padding = b"\0" * ((4 - len(payload) % 4) % 4)
    return struct.pack("<II", 0xCED7230A, len(payload)) + payload + padding


def test_recordio_split_keeps_framing():
    records = [recordio(b"abc"), recordio(b"defgh")]
    assert split_records(b"".join(records), "RecordIO") == records


def test_recordio_garbage_is_an_error():
    with pytest.raises(TransformError, match="Invalid RecordIO"):
        split_records(b"not recordio at all", "RecordIO")


def test_multi_record_batches_respect_the_payload_limit():
    records = [b"x" * 40 for _ in range(10)]
    batches = list(batch_records(records, "MultiRecord", max_payload=100, separator=b"\n"))
    assert all(len(batch) <= 100 for batch in batches)
    assert b"\n".join(batches).split(b"\n") == records
    assert len(batches) == 5  # two 40-byte records and a newline fit in 100 bytes


def test_single_record_sends_one_per_request():
    records = [b"1", b"2", b"3"]
    assert list(batch_records(records, "SingleRecord", max_payload=MB, separator=b"\n")) == records


def test_a_record_over_the_limit_fails_the_job_with_advice():
    with pytest.raises(TransformError, match="larger than MaxPayloadInMB"):
        list(batch_records([b"x" * 200], "MultiRecord", max_payload=100, separator=b"\n"))


def test_truncated_recordio_is_an_error_naming_the_byte():
    with pytest.raises(TransformError, match=r"^ClientError: Invalid RecordIO data \(truncated "
                                             r"RecordIO record at byte 12\)"):
        split_records(recordio(b"abc") + recordio(b"defgh")[:12], "RecordIO")
