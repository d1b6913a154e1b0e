"""Hyperparameters of the SageMaker XGBoost algorithm: validation and translation for xgboost.

SageMaker hands every hyperparameter over as a string. The names and ranges follow the
algorithm's documentation
(https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost_hyperparameters.html) and its
validation code (sagemaker-xgboost-container ``algorithm_mode/hyperparameter_validation.py``):
``num_round`` is required, unknown names are rejected, values out of range fail the job with a
``ClientError`` naming the hyperparameter.

Legacy spellings that the real images still accept keep working: ``reg:linear`` (xgboost warns
that it is deprecated in favour of ``reg:squarederror``), ``silent``, ``tree_method=gpu_hist``
and parameters that newer xgboost releases no longer use.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xgboost

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


@dataclass(frozen=True)
class Spec:
    """How to read one hyperparameter and which values it accepts."""

    parse: Callable[[str], Any]
    accepts: Callable[[Any], bool] = lambda value: True
    expected: str = ""
    kind: str = "a string"


def _interval(low=None, high=None, *, low_open=False, high_open=False):
    def accepts(value) -> bool:
        above = low is None or (value > low if low_open else value >= low)
        below = high is None or (value < high if high_open else value <= high)
        return above and below
    left = "(-inf" if low is None else ("(" if low_open else "[") + f"{low}"
    right = "+inf)" if high is None else f"{high}" + (")" if high_open else "]")
    return accepts, f"{left}, {right}"


def _integer(low=None, high=None) -> Spec:
    accepts, expected = _interval(low, high)
    return Spec(parse=int, accepts=accepts, expected=expected, kind="an integer")


def _real(low=None, high=None, **openness) -> Spec:
    accepts, expected = _interval(low, high, **openness)
    return Spec(parse=float, accepts=accepts, expected=expected, kind="a number")


def _choice(*values: str) -> Spec:
    return Spec(parse=str, accepts=lambda value: value in values, expected=", ".join(values))


def _text() -> Spec:
    return Spec(parse=str)


_FRACTION = {"low": 0, "high": 1, "low_open": True}  # (0, 1]: sampling ratios

SPECS: dict[str, Spec] = {
    "num_round": _integer(1),
    "early_stopping_rounds": _integer(1),
    "csv_weights": _integer(0, 1),
    "booster": _choice("gbtree", "gblinear", "dart"),
    "silent": _integer(0, 1),
    "verbosity": _integer(0, 3),
    "nthread": _integer(1),
    "eta": _real(0, 1),
    "gamma": _real(0),
    "max_depth": _integer(0),
    "min_child_weight": _real(0),
    "max_delta_step": _real(0),
    "subsample": _real(**_FRACTION),
    "colsample_bytree": _real(**_FRACTION),
    "colsample_bylevel": _real(**_FRACTION),
    "colsample_bynode": _real(**_FRACTION),
    "lambda": _real(0),
    "alpha": _real(0),
    "tree_method": _choice("auto", "exact", "approx", "hist", "gpu_hist"),
    "sketch_eps": _real(0, 1, low_open=True, high_open=True),
    "scale_pos_weight": _real(0, low_open=True),
    "updater": _text(),
    "dsplit": _choice("row", "col"),
    "refresh_leaf": _integer(0, 1),
    "process_type": _choice("default", "update"),
    "grow_policy": _choice("depthwise", "lossguide"),
    "max_leaves": _integer(0),
    "max_bin": _integer(0),
    "predictor": _choice("auto", "cpu_predictor", "gpu_predictor"),
    "monotone_constraints": _text(),
    "interaction_constraints": _text(),
    "sample_type": _choice("uniform", "weighted"),
    "normalize_type": _choice("tree", "forest"),
    "rate_drop": _real(0, 1),
    "one_drop": _integer(0, 1),
    "skip_drop": _real(0, 1),
    "lambda_bias": _real(0, 1),
    "tweedie_variance_power": _real(1, 2, low_open=True, high_open=True),
    "objective": _choice(*OBJECTIVES),
    "num_class": _integer(2),
    "base_score": _real(),
    "eval_metric": _text(),
    "seed": _integer(),
    "num_parallel_tree": _integer(1),
    "max_cat_to_onehot": _integer(1),
    "sampling_method": _choice("uniform", "gradient_based"),
    "save_model_on_termination": _choice("true", "false"),
    "deterministic_histogram": _choice("true", "false"),
    "single_precision_histogram": _choice("true", "false"),
    "_tuning_objective_metric": _text(),
}

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
    values = {name: _parse_one(name, _unquote(text)) for name, text in raw.items()}
    if "num_round" not in values:
        raise ClientError("Missing required hyperparameter: num_round (the number of boosting "
                          "rounds, e.g. num_round=100)")
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


def _parse_one(name: str, text: str):
    spec = SPECS.get(name)
    if spec is None:
        raise ClientError(_unknown_hyperparameter_message(name))
    try:
        value = spec.parse(text)
    except ValueError:
        message = f"Hyperparameter {name}: could not parse {text!r} as {spec.kind}"
        raise ClientError(message) from None
    if not spec.accepts(value):
        raise ClientError(f"Hyperparameter {name}: {text} is not in {spec.expected}")
    return value


def _unknown_hyperparameter_message(name: str) -> str:
    message = f"Extraneous hyperparameter found: {name} (not a SageMaker XGBoost hyperparameter)"
    close = difflib.get_close_matches(name, SPECS, n=1)
    return f"{message}; did you mean {close[0]}?" if close else message


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
        elif name not in CONTAINER_ONLY:
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
