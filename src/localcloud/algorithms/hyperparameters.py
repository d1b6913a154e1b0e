"""One vocabulary for the hyperparameters of every built-in algorithm.

SageMaker hands hyperparameters to a container as strings. Each algorithm declares, once, what
each name accepts with the constraints below (in the spirit of scikit-learn's
``utils/_param_validation.py``), and :class:`Schema` parses a job's strings against them: missing
required names, unknown names (with a "did you mean"), unreadable and out-of-range values all fail
the job with one kind of ``ClientError`` that names the hyperparameter and says what is valid::

    SCHEMA = Schema("PCA", {
        "num_components": Interval(int, 1, None),
        "algorithm_mode": Options("regular", "randomized"),
        "subtract_mean": Boolean(),
        "extra_components": Interval(int, -1, None),
    }, required=("num_components",), defaults={"algorithm_mode": "regular"})
    values = SCHEMA.parse(paths.read_hyperparameters())   # {"num_components": 3, ...}

Names starting with ``_`` (``_tuning_objective_metric``, ``_kfold``, ...) are SageMaker's own;
they are passed through unchecked unless the schema declares them.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from localcloud.containers.errors import ClientError

AUTO = "auto"


class Constraint:
    """What one hyperparameter accepts: how to read its string and which values are valid."""

    def parse(self, text: str) -> Any:
        """The value of ``text``; ValueError when it is not one this constraint accepts."""
        raise NotImplementedError

    def describe(self) -> str:
        """The valid values in words, completing "expected ..." (e.g. "a positive integer")."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe()


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


@dataclass(frozen=True)
class Interval(Constraint):
    """A number of ``type`` (int or float) between ``left`` and ``right`` (None: unbounded).

    ``closed`` says which bounds belong to the interval: "both", "left", "right" or "neither".
    ``description`` replaces the generated words when the documentation says it better.
    """

    type: type
    left: float | None
    right: float | None
    closed: str = "both"
    description: str | None = None

    def parse(self, text: str) -> Any:
        value = _number(text)
        if self.type is int:
            if value != int(value):
                raise ValueError("not an integer")
            value = int(value)
        if not self._contains(value):
            raise ValueError("out of range")
        return value

    def _contains(self, value: float) -> bool:
        left_closed = self.closed in ("both", "left")
        right_closed = self.closed in ("both", "right")
        above = self.left is None or (value >= self.left if left_closed else value > self.left)
        below = self.right is None or (value <= self.right if right_closed else value < self.right)
        return above and below

    def describe(self) -> str:
        if self.description:
            return self.description
        noun = "integer" if self.type is int else "number"
        if self.right is None and self.left is not None:
            positive = (self.left == 0 and self.closed in ("neither", "right")) or (
                self.type is int and self.left == 1 and self.closed in ("both", "left"))
            if positive:
                return f"a positive {noun}"
            if self.left == 0:
                return f"a non-negative {noun}"
        if self.left is None and self.right is None:
            return f"a{'n' if noun == 'integer' else ''} {noun}"
        left = "(-inf" if self.left is None else (
            "[" if self.closed in ("both", "left") else "(") + f"{self.left:g}"
        right = "+inf)" if self.right is None else f"{self.right:g}" + (
            "]" if self.closed in ("both", "right") else ")")
        return f"a{'n' if noun == 'integer' else ''} {noun} in {left}, {right}"


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of words (compared after stripping spaces)."""

    values: tuple[str, ...]

    def __init__(self, *values: str):
        object.__setattr__(self, "values", values)

    def parse(self, text: str) -> str:
        value = text.strip()
        if value not in self.values:
            raise ValueError("not an option")
        return value

    def describe(self) -> str:
        return "one of " + ", ".join(self.values)


@dataclass(frozen=True)
class Boolean(Constraint):
    """``true`` or ``false`` in any case (the SDK sends Python's ``True``/``False``)."""

    def parse(self, text: str) -> bool:
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError("not true or false")
        return lowered == "true"

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Text(Constraint):
    """Any string (checked elsewhere, e.g. a metric list against the metrics computed)."""

    def parse(self, text: str) -> str:
        return text

    def describe(self) -> str:
        return "a string"


@dataclass(frozen=True)
class OptionList(Constraint):
    """A JSON list of options, e.g. k-means' ``eval_metrics='["msd", "ssd"]'``.

    A bare word (``msd``) or a comma-separated list is read too, as the SDK and learners write
    both.
    """

    options: Options

    def parse(self, text: str) -> list[str]:
        try:
            decoded = json.loads(text.replace("'", '"'))
        except ValueError:
            decoded = [part for part in text.split(",") if part.strip()]
        items = decoded if isinstance(decoded, list) else [decoded]
        if not items:
            raise ValueError("empty list")
        return [self.options.parse(str(item)) for item in items]

    def describe(self) -> str:
        return f'a list of {", ".join(self.options.values)} (e.g. ["{self.options.values[0]}"])'


@dataclass(frozen=True)
class AnyOf(Constraint):
    """The first constraint that reads the value: ``AnyOf(Options("auto"), Interval(...))``."""

    constraints: tuple[Constraint, ...]

    def __init__(self, *constraints: Constraint):
        object.__setattr__(self, "constraints", constraints)

    def parse(self, text: str) -> Any:
        for constraint in self.constraints:
            try:
                return constraint.parse(text)
            except ValueError:
                continue
        raise ValueError("no alternative accepts it")

    def describe(self) -> str:
        words = [_bare(constraint) for constraint in self.constraints]
        return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]


