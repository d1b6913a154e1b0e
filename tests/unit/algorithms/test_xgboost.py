"""The built-in XGBoost algorithm: training, its log and artifact, failures, and serving.

Jobs run in-process on a temporary /opt/ml tree; one test starts the real model server as
``python -m localcloud.containers serve xgboost`` and talks to it over 127.0.0.1.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb
from model_server import http_request, running_model_server

from localcloud.algorithms import xgboost as algorithm
from localcloud.algorithms.xgboost import data
from localcloud.algorithms.xgboost.releases import release_from_image
from localcloud.containers import __main__ as container_main
from localcloud.containers.contract import ML_ROOT_ENV, MLPaths
from localcloud.containers.errors import ClientError, UnsupportedContentType
from localcloud.containers.registry import IMAGE_ENV

REGISTRY = "683313688378.dkr.ecr.us-east-1.amazonaws.com"
IMAGE_1_7 = f"{REGISTRY}/sagemaker-xgboost:1.7-1"
IMAGE_1_2_2 = f"{REGISTRY}/sagemaker-xgboost:1.2-2"
IMAGE_1_0 = f"{REGISTRY}/sagemaker-xgboost:1.0-1-cpu-py3"
IMAGE_LEGACY = "811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1"
NUM_FEATURES = 4


# -- helpers ---------------------------------------------------------------------------------

def regression_data(rows: int, seed: int, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Features in [0, 1) and a label that depends on the first two of them."""
    rng = np.random.default_rng(seed)
    features = rng.random((rows, NUM_FEATURES))
    labels = 10 * features[:, 0] + 5 * features[:, 1] + rng.normal(0, noise, rows)
    return features, labels


def as_csv(features: np.ndarray, labels: np.ndarray | None = None) -> str:
    table = features if labels is None else np.column_stack([labels, features])
    return "".join(",".join(f"{value:.6f}" for value in row) + "\n" for row in table)


def as_libsvm(features: np.ndarray, labels: np.ndarray | None = None) -> str:
    lines = []
    for index, row in enumerate(features):
        label = [] if labels is None else [f"{labels[index]:.6f}"]
        lines.append(" ".join(label + [f"{i}:{v:.6f}" for i, v in enumerate(row)]))
    return "\n".join(lines) + "\n"


def make_job(root: Path, hyperparameters: dict, channels: dict[str, str],
             content_type: str | None = "text/csv") -> MLPaths:
    """An /opt/ml tree with one file per channel and the given hyperparameters (as strings)."""
    paths = MLPaths(root)
    paths.make_dirs()
    paths.hyperparameters_file.write_text(
        json.dumps({name: str(value) for name, value in hyperparameters.items()}))
    config = {}
    for channel, text in channels.items():
        folder = paths.channel_dir(channel)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{channel}.data").write_text(text)
        config[channel] = {"ContentType": content_type} if content_type else {}
    paths.input_data_config_file.write_text(json.dumps(config))
    return paths


def regression_job(root: Path, **hyperparameters) -> MLPaths:
    train_x, train_y = regression_data(300, seed=1)
    valid_x, valid_y = regression_data(100, seed=2)
    settings = {"num_round": 30, "max_depth": 3, "eta": 0.3, "objective": "reg:squarederror"}
    return make_job(root, settings | hyperparameters,
                    {"train": as_csv(train_x, train_y), "validation": as_csv(valid_x, valid_y)})


def rmse(predictions, labels) -> float:
    return float(np.sqrt(np.mean((np.asarray(predictions) - np.asarray(labels)) ** 2)))


def load_native(model_dir: Path) -> xgb.Booster:
    booster = xgb.Booster()
    booster.load_model(bytearray((model_dir / "xgboost-model").read_bytes()))
    return booster


def round_lines(output: str) -> list[str]:
    """The per-round evaluation lines of a training log."""
    return [line for line in output.splitlines() if re.match(r"\[\d+\]\t", line)]


def metric_regex(name: str) -> str:
    return next(d["Regex"] for d in algorithm.METRIC_DEFINITIONS if d["Name"] == name)


@pytest.fixture
def image(monkeypatch):
    """Select the image URI the container was started from."""
    def use(uri: str) -> None:
        monkeypatch.setenv(IMAGE_ENV, uri)
    use(IMAGE_1_7)
    return use


def served(model_dir: Path) -> algorithm.Handler:
    handler = algorithm.Handler()
    handler.load(model_dir)
    return handler


