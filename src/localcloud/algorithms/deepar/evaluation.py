"""Scoring the test channel: what DeepAR's ``#test_score`` lines report.

Each test series is cut before its last ``prediction_length`` values; the model forecasts them
from the points before (``num_eval_samples`` sample paths), and GluonTS's ``Evaluator`` compares
the forecasts with the truth. Its metric names are the ones SageMaker's DeepAR logs: ``RMSE``,
``mean_absolute_QuantileLoss``, ``mean_wQuantileLoss`` and ``wQuantileLoss[q]`` for every test
quantile (the quantile loss summed over the forecasts, divided by the sum of absolute true values).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from gluonts.evaluation import Evaluator
from gluonts.torch.model.predictor import PyTorchPredictor

from .model import data_entry
from .series import Series
from .settings import ModelSettings

log = logging.getLogger(__name__)

#: The aggregate metrics logged as ``#test_score`` lines, in the real log's order.
SCORES = ("RMSE", "mean_absolute_QuantileLoss", "mean_wQuantileLoss")
#: The ones also logged as ``#quality_metric: host=..., test <name> <loss>=...``.
QUALITY = ("RMSE", "mean_wQuantileLoss")


def evaluate(predictor: PyTorchPredictor, settings: ModelSettings, series: list[Series],
             quantiles: list[float]) -> dict[str, float]:
    """The test scores of ``predictor`` on the last ``prediction_length`` values of each series."""
    horizon = settings.prediction_length
    inputs = [data_entry(_without_last(item, horizon), settings) for item in series]
    forecasts = list(predictor.predict(inputs, num_samples=settings.num_eval_samples))
    truths = [_truth(item, entry["start"], horizon) for item, entry in zip(series, inputs,
                                                                           strict=True)]
    evaluator = Evaluator(quantiles=quantiles, num_workers=None)
    aggregate, _ = evaluator(truths, forecasts, num_series=len(series))
    names = [*SCORES, *(f"wQuantileLoss[{quantile.name}]" for quantile in evaluator.quantiles)]
    return {name: float(aggregate[name]) for name in names}


def _without_last(item: Series, horizon: int) -> Series:
    dynamic = item.dynamic_feat  # the features keep their horizon: the forecast reads them
    return Series(item.start, item.target[:-horizon], item.cat, dynamic)


def _truth(item: Series, start: pd.Period, horizon: int) -> pd.DataFrame:
    """The whole series indexed by period (the Evaluator reads the forecast's range from it)."""
    index = pd.period_range(start=start, periods=item.target.size, freq=start.freq)
    return pd.DataFrame(np.asarray(item.target, dtype=float), index=index)


def log_scores(host: str, scores: dict[str, float]) -> None:
    for name, value in scores.items():
        log.info("#test_score (%s, %s): %r", host, name, value)
    for name in QUALITY:
        log.info("#quality_metric: host=%s, test %s <loss>=%r", host, name, scores[name])
