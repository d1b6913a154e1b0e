"""k-means' hyperparameters, as the AWS documentation lists them.

https://docs.aws.amazon.com/sagemaker/latest/dg/k-means-api-config.html: ``feature_dim`` and
``k`` are required; ``mini_batch_size`` 5000, ``epochs`` 1, ``init_method`` random (or
kmeans++), ``extra_center_factor`` auto, ``half_life_time_size`` 0, ``local_lloyd_init_method``
kmeans++, ``local_lloyd_max_iter`` 300, ``local_lloyd_num_trials`` auto, ``local_lloyd_tol``
0.0001, ``eval_metrics`` ``["msd"]``. The SDK's ``KMeans`` also sends ``force_dense=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

from localcloud.algorithms.hyperparameters import (
    AUTO,
    Boolean,
    Interval,
    OptionList,
    Options,
    Schema,
    auto_or,
)

from .metric_names import EVAL_METRICS

RANDOM, KMEANS_PLUS_PLUS = "random", "kmeans++"
_POSITIVE_INT = Interval(int, 1, None)
#: What "auto" means for the number of extra centers per cluster and for the Lloyd trials.
AUTO_EXTRA_CENTER_FACTOR = 10
AUTO_LLOYD_TRIALS = 10

SCHEMA = Schema(
    "k-means",
    {
        "feature_dim": _POSITIVE_INT,
        "k": _POSITIVE_INT,
        "mini_batch_size": _POSITIVE_INT,
        "epochs": _POSITIVE_INT,
        "init_method": Options(RANDOM, KMEANS_PLUS_PLUS),
        "extra_center_factor": auto_or(_POSITIVE_INT),
        "half_life_time_size": Interval(int, 0, None),
        "local_lloyd_init_method": Options(RANDOM, KMEANS_PLUS_PLUS),
        "local_lloyd_max_iter": _POSITIVE_INT,
        "local_lloyd_num_trials": auto_or(_POSITIVE_INT),
        "local_lloyd_tol": Interval(float, 0, 1),
        "eval_metrics": OptionList(Options(*EVAL_METRICS)),
        "force_dense": Boolean(),
    },
    required=("feature_dim", "k"),
    defaults={"mini_batch_size": "5000", "epochs": "1", "init_method": RANDOM,
              "extra_center_factor": AUTO, "half_life_time_size": "0",
              "local_lloyd_init_method": KMEANS_PLUS_PLUS, "local_lloyd_max_iter": "300",
              "local_lloyd_num_trials": AUTO, "local_lloyd_tol": "0.0001",
              "eval_metrics": '["msd"]', "force_dense": "true"},
    required_hint="k-means needs feature_dim (features per example) and k (how many clusters).",
)


@dataclass(frozen=True)
class Hyperparameters:
    feature_dim: int
    k: int
    mini_batch_size: int
    epochs: int
    init_method: str
    extra_center_factor: int
    half_life_time_size: int
    local_lloyd_init_method: str
    local_lloyd_max_iter: int
    local_lloyd_num_trials: int
    local_lloyd_tol: float
    eval_metrics: tuple[str, ...]


def parse_hyperparameters(provided: dict[str, str]) -> Hyperparameters:
    """Check the job's hyperparameters and resolve the ``auto`` values."""
    values = SCHEMA.parse(provided)
    factor = values["extra_center_factor"]
    trials = values["local_lloyd_num_trials"]
    return Hyperparameters(
        feature_dim=values["feature_dim"], k=values["k"],
        mini_batch_size=values["mini_batch_size"], epochs=values["epochs"],
        init_method=values["init_method"],
        extra_center_factor=AUTO_EXTRA_CENTER_FACTOR if factor == AUTO else factor,
        half_life_time_size=values["half_life_time_size"],
        local_lloyd_init_method=values["local_lloyd_init_method"],
        local_lloyd_max_iter=values["local_lloyd_max_iter"],
        local_lloyd_num_trials=AUTO_LLOYD_TRIALS if trials == AUTO else trials,
        local_lloyd_tol=values["local_lloyd_tol"],
        eval_metrics=tuple(dict.fromkeys(values["eval_metrics"])))
