"""How a hyperparameter tuning job chooses what to try: the search space and its strategies.

SageMaker's tuning strategies
(https://docs.aws.amazon.com/sagemaker/latest/dg/automatic-model-tuning-how-it-works.html):

- **Grid** tries every combination of the categorical values, in order; it accepts categorical
  ranges only, and its number of training jobs is the number of combinations.
- **Random** draws each training job's values independently within the ranges.
- **Bayesian** learns from finished jobs which values look promising. Here it is optuna's
  Tree-structured Parzen Estimator, driven through optuna's ask/tell interface.

Integer and continuous ranges are searched on the scale their ``ScalingType`` names: ``Linear``,
``Logarithmic`` (values > 0 only), ``ReverseLogarithmic`` (continuous values in [0, 1) only,
dense near 1) or ``Auto``, which localcloud treats as linear.

The module also holds the median rule behind ``TrainingJobEarlyStoppingType: Auto``.
All values handed to a training job are strings, as SageMaker passes hyperparameters.
"""

from __future__ import annotations

import itertools
import math
import statistics
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import TrialState

from ..aws.errors import validation

# optuna reports every trial on its own stderr handler; localcloud logs its training jobs itself.
optuna.logging.set_verbosity(optuna.logging.WARNING)

AUTO = "Auto"
LINEAR = "Linear"
LOGARITHMIC = "Logarithmic"
REVERSE_LOGARITHMIC = "ReverseLogarithmic"

GRID = "Grid"
RANDOM = "Random"
BAYESIAN = "Bayesian"
STRATEGIES = (BAYESIAN, RANDOM, GRID)

#: Bayesian search explores at random for this many jobs (at most) before it models results.
MAX_STARTUP_TRIALS = 10
#: The median rule judges a job only against at least this many finished jobs.
MIN_JOBS_FOR_MEDIAN = 3


# -- the search space -------------------------------------------------------------------------

@dataclass(frozen=True)
class NumericRange:
    """An ``IntegerParameterRange`` or ``ContinuousParameterRange``."""

    name: str
    low: float
    high: float
    scaling: str
    integer: bool

    def distribution(self) -> BaseDistribution:
        """The optuna distribution to sample, in the space the scaling type names."""
        log = self.scaling == LOGARITHMIC
        if self.integer:
            return IntDistribution(int(self.low), int(self.high), log=log)
        if self.scaling == REVERSE_LOGARITHMIC:
            # Sampling the distance to 1 log-uniformly crowds the values towards 1.
            return FloatDistribution(1 - self.high, 1 - self.low, log=True)
        return FloatDistribution(self.low, self.high, log=log)

    def hyperparameter(self, sampled: Any) -> str:
        """The value a training job receives for a sampled point."""
        if self.integer:
            return str(int(sampled))
        value = 1 - sampled if self.scaling == REVERSE_LOGARITHMIC else sampled
        return str(min(max(float(value), self.low), self.high))  # undo float round-off


@dataclass(frozen=True)
class CategoricalRange:
    """A ``CategoricalParameterRange``: one of a list of strings."""

    name: str
    values: tuple[str, ...]

    def distribution(self) -> BaseDistribution:
        return CategoricalDistribution(self.values)

    def hyperparameter(self, sampled: Any) -> str:
        return str(sampled)


ParameterRange = NumericRange | CategoricalRange


