"""What every built-in algorithm must do, and the tiny problems the check suite gives each one.

In the spirit of scikit-learn's ``estimator_checks``: a new built-in adds one :class:`Case` to
:data:`CASES` and test_algorithm_checks.py then trains it from CSV (JSON Lines time series for
DeepAR; RecordIO-protobuf too when the algorithm reads it), serves every request and answer type
it supports, makes it fail on a bad hyperparameter, parses its metric lines with the service's
own parser, and runs it under batch transform in a localcloud.

Also here: the helpers that write RecordIO-protobuf with the SageMaker SDK's own writer, so
channel files look exactly like ``record_set()``'s.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from localcloud.containers.contract import MLPaths
from localcloud.containers.registry import family_named
from localcloud.formats import recordio

CSV = "text/csv"
JSON = "application/json"
JSONLINES = "application/jsonlines"
RECORDIO = "application/x-recordio-protobuf"
LIBSVM = "text/libsvm"
UNLABELLED_CSV = "text/csv;label_size=0"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def sdk_amazon_common():
    """The SageMaker SDK's RecordIO helpers, imported without the SDK's EC2 metadata probe."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        patch.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
        return pytest.importorskip("sagemaker.amazon.common")


def dense_records(features, labels=None) -> bytes:
    """Dense float32 RecordIO-protobuf records, written by the SDK as ``record_set()`` does."""
    buffer = io.BytesIO()
    sdk_amazon_common().write_numpy_to_dense_tensor(
        buffer, np.asarray(features, dtype=np.float32),
        None if labels is None else np.asarray(labels, dtype=np.float32))
    return buffer.getvalue()


def sparse_records(features, labels=None) -> bytes:
    """Sparse RecordIO-protobuf records (keys, values, shape), written by the SDK."""
    buffer = io.BytesIO()
    sdk_amazon_common().write_spmatrix_to_sparse_tensor(
        buffer, sparse.csr_matrix(np.asarray(features, dtype=np.float32)),
        None if labels is None else np.asarray(labels, dtype=np.float32))
    return buffer.getvalue()


def csv_text(features, labels=None) -> str:
    table = features if labels is None else np.column_stack([labels, features])
    return "".join(",".join(f"{value:.6f}" for value in row) + "\n" for row in table)


def libsvm_text(features) -> str:
    return "".join(" ".join(f"{i}:{v:.6f}" for i, v in enumerate(row)) + "\n" for row in features)


@dataclass(frozen=True)
class Problem:
    """Tiny data: features (n, 4) float32 and labels (n,) or None."""

    features: np.ndarray
    labels: np.ndarray | None

    def split(self, rows: int) -> tuple[Problem, Problem]:
        labels = (None, None) if self.labels is None else (self.labels[:rows], self.labels[rows:])
        return (Problem(self.features[:rows], labels[0]), Problem(self.features[rows:], labels[1]))


def regression_problem(rows: int = 120) -> Problem:
    rng = np.random.default_rng(3)
    features = rng.random((rows, 4)).astype(np.float32)
    labels = (10 * features[:, 0] + 5 * features[:, 1] + rng.normal(0, 0.1, rows))
    return Problem(features, labels.astype(np.float32))


@dataclass(frozen=True)
class SeriesProblem:
    """Tiny time-series data (DeepAR's): ``features`` holds JSON series objects; the held-out
    part of a split is every series whole (a test channel), the training part without its last
    ``horizon`` points."""

    features: list[dict]
    horizon: int
    labels: None = None

    def split(self, rows: int) -> tuple[SeriesProblem, SeriesProblem]:
        history = [{**item, "target": item["target"][:-self.horizon]} for item in self.features]
        return SeriesProblem(history, self.horizon), self


def series_problem(count: int = 4, days: int = 60, horizon: int = 7) -> SeriesProblem:
    """Daily series with a weekly cycle and noise."""
    rng = np.random.default_rng(5)
    time = np.arange(days)
    return SeriesProblem([
        {"start": f"2020-0{index + 1}-01",
         "target": np.round(5 + index + 2 * np.sin(2 * np.pi * time / 7)
                            + rng.normal(0, 0.3, days), 3).tolist()}
        for index in range(count)], horizon)


def blobs_problem(rows: int = 120) -> Problem:
    """Three well separated clusters in 4 dimensions, no labels."""
    rng = np.random.default_rng(4)
    centers = np.array([[0, 0, 0, 0], [8, 8, 0, 0], [0, 8, 8, 8]], dtype=np.float32)
    features = centers[rng.integers(0, 3, rows)] + rng.normal(0, 0.5, (rows, 4))
    return Problem(features.astype(np.float32), None)


@dataclass(frozen=True)
class Case:
    """One built-in, as the check suite drives it."""

    name: str  #: the row of localcloud.containers.registry
    hyperparameters: dict[str, str]
    problem: Callable[[], Problem | SeriesProblem]
    #: how the training channels are declared (CSV, or JSON Lines for time series)
    training_content_type: str
    request_types: tuple[str, ...]
    accept_types: tuple[str, ...]
    bad_hyperparameter: tuple[str, str]
    #: the metrics the training log must show, and the extra channel that makes them appear
    metrics: tuple[str, ...]
    metric_channel: str | None = None
    trains_on_recordio: bool = True
    env: dict[str, str] = field(default_factory=dict)
    #: the answer type batch transform asks for (one line per example), and its input type
    transform_accept: str = JSONLINES
    transform_content_type: str = CSV

    @property
    def image(self) -> str:
        """An image URI of the algorithm, as ``sagemaker.image_uris.retrieve`` gives it."""
        if "LOCALCLOUD_IMAGE" in self.env:
            return self.env["LOCALCLOUD_IMAGE"]
        repository = family_named(self.name).repositories[0]
        return f"382416733822.dkr.ecr.us-east-1.amazonaws.com/{repository}:1"

    @property
    def supervised(self) -> bool:
        return self.problem().labels is not None

    def __str__(self) -> str:
        return self.name


