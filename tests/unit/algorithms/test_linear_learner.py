"""Tests of localcloud's built-in Linear Learner: training, artifact, serving, formats, errors."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from checks import dense_records, sdk_amazon_common
from model_server import http_request, running_model_server

from localcloud.algorithms.inputs import channels as channel_data
from localcloud.algorithms.inputs import recordio_protobuf as recordio
from localcloud.algorithms.linear_learner import METRIC_DEFINITIONS, Handler, train
from localcloud.algorithms.linear_learner.artifact import (
    ADDITIONAL_PARAMS_MEMBER,
    MANIFEST_MEMBER,
    MODEL_FILE,
    PARAMS_MEMBER,
    SYMBOL_MEMBER,
    load_model,
    save_model,
)
from localcloud.algorithms.linear_learner.hyperparameters import parse_hyperparameters
from localcloud.algorithms.linear_learner.losses import OBJECTIVE_NAMES, Loss
from localcloud.algorithms.linear_learner.metrics import SelectionCriterion, choose_threshold
from localcloud.algorithms.linear_learner.model import LinearModel
from localcloud.algorithms.linear_learner.sgd import Normalizer, linear_outputs, model_variants
from localcloud.containers.__main__ import run_training
from localcloud.containers.contract import MLPaths
from localcloud.containers.errors import ClientError, UnsupportedContentType
from localcloud.formats.ndarray import load_ndarrays, save_ndarrays

CSV = "text/csv"
RECORDIO = recordio.CONTENT_TYPE
LOGGER = "localcloud.algorithms.linear_learner"
#: What MXNet 1.9.1 writes for mx.nd.save(path, {"arg:fc0_weight": [[0.5, -1.25, 2.0]],
#: "arg:fc0_bias": [3.0]}) (float32), captured once from the real library.
MXNET_GOLDEN_PARAMS = bytes.fromhex(
    "120100000000000000000000000000000200000000000000c9fa93f900000000020000000100000000000000"
    "03000000000000000100000000000000000000000000003f0000a0bf00000040c9fa93f90000000001000000"
    "01000000000000000100000000000000000000000000404002000000000000000e000000000000006172673a"
    "6663305f7765696768740c000000000000006172673a6663305f62696173")


# -- helpers -------------------------------------------------------------------------------------


def write_job(root: Path, hyperparameters: dict, channels: dict, content_type: str | None = CSV,
              shards: int = 1) -> MLPaths:
    """An /opt/ml tree with the given channels ({name: (features, labels)})."""
    paths = MLPaths(root)
    paths.make_dirs()
    paths.hyperparameters_file.write_text(json.dumps(hyperparameters))
    declared = {"ContentType": content_type} if content_type else {}
    paths.input_data_config_file.write_text(json.dumps({name: declared for name in channels}))
    for name, (features, labels) in channels.items():
        folder = paths.channel_dir(name)
        folder.mkdir(parents=True, exist_ok=True)
        for index, rows in enumerate(np.array_split(np.arange(len(labels)), shards)):
            if content_type == CSV:
                (folder / f"part-{index}.csv").write_text(
                    csv_text(np.column_stack([labels[rows], features[rows]])))
            else:
                (folder / f"part-{index}.pbr").write_bytes(
                    dense_records(features[rows], labels[rows]))
    return paths


def csv_text(rows) -> str:
    return "".join(",".join(repr(float(value)) for value in row) + "\n" for row in rows)


def regression_data(count: int, dim: int = 5, seed: int = 0, noise: float = 1.0):
    """A linear problem with features on very different scales and offsets."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(count, dim)) * rng.uniform(0.5, 20, dim) + rng.uniform(-10, 10, dim)
    labels = features @ rng.normal(size=dim) + 5.0 + noise * rng.normal(size=count)
    return features.astype(np.float32), labels.astype(np.float32)


