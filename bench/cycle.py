"""Benchmark: a full SageMaker cycle through localcloud vs the same work done in-process.

    .venv/bin/python bench/cycle.py [--rounds 100] [--invocations 500]

Measures, in one run on this machine:

1. baseline: xgboost trains on Boston and predicts the test set and one row, in this process;
2. localcloud: the SDK does fit -> deploy -> predict -> transform -> delete with the same data and
   hyperparameters (what a notebook does);
3. InvokeEndpoint latency for a one-row CSV body (p50/p99 over many calls).

Prints the cycle's wall time as a ratio of the baseline (both measured here and now), so the
figure means the same on any machine. Not run as a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.model_selection import train_test_split

from localcloud import LocalCloud
from localcloud.kit import hooks
from mlcourse.datasets import load_boston_housing

HYPERPARAMETERS = {"objective": "reg:squarederror", "max_depth": 5, "eta": 0.2}


def splits():
    frame = load_boston_housing()
    features, target = frame.drop(columns="MEDV"), frame["MEDV"]
    x_train, x_test, y_train, y_test = train_test_split(features, target, test_size=0.2,
                                                        random_state=42)
    return x_train, x_test, y_train, y_test


def in_process(rounds: int) -> float:
    """Seconds to train and predict with the xgboost library directly."""
    x_train, x_test, y_train, _ = splits()
    started = time.perf_counter()
    booster = xgb.train(HYPERPARAMETERS, xgb.DMatrix(x_train.values, label=y_train.values),
                        num_boost_round=rounds)
    booster.predict(xgb.DMatrix(x_test.values))
    booster.predict(xgb.DMatrix(x_test.values[:1]))
    return time.perf_counter() - started


def through_localcloud(rounds: int, invocations: int, folder: Path) -> tuple[float, list[float]]:
    """Seconds for the SDK cycle, and the latencies of one-row invocations."""
    import boto3
    import sagemaker
    from sagemaker import image_uris
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput
    from sagemaker.serializers import CSVSerializer

    x_train, x_test, y_train, _ = splits()
    pd.concat([y_train, x_train], axis=1).to_csv(folder / "train.csv", header=False, index=False)
    x_test.to_csv(folder / "test.csv", header=False, index=False)
    started = time.perf_counter()
    session = sagemaker.Session()
    train = session.upload_data(str(folder / "train.csv"), key_prefix="bench/train")
    test = session.upload_data(str(folder / "test.csv"), key_prefix="bench/test")
    estimator = Estimator(image_uris.retrieve("xgboost", session.boto_region_name, "1.7-1"),
                          sagemaker.get_execution_role(), instance_count=1,
                          instance_type="ml.m5.large", sagemaker_session=session,
                          hyperparameters={**HYPERPARAMETERS, "num_round": rounds})
    estimator.fit({"train": TrainingInput(train, content_type="text/csv")}, logs=False)
    predictor = estimator.deploy(1, "ml.m5.large", serializer=CSVSerializer())
    predictor.predict(x_test.values)
    transformer = estimator.transformer(1, "ml.m5.large")
    transformer.transform(test, content_type="text/csv", split_type="Line")
    transformer.wait(logs=False)
    cycle = time.perf_counter() - started

    runtime = boto3.client("sagemaker-runtime")
    row = ",".join(str(v) for v in x_test.values[0])
    latencies = []
    for _ in range(invocations):
        sent = time.perf_counter()
        runtime.invoke_endpoint(EndpointName=predictor.endpoint_name, ContentType="text/csv",
                                Body=row)["Body"].read()
        latencies.append(time.perf_counter() - sent)
    predictor.delete_endpoint()
    return cycle, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--invocations", type=int, default=500)
    args = parser.parse_args()
    baseline = min(in_process(args.rounds) for _ in range(3))
    with tempfile.TemporaryDirectory() as tmp, LocalCloud(state_dir=Path(tmp) / "state") as cloud:
        import os

        os.environ.update(cloud.environ())
        hooks.install()
        cycle, latencies = through_localcloud(args.rounds, args.invocations, Path(tmp))
    p50 = statistics.median(latencies) * 1000
    p99 = float(np.percentile(latencies, 99)) * 1000
    print(f"in-process xgboost train+predict ({args.rounds} rounds): {baseline:.3f} s")
    print(f"localcloud fit->deploy->predict->transform->delete: {cycle:.2f} s "
          f"({cycle / baseline:.0f}x the in-process baseline)")
    print(f"InvokeEndpoint one-row CSV over {len(latencies)} calls: p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms; in-process one-row predict is "
          f"{baseline_one_row() * 1000:.2f} ms")


def baseline_one_row() -> float:
    x_train, x_test, y_train, _ = splits()
    booster = xgb.train(HYPERPARAMETERS, xgb.DMatrix(x_train.values, label=y_train.values), 10)
    row = xgb.DMatrix(x_test.values[:1])
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        booster.predict(row)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