@dataclass(frozen=True)
class SearchSpace:
    """Every tunable hyperparameter of a tuning job, in the order the request lists them."""

    ranges: tuple[ParameterRange, ...]

    @classmethod
    def from_request(cls, parameter_ranges: dict) -> SearchSpace:
        """Parse and check a ``ParameterRanges`` structure (ValidationException if invalid)."""
        ranges: list[ParameterRange] = [
            *(_numeric_range(spec, integer=True)
              for spec in parameter_ranges.get("IntegerParameterRanges") or []),
            *(_numeric_range(spec, integer=False)
              for spec in parameter_ranges.get("ContinuousParameterRanges") or []),
            *(CategoricalRange(spec["Name"], tuple(spec["Values"]))
              for spec in parameter_ranges.get("CategoricalParameterRanges") or []),
        ]
        if not ranges:
            raise validation("ParameterRanges must contain at least one integer, continuous or "
                             "categorical hyperparameter range to tune.")
        names = [item.name for item in ranges]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise validation(f"The hyperparameters {repeated} appear in more than one parameter "
                             "range; each tunable hyperparameter may have one range only.")
        return cls(tuple(ranges))

    @property
    def names(self) -> list[str]:
        return [item.name for item in self.ranges]

    def is_categorical(self) -> bool:
        return all(isinstance(item, CategoricalRange) for item in self.ranges)

    def grid_size(self) -> int:
        """How many distinct combinations the categorical ranges allow."""
        return math.prod(len(item.values) for item in self.ranges
                         if isinstance(item, CategoricalRange))

    def grid(self) -> Iterator[dict[str, str]]:
        """Every combination of the categorical values, the last range varying fastest."""
        categorical = [item for item in self.ranges if isinstance(item, CategoricalRange)]
        for values in itertools.product(*(item.values for item in categorical)):
            yield {item.name: value for item, value in zip(categorical, values, strict=True)}

    def distributions(self) -> dict[str, BaseDistribution]:
        return {item.name: item.distribution() for item in self.ranges}

    def hyperparameters(self, sampled: dict[str, Any]) -> dict[str, str]:
        """Translate a sampled point (optuna's ``trial.params``) to training-job strings."""
        return {item.name: item.hyperparameter(sampled[item.name]) for item in self.ranges}


def _numeric_range(spec: dict, integer: bool) -> NumericRange:
    name = spec["Name"]
    kind = "integer" if integer else "continuous"
    low = _bound(spec, "MinValue", integer)
    high = _bound(spec, "MaxValue", integer)
    scaling = spec.get("ScalingType") or AUTO
    if low > high:
        raise validation(f"The MinValue ({spec['MinValue']}) of the {kind} hyperparameter {name} "
                         f"must be less than or equal to its MaxValue ({spec['MaxValue']}).")
    if scaling == LOGARITHMIC and low <= 0:
        raise validation(f"The {kind} hyperparameter {name} uses Logarithmic scaling, which works "
                         f"only for ranges whose values are greater than 0; its MinValue is "
                         f"{spec['MinValue']}.")
    if scaling == REVERSE_LOGARITHMIC:
        if integer:
            raise validation(f"The integer hyperparameter {name} uses ReverseLogarithmic scaling, "
                             "which is supported only for continuous hyperparameter ranges.")
        if low < 0 or high >= 1:
            raise validation(f"The continuous hyperparameter {name} uses ReverseLogarithmic "
                             "scaling, which works only for ranges entirely within 0 <= x < 1.0; "
                             f"its range is [{spec['MinValue']}, {spec['MaxValue']}].")
    return NumericRange(name, low, high, LINEAR if scaling == AUTO else scaling, integer)


def _bound(spec: dict, key: str, integer: bool) -> float:
    """``MinValue``/``MaxValue`` as a number (they travel as strings)."""
    text = spec[key]
    kind = "an integer" if integer else "a number"
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (integer and not value.is_integer()):
        raise validation(f"The {key} '{text}' of hyperparameter {spec['Name']} is not {kind}.")
    return value


def training_job_budget(strategy: str, space: SearchSpace, max_jobs: int | None) -> int:
    """How many training jobs a tuning job may launch, checking the strategy's rules."""
    if strategy not in STRATEGIES:
        raise validation(f"localcloud implements the {', '.join(STRATEGIES)} tuning strategies; "
                         f"{strategy} is not one of them.")
    if strategy != GRID:
        if max_jobs is None:
            raise validation(f"ResourceLimits.MaxNumberOfTrainingJobs is required for the "
                             f"{strategy} strategy.")
        return max_jobs
    if not space.is_categorical():
        numeric = [item.name for item in space.ranges if isinstance(item, NumericRange)]
        raise validation("Only categorical parameters are supported when using the grid search "
                         f"strategy; {numeric} are integer or continuous ranges.")
    combinations = space.grid_size()
    if max_jobs is not None and max_jobs != combinations:
        raise validation(f"With the Grid strategy, MaxNumberOfTrainingJobs ({max_jobs}) must equal "
                         f"the total number of distinct categorical combinations ({combinations}).")
    return combinations


