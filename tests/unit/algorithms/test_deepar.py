"""DeepAR (localcloud.algorithms.deepar): hyperparameters, series, channels, training, serving.

The quick checks (hyperparameters, JSON Lines, bad input) need no torch. One small model with
categories and a dynamic feature is trained once for the module, in process, and served in
process; the SDK workflow is in tests/localcloud/test_deepar_sdk.py.
"""

from __future__ import annotations

import gzip
import json
import math

import numpy as np
import pytest

from localcloud.algorithms.deepar.hyperparameters import SCHEMA, parse_hyperparameters
from localcloud.algorithms.deepar.inference import (
    CONFIG_ENV,
    Configuration,
    Handler,
    batch_configuration,
    prediction_object,
)
from localcloud.algorithms.deepar.series import pandas_frequency, read_json_lines
from localcloud.algorithms.deepar.training import read_channels
from localcloud.containers.__main__ import run_training
from localcloud.containers.contract import ML_ROOT_ENV, MLPaths
from localcloud.containers.errors import ClientError, UnsupportedContentType
from localcloud.containers.registry import family_named
from localcloud.sagemaker.training import MetricParser

REQUIRED = {"time_freq": "D", "context_length": "7", "prediction_length": "7", "epochs": "2"}
HORIZON = 7


# -- hyperparameters ---------------------------------------------------------------------------


def test_defaults_are_those_the_real_container_prints():
    params = parse_hyperparameters(REQUIRED)
    assert (params.num_cells, params.num_layers, params.likelihood, params.mini_batch_size,
            params.learning_rate, params.dropout_rate, params.num_eval_samples) == (
        40, 2, "student-t", 128, 0.001, 0.1, 100)
    assert params.test_quantiles == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert params.cardinality == "auto" and params.num_dynamic_feat == "auto"
    assert params.early_stopping_patience is None


@pytest.mark.parametrize(("name", "value", "parsed"), [
    ("time_freq", "5min", "5min"), ("time_freq", "2H", "2H"), ("time_freq", "M", "M"),
    ("likelihood", "student-T", "student-t"), ("likelihood", "Gaussian", "gaussian"),
    ("cardinality", "[3, 5]", [3, 5]), ("cardinality", "ignore", "ignore"),
    ("num_dynamic_feat", "2", 2), ("test_quantiles", "[0.1, 0.9]", [0.1, 0.9]),
    ("early_stopping_patience", "", None),  # the real defaults carry it empty
])
def test_values_are_read_as_aws_documents_them(name, value, parsed):
    assert getattr(parse_hyperparameters({**REQUIRED, name: value}), name) == parsed


@pytest.mark.parametrize(("name", "value"), [
    ("time_freq", "Y"), ("time_freq", "0D"), ("epochs", "0"), ("likelihood", "poisson"),
    ("test_quantiles", "[0.5, 1.0]"), ("cardinality", "[0]"), ("dropout_rate", "1.0"),
])
def test_invalid_values_are_client_errors_naming_the_hyperparameter(name, value):
    with pytest.raises(ClientError, match=name):
        parse_hyperparameters({**REQUIRED, name: value})


def test_missing_required_hyperparameters_are_named():
    with pytest.raises(ClientError, match="prediction_length.*DeepAR needs time_freq"):
        parse_hyperparameters({"time_freq": "D", "context_length": "7", "epochs": "1"})


def test_unknown_hyperparameters_get_a_suggestion():
    with pytest.raises(ClientError, match="did you mean num_cells"):
        SCHEMA.parse({**REQUIRED, "num_cell": "20"})


@pytest.mark.parametrize(("time_freq", "pandas"), [("D", "D"), ("2H", "2h"), ("5min", "5min"),
                                                    ("W", "W"), ("M", "M")])
def test_time_freq_maps_to_pandas(time_freq, pandas):
    assert pandas_frequency(time_freq) == pandas


# -- series ------------------------------------------------------------------------------------


def test_json_lines_series_keep_missing_values_and_features():
    text = ('{"start": "2009-11-01 00:00:00", "target": [1.5, "NaN", null, 4], "cat": [2],'
            ' "dynamic_feat": [[0, 1, 0, 1]]}\n\n{"start": "2012-01-30", "target": []}\n')
    first, second = read_json_lines(text, "train/a.json")
    assert np.isnan(first.target[1]) and np.isnan(first.target[2]) and first.observed == 2
    assert first.cat == (2,) and first.dynamic_feat.shape == (1, 4)
    assert second.target.size == 0 and second.cat is None


