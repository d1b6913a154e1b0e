"""Mini-batch SGD for many linear models at once, as Linear Learner trains them.

The real algorithm "simultaneously optimize[s] multiple models, each with slightly different
objectives" and keeps the best one (https://docs.aws.amazon.com/sagemaker/latest/dg/
ll_how-it-works.html). Here the M models share every mini-batch and are updated together as
arrays of shape (M, feature_dim, K), so M models cost little more than one.

Model 0 uses the job's hyperparameters as given; model k > 0 varies them (see
:func:`model_variants`): learning rate times ``LEARNING_RATE_FACTORS[k % 4]``, ``wd`` and ``l1``
times ``REGULARIZATION_FACTORS[(k // 4) % 2]``, and with ``positive_example_weight_mult=auto``
the odd models weight positives to balance the classes while the even ones do not.

Training happens on normalized data (:class:`Normalizer`): features shifted to mean 0 (dense data
only, and only when ``unbias_data``) and scaled to unit standard deviation, the label likewise for
regression, all from a sample of ``num_point_for_scaler`` rows. :meth:`Normalizer.to_raw` folds
the normalization back into the weights.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from localcloud.containers.errors import ClientError

from .hyperparameters import AUTO, BALANCED, BINARY, MULTICLASS, Hyperparameters
from .losses import Loss

log = logging.getLogger(__name__)

LEARNING_RATE_FACTORS = (1.0, 0.3, 3.0, 0.1)
REGULARIZATION_FACTORS = (1.0, 10.0)
_EPSILON = 1e-8


@dataclass(frozen=True)
class ModelVariant:
    """The settings that differ between the parallel models."""

    learning_rate: float
    wd: float
    l1: float
    positive_example_weight_mult: float | str

    def describe(self) -> dict:
        return {"learning_rate": self.learning_rate, "wd": self.wd, "l1": self.l1,
                "positive_example_weight_mult": self.positive_example_weight_mult}


def model_variants(params: Hyperparameters) -> list[ModelVariant]:
    variants = []
    for index in range(params.num_models):
        # Beyond 8 models the pattern repeats with halved learning rates.
        learning_rate = (params.learning_rate * LEARNING_RATE_FACTORS[index % 4]
                         * 0.5 ** (index // 8))
        regularization = REGULARIZATION_FACTORS[(index // 4) % 2]
        weight = params.positive_example_weight_mult
        if weight == AUTO:
            weight = BALANCED if index % 2 else 1.0
        variants.append(ModelVariant(learning_rate, params.wd * regularization,
                                     params.l1 * regularization, weight))
    return variants


# -- normalization -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Normalizer:
    """``(x - feature_shift) / feature_scale`` and ``(y - label_shift) / label_scale``."""

    feature_shift: np.ndarray
    feature_scale: np.ndarray
    label_shift: float = 0.0
    label_scale: float = 1.0

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray, sparse: bool,
            params: Hyperparameters, rng: np.random.Generator) -> Normalizer:
        dim = features.shape[1]
        sample = rng.permutation(len(features))[:params.num_point_for_scaler]
        sample_features = features[sample].astype(np.float64)
        sample_labels = labels[sample].astype(np.float64)
        shift_features = params.normalize_data and params.unbias_data and not sparse
        return cls(
            feature_shift=sample_features.mean(axis=0) if shift_features else np.zeros(dim),
            feature_scale=(_spread(sample_features.std(axis=0)) if params.normalize_data
                           else np.ones(dim)),
            label_shift=float(sample_labels.mean()) if params.unbias_label else 0.0,
            label_scale=(float(_spread(sample_labels.std())) if params.normalize_label else 1.0),
        )

    def features(self, features: np.ndarray) -> np.ndarray:
        return (features - self.feature_shift) / self.feature_scale

    def labels(self, labels: np.ndarray) -> np.ndarray:
        return (labels - self.label_shift) / self.label_scale

    def to_raw(self, weights: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights (M, d, K) and bias (M, K) that act on raw features and predict raw labels."""
        raw_weights = weights / self.feature_scale[None, :, None] * self.label_scale
        shift_effect = np.einsum("d,mdk->mk", self.feature_shift / self.feature_scale, weights)
        return raw_weights, (bias - shift_effect) * self.label_scale + self.label_shift

    def describe(self) -> dict:
        return {"mean_weight": self.feature_shift.tolist(),
                "stdev_weight": self.feature_scale.tolist(),
                "mean_label": self.label_shift, "stdev_label": self.label_scale}