# -- training: artifact and log --------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:.*Unknown file format")  # the name has no extension
def test_training_writes_a_model_that_xgboost_loads(tmp_path, image):
    paths = regression_job(tmp_path)
    algorithm.train(paths)
    booster = xgb.Booster()
    booster.load_model(str(paths.model_dir / "xgboost-model"))  # as AWS documents for 1.3-1+
    test_x, test_y = regression_data(200, seed=3)
    predictions = booster.predict(xgb.DMatrix(test_x))
    assert rmse(predictions, test_y) < 1.0 < rmse(np.full_like(test_y, test_y.mean()), test_y)
    assert booster.num_boosted_rounds() == 30
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads((paths.model_dir / "xgboost-model").read_bytes())
    assert not paths.failure_file.exists()


def test_log_lines_match_the_metric_definitions(tmp_path, image, capsys):
    algorithm.train(regression_job(tmp_path, num_round=5))
    lines = round_lines(capsys.readouterr().out)
    assert [line.split("\t")[0] for line in lines] == ["[0]", "[1]", "[2]", "[3]", "[4]"]
    # CloudWatch shows each TAB as #011; the definitions must read that form.
    shipped = [line.replace("\t", "#011") for line in lines]
    train_values = [float(re.match(metric_regex("train:rmse"), s).group(1)) for s in shipped]
    valid_values = [float(re.match(metric_regex("validation:rmse"), s).group(1)) for s in shipped]
    expected = [re.findall(r"(train|validation)-rmse:([0-9.]+)", line) for line in lines]
    assert train_values == [float(pairs[0][1]) for pairs in expected]
    assert valid_values == [float(pairs[1][1]) for pairs in expected]
    assert train_values[-1] < train_values[0]
    assert re.match(metric_regex("validation:mae"), shipped[0]) is None


def test_metric_definitions_name_every_documented_metric():
    names = {definition["Name"] for definition in algorithm.METRIC_DEFINITIONS}
    documented = ["accuracy", "auc", "error", "f1", "logloss", "mae", "map", "merror",
                  "mlogloss", "mse", "ndcg", "rmse"]  # docs: xgboost-tuning.html
    for metric in documented:
        assert {f"train:{metric}", f"validation:{metric}"} <= names
    line = "[3]#011train-error:0.25#011validation-error:1e-05#011validation-merror:0.5"
    assert re.match(metric_regex("validation:error"), line).group(1) == "1e-05"
    assert re.match(metric_regex("train:error"), line).group(1) == "0.25"


def test_container_metrics_and_auc_are_printed(tmp_path, image, capsys):
    features, labels = regression_data(300, seed=4)
    classes = (labels > labels.mean()).astype(float)
    paths = make_job(tmp_path, {"num_round": 3, "objective": "binary:logistic",
                                "eval_metric": "auc,accuracy"},
                     {"train": as_csv(features[:200], classes[:200]),
                      "validation": as_csv(features[200:], classes[200:])})
    algorithm.train(paths)
    last = round_lines(capsys.readouterr().out)[-1].replace("\t", "#011")
    auc = float(re.match(metric_regex("validation:auc"), last).group(1))
    accuracy = float(re.match(metric_regex("validation:accuracy"), last).group(1))
    assert 0.8 < auc <= 1.0
    assert 0.7 < accuracy <= 1.0


# -- early stopping --------------------------------------------------------------------------

def overfitting_job(root: Path, **hyperparameters) -> MLPaths:
    """Few, noisy training rows: validation error bottoms out after a handful of rounds."""
    train_x, train_y = regression_data(40, seed=5, noise=3.0)
    valid_x, valid_y = regression_data(200, seed=6, noise=3.0)
    settings = {"num_round": 200, "max_depth": 6, "eta": 0.5, "min_child_weight": 0,
                "early_stopping_rounds": 3}
    return make_job(root, settings | hyperparameters,
                    {"train": as_csv(train_x, train_y), "validation": as_csv(valid_x, valid_y)})


def test_early_stopping_keeps_the_best_rounds(tmp_path, image, capsys):
    paths = overfitting_job(tmp_path, eval_metric="rmse")
    algorithm.train(paths)
    output = capsys.readouterr().out
    assert "Will train until" not in output  # only the legacy 0.72 image narrates it
    lines = round_lines(output)
    assert 3 < len(lines) < 200
    validation = [float(line.rsplit(":", 1)[1]) for line in lines]
    best = int(np.argmin(validation))
    assert len(lines) == best + 1 + 3  # stopped three rounds after the best one
    assert load_native(paths.model_dir).num_boosted_rounds() == best + 1


