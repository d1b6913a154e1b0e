"""Linear Learner's hyperparameters: defaults, parsing of SageMaker's string values, validation.

Names, defaults and valid values follow the AWS documentation
(https://docs.aws.amazon.com/sagemaker/latest/dg/ll_hyperparameters.html) and the defaults the
real container prints at start-up ("Reading default configuration from .../default-input.json").
Every value arrives as a string; a wrong one fails the job with a ``ClientError`` naming it.

Values documented as ``auto`` are resolved here, so the trainer only sees numbers:

- ``optimizer`` auto -> adam; ``learning_rate`` auto -> ``AUTO_LEARNING_RATES[optimizer]``;
  ``momentum`` auto -> 0.9 (sgd); ``beta_1``/``beta_2`` auto -> 0.9/0.999 (adam, rmsprop uses
  ``beta_2`` as its decay);
- ``wd`` auto -> 1e-4, ``l1`` auto -> 0; ``bias_lr_mult`` auto -> 1; ``bias_wd_mult`` auto -> 0
  (the documented default: no regularization of the bias);
- ``lr_scheduler_step`` auto -> None, which the trainer reads as a tenth of an epoch's updates;
  ``lr_scheduler_factor`` auto -> 0.99, ``lr_scheduler_minimum_lr`` auto -> 1e-5;
- ``num_models`` auto -> 8, or 1 inside a hyperparameter tuning job (the docs say automatic model
  tuning turns the internal parallel training off);
- ``normalize_label``/``unbias_label`` auto -> on for regression only; ``unbias_data`` auto ->
  ``use_bias``; ``num_calibration_samples`` auto -> every validation row;
- ``loss`` auto -> squared_loss, logistic or softmax_loss by ``predictor_type``;
- ``feature_dim`` auto -> taken from the training data.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields

from localcloud.algorithms.hyperparameters import (
    AUTO,
    AnyOf,
    Boolean,
    Interval,
    Options,
    Schema,
    auto_or,
)
from localcloud.containers.errors import ClientError

log = logging.getLogger(__name__)

REGRESSOR = "regressor"
BINARY = "binary_classifier"
MULTICLASS = "multiclass_classifier"
PREDICTOR_TYPES = (BINARY, MULTICLASS, REGRESSOR)

REGRESSION_LOSSES = ("squared_loss", "absolute_loss", "eps_insensitive_squared_loss",
                     "eps_insensitive_absolute_loss", "quantile_loss", "huber_loss")
LOSSES_BY_PREDICTOR = {
    REGRESSOR: REGRESSION_LOSSES,
    BINARY: ("logistic", "hinge_loss"),
    MULTICLASS: ("softmax_loss",),
}
DEFAULT_LOSS = {REGRESSOR: "squared_loss", BINARY: "logistic", MULTICLASS: "softmax_loss"}

SELECTION_CRITERIA = ("accuracy", "f1", "f_beta", "precision_at_target_recall",
                      "recall_at_target_precision", "cross_entropy_loss", "loss_function")
OPTIMIZERS = ("sgd", "adam", "rmsprop")
AUTO_LEARNING_RATES = {"adam": 0.1, "rmsprop": 0.03, "sgd": 0.01}
AUTO_NUM_MODELS = 8
AUTO_WD = 1e-4
BALANCED = "balanced"

#: The defaults the real container starts from (all strings, as SageMaker hands them over).
DEFAULTS = {
    "accuracy_top_k": "3", "balance_multiclass_weights": "false", "beta_1": AUTO,
    "beta_2": AUTO, "bias_lr_mult": AUTO, "bias_wd_mult": AUTO,
    "binary_classifier_model_selection_criteria": "accuracy", "early_stopping_patience": "3",
    "early_stopping_tolerance": "0.001", "epochs": "15", "f_beta": "1.0", "feature_dim": AUTO,
    "huber_delta": "1.0", "init_bias": "0.0", "init_method": "uniform", "init_scale": "0.07",
    "init_sigma": "0.01", "l1": AUTO, "learning_rate": AUTO, "loss": AUTO,
    "loss_insensitivity": "0.01", "lr_scheduler_factor": AUTO, "lr_scheduler_minimum_lr": AUTO,
    "lr_scheduler_step": AUTO, "margin": "1.0", "mini_batch_size": "1000", "momentum": AUTO,
    "normalize_data": "true", "normalize_label": AUTO, "num_calibration_samples": "10000000",
    "num_classes": "1", "num_models": AUTO, "num_point_for_scaler": "10000", "optimizer": AUTO,
    "positive_example_weight_mult": "1.0", "quantile": "0.5", "target_precision": "0.8",
    "target_recall": "0.8", "unbias_data": AUTO, "unbias_label": AUTO, "use_bias": "true",
    "use_lr_scheduler": "true", "wd": AUTO,
}
REQUIRED = ("feature_dim", "predictor_type")
#: Set by SageMaker in the training jobs of a hyperparameter tuning job.
TUNING_OBJECTIVE_KEY = "_tuning_objective_metric"


@dataclass(frozen=True)
class Hyperparameters:
    """Resolved settings of one training job (no ``auto`` left, except ``feature_dim=None``)."""

    predictor_type: str
    feature_dim: int | None  # None: take it from the training data
    num_classes: int
    epochs: int
    mini_batch_size: int
    loss: str
    optimizer: str
    learning_rate: float
    momentum: float
    beta_1: float
    beta_2: float
    wd: float
    l1: float
    bias_lr_mult: float
    bias_wd_mult: float
    use_bias: bool
    use_lr_scheduler: bool
    lr_scheduler_step: int | None  # None: a tenth of an epoch
    lr_scheduler_factor: float
    lr_scheduler_minimum_lr: float
    init_method: str
    init_scale: float
    init_sigma: float
    init_bias: float
    normalize_data: bool
    normalize_label: bool
    unbias_data: bool
    unbias_label: bool
    num_point_for_scaler: int
    num_models: int
    num_calibration_samples: int
    binary_classifier_model_selection_criteria: str
    target_precision: float
    target_recall: float
    positive_example_weight_mult: float | str  # a number, "balanced" or "auto"
    f_beta: float
    accuracy_top_k: int
    balance_multiclass_weights: bool
    margin: float
    quantile: float
    loss_insensitivity: float
    huber_delta: float
    early_stopping_patience: int
    early_stopping_tolerance: float

    @property
    def num_outputs(self) -> int:
        """Width of the linear layer: one score, or one per class."""
        return self.num_classes if self.predictor_type == MULTICLASS else 1

    def as_dict(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


# -- what each hyperparameter accepts ---------------------------------------------------------

_POSITIVE_INT = Interval(int, 1, None)
_POSITIVE = Interval(float, 0, None, closed="neither")
_NON_NEGATIVE = Interval(float, 0, None)
_UNIT_OPEN = Interval(float, 0, 1, closed="neither",
                      description="a number between 0 and 1 (exclusive)")
_UNIT_HALF_OPEN = Interval(float, 0, 1, closed="left")

CONSTRAINTS = {
    "predictor_type": Options(*PREDICTOR_TYPES),
    "feature_dim": auto_or(_POSITIVE_INT),
    "num_classes": Interval(int, 1, 1_000_000, description="an integer from 1 to 1000000"),
    "epochs": _POSITIVE_INT,
    "mini_batch_size": _POSITIVE_INT,
    "loss": Options(AUTO, *sorted({loss for losses in LOSSES_BY_PREDICTOR.values()
                                  for loss in losses})),
    "optimizer": Options(AUTO, *OPTIMIZERS),
    "learning_rate": auto_or(_POSITIVE),
    "momentum": auto_or(_UNIT_HALF_OPEN),
    "beta_1": auto_or(_UNIT_HALF_OPEN),
    "beta_2": auto_or(_UNIT_HALF_OPEN),
    "wd": auto_or(_NON_NEGATIVE),
    "l1": auto_or(_NON_NEGATIVE),
    "bias_lr_mult": auto_or(_POSITIVE),
    "bias_wd_mult": auto_or(_NON_NEGATIVE),
    "use_bias": Boolean(),
    "use_lr_scheduler": Boolean(),
    "lr_scheduler_step": auto_or(_POSITIVE_INT),
    "lr_scheduler_factor": auto_or(_UNIT_OPEN),
    "lr_scheduler_minimum_lr": auto_or(_POSITIVE),
    "init_method": Options("uniform", "normal"),
    "init_scale": _POSITIVE,
    "init_sigma": _POSITIVE,
    "init_bias": Interval(float, None, None),
    "normalize_data": auto_or(Boolean()),
    "normalize_label": auto_or(Boolean()),
    "unbias_data": auto_or(Boolean()),
    "unbias_label": auto_or(Boolean()),
    "num_point_for_scaler": _POSITIVE_INT,
    "num_models": auto_or(_POSITIVE_INT),
    "num_calibration_samples": auto_or(_POSITIVE_INT),
    "binary_classifier_model_selection_criteria": Options(*SELECTION_CRITERIA),
    "target_precision": _UNIT_OPEN,
    "target_recall": _UNIT_OPEN,
    "positive_example_weight_mult": AnyOf(Options(BALANCED, AUTO), _POSITIVE),
    "f_beta": _POSITIVE,
    "accuracy_top_k": _POSITIVE_INT,
    "balance_multiclass_weights": Boolean(),
    "margin": _NON_NEGATIVE,
    "quantile": _UNIT_OPEN,
    "loss_insensitivity": _POSITIVE,
    "huber_delta": _POSITIVE,
    "early_stopping_patience": _POSITIVE_INT,
    "early_stopping_tolerance": _POSITIVE,
}

SCHEMA = Schema("Linear Learner", CONSTRAINTS, required=REQUIRED, defaults=DEFAULTS,
                required_hint=f"Linear Learner needs feature_dim (number of features) and "
                              f"predictor_type ({', '.join(PREDICTOR_TYPES)}).")


# -- resolution --------------------------------------------------------------------------------


def parse_hyperparameters(provided: dict[str, str]) -> Hyperparameters:
    """Merge the job's hyperparameters over the defaults, check them and resolve ``auto``."""
    SCHEMA.check_names(provided)
    log.info("Merging with provided configuration from hyperparameters.json: %s",
             json.dumps(provided, sort_keys=True))
    public = {name: value for name, value in provided.items() if not name.startswith("_")}
    values = SCHEMA.parse(public)
    tuning = bool(str(provided.get(TUNING_OBJECTIVE_KEY, "")).strip())
    resolved = _resolve(values, tuning)
    log.info("Final configuration: %s", json.dumps(resolved.as_dict(), sort_keys=True))
    return resolved