def _spread(std):
    """A standard deviation usable as a divisor (constant columns keep their scale)."""
    return np.where(np.asarray(std) > _EPSILON, std, 1.0)


# -- sample weights ------------------------------------------------------------------------------


class SampleWeights:
    """Per-model example weights: positive_example_weight_mult or balanced class weights."""

    def __init__(self, variants: list[ModelVariant], labels: np.ndarray,
                 params: Hyperparameters):
        self._binary = params.predictor_type == BINARY
        self._class_weights = None
        if params.predictor_type == MULTICLASS and params.balance_multiclass_weights:
            counts = np.bincount(labels.astype(np.int64), minlength=params.num_classes)
            self._class_weights = labels.size / (params.num_classes * np.maximum(counts, 1))
        positives = float(labels.sum()) if self._binary else 0.0
        balanced = (labels.size - positives) / positives if positives else 1.0
        self._positive = np.array([balanced if v.positive_example_weight_mult == BALANCED
                                   else float(v.positive_example_weight_mult)
                                   for v in variants])[:, None]

    def for_batch(self, labels: np.ndarray) -> np.ndarray:
        """Weights of shape (M, b), or (1, b) when all models weight alike."""
        if self._binary:
            return np.where(labels[None, :] > 0.5, self._positive, 1.0)
        if self._class_weights is not None:
            return self._class_weights[labels.astype(np.int64)][None, :]
        return np.ones((1, labels.size))


# -- optimization ----------------------------------------------------------------------------


class _Optimizer:
    """sgd (with momentum), adam or rmsprop, applied elementwise to every parameter array."""

    def __init__(self, params: Hyperparameters):
        self.kind = params.optimizer
        self.momentum = params.momentum
        self.beta_1 = params.beta_1
        self.beta_2 = params.beta_2
        self._state: dict[str, list[np.ndarray]] = {}
        self._steps = 0

    def tick(self) -> None:
        self._steps += 1

    def step(self, key: str, value: np.ndarray, grad: np.ndarray, rate: np.ndarray) -> None:
        """Update ``value`` in place with per-model learning rates ``rate``."""
        state = self._state.setdefault(key, [np.zeros_like(value), np.zeros_like(value)])
        first, second = state
        if self.kind == "sgd":
            first *= self.momentum
            first -= rate * grad
            value += first
        elif self.kind == "rmsprop":
            second *= self.beta_2
            second += (1 - self.beta_2) * grad ** 2
            value -= rate * grad / (np.sqrt(second) + _EPSILON)
        else:  # adam, with bias correction
            first *= self.beta_1
            first += (1 - self.beta_1) * grad
            second *= self.beta_2
            second += (1 - self.beta_2) * grad ** 2
            steps = self._steps
            corrected = rate * np.sqrt(1 - self.beta_2 ** steps) / (1 - self.beta_1 ** steps)
            value -= corrected * first / (np.sqrt(second) + _EPSILON)

    def reset(self, models: np.ndarray) -> None:
        for arrays in self._state.values():
            for array in arrays:
                array[models] = 0.0