@pytest.mark.parametrize(("line", "message"), [
    ('{"target": [1]}', 'line 1: missing "start"'),
    ('{"start": "not a date", "target": [1]}', '"start" must be a timestamp'),
    ('{"start": "2020-01-01", "target": ["x"]}', 'numbers or "NaN"'),
    ('{"start": "2020-01-01", "target": [1], "cat": [-1]}', "non-negative integers"),
    ('{"start": "2020-01-01", "target": [1], "dynamic_feat": [[1], [1, 2]]}',
     "different lengths"),
    ("[1, 2]", "expected a JSON object"),
    ("{not json", "is not valid JSON"),
])
def test_bad_series_say_where_and_what(line, message):
    with pytest.raises(ClientError, match=message):
        read_json_lines(line, "train/a.json")


# -- channels and training failures (no torch needed) ------------------------------------------


def seasonal(count: int = 3, days: int = 120, seed: int = 5) -> list[dict]:
    """Daily series with a weekly cycle, a category each and a dynamic feature (a holiday flag
    that raises the value)."""
    rng = np.random.default_rng(seed)
    series = []
    for index in range(count):
        time = np.arange(days)
        flag = (time % 11 == 0).astype(float)
        values = 5 + index + 2 * np.sin(2 * np.pi * time / 7) + 3 * flag + rng.normal(0, .3, days)
        series.append({"start": "2020-01-01", "target": np.round(values, 3).tolist(),
                       "cat": [index], "dynamic_feat": [flag.tolist()]})
    return series


def write_job(root, hyperparameters: dict, train: list[dict], test: list[dict] | None = None,
              gzip_train: bool = False) -> MLPaths:
    paths = MLPaths(root)
    paths.make_dirs()
    paths.hyperparameters_file.write_text(json.dumps(hyperparameters))
    channels = {"train": train} if test is None else {"train": train, "test": test}
    for channel, items in channels.items():
        folder = paths.channel_dir(channel)
        folder.mkdir(parents=True, exist_ok=True)
        body = "".join(json.dumps(item) + "\n" for item in items).encode()
        if gzip_train and channel == "train":
            (folder / "data.json.gz").write_bytes(gzip.compress(body))
        else:
            (folder / "data.json").write_bytes(body)
    paths.input_data_config_file.write_text(json.dumps(
        {channel: {"ContentType": "application/jsonlines"} for channel in channels}))
    return paths


def fail(tmp_path, monkeypatch, hyperparameters: dict, train: list[dict],
         test: list[dict] | None = None) -> str:
    paths = write_job(tmp_path, hyperparameters, train, test)
    monkeypatch.setenv(ML_ROOT_ENV, str(tmp_path))
    assert run_training("forecasting-deepar") == 1
    return paths.failure_file.read_text()


def test_gzipped_channels_are_read(tmp_path):
    paths = write_job(tmp_path, REQUIRED, seasonal(), seasonal(), gzip_train=True)
    channels = read_channels(paths)
    assert len(channels.train) == 3 and channels.test is not None


@pytest.mark.parametrize(("change", "message"), [
    ({"prediction_length": "200"}, "at most prediction_length=200 observed values"),
    ({"cardinality": "[2]"}, "cat\" field 0 holds 2, but cardinality says it has 2"),
    ({"num_dynamic_feat": "3"}, "num_dynamic_feat is 3 but the series have 1"),
    ({"epochs": "-1"}, "Invalid value '-1' for hyperparameter epochs"),
])
def test_bad_jobs_fail_with_a_client_error_reason(tmp_path, monkeypatch, change, message):
    reason = fail(tmp_path, monkeypatch, {**REQUIRED, **change}, seasonal())
    assert reason.startswith("ClientError: ") and message in reason


def test_a_test_series_must_be_longer_than_the_horizon(tmp_path, monkeypatch):
    short = [{"start": "2020-01-01", "target": [1.0] * HORIZON, "cat": [0],
              "dynamic_feat": [[0.0] * HORIZON]}]
    reason = fail(tmp_path, monkeypatch, REQUIRED, seasonal(), short)
    assert "needs more than prediction_length=7" in reason


