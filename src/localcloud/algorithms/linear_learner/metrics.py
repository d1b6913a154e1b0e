"""Evaluation metrics, decision-threshold calibration, and the metric lines of the training log.

The real algorithm logs its metrics as lines such as::

    #quality_metric: host=algo-1, epoch=3, validation mse_objective <loss>=0.25
    #quality_metric: host=algo-1, validation binary_f_1.000 <score>=0.83
    #progress_metric: host=algo-1, completed 20 % of epochs
    #throughput_metric: host=algo-1, train throughput=22356.2 records/second

and SageMaker turns them into training-job metrics with the regexes of
:data:`.metric_names.METRIC_DEFINITIONS`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Metric:
    """One named value, a ``loss`` (lower is better) or a ``score`` (higher is better)."""

    name: str
    value: float
    kind: str = "score"


def quality_line(host: str, channel: str, metric: Metric, epoch: int | None = None) -> str:
    """``#quality_metric: ...`` as the real algorithm prints it (per epoch when ``epoch`` given)."""
    where = f"host={host}, " + (f"epoch={epoch}, " if epoch is not None else "")
    value = float(metric.value)
    return f"#quality_metric: {where}{channel} {metric.name} <{metric.kind}>={value!r}"


# -- regression ----------------------------------------------------------------------------------


def regression_metrics(predictions: np.ndarray, labels: np.ndarray) -> list[Metric]:
    residual = predictions - labels
    mse = float(np.mean(residual ** 2))
    return [Metric("mse", mse, "loss"), Metric("rmse", mse ** 0.5, "loss"),
            Metric("absolute_loss", float(np.mean(np.abs(residual))), "loss")]


# -- binary classification ---------------------------------------------------------------------


@dataclass(frozen=True)
class OperatingPoints:
    """Confusion counts at every distinct decision threshold, most to least strict.

    Row 0 predicts nothing positive; row i > 0 predicts positive every example whose score is at
    least ``thresholds[i]``.
    """

    thresholds: np.ndarray
    true_positives: np.ndarray
    false_positives: np.ndarray
    positives: int
    total: int

    @classmethod
    def from_scores(cls, scores: np.ndarray, labels: np.ndarray) -> OperatingPoints:
        order = np.argsort(-scores, kind="stable")
        ranked_scores, ranked_labels = scores[order], labels[order]
        group_ends = np.r_[ranked_scores[1:] != ranked_scores[:-1], True]
        distinct = ranked_scores[group_ends]
        # Cut halfway to the next lower score: the threshold then generalises to unseen scores.
        next_lower = np.r_[distinct[1:], distinct[-1]]
        cuts = (distinct + next_lower) / 2.0
        true_positives = np.cumsum(ranked_labels)[group_ends]
        false_positives = np.cumsum(1.0 - ranked_labels)[group_ends]
        return cls(thresholds=np.r_[np.nextafter(distinct[0], np.inf), cuts],
                   true_positives=np.r_[0.0, true_positives],
                   false_positives=np.r_[0.0, false_positives],
                   positives=int(labels.sum()), total=labels.size)

    @property
    def predicted_positives(self) -> np.ndarray:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> np.ndarray:
        predicted = self.predicted_positives
        # Predicting nothing makes no false alarm: precision 1, as scikit-learn's PR curve says.
        return np.divide(self.true_positives, predicted, out=np.ones_like(predicted),
                         where=predicted > 0)

    @property
    def recall(self) -> np.ndarray:
        return self.true_positives / max(self.positives, 1)

    @property
    def accuracy(self) -> np.ndarray:
        true_negatives = (self.total - self.positives) - self.false_positives
        return (self.true_positives + true_negatives) / self.total

    def f_beta(self, beta: float) -> np.ndarray:
        return _f_beta(self.precision, self.recall, beta)


def _f_beta(precision, recall, beta: float):
    weight = beta ** 2
    denominator = np.asarray(weight * precision + recall, dtype=np.float64)
    numerator = np.asarray((1 + weight) * precision * recall, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros_like(denominator),
                     where=denominator > 0)


@dataclass(frozen=True)
class ThresholdChoice:
    """A calibrated threshold and how good it is: models compare by (meets_target, value)."""

    threshold: float
    value: float
    meets_target: bool = True

    @property
    def rank(self) -> tuple[bool, float]:
        return self.meets_target, self.value


@dataclass(frozen=True)
class SelectionCriterion:
    """``binary_classifier_model_selection_criteria`` with its targets."""

    name: str
    target_precision: float = 0.8
    target_recall: float = 0.8
    beta: float = 1.0