def rare_event_data(count: int, seed: int = 0):
    """About 6% positives whose odds depend on three of eight features (fraud-like)."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(count, 8)).astype(np.float32)
    logit = features[:, :3] @ np.array([2.5, -2.0, 1.5]) - 4.5
    labels = (rng.random(count) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float32)
    return features, labels


def split(data, *sizes):
    features, labels = data
    edges = np.cumsum(sizes)[:-1]
    return list(zip(np.split(features, edges), np.split(labels, edges), strict=True))


def r_squared(predictions, labels) -> float:
    return 1.0 - np.sum((predictions - labels) ** 2) / np.sum((labels - labels.mean()) ** 2)


def trained_handler(paths: MLPaths) -> Handler:
    train(paths)
    handler = Handler()
    handler.load(paths.model_dir)
    return handler


@contextlib.contextmanager
def captured_log_lines():
    """The messages the algorithm logs while the block runs."""
    lines = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: lines.append(record.getMessage())
    logger = logging.getLogger(LOGGER)
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


def logged_metrics(lines: list[str]) -> dict[str, list[float]]:
    """What SageMaker would extract from the log with METRIC_DEFINITIONS."""
    found = {}
    for definition in METRIC_DEFINITIONS:
        values = [float(match.group(1)) for line in lines
                  for match in [re.search(definition["Regex"], line)] if match]
        if values:
            found[definition["Name"]] = values
    return found


@pytest.fixture
def sdk_common():
    """The SageMaker SDK's RecordIO helpers (``sagemaker.amazon.common``)."""
    return sdk_amazon_common()


BINARY_HYPERPARAMETERS = {
    "feature_dim": "8", "predictor_type": "binary_classifier", "mini_batch_size": "200",
    "binary_classifier_model_selection_criteria": "recall_at_target_precision",
    "target_precision": "0.9", "positive_example_weight_mult": "balanced",
}


@pytest.fixture(scope="module")
def binary_job(tmp_path_factory):
    """A fraud-like binary classifier trained on train/validation/test RecordIO channels."""
    train_part, validation_part, test_part = split(rare_event_data(9000), 5000, 2000, 2000)
    paths = write_job(tmp_path_factory.mktemp("binary"), BINARY_HYPERPARAMETERS,
                      {"train": train_part, "validation": validation_part, "test": test_part},
                      content_type=RECORDIO)
    with captured_log_lines() as lines:
        handler = trained_handler(paths)
    return paths, handler, lines, test_part


# -- training: regression ------------------------------------------------------------------------


def test_regressor_learns_a_linear_problem_from_csv_shards(tmp_path):
    train_part, validation_part, test_part = split(regression_data(1600), 1000, 300, 300)
    paths = write_job(tmp_path, {"feature_dim": "5", "predictor_type": "regressor",
                                 "mini_batch_size": "100"},
                      {"train": train_part, "validation": validation_part}, shards=3)
    handler = trained_handler(paths)
    features, labels = test_part
    predictions = handler.model.predict(features).scores
    assert 0.95 < r_squared(predictions, labels) <= 1.0
    # The noise has standard deviation 1: a fitted model cannot do much better or worse.
    assert 0.8 < np.sqrt(np.mean((predictions - labels) ** 2)) < 1.5


def test_regressor_reads_recordio_without_declared_content_type(tmp_path):
    # record_set() channels declare no ContentType: RecordIO-protobuf is the default.
    train_part, test_part = split(regression_data(800, seed=1), 600, 200)
    paths = write_job(tmp_path, {"feature_dim": "auto", "predictor_type": "regressor",
                                 "mini_batch_size": "50"},
                      {"train": train_part}, content_type=None, shards=2)
    handler = trained_handler(paths)
    assert handler.model.feature_dim == 5
    assert r_squared(handler.model.predict(test_part[0]).scores, test_part[1]) > 0.9


@pytest.mark.parametrize("content_type", [CSV, None])
def test_auto_feature_dim_reads_every_file_once(tmp_path, monkeypatch, content_type):
    train_part, validation_part = split(regression_data(300, dim=3, seed=1), 200, 100)
    paths = write_job(tmp_path, {"feature_dim": "auto", "predictor_type": "regressor",
                                 "mini_batch_size": "50", "epochs": "2"},
                      {"train": train_part, "validation": validation_part},
                      content_type=content_type, shards=2)
    reads = []
    read_file = channel_data.read_bytes
    monkeypatch.setattr(channel_data, "read_bytes",
                        lambda path: reads.append(path.relative_to(paths.data_dir).as_posix())
                        or read_file(path))
    assert trained_handler(paths).model.feature_dim == 3
    suffix = ".csv" if content_type == CSV else ".pbr"
    assert sorted(reads) == [f"{channel}/part-{index}{suffix}"
                             for channel in ("train", "validation") for index in (0, 1)]