def _resolve(values: dict, tuning: bool) -> Hyperparameters:
    predictor = values["predictor_type"]
    _check_predictor_settings(values)
    optimizer = _or_default(values["optimizer"], "adam")
    use_bias = values["use_bias"]
    regression = predictor == REGRESSOR
    resolved = {
        **values,
        "feature_dim": None if values["feature_dim"] == AUTO else values["feature_dim"],
        "loss": _or_default(values["loss"], DEFAULT_LOSS[predictor]),
        "optimizer": optimizer,
        "learning_rate": _or_default(values["learning_rate"], AUTO_LEARNING_RATES[optimizer]),
        "momentum": _or_default(values["momentum"], 0.9),
        "beta_1": _or_default(values["beta_1"], 0.9),
        "beta_2": _or_default(values["beta_2"], 0.999),
        "wd": _or_default(values["wd"], AUTO_WD),
        "l1": _or_default(values["l1"], 0.0),
        "bias_lr_mult": _or_default(values["bias_lr_mult"], 1.0),
        "bias_wd_mult": _or_default(values["bias_wd_mult"], 0.0),
        "lr_scheduler_step": _or_default(values["lr_scheduler_step"], None),
        "lr_scheduler_factor": _or_default(values["lr_scheduler_factor"], 0.99),
        "lr_scheduler_minimum_lr": _or_default(values["lr_scheduler_minimum_lr"], 1e-5),
        "normalize_data": _or_default(values["normalize_data"], True),
        # Only a regressor's label can be normalized; classifiers ignore the setting (AWS docs).
        "normalize_label": regression and _or_default(values["normalize_label"], True),
        "unbias_data": _or_default(values["unbias_data"], use_bias),
        "unbias_label": regression and _or_default(values["unbias_label"], use_bias),
        "num_models": 1 if tuning else _or_default(values["num_models"], AUTO_NUM_MODELS),
        "num_calibration_samples": _or_default(values["num_calibration_samples"], 10_000_000),
    }
    return Hyperparameters(**resolved)


def _or_default(value, default):
    return default if value == AUTO else value


def _check_predictor_settings(values: dict) -> None:
    predictor = values["predictor_type"]
    loss = values["loss"]
    if loss != AUTO and loss not in LOSSES_BY_PREDICTOR[predictor]:
        raise ClientError(f"Invalid value {loss!r} for hyperparameter loss with predictor_type "
                          f"{predictor}: expected auto or one of "
                          f"{', '.join(LOSSES_BY_PREDICTOR[predictor])}")
    if predictor == MULTICLASS and values["num_classes"] < 3:
        raise ClientError("Hyperparameter num_classes (3 or more) is required when predictor_type "
                          "is multiclass_classifier")