def test_without_eval_metric_1_7_does_not_stop_early(tmp_path, image, capsys, caplog):
    caplog.set_level("INFO")
    algorithm.train(overfitting_job(tmp_path, num_round=20))
    assert len(round_lines(capsys.readouterr().out)) == 20
    assert "early_stopping_rounds=3 has no effect" in caplog.text


def test_legacy_image_pickles_and_narrates_early_stopping(tmp_path, image, capsys):
    image(IMAGE_LEGACY)
    paths = overfitting_job(tmp_path, objective="reg:linear")
    algorithm.train(paths)
    output = capsys.readouterr().out
    announcement = ("Multiple eval metrics have been passed: 'validation-rmse' will be used for "
                    "early stopping.\n\nWill train until validation-rmse hasn't improved in 3 "
                    "rounds.\n")
    assert announcement in output
    rounds_part, stop_part = output.split("Stopping. Best iteration:\n", 1)
    lines = round_lines(rounds_part)
    best = int(re.match(r"\[(\d+)\]", stop_part).group(1))
    assert stop_part.splitlines()[0] == lines[best] and len(lines) == best + 4
    values = re.findall(r"rmse:(\S+)", rounds_part)
    assert all(value == f"{float(value):g}" for value in values)  # '%g', not five decimals
    with (paths.model_dir / "xgboost-model").open("rb") as handle:
        booster = pickle.load(handle)  # as AWS documents for releases before 1.3-1
    assert isinstance(booster, xgb.Booster)
    assert booster.num_boosted_rounds() == len(lines)  # every tree is kept ...
    assert int(booster.attr("best_iteration")) == best  # ... and the best round recorded


@pytest.mark.parametrize(("uri", "pickled"), [
    (IMAGE_LEGACY, True), (f"{REGISTRY}/sagemaker-xgboost:0.90-1-cpu-py3", True),
    (IMAGE_1_2_2, True), (f"{REGISTRY}/sagemaker-xgboost:1.3-1", False), (IMAGE_1_7, False),
    (f"{REGISTRY}/sagemaker-xgboost:3.0-5", False), (IMAGE_LEGACY.replace(":1", ":latest"), True),
    (None, False),  # no image URI: the default release, 1.7-1
])
def test_model_format_follows_the_release(uri, pickled):
    assert release_from_image(uri).pickles_model is pickled


def test_legacy_objective_name_is_accepted(tmp_path, image, caplog):
    paths = regression_job(tmp_path, objective="reg:linear", num_round=5)
    algorithm.train(paths)
    config = json.loads(load_native(paths.model_dir).save_config())
    assert config["learner"]["objective"]["name"] == "reg:squarederror"
    assert "reg:linear is now deprecated in favor of reg:squarederror" in caplog.text


# -- data formats and objectives -------------------------------------------------------------

def test_libsvm_is_the_default_content_type(tmp_path, image):
    train_x, train_y = regression_data(300, seed=7)
    paths = make_job(tmp_path, {"num_round": 20, "max_depth": 3},
                     {"train": as_libsvm(train_x, train_y)}, content_type=None)
    algorithm.train(paths)
    test_x, test_y = regression_data(100, seed=8)
    predictions = load_native(paths.model_dir).predict(xgb.DMatrix(test_x))
    assert rmse(predictions, test_y) < 1.0