def test_training_is_deterministic(tmp_path):
    data = {"train": regression_data(300, seed=2)}
    hyperparameters = {"feature_dim": "5", "predictor_type": "regressor", "mini_batch_size": "32"}
    artifacts = []
    for name in ("first", "second"):
        paths = write_job(tmp_path / name, hyperparameters, data)
        train(paths)
        with zipfile.ZipFile(paths.model_dir / MODEL_FILE) as archive:
            artifacts.append(archive.read(PARAMS_MEMBER))
    assert artifacts[0] == artifacts[1]


def test_regressor_logs_metrics_that_the_metric_definitions_extract(tmp_path):
    train_part, validation_part, test_part = split(regression_data(900, seed=3), 500, 200, 200)
    paths = write_job(tmp_path, {"feature_dim": "5", "predictor_type": "regressor",
                                 "mini_batch_size": "100", "epochs": "4"},
                      {"train": train_part, "validation": validation_part, "test": test_part})
    with captured_log_lines() as lines:
        train(paths)
    metrics = logged_metrics(lines)
    expected = {"train:progress", "train:throughput", "train:objective_loss",
                "train:objective_loss:final", "validation:objective_loss",
                "validation:objective_loss:final", "test:objective_loss"}
    expected |= {f"{channel}:{name}" for channel in ("train", "validation", "test")
                 for name in ("mse", "rmse", "absolute_loss")}
    assert set(metrics) == expected
    assert len(metrics["validation:objective_loss"]) == 4  # one per epoch
    assert metrics["train:progress"] == [25.0, 50.0, 75.0, 100.0]
    for name in ("validation:objective_loss:final", "validation:mse", "validation:rmse"):
        assert len(metrics[name]) == 1, name
    assert metrics["validation:rmse"][0] == pytest.approx(metrics["validation:mse"][0] ** 0.5)
    assert "#quality_metric: host=algo-1, epoch=0, train mse_objective <loss>=" in "\n".join(lines)


def test_sparse_recordio_from_the_sdk_writer_is_read_and_not_shifted(tmp_path, sdk_common):
    scipy_sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(4)
    dense = rng.normal(size=(600, 20)) * (rng.random((600, 20)) < 0.2)
    labels = dense @ rng.normal(size=20) + 0.05 * rng.normal(size=600)
    paths = write_job(tmp_path, {"feature_dim": "20", "predictor_type": "regressor",
                                 "mini_batch_size": "50"}, {}, content_type=None)
    paths.channel_dir("train").mkdir(parents=True)
    with open(paths.channel_dir("train") / "matrix_0.pbr", "wb") as file:
        sdk_common.write_spmatrix_to_sparse_tensor(
            file, scipy_sparse.csr_matrix(dense.astype(np.float32)), labels.astype(np.float32))
    handler = trained_handler(paths)
    assert r_squared(handler.model.predict(dense).scores, labels) > 0.9
    with zipfile.ZipFile(paths.model_dir / MODEL_FILE) as archive:
        normalization = json.loads(archive.read(ADDITIONAL_PARAMS_MEMBER))["normalization"]
    assert not any(normalization["mean_weight"])  # sparse data is scaled, never shifted


# -- training: binary classification -------------------------------------------------------------


def test_binary_classifier_meets_the_target_precision(binary_job):
    _paths, handler, lines, (features, labels) = binary_job
    metrics = logged_metrics(lines)
    # The threshold is calibrated on the validation channel: there the target holds exactly.
    assert metrics["validation:precision"][0] >= 0.9
    assert 0.2 < metrics["validation:recall"][0] < 0.9
    assert metrics["validation:roc_auc_score"][0] > 0.85
    predictions = handler.model.predict(features)
    predicted = predictions.labels == 1
    test_precision = np.mean(labels[predicted] == 1)
    assert 0.75 < test_precision <= 1.0  # unseen data: close to the target
    assert set(np.unique(predictions.labels)) == {0, 1}
    assert 0.0 < handler.model.threshold < 1.0


def test_binary_classifier_logs_every_documented_binary_metric(binary_job):
    metrics = logged_metrics(binary_job[2])
    binary_names = ("binary_classification_accuracy", "binary_f_beta", "precision", "recall",
                    "roc_auc_score")
    expected = {f"{channel}:{name}" for channel in ("train", "validation", "test")
                for name in binary_names}
    expected |= {"train:progress", "train:throughput", "train:objective_loss",
                 "train:objective_loss:final", "validation:objective_loss",
                 "validation:objective_loss:final", "test:objective_loss"}
    assert set(metrics) == expected
    assert "validation binary_f_1.000 <score>=" in "\n".join(binary_job[2])