CASES = (
    Case("xgboost", {"num_round": "5", "objective": "reg:squarederror", "eval_metric": "rmse"},
         regression_problem, CSV, request_types=(CSV, LIBSVM), accept_types=(CSV, JSON),
         bad_hyperparameter=("eta", "2"), metrics=("train:rmse", "validation:rmse"),
         metric_channel="validation", trains_on_recordio=False,
         env={"LOCALCLOUD_IMAGE": XGBOOST_IMAGE}, transform_accept=CSV),
    Case("linear-learner", {"feature_dim": "4", "predictor_type": "regressor", "epochs": "3",
                            "mini_batch_size": "20"},
         regression_problem, CSV, request_types=(CSV, JSON, JSONLINES, RECORDIO),
         accept_types=(JSON, JSONLINES, RECORDIO), bad_hyperparameter=("epochs", "0"),
         metrics=("train:progress", "validation:objective_loss"), metric_channel="validation"),
    Case("pca", {"feature_dim": "4", "num_components": "2", "mini_batch_size": "50"},
         blobs_problem, UNLABELLED_CSV, request_types=(CSV, JSON, JSONLINES, RECORDIO),
         accept_types=(JSON, JSONLINES, RECORDIO, CSV),
         bad_hyperparameter=("algorithm_mode", "fast"),
         metrics=("train:progress", "train:throughput")),
    Case("kmeans", {"feature_dim": "4", "k": "3", "eval_metrics": '["msd", "ssd"]'},
         blobs_problem, UNLABELLED_CSV, request_types=(CSV, JSON, JSONLINES, RECORDIO),
         accept_types=(JSON, JSONLINES, RECORDIO, CSV), bad_hyperparameter=("k", "0"),
         metrics=("test:msd", "test:ssd", "train:progress"), metric_channel="test"),
    Case("forecasting-deepar", {"time_freq": "D", "context_length": "7",
                                "prediction_length": "7", "epochs": "2",
                                "mini_batch_size": "16", "num_cells": "8"},
         series_problem, JSONLINES, request_types=(JSON, JSONLINES),
         accept_types=(JSON, JSONLINES), bad_hyperparameter=("likelihood", "poisson"),
         metrics=("train:loss", "train:final_loss", "test:RMSE", "test:mean_wQuantileLoss"),
         metric_channel="test", trains_on_recordio=False, transform_content_type=JSONLINES),
)


def write_training_job(root: Path, case: Case, content_type: str,
                       hyperparameters: dict[str, str] | None = None) -> MLPaths:
    """An /opt/ml tree for ``case``: train (and its metric channel) in ``content_type``."""
    paths = MLPaths(root)
    paths.make_dirs()
    paths.hyperparameters_file.write_text(json.dumps(hyperparameters or case.hyperparameters))
    train, held_out = case.problem().split(90)
    channels = {"train": train}
    if case.metric_channel:
        channels[case.metric_channel] = held_out
    config = {}
    for channel, problem in channels.items():
        folder = paths.channel_dir(channel)
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(problem, SeriesProblem):
            (folder / "part-0.json").write_bytes(request_body(problem.features, JSONLINES))
        elif content_type == RECORDIO:
            (folder / "part-0.pbr").write_bytes(dense_records(problem.features, problem.labels))
        else:
            (folder / "part-0.csv").write_text(csv_text(problem.features, problem.labels))
        config[channel] = {"ContentType": content_type}
    paths.input_data_config_file.write_text(json.dumps(config))
    return paths


def request_body(features: np.ndarray | list[dict], content_type: str) -> bytes:
    """``features`` in a request format every first-party algorithm (and XGBoost) reads; time
    series (a list of JSON objects) as DeepAR reads them."""
    if isinstance(features, list):
        if content_type == JSON:
            return json.dumps({"instances": features}).encode()
        return "".join(json.dumps(item) + "\n" for item in features).encode()
    if content_type == CSV:
        return csv_text(features).encode()
    if content_type == LIBSVM:
        return libsvm_text(features).encode()
    if content_type == JSON:
        return json.dumps({"instances": [{"features": row} for row in features.tolist()]}).encode()
    if content_type == JSONLINES:
        return "".join(json.dumps({"features": row}) + "\n" for row in features.tolist()).encode()
    return dense_records(features)


def count_answers(body: bytes, content_type: str) -> int:
    """How many examples an answer covers, whatever its format."""
    if content_type == RECORDIO:
        return len(recordio.split_frames(body, "answer"))
    text = body.decode()
    if content_type == JSON:
        document = json.loads(text)
        if isinstance(document, dict):  # {"predictions": [...]} or {"projections": [...]}
            (document,) = document.values()
        return len(document)
    return len([line for line in text.splitlines() if line.strip()])