class ParallelSGD:
    """M linear models (weights (M, d, K), bias (M, 1, K)) trained on the same mini-batches."""

    def __init__(self, variants: list[ModelVariant], feature_dim: int, params: Hyperparameters,
                 loss: Loss, rng: np.random.Generator, updates_per_epoch: int):
        count, outputs = len(variants), params.num_outputs
        self.params = params
        self.loss = loss
        self.scheduler_step = params.lr_scheduler_step or max(1, updates_per_epoch // 10)
        self.weights = _initial_weights(params, (count, feature_dim, outputs), rng)
        self.bias = np.full((count, 1, outputs), params.init_bias if params.use_bias else 0.0)
        self.rates = np.array([v.learning_rate for v in variants])[:, None, None]
        self.wd = np.array([v.wd for v in variants])[:, None, None]
        self.l1 = np.array([v.l1 for v in variants])[:, None, None]
        self.diverged = np.zeros(count, dtype=bool)
        self._optimizer = _Optimizer(params)
        self._updates = 0

    def step(self, features: np.ndarray, labels: np.ndarray, sample_weights: np.ndarray) -> None:
        """One update of every model on a normalized mini-batch."""
        # A diverging model overflows before it is caught below; that must not spam warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            self._update(features, labels, sample_weights)
        self._updates += 1
        self._stop_diverged()

    def _update(self, features: np.ndarray, labels: np.ndarray, sample_weights: np.ndarray):
        outputs = linear_outputs(features, self.weights, self.bias[:, 0, :])
        _, grad_outputs = self.loss(outputs, labels)
        grad_outputs *= sample_weights[..., None] / labels.size
        grad_weights = _input_gradient(features, grad_outputs) + self.wd * self.weights
        rate = self._scheduled(self.rates) * ~self.diverged[:, None, None]
        self._optimizer.tick()
        self._optimizer.step("weights", self.weights, grad_weights, rate)
        if self.params.use_bias:
            grad_bias = (grad_outputs.sum(axis=1, keepdims=True)
                         + self.wd * self.params.bias_wd_mult * self.bias)
            self._optimizer.step("bias", self.bias, grad_bias, rate * self.params.bias_lr_mult)
        # L1 as a proximal step: shrink toward zero, so small weights become exactly zero.
        shrink = rate * self.l1
        self.weights[:] = np.sign(self.weights) * np.maximum(np.abs(self.weights) - shrink, 0.0)

    def _scheduled(self, rates: np.ndarray) -> np.ndarray:
        params = self.params
        if not params.use_lr_scheduler:
            return rates
        decay = params.lr_scheduler_factor ** (self._updates // self.scheduler_step)
        return np.maximum(rates * decay, np.minimum(rates, params.lr_scheduler_minimum_lr))

    def _stop_diverged(self) -> None:
        """A model whose weights overflowed stops learning; the others carry on."""
        finite = (np.isfinite(self.weights).all(axis=(1, 2))
                  & np.isfinite(self.bias).all(axis=(1, 2)))
        newly = ~finite & ~self.diverged
        if newly.any():
            log.warning("Model(s) %s diverged and were stopped", np.flatnonzero(newly).tolist())
            self.diverged |= newly
            self.weights[newly] = 0.0
            self.bias[newly] = 0.0
            self._optimizer.reset(newly)
        if self.diverged.all():
            raise ClientError("Training diverged for every model: lower learning_rate, or "
                              "enable normalize_data")

    def parameters(self) -> tuple[np.ndarray, np.ndarray]:
        """Current weights (M, d, K) and bias (M, K) of every model (views, not copies)."""
        return self.weights, self.bias[:, 0, :]


class BestEpochs:
    """Each model's parameters at its best epoch so far, by a loss on held-out data.

    Early stopping (``early_stopping_patience``, ``early_stopping_tolerance``): training stops
    once no model has improved its loss by the relative tolerance for ``patience`` epochs.
    """

    def __init__(self, weights: np.ndarray, bias: np.ndarray, patience: int, tolerance: float):
        self.weights = weights.copy()
        self.bias = bias.copy()
        self.losses = np.full(len(weights), np.inf)
        self.patience = patience
        self.tolerance = tolerance
        self.stale_epochs = 0

    def update(self, weights: np.ndarray, bias: np.ndarray, losses: np.ndarray) -> bool:
        """Keep the models whose loss improved; True if any did."""
        margin = np.where(np.isfinite(self.losses), self.tolerance * np.abs(self.losses), 0.0)
        improved = losses < self.losses - margin
        self.weights[improved] = weights[improved]
        self.bias[improved] = bias[improved]
        self.losses[improved] = losses[improved]
        self.stale_epochs = 0 if improved.any() else self.stale_epochs + 1
        return bool(improved.any())

    @property
    def should_stop(self) -> bool:
        return self.stale_epochs >= self.patience


def linear_outputs(features: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Outputs (M, n, K) of M models with weights (M, d, K) and bias (M, K) on features (n, d).

    One matrix product for all models: broadcasting ``features @ weights`` would run M thin
    products instead, several times slower.
    """
    count, dim, outputs = weights.shape
    stacked = weights.transpose(1, 0, 2).reshape(dim, count * outputs)
    flat = features @ stacked
    return flat.reshape(len(features), count, outputs).transpose(1, 0, 2) + bias[:, None, :]


def _input_gradient(features: np.ndarray, grad_outputs: np.ndarray) -> np.ndarray:
    """d loss / d weights (M, d, K) from d loss / d outputs (M, n, K), as one matrix product."""
    count, rows, outputs = grad_outputs.shape
    flat = grad_outputs.transpose(1, 0, 2).reshape(rows, count * outputs)
    return (features.T @ flat).reshape(features.shape[1], count, outputs).transpose(1, 0, 2)


def _initial_weights(params: Hyperparameters, shape: tuple, rng: np.random.Generator):
    if params.init_method == "normal":
        return rng.normal(0.0, params.init_sigma, size=shape)
    return rng.uniform(-params.init_scale, params.init_scale, size=shape)
