"""Hyperparameters of the SageMaker XGBoost algorithm: validation and translation for xgboost.

SageMaker hands every hyperparameter over as a string. The names and ranges follow the
algorithm's documentation
(https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost_hyperparameters.html) and its
validation code (sagemaker-xgboost-container ``algorithm_mode/hyperparameter_validation.py``):
``num_round`` is required, unknown names are rejected, values out of range fail the job with a
``ClientError`` naming the hyperparameter (:mod:`localcloud.algorithms.hyperparameters`).

Legacy spellings that the real images still accept keep working: ``reg:linear`` (xgboost warns
that it is deprecated in favour of ``reg:squarederror``), ``silent``, ``tree_method=gpu_hist``
and parameters that newer xgboost releases no longer use.
"""

from __future__ import annotations

import difflib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import xgboost

from localcloud.algorithms.hyperparameters import Constraint, Interval, Options, Schema, Text
from localcloud.containers.errors import ClientError

from . import metric_names, metrics

log = logging.getLogger(__name__)

OBJECTIVES = (
    "binary:hinge", "binary:logistic", "binary:logitraw", "count:poisson", "multi:softmax",
    "multi:softprob", "rank:map", "rank:ndcg", "rank:pairwise", "reg:absoluteerror",
    "reg:gamma", "reg:linear", "reg:logistic", "reg:pseudohubererror", "reg:squarederror",
    "reg:squaredlogerror", "reg:tweedie", "survival:aft", "survival:cox",
)
MULTICLASS_OBJECTIVES = ("multi:softmax", "multi:softprob")
#: Objectives xgboost renamed; notebooks written for older images still use the old names.
RENAMED_OBJECTIVES = {"reg:linear": "reg:squarederror"}
#: Objectives for which ``auc`` makes sense (the container rejects it for the others).
AUC_OBJECTIVE_PREFIXES = ("binary:", "rank:")
_FRACTION = Interval(float, 0, 1, closed="right")  # (0, 1]: sampling ratios

CONSTRAINTS: dict[str, Constraint] = {
    "num_round": Interval(int, 1, None),
    "early_stopping_rounds": Interval(int, 1, None),
    "csv_weights": Interval(int, 0, 1),
    "booster": Options("gbtree", "gblinear", "dart"),
    "silent": Interval(int, 0, 1),
    "verbosity": Interval(int, 0, 3),
    "nthread": Interval(int, 1, None),
    "eta": Interval(float, 0, 1),
    "gamma": Interval(float, 0, None),
    "max_depth": Interval(int, 0, None),
    "min_child_weight": Interval(float, 0, None),
    "max_delta_step": Interval(float, 0, None),
    "subsample": _FRACTION,
    "colsample_bytree": _FRACTION,
    "colsample_bylevel": _FRACTION,
    "colsample_bynode": _FRACTION,
    "lambda": Interval(float, 0, None),
    "alpha": Interval(float, 0, None),
    "tree_method": Options("auto", "exact", "approx", "hist", "gpu_hist"),
    "sketch_eps": Interval(float, 0, 1, closed="neither"),
    "scale_pos_weight": Interval(float, 0, None, closed="neither"),
    "updater": Text(),
    "dsplit": Options("row", "col"),
    "refresh_leaf": Interval(int, 0, 1),
    "process_type": Options("default", "update"),
    "grow_policy": Options("depthwise", "lossguide"),
    "max_leaves": Interval(int, 0, None),
    "max_bin": Interval(int, 0, None),
    "predictor": Options("auto", "cpu_predictor", "gpu_predictor"),
    "monotone_constraints": Text(),
    "interaction_constraints": Text(),
    "sample_type": Options("uniform", "weighted"),
    "normalize_type": Options("tree", "forest"),
    "rate_drop": Interval(float, 0, 1),
    "one_drop": Interval(int, 0, 1),
    "skip_drop": Interval(float, 0, 1),
    "lambda_bias": Interval(float, 0, 1),
    "tweedie_variance_power": Interval(float, 1, 2, closed="neither"),
    "objective": Options(*OBJECTIVES),
    "num_class": Interval(int, 2, None),
    "base_score": Interval(float, None, None),
    "eval_metric": Text(),
    "seed": Interval(int, None, None),
    "num_parallel_tree": Interval(int, 1, None),
    "max_cat_to_onehot": Interval(int, 1, None),
    "sampling_method": Options("uniform", "gradient_based"),
    "save_model_on_termination": Options("true", "false"),
    "deterministic_histogram": Options("true", "false"),
    "single_precision_histogram": Options("true", "false"),
    "_tuning_objective_metric": Text(),
}

SCHEMA = Schema("SageMaker XGBoost", CONSTRAINTS, required=("num_round",),
                required_hint="num_round is the number of boosting rounds, e.g. num_round=100.")

#: Read by the algorithm itself, never passed to xgboost.
CONTAINER_ONLY = frozenset({
    "num_round", "early_stopping_rounds", "csv_weights", "eval_metric",
    "_tuning_objective_metric", "save_model_on_termination",
})
#: Accepted for old notebooks, but the installed xgboost no longer reads them.
OBSOLETE = frozenset({
    "silent", "predictor", "dsplit", "sketch_eps", "lambda_bias", "deterministic_histogram",
    "single_precision_histogram",
})