def test_parquet_channels_are_refused_with_a_hint(tmp_path, monkeypatch):
    paths = write_job(tmp_path, REQUIRED, seasonal())
    paths.input_data_config_file.write_text(json.dumps(
        {"train": {"ContentType": "application/x-parquet"}}))
    monkeypatch.setenv(ML_ROOT_ENV, str(tmp_path))
    assert run_training("forecasting-deepar") == 1
    assert "convert Parquet data to JSON Lines" in paths.failure_file.read_text()


# -- a trained model ---------------------------------------------------------------------------


TRAINING = {**REQUIRED, "epochs": "3", "mini_batch_size": "16", "num_cells": "10",
            "test_quantiles": "[0.1, 0.5, 0.9]", "num_eval_samples": "20"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model trained in process on series with a category and a dynamic feature, with the
    training log."""
    root = tmp_path_factory.mktemp("deepar")
    paths = write_job(root, TRAINING, [cut(item) for item in seasonal()], seasonal())
    with pytest.MonkeyPatch.context() as patch, _captured_log() as lines:
        patch.setenv(ML_ROOT_ENV, str(root))
        status = run_training("forecasting-deepar")
    assert status == 0, paths.failure_file.read_text() if paths.failure_file.exists() else ""
    return paths, lines


def cut(item: dict) -> dict:
    """The series without its last HORIZON points (the dynamic feature keeps all of them)."""
    return {**item, "target": item["target"][:-HORIZON],
            "dynamic_feat": [row[:-HORIZON] for row in item["dynamic_feat"]]}


class _captured_log:  # noqa: N801 (a context manager used like a function)
    """Collect the messages of the DeepAR loggers, as the container prints them."""

    def __enter__(self) -> list[str]:
        import logging

        self.lines: list[str] = []
        self.handler = logging.Handler()
        self.handler.emit = lambda record: self.lines.append(record.getMessage())
        self.logger = logging.getLogger("localcloud.algorithms.deepar")
        self.previous = self.logger.level
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self.handler)
        return self.lines

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.previous)


def test_training_logs_the_metrics_sagemaker_parses(trained):
    _, lines = trained
    parser = MetricParser(family_named("forecasting-deepar").metric_definitions())
    for line in lines:
        parser.feed(line)
    assert {"train:loss", "train:progress", "train:final_loss", "test:RMSE",
            "test:mean_wQuantileLoss"} <= set(parser.history)
    assert len(parser.history["train:loss"]) == 3  # one per epoch
    assert any(line.startswith("#test_score (algo-1, wQuantileLoss[0.9]): ") for line in lines)


def test_training_is_deterministic(trained, tmp_path, monkeypatch):
    paths, _ = trained
    again = write_job(tmp_path, TRAINING, [cut(item) for item in seasonal()], seasonal())
    monkeypatch.setenv(ML_ROOT_ENV, str(tmp_path))
    assert run_training("forecasting-deepar") == 0
    import torch

    first = torch.load(paths.model_dir / "prediction-net-state.pt", weights_only=True)
    second = torch.load(again.model_dir / "prediction-net-state.pt", weights_only=True)
    assert all(torch.equal(first[name], second[name]) for name in first)


@pytest.fixture(scope="module")
def handler(trained) -> Handler:
    paths, _ = trained
    handler = Handler()
    handler.load(paths.model_dir)
    return handler


def request(instances: list[dict], **configuration) -> bytes:
    document = {"instances": instances}
    if configuration:
        document["configuration"] = configuration
    return json.dumps(document).encode()


def with_horizon(item: dict) -> dict:
    """A request instance: the history, and the dynamic feature over the horizon too."""
    return {**cut(item), "dynamic_feat": item["dynamic_feat"]}


def test_json_requests_get_the_outputs_asked_for(handler):
    body, content_type = handler.invoke(
        request([with_horizon(item) for item in seasonal()], num_samples=30,
                output_types=["mean", "quantiles", "samples"], quantiles=["0.1", "0.9"]),
        "application/json", "application/json")
    assert content_type == "application/json"
    predictions = json.loads(body)["predictions"]
    assert len(predictions) == 3
    for prediction in predictions:
        assert list(prediction) == ["mean", "quantiles", "samples"]
        assert set(prediction["quantiles"]) == {"0.1", "0.9"}
        assert len(prediction["mean"]) == HORIZON
        assert np.array(prediction["samples"]).shape == (30, HORIZON)
        low, high = (np.array(prediction["quantiles"][q]) for q in ("0.1", "0.9"))
        assert (low <= high).all()


def test_the_same_request_gets_the_same_answer(handler):
    body = request([with_horizon(seasonal()[0])])
    assert handler.invoke(body, "application/json", "")[0] == \
        handler.invoke(body, "application/json", "")[0]


def test_default_configuration_is_mean_and_nine_quantiles(handler):
    body, _ = handler.invoke(request([with_horizon(seasonal()[1])]), "application/json", "")
    (prediction,) = json.loads(body)["predictions"]
    assert set(prediction) == {"mean", "quantiles"}
    assert list(prediction["quantiles"]) == [f"0.{digit}" for digit in range(1, 10)]


def test_an_empty_target_is_forecast_from_its_start(handler):
    item = seasonal()[0]
    cold = {"start": "2021-01-01", "target": [], "cat": [0],
            "dynamic_feat": [item["dynamic_feat"][0][:HORIZON]]}
    body, _ = handler.invoke(request([cold]), "application/json", "")
    mean = np.array(json.loads(body)["predictions"][0]["mean"])
    assert mean.shape == (HORIZON,) and np.abs(mean).mean() > 1.0


def test_json_lines_requests_use_the_batch_configuration(trained, monkeypatch):
    paths, _ = trained
    monkeypatch.setenv(CONFIG_ENV, json.dumps({"num_samples": 10, "output_types": ["quantiles"],
                                               "quantiles": ["0.5"]}))
    handler = Handler()
    handler.load(paths.model_dir)
    lines = "".join(json.dumps(with_horizon(item)) + "\n" for item in seasonal())
    body, content_type = handler.invoke(lines.encode(), "application/jsonlines", "")
    assert content_type == "application/jsonlines"
    answers = [json.loads(line) for line in body.decode().splitlines()]
    assert len(answers) == 3 and all(list(answer) == ["quantiles"] for answer in answers)
    assert all(list(answer["quantiles"]) == ["0.5"] for answer in answers)


@pytest.mark.parametrize(("instance", "message"), [
    ({"start": "2020-01-01", "target": [1.0, 2.0], "dynamic_feat": [[0.0] * 9]},
     'uses 1 "cat" value'),
    ({"start": "2020-01-01", "target": [1.0, 2.0], "cat": [0], "dynamic_feat": [[0.0] * 2]},
     r"len\(target\) \+ prediction_length \(7\) = 9 values, got 2"),
])
def test_requests_missing_the_model_features_are_client_errors(handler, instance, message):
    with pytest.raises(ClientError, match=message):
        handler.invoke(request([instance]), "application/json", "")


def test_other_content_types_are_unsupported(handler):
    with pytest.raises(UnsupportedContentType, match="reads application/json"):
        handler.invoke(b"1,2,3", "text/csv", "")


# -- configuration and answer shapes (no model) ------------------------------------------------


@pytest.mark.parametrize(("document", "message"), [
    ({"num_samples": 0}, "num_samples must be a positive integer"),
    ({"output_types": ["median"]}, "output_types must be a non-empty list"),
    ({"quantiles": ["1.5"]}, "between 0 and 1"),
    ({"quantile": ["0.5"]}, "unknown field"),
])
def test_bad_configurations_say_what_to_fix(document, message):
    with pytest.raises(ClientError, match=message):
        Configuration.parse(document, "configuration")


def test_a_bad_batch_configuration_is_reported(monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, "{oops")
    with pytest.raises(ClientError, match=f"{CONFIG_ENV} is not valid JSON"):
        batch_configuration()


def test_prediction_objects_summarise_the_sample_paths():
    samples = np.arange(20, dtype=float).reshape(10, 2)  # 10 paths over 2 steps
    config = Configuration(num_samples=10, output_types=("quantiles", "mean"),
                           quantiles=("0.5",))
    answer = prediction_object(samples, config)
    assert answer["mean"] == [9.0, 10.0]
    assert answer["quantiles"]["0.5"] == [9.0, 10.0]
    assert math.isclose(np.quantile(samples[:, 0], 0.5), 9.0)
