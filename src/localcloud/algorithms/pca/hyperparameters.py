"""PCA's hyperparameters, as the AWS documentation lists them.

https://docs.aws.amazon.com/sagemaker/latest/dg/PCA-reference.html: ``feature_dim``,
``mini_batch_size`` and ``num_components`` are required; ``algorithm_mode`` is ``regular``
(default) or ``randomized``; ``subtract_mean`` (default true) centres the data;
``extra_components`` (randomized mode only; -1, the default, means ``max(10, num_components)``)
adds components to the randomized sketch for accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

from localcloud.algorithms.hyperparameters import (
    AnyOf,
    Boolean,
    HyperparameterError,
    Interval,
    Options,
    Schema,
)

REGULAR, RANDOMIZED = "regular", "randomized"
_POSITIVE_INT = Interval(int, 1, None)

SCHEMA = Schema(
    "PCA",
    {
        "feature_dim": _POSITIVE_INT,
        "mini_batch_size": _POSITIVE_INT,
        "num_components": _POSITIVE_INT,
        "algorithm_mode": Options(REGULAR, RANDOMIZED),
        "subtract_mean": Boolean(),
        "extra_components": AnyOf(Options("-1"), Interval(int, 0, None)),
    },
    required=("feature_dim", "mini_batch_size", "num_components"),
    defaults={"algorithm_mode": REGULAR, "subtract_mean": "true", "extra_components": "-1"},
    required_hint="PCA needs feature_dim (features per example), mini_batch_size and "
                  "num_components (how many principal components to compute).",
)


@dataclass(frozen=True)
class Hyperparameters:
    feature_dim: int
    mini_batch_size: int
    num_components: int
    algorithm_mode: str
    subtract_mean: bool
    extra_components: int  #: resolved: -1 becomes max(10, num_components)


def parse_hyperparameters(provided: dict[str, str]) -> Hyperparameters:
    """Check the job's hyperparameters and resolve ``extra_components``."""
    values = SCHEMA.parse(provided)
    if values["num_components"] > values["feature_dim"]:
        raise HyperparameterError(
            f"Invalid value {values['num_components']!r} for hyperparameter num_components: "
            f"expected at most feature_dim={values['feature_dim']} (there are no more "
            f"principal components than features)")
    extra = int(values["extra_components"])
    if extra == -1:
        extra = max(10, values["num_components"])
    return Hyperparameters(values["feature_dim"], values["mini_batch_size"],
                           values["num_components"], values["algorithm_mode"],
                           values["subtract_mean"], extra)