def test_lower_target_precision_buys_more_recall(tmp_path):
    train_part, validation_part = split(rare_event_data(6000, seed=5), 4000, 2000)
    recalls = {}
    for target in ("0.9", "0.5"):
        paths = write_job(tmp_path / target, {**BINARY_HYPERPARAMETERS, "target_precision": target},
                          {"train": train_part, "validation": validation_part})
        with captured_log_lines() as lines:
            train(paths)
        metrics = logged_metrics(lines)
        assert metrics["validation:precision"][0] >= float(target)
        recalls[target] = metrics["validation:recall"][0]
    assert recalls["0.5"] > recalls["0.9"]


def test_precision_at_target_recall_holds_the_recall(tmp_path):
    train_part, validation_part = split(rare_event_data(6000, seed=6), 4000, 2000)
    hyperparameters = {**BINARY_HYPERPARAMETERS, "target_recall": "0.7",
                       "binary_classifier_model_selection_criteria": "precision_at_target_recall"}
    paths = write_job(tmp_path, hyperparameters,
                      {"train": train_part, "validation": validation_part})
    with captured_log_lines() as lines:
        train(paths)
    metrics = logged_metrics(lines)
    assert 0.7 <= metrics["validation:recall"][0] < 0.8
    assert metrics["validation:precision"][0] > 0.1


def test_multiclass_classifier_separates_blobs(tmp_path):
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 3, 1500).astype(np.float32)
    features = (np.eye(3)[labels.astype(int)] * 4 + rng.normal(size=(1500, 3))).astype(np.float32)
    paths = write_job(tmp_path, {"feature_dim": "3", "predictor_type": "multiclass_classifier",
                                 "num_classes": "3", "mini_batch_size": "100"},
                      {"train": (features[:1000], labels[:1000])})
    handler = trained_handler(paths)
    predictions = handler.model.predict(features[1000:])
    assert np.mean(predictions.labels == labels[1000:]) > 0.9
    assert predictions.scores.shape == (500, 3)
    assert np.allclose(predictions.scores.sum(axis=1), 1.0)


# -- threshold calibration -----------------------------------------------------------------------

SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
LABELS = np.array([1.0, 1.0, 0.0, 1.0, 0.0, 0.0])


@pytest.mark.parametrize(("criterion", "threshold", "value"), [
    (SelectionCriterion("recall_at_target_precision", target_precision=0.75), 0.55, 1.0),
    (SelectionCriterion("precision_at_target_recall", target_recall=0.6), 0.75, 1.0),
    (SelectionCriterion("accuracy"), 0.75, 5 / 6),  # ties with 0.55: the stricter one wins
    (SelectionCriterion("f1"), 0.55, 6 / 7),
    (SelectionCriterion("f_beta", beta=0.5), 0.75, 10 / 11),
])
def test_choose_threshold(criterion, threshold, value):
    choice = choose_threshold(SCORES, LABELS, criterion)
    assert choice.threshold == pytest.approx(threshold)
    assert choice.value == pytest.approx(value)
    assert choice.meets_target


def test_unreachable_target_precision_falls_back_to_the_most_precise_threshold():
    choice = choose_threshold(np.array([0.9, 0.8, 0.3]), np.array([0.0, 1.0, 1.0]),
                              SelectionCriterion("recall_at_target_precision",
                                                 target_precision=0.95))
    assert not choice.meets_target
    assert choice.threshold == pytest.approx(0.3)  # everything positive: precision 2/3
    assert choice.value == pytest.approx(2 / 3)


# -- hyperparameters, variants, normalization, losses --------------------------------------------


def test_defaults_and_auto_values_resolve():
    params = parse_hyperparameters({"feature_dim": "4", "predictor_type": "binary_classifier"})
    assert (params.epochs, params.mini_batch_size, params.loss) == (15, 1000, "logistic")
    assert (params.optimizer, params.learning_rate, params.num_models) == ("adam", 0.1, 8)
    assert params.normalize_data and not params.normalize_label  # classifiers keep 0/1 labels
    assert params.positive_example_weight_mult == 1.0


def test_sdk_booleans_and_tuning_jobs():
    params = parse_hyperparameters({"feature_dim": "4", "predictor_type": "regressor",
                                    "use_bias": "False", "num_models": "4",
                                    "_tuning_objective_metric": "validation:rmse"})
    assert not params.use_bias and not params.unbias_data and not params.unbias_label
    assert params.num_models == 1  # automatic model tuning turns parallel models off
    assert parse_hyperparameters({"feature_dim": "4", "predictor_type": "regressor",
                                  "num_models": "4"}).num_models == 4