def test_multiclass_softprob_gives_one_probability_per_class(tmp_path, image):
    features, labels = regression_data(300, seed=9)
    classes = np.digitize(labels, np.quantile(labels, [1 / 3, 2 / 3])).astype(float)
    paths = make_job(tmp_path, {"num_round": 10, "objective": "multi:softprob",
                                "num_class": 3, "eval_metric": "mlogloss"},
                     {"train": as_csv(features, classes)}, content_type="text/csv; label_size=1")
    algorithm.train(paths)
    probabilities = load_native(paths.model_dir).predict(xgb.DMatrix(features))
    assert probabilities.shape == (300, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert np.mean(probabilities.argmax(axis=1) == classes) > 0.8


def test_libsvm_lines_carry_optional_weights_and_request_labels_are_ignored():
    records = data.parse_libsvm(["1:2.0 0:0.5 3:1.5", "0 2:1.0", ""], "rows.libsvm",
                                labelled=True, hint="")
    assert records.labels.tolist() == [1.0, 0.0] and records.weights.tolist() == [2.0, 1.0]
    assert records.features.toarray().tolist() == [[0.5, 0, 0, 1.5], [0, 0, 1.0, 0]]
    request = data.parse_libsvm(["7 0:0.5 3:1.5", "2:1.0"], "body", labelled=False, hint="")
    assert request.labels is None and request.features.toarray().tolist()[1] == [0, 0, 1.0, 0]


def test_csv_weights_take_the_second_column(tmp_path):
    path = tmp_path / "weighted.csv"
    path.write_text("1.0,0.5,3.0,4.0\n0.0,2.0,5.0,6.0\n")
    records = data.read_training_file(path, data.CSV, csv_weights=True)
    assert records.labels.tolist() == [1.0, 0.0] and records.weights.tolist() == [0.5, 2.0]
    assert records.features.tolist() == [[3.0, 4.0], [5.0, 6.0]]


# -- bad input -------------------------------------------------------------------------------

def failure_of(paths: MLPaths) -> str:
    with pytest.raises(ClientError) as caught:
        algorithm.train(paths)
    return str(caught.value)


def test_header_row_is_named_with_file_and_line(tmp_path, image):
    features, labels = regression_data(20, seed=10)
    text = "MEDV,CRIM,ZN,INDUS,CHAS\n" + as_csv(features, labels)
    message = failure_of(make_job(tmp_path, {"num_round": 5}, {"train": text}))
    assert "train.data: line 1 looks like a header row ('MEDV,CRIM" in message
    assert "label in the first column, no header" in message


def test_text_column_is_named_with_line_and_column(tmp_path, image):
    rows = as_csv(*regression_data(5, seed=11)).splitlines()
    rows[2] = rows[2].replace(rows[2].split(",")[3], "high", 1)
    message = failure_of(make_job(tmp_path, {"num_round": 5}, {"train": "\n".join(rows)}))
    assert "train.data: line 3, column 4: 'high' is not a number" in message


def test_ragged_rows_are_reported(tmp_path, image):
    message = failure_of(make_job(tmp_path, {"num_round": 5}, {"train": "1,2,3\n4,5,6,7\n"}))
    assert "train.data: line 2 has 4 values, earlier lines have 3" in message


def test_missing_train_channel_lists_the_channels_received(tmp_path, image):
    message = failure_of(make_job(tmp_path, {"num_round": 5},
                                  {"validation": as_csv(*regression_data(5, seed=12))}))
    assert "Missing required channel: train" in message
    assert "received: validation" in message


@pytest.mark.parametrize(("hyperparameters", "expected"), [
    ({"max_depth": 3}, "Missing required hyperparameter(s): num_round"),
    ({"num_round": 5, "objective": "reg:nonsense"},
     "Invalid value 'reg:nonsense' for hyperparameter objective: expected one of"),
    ({"num_round": 5, "max_dpeth": 3}, "did you mean max_depth?"),
    ({"num_round": 5, "eta": 2}, "hyperparameter eta: expected a number in [0, 1]"),
    ({"num_round": "five"}, "Invalid value 'five' for hyperparameter num_round: expected a "
                            "positive integer"),
    ({"num_round": 5, "objective": "multi:softprob"}, "num_class"),
    ({"num_round": 5, "eval_metric": "rmsee"}, "did you mean rmse?"),
    ({"num_round": 5, "eval_metric": "auc"}, "Metric 'auc' can only be applied"),
])
def test_invalid_hyperparameters_are_client_errors(tmp_path, image, hyperparameters, expected):
    paths = make_job(tmp_path, hyperparameters, {"train": as_csv(*regression_data(5, seed=13))})
    assert expected in failure_of(paths)


def test_empty_channel_is_reported(tmp_path, image):
    message = failure_of(make_job(tmp_path, {"num_round": 5}, {"train": ""}))
    assert "No data in the train channel" in message and "train.data (0 bytes)" in message


def test_labels_outside_the_objective_range_are_reported(tmp_path, image):
    features, labels = regression_data(20, seed=14)
    paths = make_job(tmp_path, {"num_round": 5, "objective": "binary:logistic"},
                     {"train": as_csv(features, labels)})
    assert "label must be in [0,1] for logistic regression" in failure_of(paths)


def test_the_container_records_and_logs_the_failure_reason(tmp_path, monkeypatch, image,
                                                          caplog):
    make_job(tmp_path, {"max_depth": 3}, {"train": as_csv(*regression_data(5, seed=15))})
    monkeypatch.setenv(ML_ROOT_ENV, str(tmp_path))
    assert container_main.run_training("xgboost") == 1
    reason = MLPaths(tmp_path).failure_file.read_text()
    assert reason == ("ClientError: Missing required hyperparameter(s): num_round. num_round is "
                      "the number of boosting rounds, e.g. num_round=100.")
    assert reason in caplog.text


# -- serving ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def regression_model(tmp_path_factory) -> Path:
    """The model folder of one 1.7-1 regression job."""
    root = tmp_path_factory.mktemp("regression")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(IMAGE_ENV, IMAGE_1_7)
        algorithm.train(regression_job(root))
    return root / "model"


@pytest.fixture(scope="module")
def multiclass_model(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("multiclass")
    features, labels = regression_data(150, seed=16)
    classes = np.digitize(labels, np.quantile(labels, [1 / 3, 2 / 3])).astype(float)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(IMAGE_ENV, IMAGE_1_7)
        algorithm.train(make_job(root, {"num_round": 5, "objective": "multi:softprob",
                                        "num_class": 3}, {"train": as_csv(features, classes)}))
    return root / "model"


def test_csv_rows_get_one_prediction_per_line(regression_model, image):
    features, labels = regression_data(50, seed=17)
    body, content_type = served(regression_model).invoke(as_csv(features).encode(), "text/csv",
                                                         "text/csv")
    text = body.decode()
    assert content_type == "text/csv"
    assert text.endswith("\n") and "," not in text
    predictions = [float(line) for line in text.split("\n")[:-1]]
    assert len(predictions) == 50
    assert rmse(predictions, labels) < 1.0


def test_a_single_row_and_libsvm_give_the_same_prediction(regression_model, image):
    features, _ = regression_data(1, seed=18)
    handler = served(regression_model)
    from_csv, _ = handler.invoke(as_csv(features).rstrip("\n").encode(), "text/csv", "")
    from_libsvm, _ = handler.invoke(as_libsvm(features).encode(), "text/libsvm", "*/*")
    assert from_csv == from_libsvm
    assert re.fullmatch(r"-?\d+\.\d+(e-?\d+)?\n", from_csv.decode())


def test_json_accept_returns_a_json_array(regression_model, image):
    features, _ = regression_data(3, seed=19)
    body, content_type = served(regression_model).invoke(
        as_csv(features).encode(), "text/csv; charset=utf-8", "application/json")
    assert content_type == "application/json"
    predictions = json.loads(body)
    assert len(predictions) == 3 and all(isinstance(value, float) for value in predictions)


def test_default_accept_comes_from_the_environment(regression_model, image, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/json")
    features, _ = regression_data(2, seed=20)
    _, content_type = served(regression_model).invoke(as_csv(features).encode(), "text/csv", "")
    assert content_type == "application/json"


@pytest.mark.parametrize("uri", [IMAGE_LEGACY, IMAGE_1_0])
def test_older_endpoints_answer_comma_separated_csv(regression_model, image, uri):
    image(uri)
    features, _ = regression_data(4, seed=21)
    body, content_type = served(regression_model).invoke(as_csv(features).encode(), "text/csv",
                                                         "application/json")
    assert content_type == "text/csv"
    assert len(np.fromstring(body.decode(), sep=",")) == 4 and "\n" not in body.decode()


def test_batch_transform_answers_one_line_per_record(regression_model, image, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_BATCH", "true")
    image(IMAGE_LEGACY)
    features, _ = regression_data(3, seed=22)
    body, _ = served(regression_model).invoke(as_csv(features).encode(), "text/csv", "text/csv")
    assert len(body.decode().splitlines()) == 3 and body.decode().endswith("\n")


def test_multiclass_csv_lines_hold_the_class_probabilities(multiclass_model, image):
    features, _ = regression_data(5, seed=23)
    body, _ = served(multiclass_model).invoke(as_csv(features).encode(), "text/csv", "text/csv")
    rows = [[float(value) for value in line.split(",")] for line in body.decode().splitlines()]
    assert len(rows) == 5 and all(len(row) == 3 for row in rows)
    assert np.allclose([sum(row) for row in rows], 1.0, atol=1e-5)


@pytest.mark.parametrize(("body", "content_type", "accept", "expected"), [
    (b"1.0,abc,3.0,4.0\n", "text/csv", "text/csv", "line 1, column 2: 'abc' is not a number"),
    (b"1.0,2.0,3.0\n", "text/csv", "text/csv", "expects 4 features per row"),
    (b"0.5,1.0,2.0,3.0,4.0\n", "text/csv", "text/csv", "without the label column"),
    (b"0:1.0 9:2.0\n", "text/libsvm", "text/csv", "Feature index 9 is out of range"),
    (b"0:1.0 two\n", "text/libsvm", "text/csv", "'two' in line 1 of the request body"),
    (b"", "text/csv", "text/csv", "The request body is empty"),
    (b"1,2,3,4\n", "text/csv", "application/jsonlines", "selectable-inference mode"),
    (b"1,2,3,4\n", "text/csv", "image/png", "Accept type image/png is not supported"),
])
def test_bad_requests_are_client_errors(regression_model, image, body, content_type, accept,
                                        expected):
    with pytest.raises(ClientError) as caught:
        served(regression_model).invoke(body, content_type, accept)
    assert expected in str(caught.value)


@pytest.mark.parametrize("accept", ["image/png", "application/jsonlines; charset=utf-8"])
def test_unsupported_accept_types_are_unsupported_media(regression_model, image, accept):
    with pytest.raises(UnsupportedContentType, match="(?i)accept"):
        served(regression_model).invoke(b"1,2,3,4\n", "text/csv", accept)

def test_unknown_content_type_is_unsupported(regression_model, image):
    with pytest.raises(UnsupportedContentType):
        served(regression_model).invoke(b'{"instances": []}', "application/json", "text/csv")


def test_pickled_models_are_served(tmp_path, image):
    image(IMAGE_1_0)
    paths = regression_job(tmp_path, num_round=10)
    algorithm.train(paths)
    assert isinstance(pickle.loads((paths.model_dir / "xgboost-model").read_bytes()), xgb.Booster)
    features, labels = regression_data(20, seed=24)
    body, _ = served(paths.model_dir).invoke(as_csv(features).encode(), "text/csv", "text/csv")
    assert rmse(np.fromstring(body.decode(), sep=","), labels) < 2.0



@pytest.mark.filterwarnings("ignore:(?s).*are not used")  # gblinear has no max_depth
@pytest.mark.parametrize("booster", ["gbtree", "dart", "gblinear"])
def test_every_booster_answers_what_booster_predict_answers(tmp_path, image, booster):
    paths = regression_job(tmp_path, booster=booster, num_round=10)
    algorithm.train(paths)
    body = as_csv(regression_data(20, seed=26)[0]).encode()
    answer, _ = served(paths.model_dir).invoke(body, "text/csv", "application/json")
    parsed = data.read_request(body, data.CSV).features
    expected = load_native(paths.model_dir).predict(xgb.DMatrix(parsed))
    assert json.loads(answer) == expected.tolist()  # to the last bit


def test_legacy_models_are_served_up_to_their_best_iteration(tmp_path, image, capsys):
    image(IMAGE_LEGACY)
    paths = overfitting_job(tmp_path)
    algorithm.train(paths)
    with (paths.model_dir / "xgboost-model").open("rb") as handle:
        booster = pickle.load(handle)
    best = int(booster.attr("best_iteration"))
    body = as_csv(regression_data(20, seed=27)[0]).encode()
    answer, _ = served(paths.model_dir).invoke(body, "text/csv", "text/csv")
    served_predictions = np.array(answer.decode().split(","), dtype=np.float32)
    matrix = xgb.DMatrix(data.read_request(body, data.CSV).features)
    assert np.array_equal(served_predictions,
                          booster.predict(matrix, iteration_range=(0, best + 1)))
    assert not np.array_equal(served_predictions, booster.predict(matrix))  # not every tree

# -- the model server as a process -----------------------------------------------------------

def test_model_server_process_serves_csv_and_survives_a_bad_body(regression_model, tmp_path):
    with running_model_server("xgboost", regression_model.parent, tmp_path / "server.log",
                              extra_env={IMAGE_ENV: IMAGE_1_7}) as port:
        features, labels = regression_data(10, seed=25)
        csv_headers = {"Content-Type": "text/csv", "Accept": "text/csv"}
        status, body = http_request(port, "POST", "/invocations", as_csv(features).encode(),
                                    csv_headers)
        assert status == 200
        assert rmse([float(v) for v in body.decode().splitlines()], labels) < 1.0
        status, body = http_request(port, "POST", "/invocations", b"CRIM,ZN,INDUS,CHAS\n",
                                    csv_headers)
        assert status == 400 and b"looks like a header row ('CRIM" in body
        status, _ = http_request(port, "POST", "/invocations", b"1,2,3,4",
                                 {"Content-Type": "x/y"})
        assert status == 415
        assert http_request(port, "POST", "/invocations", as_csv(features).encode(),
                            csv_headers)[0] == 200