@dataclass
class TrainingSettings:
    """Everything ``xgb.train`` needs, derived from the job's hyperparameters."""

    params: dict[str, Any]
    num_round: int
    early_stopping_rounds: int | None = None
    csv_weights: bool = False
    #: Metrics the SageMaker container computes with scikit-learn (xgboost computes the rest).
    container_metrics: list[str] = field(default_factory=list)
    #: The metric 1.3-1 and later watch for early stopping (None: they do not stop early).
    early_stopping_metric: str | None = None

    @property
    def objective(self) -> str:
        return self.params.get("objective", "reg:squarederror")


def parse_hyperparameters(raw: dict[str, str]) -> TrainingSettings:
    """Validate the job's hyperparameters and translate them for ``xgb.train``.

    Raises ClientError naming the first problem found, as the real algorithm does.
    """
    values = SCHEMA.parse({name: _unquote(text) for name, text in raw.items()})
    _check_objective(values)
    asked, tuned = _requested_metrics(values)
    logged_metrics = _logged_metrics(asked, tuned)
    params = _xgboost_params(values)
    native_metrics = [m for m in logged_metrics if m not in metrics.CONTAINER_METRICS]
    if native_metrics:
        params["eval_metric"] = native_metrics
    return TrainingSettings(
        params=params,
        num_round=values["num_round"],
        early_stopping_rounds=values.get("early_stopping_rounds"),
        csv_weights=values.get("csv_weights", 0) == 1,
        container_metrics=[m for m in logged_metrics if m in metrics.CONTAINER_METRICS],
        early_stopping_metric=_early_stopping_metric(asked, tuned),
    )


def _unquote(text: str) -> str:
    """Undo the JSON quoting some SDK paths add (``'"reg:linear"'``), as the container does."""
    try:
        decoded = json.loads(text)
    except (TypeError, ValueError):
        return text
    return decoded if isinstance(decoded, str) else text


def _check_objective(values: dict) -> None:
    objective = values.get("objective")
    if objective in MULTICLASS_OBJECTIVES and "num_class" not in values:
        raise ClientError(f"Require input for parameter 'num_class' for multi-classification: "
                          f"objective {objective} needs num_class, the number of classes")


def _requested_metrics(values: dict) -> tuple[list[str], list[str]]:
    """The metrics of ``eval_metric`` and of the tuning objective, validated."""
    asked = _metric_list(values.get("eval_metric"))
    tuned = _tuning_metric(values)
    for metric in asked + tuned:
        _check_metric(metric, values.get("objective", "reg:squarederror"))
    return asked, tuned


def _logged_metrics(asked: list[str], tuned: list[str]) -> list[str]:
    """The metrics evaluated each round, in the order the log shows them.

    With both present the container sorts their union (``train_utils.get_union_metrics``).
    """
    if asked and tuned:
        return sorted(set(asked) | set(tuned))
    return asked or tuned


def _metric_list(text: str | None) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()] if text else []


def _tuning_metric(values: dict) -> list[str]:
    """The metric a tuning job optimises: ``validation:rmse`` -> ``["rmse"]``."""
    objective_metric = values.get("_tuning_objective_metric")
    if not objective_metric:
        return []
    return _metric_list(objective_metric.partition(":")[2])


def _check_metric(metric: str, objective: str) -> None:
    if not metric_names.is_known_metric(metric):
        close = difflib.get_close_matches(metric, metric_names.MAXIMIZE_METRICS
                                          + metric_names.MINIMIZE_METRICS, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ClientError(f"Hyperparameter eval_metric: {metric} is not a metric the SageMaker "
                          f"XGBoost algorithm computes{hint}")
    if metric == "auc" and not objective.startswith(AUC_OBJECTIVE_PREFIXES):
        raise ClientError("Metric 'auc' can only be applied for classification and ranking "
                          f"problems (objective is {objective})")


def _early_stopping_metric(asked: list[str], tuned: list[str]) -> str | None:
    """What 1.3-1 and later watch: the tuning metric, else the last ``eval_metric``."""
    candidates = tuned or asked
    return candidates[-1] if candidates else None


def _xgboost_params(values: dict) -> dict[str, Any]:
    """The hyperparameters xgboost itself reads, with legacy spellings translated."""
    params = {}
    for name, value in values.items():
        if name in OBSOLETE:
            log.info("Hyperparameter %s=%s is not used by xgboost %s; ignoring it",
                     name, value, xgboost.__version__)
        elif name not in CONTAINER_ONLY and not name.startswith("_"):
            params[name] = value
    _translate_legacy_spellings(values, params)
    return params


def _translate_legacy_spellings(values: dict, params: dict[str, Any]) -> None:
    """Rewrite, in ``params``, settings the installed xgboost spells differently."""
    if values.get("silent") == 1 and "verbosity" not in values:
        params["verbosity"] = 0  # what silent=1 meant before xgboost 1.0
    if params.get("objective") in RENAMED_OBJECTIVES:
        # The real images hand the old name to xgboost, which warns and trains with the new
        # one; renaming here does the same and keeps models sliceable by early stopping.
        new_name = RENAMED_OBJECTIVES[params["objective"]]
        log.warning("%s is now deprecated in favor of %s.", params["objective"], new_name)
        params["objective"] = new_name
    if params.get("tree_method") == "gpu_hist":
        log.warning("tree_method=gpu_hist needs a GPU; localcloud trains with tree_method=hist")
        params["tree_method"] = "hist"