def test_auto_positive_weight_alternates_between_plain_and_balanced():
    params = parse_hyperparameters({"feature_dim": "4", "predictor_type": "binary_classifier",
                                    "positive_example_weight_mult": "auto", "wd": "0.01"})
    variants = model_variants(params)
    assert [v.positive_example_weight_mult for v in variants[:4]] == [1.0, "balanced"] * 2
    assert variants[0].learning_rate == params.learning_rate and variants[0].wd == 0.01
    assert len({(v.learning_rate, v.wd) for v in variants}) == len(variants)


def test_normalization_folds_into_raw_weights():
    rng = np.random.default_rng(8)
    normalizer = Normalizer(feature_shift=np.array([1.0, -2.0, 3.0]),
                            feature_scale=np.array([2.0, 0.5, 4.0]), label_shift=10.0,
                            label_scale=3.0)
    weights, bias, features = rng.normal(size=(2, 3, 1)), rng.normal(size=(2, 1)), rng.normal(
        size=(5, 3))
    normalized = linear_outputs(normalizer.features(features), weights, bias)
    expected = normalized * normalizer.label_scale + normalizer.label_shift
    assert np.allclose(linear_outputs(features, *normalizer.to_raw(weights, bias)), expected)


@pytest.mark.parametrize("kind", sorted(OBJECTIVE_NAMES))
def test_loss_gradients_match_finite_differences(kind):
    rng = np.random.default_rng(9)
    classes = 3 if kind == "softmax_loss" else 1
    outputs = rng.normal(size=(2, 6, classes))
    if kind == "softmax_loss":
        labels = rng.integers(0, 3, 6).astype(float)
    elif kind in ("logistic", "hinge_loss"):
        labels = rng.integers(0, 2, 6).astype(float)
    else:
        labels = rng.normal(size=6)
    loss = Loss(kind, huber_delta=0.5, insensitivity=0.2, quantile=0.3, margin=1.0)
    _, gradient = loss(outputs, labels)
    numeric = np.zeros_like(outputs)
    step = 1e-6
    for index in np.ndindex(outputs.shape):
        shifted = outputs.copy()
        shifted[index] += step
        above = loss(shifted, labels)[0].sum()
        shifted[index] -= 2 * step
        numeric[index] = (above - loss(shifted, labels)[0].sum()) / (2 * step)
    assert np.allclose(gradient, numeric, atol=1e-5)


# -- the artifact --------------------------------------------------------------------------------


def test_ndarray_files_are_byte_identical_to_mxnet():
    arrays = {"arg:fc0_weight": np.array([[0.5, -1.25, 2.0]], dtype=np.float32),
              "arg:fc0_bias": np.array([3.0], dtype=np.float32)}
    assert save_ndarrays(arrays) == MXNET_GOLDEN_PARAMS
    loaded = load_ndarrays(MXNET_GOLDEN_PARAMS)
    assert list(loaded) == ["arg:fc0_weight", "arg:fc0_bias"]
    assert np.array_equal(loaded["arg:fc0_weight"], arrays["arg:fc0_weight"])
    unnamed = load_ndarrays(save_ndarrays([np.arange(6, dtype=np.int64).reshape(2, 3)]))
    assert isinstance(unnamed, list) and unnamed[0].dtype == np.int64


def test_artifact_layout_and_round_trip(binary_job):
    paths, handler, _lines, (features, _labels) = binary_job
    with zipfile.ZipFile(paths.model_dir / MODEL_FILE) as archive:
        assert sorted(archive.namelist()) == sorted(
            [ADDITIONAL_PARAMS_MEMBER, MANIFEST_MEMBER, SYMBOL_MEMBER, PARAMS_MEMBER])
        params = load_ndarrays(archive.read(PARAMS_MEMBER))
        symbol = json.loads(archive.read(SYMBOL_MEMBER))
        extra = json.loads(archive.read(ADDITIONAL_PARAMS_MEMBER))
        manifest = json.loads(archive.read(MANIFEST_MEMBER))
    assert params["arg:fc0_weight"].shape == (1, 8) and params["arg:fc0_bias"].shape == (1,)
    assert [node["name"] for node in symbol["nodes"]] == [
        "data", "fc0_weight", "fc0_bias", "fc0", "out_label", "out"]
    assert symbol["nodes"][-1]["op"] == "LogisticRegressionOutput"
    assert extra["predictor_type"] == "binary_classifier"
    assert extra["threshold"] == handler.model.threshold
    assert manifest["label_names"] == ["out_label"]
    # What the network computes, read straight from the params file: sigmoid(x W^T + b).
    logits = features @ params["arg:fc0_weight"].T.astype(np.float64) + params["arg:fc0_bias"]
    assert np.allclose(1.0 / (1.0 + np.exp(-logits[:, 0])), handler.model.predict(features).scores)


