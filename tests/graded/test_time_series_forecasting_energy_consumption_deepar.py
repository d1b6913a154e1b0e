"""Graded tests of Case-Studies/Time Series Forecasting/Energy Consumption - DeepAR.ipynb.

Each test is one rubric criterion: it calls one of the learner's functions on a few days of data
built here, so criteria pass or fail independently of each other and of SageMaker.
"""

import json

import numpy as np
import pandas as pd
import pytest


def days(start, values):
    """A daily series of `values` from `start`."""
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"),
                     dtype=float)


@pytest.mark.rubric(
    "Cuts the daily series into one series per calendar year, in the order asked",
    hint="Slice the daily series by date labels with .loc, from the year's first to its last "
    "day, once per year in the list.",
)
def test_make_time_series_cuts_calendar_years(exercise):
    daily = days("2007-12-30", np.arange(370))  # 30 Dec 2007 .. 2 Jan 2009
    series = exercise["make_time_series"](daily, [2008, 2007])
    assert len(series) == 2, f"expected one series per year (2), got {len(series)}"
    year_2008, year_2007 = series
    assert year_2008.index[0] == pd.Timestamp("2008-01-01"), (
        f"the 2008 series must start on 1 January, it starts on {year_2008.index[0]}")
    assert year_2008.index[-1] == pd.Timestamp("2008-12-31") and len(year_2008) == 366, (
        f"the 2008 series must end on 31 December (366 days), got {len(year_2008)} days "
        f"ending {year_2008.index[-1]}")
    assert list(year_2007) == [0.0, 1.0], (
        f"2007 holds only the data's last two days of 2007, got {list(year_2007)}")


@pytest.mark.rubric(
    "Turns a series into DeepAR's {start, target} object, missing values as \"NaN\"",
    hint="The start is the first timestamp as text; convert every value to a Python float and "
    "replace missing ones (np.isnan) by the string NaN.",
)
def test_series_to_json_obj(exercise):
    item = exercise["series_to_json_obj"](days("2009-03-01", [1.5, np.nan, 2.25]))
    assert item.get("start") == "2009-03-01 00:00:00", (
        f'"start" must be str(ts.index[0]), i.e. "2009-03-01 00:00:00"; got {item.get("start")!r}')
    assert item.get("target") == [1.5, "NaN", 2.25], (
        f'"target" must be [1.5, "NaN", 2.25]; got {item.get("target")!r}')
    assert set(item) == {"start", "target"}, f"only start and target, got keys {sorted(item)}"
    assert json.loads(json.dumps(item)) == item, "the object must be plain JSON (no numpy types)"


@pytest.mark.rubric(
    "Writes a JSON Lines file: one series object per line",
    hint="Open the file for writing and, for every series, write the JSON text of its object "
    "followed by a line break.",
)
def test_write_json_dataset(exercise, tmp_path):
    series = [days("2007-01-01", [1.0, 2.0]), days("2008-01-01", [3.0, np.nan, 4.0])]
    path = tmp_path / "train.json"
    exercise["write_json_dataset"](series, path)
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    assert len(lines) == 2, f"expected one line per series (2), got {len(lines)}"
    objects = [json.loads(line) for line in lines]
    assert objects[1] == {"start": "2008-01-01 00:00:00", "target": [3.0, "NaN", 4.0]}, (
        f"line 2 must be the second series' object, got {objects[1]}")


@pytest.mark.rubric(
    "Builds the endpoint request: the series as instances and a quantiles configuration",
    hint="Build a dict with the series' objects as instances and a configuration holding "
    "num_samples, output_types (quantiles only) and the quantiles as strings; return its JSON "
    "text.",
)
def test_json_predictor_input(exercise):
    series = [days("2009-11-01", [0.9, 1.1])]
    text = exercise["json_predictor_input"](series, num_samples=20, quantiles=(0.1, "0.9"))
    assert isinstance(text, str), f"return the JSON text (json.dumps), got {type(text).__name__}"
    request = json.loads(text)
    assert request.get("instances") == [{"start": "2009-11-01 00:00:00", "target": [0.9, 1.1]}], (
        f"instances must be the series' objects, got {request.get('instances')}")
    assert request.get("configuration") == {"num_samples": 20, "output_types": ["quantiles"],
                                            "quantiles": ["0.1", "0.9"]}, (
        f"unexpected configuration {request.get('configuration')} (quantiles are strings)")


@pytest.mark.rubric(
    "Decodes the answer into one DataFrame of quantiles per series, indexed by day",
    hint="A prediction's quantiles dict makes a DataFrame directly; give it a daily date range "
    "from the matching start, as long as the forecast.",
)
def test_decode_prediction(exercise):
    answer = {"predictions": [
        {"quantiles": {"0.1": [1.0, 1.1, 1.2], "0.9": [2.0, 2.1, 2.2]}},
        {"quantiles": {"0.1": [0.5, 0.6, 0.7], "0.9": [0.8, 0.9, 1.0]}},
    ]}
    starts = [pd.Timestamp("2007-12-02"), pd.Timestamp("2010-01-01")]
    frames = exercise["decode_prediction"](answer, starts)
    assert len(frames) == 2, f"expected one DataFrame per prediction, got {len(frames)}"
    first, second = frames
    assert sorted(first.columns) == ["0.1", "0.9"], f"one column per quantile, got {first.columns}"
    assert list(first.index) == list(pd.date_range("2007-12-02", periods=3, freq="D")), (
        f"the index must be the forecast days from the start, got {list(first.index)}")
    assert first["0.9"].tolist() == [2.0, 2.1, 2.2]
    assert second.index[0] == pd.Timestamp("2010-01-01") and second["0.1"].iloc[-1] == 0.7