def choose_threshold(scores: np.ndarray, labels: np.ndarray,
                     criterion: SelectionCriterion) -> ThresholdChoice:
    """The threshold that is best for ``criterion`` on these (calibration) examples."""
    points = OperatingPoints.from_scores(scores, labels)
    if criterion.name == "accuracy":
        return _best(points, points.accuracy)
    if criterion.name in ("f1", "f_beta"):
        beta = 1.0 if criterion.name == "f1" else criterion.beta
        return _best(points, points.f_beta(beta))
    if criterion.name == "precision_at_target_recall":
        return _best_with_target(points, points.precision, points.recall,
                                 criterion.target_recall, "recall")
    if criterion.name == "recall_at_target_precision":
        return _best_with_target(points, points.recall, points.precision,
                                 criterion.target_precision, "precision")
    raise ValueError(f"criterion {criterion.name} does not calibrate a threshold")


def _best(points: OperatingPoints, values: np.ndarray) -> ThresholdChoice:
    index = int(np.argmax(values))  # first maximum: the strictest threshold among equals
    return ThresholdChoice(float(points.thresholds[index]), float(values[index]))


def _best_with_target(points: OperatingPoints, objective: np.ndarray, constrained: np.ndarray,
                      target: float, constrained_name: str) -> ThresholdChoice:
    """Maximise ``objective`` where ``constrained`` reaches ``target`` (among thresholds that
    predict some positive); if none does, take the threshold closest to the target."""
    candidates = points.predicted_positives > 0
    feasible = candidates & (constrained >= target)
    if feasible.any():
        # Best objective; among equals, the best constrained metric.
        index = max(np.flatnonzero(feasible), key=lambda i: (objective[i], constrained[i]))
        return ThresholdChoice(float(points.thresholds[index]), float(objective[index]))
    index = max(np.flatnonzero(candidates), key=lambda i: (constrained[i], objective[i]))
    log.debug("No threshold reaches %s %.3f (best %.3f)", constrained_name, target,
              constrained[index])
    return ThresholdChoice(float(points.thresholds[index]), float(constrained[index]),
                           meets_target=False)


def binary_metrics(scores: np.ndarray, labels: np.ndarray, threshold: float,
                   beta: float) -> list[Metric]:
    predicted = scores >= threshold
    actual = labels > 0.5
    true_positives = float(np.sum(predicted & actual))
    precision = true_positives / max(float(predicted.sum()), 1.0)
    recall = true_positives / max(float(actual.sum()), 1.0)
    return [
        Metric("binary_classification_accuracy", float(np.mean(predicted == actual))),
        Metric(f"binary_f_{beta:.3f}", float(_f_beta(precision, recall, beta))),
        Metric("precision", precision),
        Metric("recall", recall),
        Metric("roc_auc_score", roc_auc(scores, actual)),
    ]


def roc_auc(scores: np.ndarray, actual: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney statistic, ties counted half); 0.5 if undefined."""
    positives = int(actual.sum())
    negatives = actual.size - positives
    if not positives or not negatives:
        return 0.5
    ranks = _average_ranks(scores)
    return float((ranks[actual].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of ``values``, tied values sharing their average rank."""
    _, groups, counts = np.unique(values, return_inverse=True, return_counts=True)
    last_rank = np.cumsum(counts)
    return (last_rank - (counts - 1) / 2.0)[groups]


# -- multiclass classification -------------------------------------------------------------------


def multiclass_metrics(probabilities: np.ndarray, labels: np.ndarray, top_k: int,
                       beta: float) -> list[Metric]:
    actual = labels.astype(np.int64)
    num_classes = probabilities.shape[1]
    predicted = probabilities.argmax(axis=1)
    true_probability = probabilities[np.arange(actual.size), actual]
    # 1-based rank of the true class among the scores (ties in its favour).
    rank = 1 + (probabilities > true_probability[:, None]).sum(axis=1)
    k = min(top_k, num_classes)
    hits = np.bincount(actual[predicted == actual], minlength=num_classes).astype(np.float64)
    precision = hits / np.maximum(np.bincount(predicted, minlength=num_classes), 1)
    recall = hits / np.maximum(np.bincount(actual, minlength=num_classes), 1)
    return [
        Metric("multiclass_accuracy", float(np.mean(predicted == actual))),
        Metric(f"multiclass_top_k_accuracy_{top_k}", float(np.mean(rank <= k))),
        Metric("dcg", float(np.mean(1.0 / np.log2(1.0 + rank)))),
        Metric("macro_recall", float(recall.mean())),
        Metric("macro_precision", float(precision.mean())),
        Metric(f"macro_f_{beta:.3f}", float(_f_beta(precision, recall, beta).mean())),
    ]
