"""RecordIO framing and protobuf records: the frames of a byte string, the errors that name where
it breaks, and the Record messages inside."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from checks import dense_records, sdk_amazon_common, sparse_records

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


# -- the fast path for the SDK's dense layout -----------------------------------------------------


def general_matrix(data: bytes, feature_dim: int) -> recordio_protobuf.RecordMatrix:
    """The record-by-record reading that the fast path must reproduce exactly."""
    return recordio_protobuf.records_to_matrix(
        recordio_protobuf.parse_records(data, "train/a.pbr"), feature_dim, "train/a.pbr")


def assert_same_matrix(fast, general):
    assert fast is not None, "the fast path did not take the SDK's dense layout"
    assert fast.features.dtype == general.features.dtype == np.float32
    assert fast.features.tobytes() == general.features.tobytes()  # bit for bit, NaN included
    assert fast.sparse is general.sparse is False
    if general.labels is None:
        assert fast.labels is None
    else:
        assert fast.labels.dtype == np.float32
        assert fast.labels.tobytes() == general.labels.tobytes()


def sdk_records(features, labels=None) -> bytes:
    """Records as the SDK's ``write_numpy_to_dense_tensor`` writes them, keeping the dtypes."""
    buffer = io.BytesIO()
    sdk_amazon_common().write_numpy_to_dense_tensor(buffer, features, labels)
    return buffer.getvalue()


def random_rows(rows: int, columns: int, dtype=np.float32) -> np.ndarray:
    values = np.random.default_rng(rows * columns).normal(size=(rows, columns)).astype(dtype)
    values[0, 0] = np.nan  # special values survive as they are
    values[-1, -1] = -np.inf
    return values


@pytest.mark.parametrize("feature_type", [np.float32, np.float64])
@pytest.mark.parametrize("label_type", [None, np.float32, np.float64])
def test_the_fast_path_decodes_dense_records_as_the_general_path_does(feature_type, label_type):
    features = random_rows(50, 7, feature_type)
    labels = None if label_type is None else np.arange(50, dtype=label_type) / 3
    data = sdk_records(features, labels)
    fast = recordio_protobuf.dense_matrix(data, 7)
    assert_same_matrix(fast, general_matrix(data, 7))
    assert_same_matrix(recordio_protobuf.dense_matrix(data, None), general_matrix(data, 7))
    np.testing.assert_array_equal(fast.features, features.astype(np.float32))
    if labels is not None:
        np.testing.assert_array_equal(fast.labels, labels.astype(np.float32))


def test_each_chunk_of_several_records_decodes_as_the_general_path_does():
    """Batch transform sends mini-batches cut at frame boundaries; each is read on its own."""
    data = sdk_records(random_rows(23, 4), np.ones(23, dtype=np.float32))
    frames = list(recordio.iter_frames(data))
    for first in range(0, len(frames), 5):
        chunk = data[frames[first].start:frames[min(first + 5, len(frames)) - 1].end]
        assert_same_matrix(recordio_protobuf.dense_matrix(chunk, 4), general_matrix(chunk, 4))
    one = data[frames[0].start:frames[0].end]
    assert_same_matrix(recordio_protobuf.dense_matrix(one, 4), general_matrix(one, 4))


def test_the_last_frame_of_dense_records_may_lack_its_padding_too():
    data = sdk_records(random_rows(3, 30), np.zeros(3, dtype=np.float32))
    payload_length = struct.unpack_from("<I", data, 4)[0]
    assert payload_length % 4 == 1  # 30 features and a label: 157 bytes, 3 of padding
    assert_same_matrix(recordio_protobuf.dense_matrix(data[:-3], 30), general_matrix(data, 30))
    assert recordio_protobuf.dense_matrix(data[:-4], 30) is None  # a cut payload is not padding


def uid_records() -> bytes:
    record = recordio_protobuf.Record(uid="row-1")
    record.features[recordio_protobuf.VALUES_KEY].float32_tensor.values.extend([1.0, 2.0, 3.0])
    return recordio_protobuf.frame([record.SerializeToString()] * 2)


# Data is made inside the tests (factories here), so that collecting them never imports the SDK.
@pytest.mark.parametrize("make_data", [
    pytest.param(lambda: sparse_records([[0, 1.5, 0], [2, 0, 3]], [1, 0]), id="sparse"),
    pytest.param(lambda: sdk_records(np.arange(6, dtype=int).reshape(2, 3)),
                 id="int32 features"),
    pytest.param(uid_records, id="other fields"),
])
def test_other_layouts_fall_back_to_the_general_path(make_data):
    data = make_data()
    assert recordio_protobuf.dense_matrix(data, None) is None
    fallback = recordio_protobuf.read_matrix(data, 3, "train/a.pbr")
    general = general_matrix(data, 3)
    assert fallback.features.tobytes() == general.features.tobytes()
    assert fallback.sparse == general.sparse


@pytest.mark.parametrize(("make_data", "feature_dim", "message"), [
    (lambda: dense_records([[1, 2, 3]] * 2), 4,
     "record 0: 3 feature values, but feature_dim is 4"),
    (lambda: dense_records([[1, 2]], [1]) + dense_records([[3, 4]]), 2,
     "only 1 of 2 records have a label"),
    (lambda: dense_records([[1, 2]] * 2)[:-6], 2, "truncated RecordIO record at byte"),
    (lambda: dense_records([[1, 2]]) + dense_records([[1, 2, 3]]), 2,
     "record 1: 3 feature values, but feature_dim is 2"),
    (lambda: dense_records([[1, 2]]) + b"1,2\n", 2, "does not start a RecordIO frame"),
])
def test_bad_dense_data_gets_the_general_paths_errors(make_data, feature_dim, message):
    data = make_data()
    assert recordio_protobuf.dense_matrix(data, feature_dim) is None
    with pytest.raises(ClientError, match=message):
        recordio_protobuf.read_matrix(data, feature_dim, "train/a.pbr")