def test_load_model_rejects_a_foreign_model_dir(tmp_path):
    with pytest.raises(ClientError, match="No model_algo-1"):
        load_model(tmp_path)
    (tmp_path / MODEL_FILE).write_bytes(b"not a zip")
    with pytest.raises(ClientError, match="not a readable Linear Learner artifact"):
        load_model(tmp_path)


# -- serving formats -----------------------------------------------------------------------------


def handler_for(tmp_path: Path, predictor_type: str = "binary_classifier") -> Handler:
    """A served model with known weights: outputs = x0 - x1 (binary/regressor)."""
    loss = {"binary_classifier": "logistic", "regressor": "squared_loss"}[predictor_type]
    save_model(LinearModel(predictor_type, np.array([[1.0], [-1.0]]), np.array([0.0]), loss,
                           threshold=0.5), tmp_path)
    handler = Handler()
    handler.load(tmp_path)
    return handler


SIGMOID_2 = 1.0 / (1.0 + np.exp(-2.0))


def test_csv_request_json_response(tmp_path):
    body, content_type = handler_for(tmp_path).invoke(b"2,0\n0,2\n", CSV, "application/json")
    assert content_type == "application/json"
    predictions = json.loads(body)["predictions"]
    assert predictions[0] == {"score": pytest.approx(SIGMOID_2), "predicted_label": 1.0}
    assert predictions[1] == {"score": pytest.approx(1 - SIGMOID_2), "predicted_label": 0.0}
    assert isinstance(predictions[0]["predicted_label"], float)  # as real endpoints answer


def test_regressor_answers_scores_only(tmp_path):
    body, _ = handler_for(tmp_path, "regressor").invoke(b"3,1", "text/csv; charset=utf-8", "")
    assert json.loads(body) == {"predictions": [{"score": pytest.approx(2.0)}]}


def test_json_dense_and_sparse_instances_to_jsonlines(tmp_path):
    request = {"instances": [
        {"features": [2, 0]},
        {"data": {"features": {"values": [0, 2]}}},
        {"data": {"features": {"keys": [0], "shape": [2], "values": [2]}}},
    ]}
    body, content_type = handler_for(tmp_path).invoke(json.dumps(request).encode(),
                                                      "application/json", "application/jsonlines")
    assert content_type == "application/jsonlines"
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert [line["predicted_label"] for line in lines] == [1, 0, 1]
    single, _ = handler_for(tmp_path).invoke(b'{"features": [0, 2]}', "application/json", "*/*")
    assert json.loads(single)["predictions"][0]["predicted_label"] == 0


def test_jsonlines_request(tmp_path):
    body, _ = handler_for(tmp_path).invoke(b'{"features": [2, 0]}\n{"features": [0, 2]}\n',
                                           "application/jsonlines", "application/json")
    assert [p["predicted_label"] for p in json.loads(body)["predictions"]] == [1, 0]


def test_recordio_request_and_response(tmp_path):
    request = dense_records(np.array([[2.0, 0.0], [0.0, 2.0]]))
    body, content_type = handler_for(tmp_path).invoke(request, RECORDIO, RECORDIO)
    assert content_type == RECORDIO
    records = recordio.parse_records(body, "response")
    scores = [record.label["score"].float32_tensor.values[0] for record in records]
    labels = [record.label["predicted_label"].float32_tensor.values[0] for record in records]
    assert scores == pytest.approx([SIGMOID_2, 1 - SIGMOID_2], rel=1e-6)
    assert labels == [1.0, 0.0]


def test_sdk_record_serializer_and_deserializer_interoperate(tmp_path, sdk_common):
    request = io.BytesIO()
    sdk_common.write_numpy_to_dense_tensor(request, np.array([[2.0, 0.0], [0.0, 2.0]]))  # float64
    body, _ = handler_for(tmp_path).invoke(request.getvalue(), RECORDIO, RECORDIO)
    records = sdk_common.read_records(io.BytesIO(body))
    assert [r.label["predicted_label"].float32_tensor.values[0] for r in records] == [1.0, 0.0]


