"""Tests for mlcourse.deepar: series <-> JSON objects, JSON Lines files, splits, requests and
answers."""

from __future__ import annotations

import json

import boto3
import numpy as np
import pandas as pd
import pytest
from moto import mock_aws

from mlcourse.deepar import (
    decode_predictions,
    from_json_object,
    inference_request,
    read_json_lines,
    to_json_object,
    train_test_split,
    write_json_lines,
)


def daily(values, start="2007-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"),
                     dtype=float)


def test_a_series_becomes_a_deepar_object_with_nan_as_a_string():
    item = to_json_object(daily([1.5, np.nan, 2.0]), cat=[np.int64(3)])
    assert item == {"start": "2007-01-01 00:00:00", "target": [1.5, "NaN", 2.0], "cat": [3]}
    assert json.loads(json.dumps(item)) == item  # plain JSON types only


def test_objects_come_back_as_the_same_series():
    series = daily([1.0, np.nan, 3.0], start="2008-02-28")
    back = from_json_object(to_json_object(series), freq="D")
    pd.testing.assert_series_equal(back, series, check_freq=False)


def test_an_empty_or_unindexed_series_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="forecast from a date"):
        to_json_object(daily([]))
    with pytest.raises(TypeError, match="DatetimeIndex"):
        to_json_object(pd.Series([1.0, 2.0]))


def test_train_test_split_holds_out_the_last_prediction_length_values():
    series = [daily(range(10)), daily(range(12), start="2008-01-01")]
    train, test = train_test_split(series, prediction_length=3)
    assert [len(item) for item in train] == [7, 9]
    assert test[1] is series[1]
    assert train[0].index[-1] == pd.Timestamp("2007-01-07")
    with pytest.raises(ValueError, match="more than prediction_length=10"):
        train_test_split(series, prediction_length=10)


def test_json_lines_files_round_trip_locally(tmp_path):
    items = [to_json_object(daily([1.0, 2.0])), {"start": "2010-01-01", "target": []}]
    path = write_json_lines(items, tmp_path / "nested" / "train.json")
    assert (tmp_path / "nested" / "train.json").read_text().count("\n") == 2
    assert read_json_lines(path) == items


def test_json_lines_files_round_trip_on_s3(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="energy")
        items = [to_json_object(daily([0.5, np.nan]))]
        uri = write_json_lines(items, "s3://energy/train/train.json")
        assert uri == "s3://energy/train/train.json"
        assert read_json_lines(uri) == items
    with pytest.raises(ValueError, match="not an S3 object URI"):
        read_json_lines("s3://energy")


def test_an_inference_request_carries_instances_and_configuration():
    body = json.loads(inference_request([daily([1.0, 2.0])], num_samples=20,
                                        quantiles=[0.1, "0.9"]))
    assert body == {"instances": [{"start": "2007-01-01 00:00:00", "target": [1.0, 2.0]}],
                    "configuration": {"num_samples": 20, "output_types": ["quantiles"],
                                      "quantiles": ["0.1", "0.9"]}}


def test_predictions_decode_into_frames_indexed_from_the_day_after_the_series():
    request = inference_request([daily([1.0, 2.0, 3.0]), {"start": "2010-01-01", "target": []}])
    answer = {"predictions": [
        {"quantiles": {"0.1": [1.0, 1.5], "0.9": [3.0, 3.5]}, "mean": [2.0, 2.5]},
        {"quantiles": {"0.1": [0.0, 0.1], "0.9": [1.0, 1.1]}},
    ]}
    history, cold = decode_predictions(json.dumps(answer).encode(), request, freq="D")
    assert list(history.columns) == ["0.1", "0.9", "mean"]
    assert list(history.index) == [pd.Timestamp("2007-01-04"), pd.Timestamp("2007-01-05")]
    assert history.loc["2007-01-05", "0.9"] == 3.5
    assert cold.index[0] == pd.Timestamp("2010-01-01")  # no history: from its start


def test_an_answer_that_does_not_match_the_request_is_refused():
    request = inference_request([daily([1.0])])
    with pytest.raises(ValueError, match="0 predictions for 1 requested"):
        decode_predictions({"predictions": []}, request, freq="D")
    with pytest.raises(ValueError, match="neither quantiles nor a mean"):
        decode_predictions({"predictions": [{"samples": [[1.0]]}]}, request, freq="D")
