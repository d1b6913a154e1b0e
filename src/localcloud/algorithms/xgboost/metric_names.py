"""The metrics the SageMaker XGBoost algorithm logs, and how a training or tuning job finds them.

Each boosting round the algorithm prints one line per round,
``[12]<TAB>train-rmse:3.21<TAB>validation-rmse:4.07``, which reaches CloudWatch Logs with every
TAB written as ``#011``. SageMaker turns those lines into the metrics ``train:rmse`` and
``validation:rmse`` (https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost-tuning.html).

The metric names are the XGBoost ones plus the metrics the SageMaker container computes itself
with scikit-learn (accuracy, f1, mse, r2, ...; sagemaker-xgboost-container
``metrics/custom_metrics.py`` and ``constants/xgb_constants.py``).

This module imports nothing but the standard library: the service reads
:data:`METRIC_DEFINITIONS` for every training and tuning job and must not pay for xgboost,
numpy or scikit-learn to do so (:mod:`.metrics` computes the container's metrics).
"""

from __future__ import annotations

import re

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