@pytest.mark.parametrize(("body", "content_type", "message"), [
    (b"1,2,3", CSV, "CSV line 1 has 3 values; the model expects feature_dim=2"),
    (b"1,abc", CSV, "CSV line 1 holds a value that is not a number"),
    (b"", CSV, "The request body is empty"),
    (b"{not json", "application/json", "not valid JSON"),
    (b'{"rows": [[1, 2]]}', "application/json", "must look like"),
    (b'{"instances": [{"features": [1]}]}', "application/json", "instance 0 has 1 features"),
    (b'{"instances": [{"features": ["a", "b"]}]}', "application/json", "must be numbers"),
    (b'{"instances": [{"data": {"features": {"keys": [5], "values": [1]}}}]}',
     "application/json", "sparse keys"),
    (b"1,2", RECORDIO, "not RecordIO-protobuf data"),
    (b"\xff\xfe", CSV, "not UTF-8"),
])
def test_bad_request_bodies_are_client_errors(tmp_path, body, content_type, message):
    with pytest.raises(ClientError, match=re.escape(message)) as raised:
        handler_for(tmp_path).invoke(body, content_type, "application/json")
    assert not isinstance(raised.value, UnsupportedContentType)


def test_unsupported_content_and_accept_types(tmp_path):
    handler = handler_for(tmp_path)
    with pytest.raises(UnsupportedContentType, match="text/libsvm"):
        handler.invoke(b"1 1:2", "text/libsvm", "application/json")
    with pytest.raises(UnsupportedContentType, match="Accept 'text/csv'"):
        handler.invoke(b"1,2", CSV, "text/csv")
    body, content_type = handler.invoke(b"1,2", CSV, "text/csv, application/json;q=0.9")
    assert content_type == "application/json" and json.loads(body)["predictions"]


# -- training failures ---------------------------------------------------------------------------


def failing_job(root: Path, hyperparameters=None, channels=None, content_type=CSV) -> MLPaths:
    hyperparameters = {"feature_dim": "2", "predictor_type": "regressor",
                       **(hyperparameters or {})}
    default = {"train": (np.ones((4, 2), dtype=np.float32), np.arange(4, dtype=np.float32))}
    return write_job(root, hyperparameters, default if channels is None else channels,
                     content_type=content_type)


def replace_train_file(paths: MLPaths, content: bytes, name: str = "part-0.csv") -> None:
    folder = paths.channel_dir("train")
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_bytes(content)


@pytest.mark.parametrize(("hyperparameters", "message"), [
    ({"feature_dim": None}, "Missing required hyperparameter(s): feature_dim"),
    ({"predictor_type": None}, "Missing required hyperparameter(s): predictor_type"),
    ({"epochs": "0"}, "Invalid value '0' for hyperparameter epochs: expected a positive integer"),
    ({"predictor_type": "ranker"}, "Invalid value 'ranker' for hyperparameter predictor_type"),
    ({"target_precision": "1.5"}, "hyperparameter target_precision: expected a number between"),
    ({"use_bias": "yes"}, "hyperparameter use_bias: expected true or false"),
    ({"learning_rate": "fast"}, "hyperparameter learning_rate: expected auto or a positive"),
    ({"loss": "logistic"}, "loss with predictor_type regressor"),
    ({"predictor_type": "multiclass_classifier"}, "num_classes (3 or more) is required"),
    ({"colour": "blue"}, "Unknown hyperparameter(s) for Linear Learner: colour"),
])
def test_bad_hyperparameters(tmp_path, hyperparameters, message):
    paths = failing_job(tmp_path)
    provided = json.loads(paths.hyperparameters_file.read_text())
    for name, value in hyperparameters.items():
        if value is None:
            provided.pop(name)
        else:
            provided[name] = value
    paths.hyperparameters_file.write_text(json.dumps(provided))
    with pytest.raises(ClientError, match=re.escape(message)):
        train(paths)


