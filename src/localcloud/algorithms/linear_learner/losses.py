"""The training objectives of Linear Learner, with their gradients, for many models at once.

Every function takes the raw outputs ``outputs`` of M parallel models on n examples, shape
(M, n, K) (K = 1, or the number of classes), and the labels ``labels`` (n,), and returns the
per-example loss (M, n) and its gradient with respect to the outputs (M, n, K). The ``name`` of a
loss is what the real algorithm prints in its objective metric lines, e.g.
``#quality_metric: host=algo-1, epoch=0, validation mse_objective <loss>=...``.

Loss parameters (``huber_delta``, ``loss_insensitivity``) are in label units; when the trainer
works on a normalized label it passes ``label_scale`` so they keep meaning the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hyperparameters import Hyperparameters

#: Objective metric names. The logistic and squared ones appear in the real algorithm's logs; the
#: others follow the same pattern.
OBJECTIVE_NAMES = {
    "squared_loss": "mse_objective",
    "absolute_loss": "absolute_loss_objective",
    "eps_insensitive_squared_loss": "eps_insensitive_squared_loss_objective",
    "eps_insensitive_absolute_loss": "eps_insensitive_absolute_loss_objective",
    "quantile_loss": "quantile_loss_objective",
    "huber_loss": "huber_loss_objective",
    "logistic": "binary_classification_cross_entropy_objective",
    "hinge_loss": "binary_classification_hinge_loss_objective",
    "softmax_loss": "multiclass_cross_entropy_objective",
}
_EPSILON = 1e-12


@dataclass(frozen=True)
class Loss:
    """One objective with its parameters, in the units of the labels it is given."""

    kind: str
    huber_delta: float = 1.0
    insensitivity: float = 0.01
    quantile: float = 0.5
    margin: float = 1.0

    @property
    def name(self) -> str:
        return OBJECTIVE_NAMES[self.kind]

    @classmethod
    def from_hyperparameters(cls, params: Hyperparameters, label_scale: float = 1.0) -> Loss:
        return cls(kind=params.loss, huber_delta=params.huber_delta / label_scale,
                   insensitivity=params.loss_insensitivity / label_scale,
                   quantile=params.quantile, margin=params.margin)

    def __call__(self, outputs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-example loss (M, n) and d loss / d outputs (M, n, K)."""
        if self.kind == "softmax_loss":
            return _softmax_loss(outputs, labels)
        if self.kind in ("logistic", "hinge_loss"):
            scores = outputs[..., 0]
            signs = 2.0 * labels - 1.0  # {0, 1} -> {-1, +1}
            loss, grad = (_logistic(scores, signs) if self.kind == "logistic"
                          else _hinge(scores, signs, self.margin))
        else:
            loss, grad = self._regression(outputs[..., 0] - labels)
        return loss, grad[..., None]

    def _regression(self, residual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        size = np.abs(residual)
        sign = np.sign(residual)
        if self.kind == "squared_loss":
            return residual ** 2, 2.0 * residual
        if self.kind == "absolute_loss":
            return size, sign
        if self.kind == "eps_insensitive_squared_loss":
            excess = np.maximum(size - self.insensitivity, 0.0)
            return excess ** 2, 2.0 * excess * sign
        if self.kind == "eps_insensitive_absolute_loss":
            outside = size > self.insensitivity
            return np.where(outside, size - self.insensitivity, 0.0), np.where(outside, sign, 0.0)
        if self.kind == "huber_loss":
            inside = size <= self.huber_delta
            loss = np.where(inside, 0.5 * residual ** 2,
                            self.huber_delta * (size - 0.5 * self.huber_delta))
            return loss, np.where(inside, residual, self.huber_delta * sign)
        if self.kind == "quantile_loss":
            # Pinball loss: under-predictions (residual < 0) cost quantile, over-predictions 1 - q.
            loss = np.maximum(self.quantile * -residual, (self.quantile - 1.0) * -residual)
            return loss, np.where(residual < 0, -self.quantile, 1.0 - self.quantile)
        raise ValueError(f"unknown loss {self.kind}")


def _logistic(scores: np.ndarray, signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    margins = signs * scores
    small = np.exp(-np.abs(margins))  # in (0, 1], so nothing overflows
    loss = np.log1p(small) + np.maximum(-margins, 0.0)  # log(1 + exp(-m))
    wrong_side = np.where(margins >= 0, small, 1.0) / (1.0 + small)  # sigmoid(-m)
    return loss, -signs * wrong_side


def _hinge(scores: np.ndarray, signs: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    slack = margin - signs * scores
    violated = slack > 0
    return np.where(violated, slack, 0.0), np.where(violated, -signs, 0.0)


def _softmax_loss(outputs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    probabilities = softmax(outputs)
    rows = np.arange(labels.size)
    classes = labels.astype(np.int64)
    loss = -np.log(probabilities[:, rows, classes] + _EPSILON)
    grad = probabilities.copy()
    grad[:, rows, classes] -= 1.0
    return loss, grad


def sigmoid(values: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    return np.exp(-np.logaddexp(0.0, -values))


def softmax(outputs: np.ndarray) -> np.ndarray:
    """Class probabilities along the last axis."""
    shifted = outputs - outputs.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)