def _bare(constraint: Constraint) -> str:
    """An option list reads better without "one of" inside an alternative."""
    if isinstance(constraint, Options):
        return ", ".join(constraint.values)
    return constraint.describe()


def auto_or(constraint: Constraint) -> AnyOf:
    """``auto`` (left for the algorithm to resolve) or a value of ``constraint``."""
    return AnyOf(Options(AUTO), constraint)


class HyperparameterError(ClientError):
    """A job's hyperparameters are missing, unknown or invalid."""


@dataclass(frozen=True)
class Schema:
    """The hyperparameters of one algorithm: constraints, required names and defaults.

    ``required_hint`` completes the message about missing names (what they mean).
    """

    algorithm: str
    constraints: Mapping[str, Constraint]
    required: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)
    required_hint: str = ""

    def parse(self, provided: Mapping[str, Any]) -> dict[str, Any]:
        """The parsed values of the defaults overridden by ``provided``, checked."""
        self.check_names(provided)
        merged = {**self.defaults, **{name: str(value) for name, value in provided.items()}}
        return {name: self.parse_value(name, text) for name, text in merged.items()}

    def check_names(self, provided: Mapping[str, Any]) -> None:
        missing = [name for name in self.required if name not in provided]
        if missing:
            hint = f" {self.required_hint}" if self.required_hint else ""
            raise HyperparameterError(f"Missing required hyperparameter(s): "
                                      f"{', '.join(missing)}.{hint}")
        unknown = sorted(name for name in provided
                         if name not in self.constraints and not name.startswith("_"))
        if unknown:
            raise HyperparameterError(self._unknown_message(unknown))

    def _unknown_message(self, unknown: list[str]) -> str:
        message = f"Unknown hyperparameter(s) for {self.algorithm}: {', '.join(unknown)}"
        close = difflib.get_close_matches(unknown[0], list(self.constraints), n=1)
        return f"{message}; did you mean {close[0]}?" if close else message

    def parse_value(self, name: str, text: str) -> Any:
        """One value, or the job's hyperparameter error naming it."""
        constraint = self.constraints.get(name)
        if constraint is None:  # SageMaker's own "_" names
            return text
        try:
            return constraint.parse(text)
        except ValueError:
            raise HyperparameterError(f"Invalid value {text!r} for hyperparameter {name}: "
                                      f"expected {constraint}") from None
