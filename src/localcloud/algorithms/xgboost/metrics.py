"""The metrics the SageMaker XGBoost algorithm computes, and how a tuning job finds them.

Each boosting round the algorithm prints one line per round,
``[12]<TAB>train-rmse:3.21<TAB>validation-rmse:4.07``, which reaches CloudWatch Logs with every
TAB written as ``#011``. SageMaker turns those lines into the metrics ``train:rmse`` and
``validation:rmse`` (https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost-tuning.html).

The metric names are the XGBoost ones plus the metrics the SageMaker container computes itself
with scikit-learn (accuracy, f1, mse, r2, ...; sagemaker-xgboost-container
``metrics/custom_metrics.py`` and ``constants/xgb_constants.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import xgboost
from sklearn import metrics as sk_metrics

#: Metrics that get better as they grow (early stopping and tuning maximise them).
MAXIMIZE_METRICS = (
    "accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map",
    "ndcg", "precision", "precision_macro", "precision_micro", "r2", "recall", "recall_macro",
    "recall_micro",
)
#: Metrics that get better as they shrink.
MINIMIZE_METRICS = (
    "aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik",
    "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe",
    "mse", "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik",
)
#: Metrics with a threshold or cut-off suffix, e.g. ``error@0.7`` or ``ndcg@5``.
THRESHOLD_METRICS = ("error", "ndcg", "map")

#: The data sets whose metrics appear in the log, in the order they are printed.
DATA_SETS = ("train", "validation")

# A number as XGBoost prints it ("17.12345", "1e-05", "-0.5", "nan" is never a tuning value).
_NUMBER = r"[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"


def metric_regex(data_set: str, metric: str) -> str:
    """The regex that extracts ``<data_set>:<metric>`` from a CloudWatch log line.

    It follows the form of the algorithm's own definitions (``.*\\[[0-9]+\\].*#011
    validation-rmse:(\\S+)`` in sagemaker-xgboost-container ``algorithm_mode/metrics.py``), but
    captures only the number: ``\\S+`` would swallow the ``#011validation-...`` fields that follow
    a train metric on the same line.
    """
    return rf".*\[[0-9]+\].*#011{re.escape(data_set)}-{re.escape(metric)}:({_NUMBER}).*"


def _metric_definitions() -> list[dict[str, str]]:
    return [
        {"Name": f"{data_set}:{metric}", "Regex": metric_regex(data_set, metric)}
        for data_set in DATA_SETS
        for metric in sorted(MAXIMIZE_METRICS + MINIMIZE_METRICS)
    ]


#: MetricDefinitions in the CreateTrainingJob form: every metric, for train and validation.
METRIC_DEFINITIONS = _metric_definitions()


def is_known_metric(name: str) -> bool:
    """Whether ``eval_metric`` may name this metric (``error@0.3`` style cut-offs included)."""
    if name in MAXIMIZE_METRICS or name in MINIMIZE_METRICS:
        return True
    base, at, threshold = name.partition("@")
    if not at or base not in THRESHOLD_METRICS:
        return False
    try:
        float(threshold.rstrip("-"))
    except ValueError:
        return False
    return True


def is_maximized(name: str) -> bool:
    """Whether a larger value of this metric is better."""
    return name.partition("@")[0] in MAXIMIZE_METRICS


# -- metrics the SageMaker container computes itself -------------------------------------------

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
