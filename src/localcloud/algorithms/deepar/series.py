"""DeepAR's time series: the JSON objects of its channels and requests, read and checked.

Each series is one JSON object (https://docs.aws.amazon.com/sagemaker/latest/dg/deepar.html#deepar-inputoutput)::

    {"start": "2009-11-01 00:00:00", "target": [4.3, "NaN", 5.1], "cat": [0, 1],
     "dynamic_feat": [[1.1, 1.2, 0.5]]}

``start`` is a timestamp (a date alone is accepted); ``target`` holds numbers, with ``"NaN"`` (or
null) for missing values; ``cat`` (optional) holds non-negative integer categories, the same
number for every series; ``dynamic_feat`` (optional) holds the same number of feature series for
every series, each as long as the target (in training) or the target plus ``prediction_length``
(in requests: the features of the forecast horizon too). A training channel holds one object per
line (JSON Lines, ``.json`` or ``.json.gz``). Every problem is a ``ClientError`` naming the file
and line (or the request instance).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from localcloud.containers.errors import ClientError

log = logging.getLogger(__name__)

#: SageMaker's time_freq units -> pandas' names (``H`` became ``h`` in pandas 2.2).
PANDAS_UNITS = {"min": "min", "H": "h", "D": "D", "W": "W", "M": "M"}


def pandas_frequency(time_freq: str) -> str:
    """A validated ``time_freq`` (``5min``, ``D``, ``2H``) as pandas' frequency string."""
    unit = next(name for name in ("min", "H", "D", "W", "M") if time_freq.endswith(name))
    return time_freq[: -len(unit)] + PANDAS_UNITS[unit]


@dataclass(frozen=True)
class Series:
    """One time series, checked."""

    start: pd.Timestamp
    target: np.ndarray  #: float32, NaN where missing
    cat: tuple[int, ...] | None = None
    dynamic_feat: np.ndarray | None = None  #: (num_dynamic_feat, length) float32

    @property
    def num_cat(self) -> int:
        return len(self.cat) if self.cat is not None else 0

    @property
    def num_dynamic_feat(self) -> int:
        return 0 if self.dynamic_feat is None else self.dynamic_feat.shape[0]

    @property
    def observed(self) -> int:
        return int(np.isfinite(self.target).sum())


def parse_series(item, where: str) -> Series:
    """One series object, or a ClientError saying what is wrong with it at ``where``."""
    if not isinstance(item, dict):
        raise ClientError(f'{where}: expected a JSON object with "start" and "target", got '
                          f"{type(item).__name__}")
    for key in ("start", "target"):
        if key not in item:
            raise ClientError(f'{where}: missing "{key}"; every series needs "start" (a '
                              'timestamp such as "2009-11-01 00:00:00") and "target" (a list)')
    return Series(start=_start(item["start"], where), target=_target(item["target"], where),
                  cat=_cat(item.get("cat"), where),
                  dynamic_feat=_dynamic_feat(item.get("dynamic_feat"), where))


def _start(value, where: str) -> pd.Timestamp:
    try:
        start = pd.Timestamp(value)
    except (TypeError, ValueError):
        start = pd.NaT
    if not isinstance(value, str) or start is pd.NaT:
        raise ClientError(f'{where}: "start" must be a timestamp such as "2009-11-01 00:00:00" '
                          f"or \"2009-11-01\", got {value!r}")
    return start


def _number(value, where: str) -> float:
    if value is None or (isinstance(value, str) and value.strip().lower() == "nan"):
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClientError(f'{where}: values must be numbers or "NaN", got {value!r}')
    return float(value)


def _target(values, where: str) -> np.ndarray:
    if not isinstance(values, list):
        raise ClientError(f'{where}: "target" must be a list of numbers (or "NaN")')
    return np.array([_number(value, f"{where} target") for value in values], dtype=np.float32)


def _cat(values, where: str) -> tuple[int, ...] | None:
    if values is None:
        return None
    if isinstance(values, int) and not isinstance(values, bool):
        values = [values]
    if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise ClientError(f'{where}: "cat" must be a list of non-negative integers, got '
                          f"{values!r}")
    return tuple(values)


def _dynamic_feat(rows, where: str) -> np.ndarray | None:
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ClientError(f'{where}: "dynamic_feat" must be a list of lists of numbers')
    lengths = {len(row) for row in rows}
    if len(lengths) > 1:
        raise ClientError(f'{where}: the "dynamic_feat" series have different lengths '
                          f"{sorted(lengths)}")
    table = np.array([[_number(v, f"{where} dynamic_feat") for v in row] for row in rows],
                     dtype=np.float32).reshape(len(rows), -1)
    if not np.isfinite(table).all():
        raise ClientError(f'{where}: "dynamic_feat" values must all be numbers (no NaN)')
    return table


def read_json_lines(text: str, source: str) -> list[Series]:
    """The series of a JSON Lines document, one object per non-blank line."""
    series = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source} line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ClientError(f"{where} is not valid JSON ({error}); DeepAR reads JSON Lines: "
                              'one {"start": ..., "target": [...]} object per line') from None
        series.append(parse_series(item, where))
    return series


def check_features(series: list[Series], num_cat: int, num_dynamic_feat: int,
                   extra_length: int, source: str) -> None:
    """Every series carries ``num_cat`` categories and ``num_dynamic_feat`` feature series of
    ``len(target) + extra_length`` values."""
    for index, item in enumerate(series):
        if item.num_cat < num_cat:
            raise ClientError(f'{source} series {index}: the model uses {num_cat} "cat" '
                              f"value(s) per series; this one has {item.num_cat}")
        if item.num_dynamic_feat < num_dynamic_feat:
            raise ClientError(f'{source} series {index}: the model uses {num_dynamic_feat} '
                              f'"dynamic_feat" series; this one has {item.num_dynamic_feat}')
        if num_dynamic_feat:
            expected = item.target.size + extra_length
            if item.dynamic_feat.shape[1] != expected:
                horizon = f" + prediction_length ({extra_length})" if extra_length else ""
                raise ClientError(
                    f'{source} series {index}: each "dynamic_feat" series needs len(target)'
                    f"{horizon} = {expected} values, got {item.dynamic_feat.shape[1]}")