# -- strategies -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """One set of tuned hyperparameters a strategy proposes for a training job."""

    number: int
    hyperparameters: dict[str, str]


class SearchStrategy(ABC):
    """Proposes candidates and learns from their objective values."""

    @abstractmethod
    def suggest(self) -> Candidate | None:
        """The next candidate, or None when the strategy has nothing left to try."""

    @abstractmethod
    def report(self, candidate: Candidate, value: float | None) -> None:
        """The candidate's final objective value (None: its training job failed)."""


class GridSearch(SearchStrategy):
    """Every categorical combination once, in order; results do not change the plan."""

    def __init__(self, space: SearchSpace):
        self._combinations = enumerate(space.grid())

    def suggest(self) -> Candidate | None:
        number, hyperparameters = next(self._combinations, (None, None))
        return None if number is None else Candidate(number, hyperparameters)

    def report(self, candidate: Candidate, value: float | None) -> None:
        """Grid search does not adapt to results."""


class OptunaSearch(SearchStrategy):
    """Random or Bayesian search: an optuna study asked for candidates and told results."""

    def __init__(self, space: SearchSpace, sampler: optuna.samplers.BaseSampler, minimize: bool):
        self.space = space
        self.study = optuna.create_study(direction="minimize" if minimize else "maximize",
                                         sampler=sampler)
        self._distributions = space.distributions()
        self._pending: dict[int, optuna.Trial] = {}

    def suggest(self) -> Candidate:
        trial = self.study.ask(self._distributions)
        self._pending[trial.number] = trial
        return Candidate(trial.number, self.space.hyperparameters(trial.params))

    def report(self, candidate: Candidate, value: float | None) -> None:
        trial = self._pending.pop(candidate.number)
        if value is None or not math.isfinite(value):
            self.study.tell(trial, state=TrialState.FAIL)
        else:
            self.study.tell(trial, value)


def bayesian_sampler(seed: int | None, max_jobs: int) -> optuna.samplers.TPESampler:
    """TPE that explores at random for the first jobs, then models the results.

    ``constant_liar`` keeps jobs that run in parallel from being given the same candidate.
    """
    startup = max(1, min(MAX_STARTUP_TRIALS, max_jobs // 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup,
                                          constant_liar=True)


def create_strategy(strategy: str, space: SearchSpace, minimize: bool, seed: int | None,
                    max_jobs: int) -> SearchStrategy:
    """The strategy a tuning job's ``Strategy`` names (``RandomSeed`` makes it repeatable)."""
    if strategy == GRID:
        return GridSearch(space)
    if strategy == RANDOM:
        return OptunaSearch(space, optuna.samplers.RandomSampler(seed=seed), minimize)
    return OptunaSearch(space, bayesian_sampler(seed, max_jobs), minimize)


# -- early stopping ---------------------------------------------------------------------------

def running_averages(history: Sequence[float]) -> list[float]:
    """The mean of the first 1, 2, 3, ... values: a job's running average after each epoch."""
    return [total / count for count, total in enumerate(itertools.accumulate(history), start=1)]


def stops_early(current: Sequence[float], finished: Sequence[Sequence[float]], minimize: bool,
                from_epoch: int = 0, min_jobs: int = MIN_JOBS_FOR_MEDIAN) -> bool:
    """SageMaker's median rule for ``TrainingJobEarlyStoppingType: Auto``.

    ``current`` holds a running job's objective after each epoch so far; ``finished`` the
    per-epoch objectives of earlier jobs. After each epoch, take every earlier job's running
    average up to that epoch and the median of those averages: a job whose value is worse than
    that median is stopped
    (https://docs.aws.amazon.com/sagemaker/latest/dg/automatic-model-tuning-early-stopping.html).
    Every epoch from ``from_epoch`` on is judged, so a job is judged at each epoch even when
    several went by between two looks at it.
    """
    averages = [running_averages(history) for history in finished]
    for epoch in range(from_epoch, len(current)):
        at_epoch = [job[epoch] for job in averages if len(job) > epoch]
        if len(at_epoch) < min_jobs:
            return False  # later epochs have no more earlier jobs to compare with
        median = statistics.median(at_epoch)
        if current[epoch] > median if minimize else current[epoch] < median:
            return True
    return False
