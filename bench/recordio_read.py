"""Benchmark: reading a RecordIO-protobuf channel, record by record vs. the dense fast path.

    .venv/bin/python bench/recordio_read.py [--rows 80000] [--features 30] [--repeats 3]

Writes ``rows`` x ``features`` float32 rows and a float32 label per row with the SageMaker SDK's
``write_numpy_to_dense_tensor`` (what ``record_set()`` uploads; the Payment Fraud Detection case
study's shape by default), then reads the bytes in one run both ways: the general path
(``parse_records`` + ``records_to_matrix``, one protobuf parse per record) and ``read_matrix``
(which takes the vectorised dense path). Prints the best CPU seconds (``time.process_time``, so
that other jobs on a shared machine do not skew it) of each and their ratio. Not run as a test.
"""

from __future__ import annotations

import argparse
import io
import os
import time

import numpy as np

from localcloud.algorithms.inputs import recordio_protobuf as recordio


def sdk_dense_records(rows: int, features: int) -> bytes:
    """Random dense records with a 0/1 label, as the SDK writes them."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    from sagemaker.amazon.common import write_numpy_to_dense_tensor  # slow import: only here

    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    write_numpy_to_dense_tensor(buffer, rng.normal(size=(rows, features)).astype(np.float32),
                                (rng.random(rows) < 0.01).astype(np.float32))
    return buffer.getvalue()


def general_path(data: bytes, feature_dim: int) -> recordio.RecordMatrix:
    return recordio.records_to_matrix(recordio.parse_records(data, "bench"), feature_dim, "bench")


def fast_path(data: bytes, feature_dim: int) -> recordio.RecordMatrix:
    return recordio.read_matrix(data, feature_dim, "bench")


def best_cpu_seconds(read, data: bytes, feature_dim: int, repeats: int):
    """The least CPU time of ``repeats`` reads, and the last result."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        result = read(data, feature_dim)
        times.append(time.process_time() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--features", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = sdk_dense_records(args.rows, args.features)
    general_seconds, expected = best_cpu_seconds(general_path, data, args.features, args.repeats)
    fast_seconds, result = best_cpu_seconds(fast_path, data, args.features, args.repeats)
    same = (result.features.tobytes() == expected.features.tobytes()
            and result.labels.tobytes() == expected.labels.tobytes())
    print(f"{args.rows} rows x {args.features} float32 features + label, "
          f"{len(data) / 1e6:.1f} MB, best of {args.repeats} (CPU seconds)")
    print(f"  general path (record by record): {general_seconds:.3f} s")
    print(f"  read_matrix (dense fast path):   {fast_seconds:.3f} s")
    print(f"  speed-up: {general_seconds / fast_seconds:.1f}x; same arrays: {same}")


if __name__ == "__main__":
    main()
