"""DeepAR's hyperparameters: defaults, parsing of SageMaker's string values, validation.

Names, defaults and valid values follow the AWS documentation
(https://docs.aws.amazon.com/sagemaker/latest/dg/deepar_hyperparameters.html) and the defaults the
real container prints at start-up ("Reading default configuration from .../default-input.json").
``time_freq``, ``context_length``, ``prediction_length`` and ``epochs`` are required.

Values documented as ``auto`` are resolved from the training data (see :mod:`.training`):
``cardinality`` auto -> the number of distinct values of each ``cat`` field (or no categories when
the series have none), ``num_dynamic_feat`` auto -> the number of ``dynamic_feat`` rows of the
series; ``ignore`` drops those fields.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass

from localcloud.algorithms.hyperparameters import (
    AUTO,
    AnyOf,
    Constraint,
    Interval,
    Options,
    Schema,
)

log = logging.getLogger(__name__)

IGNORE = "ignore"
#: SageMaker's likelihood names (lower-cased) -> how GluonTS calls the distribution.
LIKELIHOODS = ("gaussian", "beta", "negative-binomial", "student-t", "deterministic-l1")
DEFAULT_TEST_QUANTILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

#: The defaults the real container starts from (all strings, as SageMaker hands them over).
DEFAULTS = {
    "cardinality": AUTO, "dropout_rate": "0.10", "embedding_dimension": "10",
    "learning_rate": "0.001", "likelihood": "student-t", "mini_batch_size": "128",
    "num_cells": "40", "num_dynamic_feat": AUTO, "num_eval_samples": "100", "num_layers": "2",
    "test_quantiles": json.dumps(list(DEFAULT_TEST_QUANTILES)),
}
REQUIRED = ("time_freq", "context_length", "prediction_length", "epochs")

#: ``time_freq``: an optional multiple and a unit, e.g. ``D``, ``5min``, ``2H``, ``W``, ``M``.
TIME_FREQ = re.compile(r"^\s*(\d*)\s*(min|M|W|D|H)\s*$")


@dataclass(frozen=True)
class TimeFrequency(Constraint):
    """``time_freq``: an integer (optional) followed by M, W, D, H or min."""

    def parse(self, text: str) -> str:
        match = TIME_FREQ.match(text)
        if not match or match.group(1) == "0":
            raise ValueError("not a frequency")
        return f"{match.group(1)}{match.group(2)}"

    def describe(self) -> str:
        return "an optional integer followed by M, W, D, H or min (e.g. D, 5min, 2H)"


@dataclass(frozen=True)
class Likelihood(Constraint):
    """One of the documented likelihoods, in any case (the docs write ``student-T``)."""

    def parse(self, text: str) -> str:
        value = text.strip().lower()
        if value not in LIKELIHOODS:
            raise ValueError("not a likelihood")
        return value

    def describe(self) -> str:
        return "one of gaussian, beta, negative-binomial, student-T, deterministic-L1"


@dataclass(frozen=True)
class NumberList(Constraint):
    """A JSON list of numbers, each checked by ``item`` (e.g. ``[0.1, 0.5, 0.9]``)."""

    item: Interval
    what: str

    def parse(self, text: str) -> list:
        try:
            values = json.loads(text)
        except ValueError:
            raise ValueError("not JSON") from None
        if not isinstance(values, list) or not values:
            raise ValueError("not a non-empty list")
        return [self.item.parse(str(value)) for value in values]

    def describe(self) -> str:
        return f"a JSON list of {self.what}"


_POSITIVE_INT = Interval(int, 1, None)

CONSTRAINTS = {
    "time_freq": TimeFrequency(),
    "context_length": _POSITIVE_INT,
    "prediction_length": _POSITIVE_INT,
    "epochs": _POSITIVE_INT,
    "cardinality": AnyOf(Options(AUTO, IGNORE),
                         NumberList(_POSITIVE_INT, "positive integers, one per cat field")),
    "dropout_rate": Interval(float, 0, 1, closed="left"),
    "early_stopping_patience": _POSITIVE_INT,
    "embedding_dimension": _POSITIVE_INT,
    "learning_rate": Interval(float, 1e-6, 1),
    "likelihood": Likelihood(),
    "mini_batch_size": _POSITIVE_INT,
    "num_cells": _POSITIVE_INT,
    "num_dynamic_feat": AnyOf(Options(AUTO, IGNORE), Interval(int, 0, None)),
    "num_eval_samples": _POSITIVE_INT,
    "num_layers": _POSITIVE_INT,
    "test_quantiles": NumberList(Interval(float, 0, 1, closed="neither"),
                                 "numbers between 0 and 1 (exclusive)"),
}

SCHEMA = Schema(
    "DeepAR", CONSTRAINTS, required=REQUIRED, defaults=DEFAULTS,
    required_hint="DeepAR needs time_freq (e.g. D or 5min), context_length and "
                  "prediction_length (numbers of time steps) and epochs.")


@dataclass(frozen=True)
class Hyperparameters:
    """A job's DeepAR hyperparameters, parsed (``cardinality``/``num_dynamic_feat`` may be
    ``auto`` or ``ignore`` until the data resolves them)."""

    time_freq: str
    context_length: int
    prediction_length: int
    epochs: int
    cardinality: str | list[int]
    dropout_rate: float
    embedding_dimension: int
    learning_rate: float
    likelihood: str
    mini_batch_size: int
    num_cells: int
    num_dynamic_feat: str | int
    num_eval_samples: int
    num_layers: int
    test_quantiles: list[float]
    early_stopping_patience: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def parse_hyperparameters(provided: dict[str, str]) -> Hyperparameters:
    """Merge the job's hyperparameters over the defaults and check them."""
    log.info("Reading default configuration: %s", json.dumps(DEFAULTS, sort_keys=True))
    log.info("Merging with provided configuration from hyperparameters.json: %s",
             json.dumps(provided, sort_keys=True))
    public = {name: value for name, value in provided.items()
              if not name.startswith("_") and str(value).strip() != ""}
    SCHEMA.check_names(provided)
    params = Hyperparameters(**SCHEMA.parse(public))
    log.info("Final configuration: %s", json.dumps(params.as_dict(), sort_keys=True))
    return params
