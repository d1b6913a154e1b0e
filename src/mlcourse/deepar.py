"""Time series <-> SageMaker DeepAR's JSON Lines, and its inference requests and answers.

DeepAR reads one JSON object per series (https://docs.aws.amazon.com/sagemaker/latest/dg/deepar.html)::

    {"start": "2007-01-01 00:00:00", "target": [1.9, 1.2, "NaN", ...], "cat": [0]}

and answers an endpoint request with quantiles, means and sample paths for the
``prediction_length`` steps that follow each series. These helpers go between pandas and those
formats, the same on AWS and on localcloud::

    train, test = train_test_split(series_list, prediction_length=30)
    write_json_lines([to_json_object(s) for s in train], "s3://bucket/energy/train/train.json")
    body = inference_request(train, quantiles=["0.1", "0.5", "0.9"])
    answer = predictor.predict(body)
    forecasts = decode_predictions(answer, body, freq="D")   # one DataFrame per series
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

DEFAULT_QUANTILES = ("0.1", "0.5", "0.9")


# -- series <-> JSON objects -----------------------------------------------------------------


def to_json_object(series: pd.Series, cat: Sequence[int] | None = None,
                   dynamic_feat: Sequence[Sequence[float]] | None = None) -> dict:
    """A DeepAR series object: ``start`` from the first timestamp, ``target`` from the values
    (missing values as ``"NaN"``), and ``cat``/``dynamic_feat`` when given."""
    if not isinstance(series.index, pd.DatetimeIndex | pd.PeriodIndex):
        raise TypeError("the series needs a DatetimeIndex (or PeriodIndex) to give DeepAR a "
                        "start time")
    if not len(series):
        raise ValueError('an empty series has no start; write {"start": "2010-01-01 00:00:00", '
                         '"target": []} to forecast from a date')
    start = series.index[0]
    if isinstance(start, pd.Period):
        start = start.to_timestamp()
    item = {"start": str(pd.Timestamp(start)),
            "target": [_json_number(value) for value in series.to_numpy(dtype=float)]}
    if cat is not None:
        item["cat"] = [int(value) for value in cat]
    if dynamic_feat is not None:
        item["dynamic_feat"] = [[float(value) for value in row] for row in dynamic_feat]
    return item


def _json_number(value: float) -> float | str:
    return "NaN" if math.isnan(value) else float(value)


def from_json_object(item: dict, freq: str) -> pd.Series:
    """The target of a DeepAR series object as a pandas series of frequency ``freq``."""
    values = [math.nan if value in ("NaN", None) else float(value) for value in item["target"]]
    index = pd.date_range(start=item["start"], periods=len(values), freq=freq)
    return pd.Series(values, index=index, dtype=float)


# -- JSON Lines files, local or on S3 ---------------------------------------------------------


def write_json_lines(items: Iterable[dict], destination: str | os.PathLike[str]) -> str:
    """Write one object per line to a local path or an ``s3://bucket/key``; return where."""
    body = "".join(json.dumps(item) + "\n" for item in items)
    destination = str(destination)
    if destination.startswith("s3://"):
        bucket, key = _split_s3(destination)
        _s3().put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
    else:
        path = Path(destination)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return destination


def read_json_lines(source: str | os.PathLike[str]) -> list[dict]:
    """The objects of a JSON Lines file, local or ``s3://bucket/key`` (blank lines skipped)."""
    source = str(source)
    if source.startswith("s3://"):
        bucket, key = _split_s3(source)
        text = _s3().get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    else:
        text = Path(source).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    if not bucket or not key:
        raise ValueError(f"{uri!r} is not an S3 object URI like s3://bucket/folder/file.json")
    return bucket, key


def _s3():
    import boto3  # only when S3 is used: local files need no AWS client

    return boto3.client("s3")


# -- training and test windows ----------------------------------------------------------------


def train_test_split(series: Sequence[pd.Series],
                     prediction_length: int) -> tuple[list[pd.Series], list[pd.Series]]:
    """DeepAR's split: each training series lacks its last ``prediction_length`` values, which
    the test series (the whole series) keeps and the test channel scores."""
    if prediction_length < 1:
        raise ValueError(f"prediction_length must be at least 1, not {prediction_length}")
    short = [index for index, item in enumerate(series) if len(item) <= prediction_length]
    if short:
        raise ValueError(f"series {short[0]} has {len(series[short[0]])} values: each needs "
                         f"more than prediction_length={prediction_length}")
    return [item.iloc[:-prediction_length] for item in series], list(series)


# -- endpoint requests and answers ------------------------------------------------------------


def inference_request(series: Sequence[pd.Series | dict], num_samples: int = 50,
                      quantiles: Sequence[str | float] = DEFAULT_QUANTILES,
                      output_types: Sequence[str] = ("quantiles",)) -> str:
    """The JSON body of a DeepAR endpoint request for ``series`` (pandas series or objects)."""
    instances = [item if isinstance(item, dict) else to_json_object(item) for item in series]
    configuration = {"num_samples": int(num_samples), "output_types": list(output_types),
                     "quantiles": [str(quantile) for quantile in quantiles]}
    return json.dumps({"instances": instances, "configuration": configuration})


def decode_predictions(answer: bytes | str | dict, request: str | dict,
                       freq: str) -> list[pd.DataFrame]:
    """One DataFrame per requested series, indexed by the forecast's timestamps: a column per
    quantile (``"0.1"``, ...) and ``"mean"`` when the answer has them.

    The forecast starts one step after the series' last value (at ``start`` for an empty one),
    which the request tells.
    """
    if isinstance(answer, bytes | bytearray):
        answer = answer.decode("utf-8")
    if isinstance(answer, str):
        answer = json.loads(answer)
    if isinstance(request, str):
        request = json.loads(request)
    predictions = answer["predictions"]
    instances = request["instances"]
    if len(predictions) != len(instances):
        raise ValueError(f"the answer has {len(predictions)} predictions for "
                         f"{len(instances)} requested series")
    return [_forecast_frame(prediction, instance, freq)
            for prediction, instance in zip(predictions, instances, strict=True)]


def _forecast_frame(prediction: dict, instance: dict, freq: str) -> pd.DataFrame:
    columns = dict(prediction.get("quantiles", {}))
    if "mean" in prediction:
        columns["mean"] = prediction["mean"]
    if not columns:
        raise ValueError("the prediction has neither quantiles nor a mean; ask for "
                         'output_types ["quantiles"] or ["mean"]')
    length = len(next(iter(columns.values())))
    start = pd.Timestamp(instance["start"])
    steps = pd.date_range(start=start, periods=len(instance["target"]) + length, freq=freq)
    return pd.DataFrame(columns, index=steps[-length:])
