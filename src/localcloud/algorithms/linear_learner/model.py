"""A trained linear model in the original feature space, and how it turns outputs into answers.

Training normalizes features and labels; the model kept here has that normalization folded into
its weights, so it takes raw feature vectors, as the real artifact does (its MXNet network, loaded
on its own, maps raw features to predictions in label units).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hyperparameters import BINARY, MULTICLASS
from .losses import sigmoid, softmax

#: Decision threshold of a binary classifier before calibration.
DEFAULT_THRESHOLD = 0.5


def output_scores(predictor_type: str, outputs: np.ndarray) -> np.ndarray:
    """Scores from raw outputs (..., K): a probability for binary classifiers (also with hinge
    loss, where it is the logistic of the margin), class probabilities (..., K) for multiclass,
    the prediction itself for regression."""
    if predictor_type == MULTICLASS:
        return softmax(outputs)
    if predictor_type == BINARY:
        return sigmoid(outputs[..., 0])
    return outputs[..., 0]


def predicted_labels(predictor_type: str, scores: np.ndarray, threshold: float):
    """Class labels from scores; None for a regressor."""
    if predictor_type == MULTICLASS:
        return scores.argmax(axis=-1)
    if predictor_type == BINARY:
        return (scores >= threshold).astype(np.int64)
    return None


@dataclass(frozen=True)
class Predictions:
    """What the model says about a batch of examples."""

    scores: np.ndarray  #: (n,) regression value or probability; (n, K) class probabilities
    labels: np.ndarray | None  #: (n,) predicted class, None for regression


@dataclass(frozen=True)
class LinearModel:
    """``outputs = features @ weights + bias`` on raw features, plus how to read the outputs."""

    predictor_type: str
    weights: np.ndarray  #: (feature_dim, K)
    bias: np.ndarray  #: (K,)
    loss: str
    threshold: float = DEFAULT_THRESHOLD  #: binary classifiers: score >= threshold is class 1

    @property
    def feature_dim(self) -> int:
        return self.weights.shape[0]

    @property
    def num_outputs(self) -> int:
        return self.weights.shape[1]

    def outputs(self, features: np.ndarray) -> np.ndarray:
        return features.astype(np.float64) @ self.weights + self.bias

    def predict(self, features: np.ndarray) -> Predictions:
        return self.interpret(self.outputs(features))

    def interpret(self, outputs: np.ndarray) -> Predictions:
        """The scores and labels that raw :meth:`outputs` (n, K) stand for."""
        scores = output_scores(self.predictor_type, outputs)
        return Predictions(scores, predicted_labels(self.predictor_type, scores, self.threshold))
