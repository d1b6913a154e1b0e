"""The metrics the SageMaker XGBoost container computes itself, with scikit-learn.

Beside XGBoost's own evaluation metrics, the container accepts ``eval_metric`` names such as
``accuracy``, ``f1`` or ``r2`` and computes them after each round (sagemaker-xgboost-container
``metrics/custom_metrics.py``). Which names exist, and the regexes that read them from the log,
are in :mod:`.metric_names`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xgboost
from sklearn import metrics as sk_metrics


def _predicted_classes(predictions: np.ndarray) -> np.ndarray:
    """Class ids from probabilities: argmax for multi-class, rounding for one column."""
    if predictions.ndim == 2:
        return np.argmax(predictions, axis=1)
    return np.rint(predictions)


def _classification(score: Callable[..., float], **options) -> Callable[..., float]:
    def compute(labels: np.ndarray, predictions: np.ndarray) -> float:
        return float(score(labels, _predicted_classes(predictions), **options))
    return compute


def _regression(score: Callable[..., float]) -> Callable[..., float]:
    def compute(labels: np.ndarray, predictions: np.ndarray) -> float:
        return float(score(labels, predictions))
    return compute


_QUIET = {"zero_division": 0}  # a class never predicted scores 0 instead of warning

#: Container metric name -> ``compute(labels, predictions)``.
CONTAINER_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "accuracy": _classification(sk_metrics.accuracy_score),
    "balanced_accuracy": _classification(sk_metrics.balanced_accuracy_score),
    "f1": _classification(sk_metrics.f1_score, average="macro", **_QUIET),
    "f1_binary": _classification(sk_metrics.f1_score, average="binary", **_QUIET),
    "f1_macro": _classification(sk_metrics.f1_score, average="macro", **_QUIET),
    "precision": _classification(sk_metrics.precision_score, average="binary", **_QUIET),
    "precision_macro": _classification(sk_metrics.precision_score, average="macro", **_QUIET),
    "precision_micro": _classification(sk_metrics.precision_score, average="micro", **_QUIET),
    "recall": _classification(sk_metrics.recall_score, average="binary", **_QUIET),
    "recall_macro": _classification(sk_metrics.recall_score, average="macro", **_QUIET),
    "recall_micro": _classification(sk_metrics.recall_score, average="micro", **_QUIET),
    "mse": _regression(sk_metrics.mean_squared_error),
    "r2": _regression(sk_metrics.r2_score),
}


def container_metric(names: list[str]):
    """An xgboost ``custom_metric`` computing the named container metrics, or None if none.

    xgboost calls it with the transformed predictions (probabilities for ``binary:logistic``)
    for every evaluation set, after its built-in metrics.
    """
    if not names:
        return None

    def evaluate(predictions: np.ndarray, data: xgboost.DMatrix) -> list[tuple[str, float]]:
        labels = data.get_label()
        return [(name, CONTAINER_METRICS[name](labels, predictions)) for name in names]

    return evaluate