@pytest.mark.parametrize(("content", "message"), [
    (b"price,size,rooms\n1,2,3\n", "train/part-0.csv: line 1 looks like a header row"),
    (b"1,2,3\n4,5,6\n7,abc,9\n", "train/part-0.csv: line 3, column 2: 'abc' is not a number"),
    (b"1,2,3\n4,,6\n", "line 2, column 2: an empty value is not a number"),
    (b"1,2,3\n4,5,6\n7,8\n", "line 3 has 2 values, earlier lines have 3"),
    (b"1,2,3,4\n5,6,7,8\n", "rows have 4 columns, but the label plus feature_dim=2 features "
                            "make 3"),
    (b"1,2,nan\n", "row 1 has a missing or non-finite value"),
])
def test_bad_csv_training_files(tmp_path, content, message):
    paths = failing_job(tmp_path)
    replace_train_file(paths, content)
    with pytest.raises(ClientError, match=re.escape(message)):
        train(paths)


def test_bad_recordio_training_files(tmp_path):
    paths = failing_job(tmp_path, content_type=RECORDIO)
    replace_train_file(paths, dense_records(np.ones((2, 3))), "wide.pbr")
    with pytest.raises(ClientError, match="wide.pbr, record 0: 3 feature values, but "
                                          "feature_dim is 2"):
        train(paths)
    replace_train_file(paths, dense_records(np.ones((2, 2))), "unlabelled.pbr")
    with pytest.raises(ClientError, match="the records carry no label"):
        train(paths)
    replace_train_file(paths, b"1,2,3\n", "data.csv")
    with pytest.raises(ClientError, match="If this is CSV, declare the channel or request as "
                                          "text/csv"):
        train(paths)


@pytest.mark.parametrize(("predictor", "labels", "message"), [
    ("binary_classifier", [0, 1, 2, 1], "binary_classifier labels must be 0 or 1, found 2"),
    ("multiclass_classifier", [0, 1, 2, 1.5], "labels must be integers from 0 to "
                                              "num_classes-1=2, found 1.5"),
])
def test_labels_must_suit_the_predictor_type(tmp_path, predictor, labels, message):
    features = np.ones((4, 2), dtype=np.float32)
    paths = failing_job(tmp_path, {"predictor_type": predictor, "num_classes": "3"},
                        {"train": (features, np.array(labels, dtype=np.float32))})
    with pytest.raises(ClientError, match=re.escape(message)):
        train(paths)


def test_missing_train_channel_lists_what_was_received(tmp_path):
    data = (np.ones((4, 2), dtype=np.float32), np.zeros(4, dtype=np.float32))
    paths = failing_job(tmp_path, channels={"validation": data, "test": data})
    with pytest.raises(ClientError, match="No 'train' channel.*received: test, validation"):
        train(paths)


def test_empty_channel_and_unsupported_content_type(tmp_path):
    paths = failing_job(tmp_path / "empty")
    replace_train_file(paths, b"")
    with pytest.raises(ClientError, match="Channel 'train' has no data"):
        train(paths)
    paths = failing_job(tmp_path / "parquet", content_type="application/x-parquet")
    with pytest.raises(ClientError, match="ContentType 'application/x-parquet'"):
        train(paths)


def test_container_entry_point_writes_the_failure_reason(tmp_path, monkeypatch):
    paths = failing_job(tmp_path)
    replace_train_file(paths, b"label,a,b\n1,2,3\n")
    monkeypatch.setenv("LOCALCLOUD_ML_ROOT", str(tmp_path))
    assert run_training("linear-learner") == 1
    assert paths.failure_file.read_text().startswith(
        "ClientError: train/part-0.csv: line 1 looks like a header row")


# -- the model server as a process ---------------------------------------------------------------


def test_model_server_process_serves_and_survives_bad_requests(tmp_path):
    handler_for(tmp_path / "model")  # writes model/model_algo-1
    with running_model_server("linear-learner", tmp_path, tmp_path / "server.log") as port:
        csv_headers = {"Content-Type": CSV, "Accept": "application/json"}
        status, body = http_request(port, "POST", "/invocations", b"2,0", csv_headers)
        assert status == 200
        assert json.loads(body)["predictions"][0]["predicted_label"] == 1
        status, body = http_request(port, "POST", "/invocations", b"2,zero", csv_headers)
        assert status == 400 and b"not a number" in body
        status, _ = http_request(port, "POST", "/invocations", b"2,0",
                                 {"Content-Type": "image/png"})
        assert status == 415
        status, body = http_request(port, "POST", "/invocations", b"0,2", csv_headers)
        assert status == 200 and json.loads(body)["predictions"][0]["predicted_label"] == 0
