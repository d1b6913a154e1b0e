"""A CreateHyperParameterTuningJob request, checked and turned into what the tuner runs.

:func:`parse_request` checks what botocore's model cannot (the strategy's rules, the ranges,
the objective metric) with ValidationException messages in AWS's wording, and returns
:class:`TuningSettings`. :func:`described_config` and :func:`described_definition` give the
request back completed the way DescribeHyperParameterTuningJob shows it (the SDK's
``HyperparameterTuner.attach`` relies on those completions), and :func:`child_request` is the
CreateTrainingJob request for one training job of the tuning job.
"""

from __future__ import annotations

import copy
import difflib
import os
from dataclasses import dataclass

from ..aws.errors import validation
from ..containers.registry import metric_definitions
from .images import UnknownImage, resolve_image
from .tuning_search import GRID, SearchSpace, training_job_budget

#: The hyperparameter through which SageMaker tells a training job what its tuning job optimises.
TUNING_OBJECTIVE_KEY = "_tuning_objective_metric"
#: CreateTrainingJob members a tuning job copies from its training job definition as they are.
COPIED_MEMBERS = ("RoleArn", "InputDataConfig", "VpcConfig", "OutputDataConfig",
                  "StoppingCondition", "EnableNetworkIsolation",
                  "EnableInterContainerTrafficEncryption", "EnableManagedSpotTraining",
                  "CheckpointConfig", "RetryStrategy", "Environment")
RANGE_KINDS = ("IntegerParameterRanges", "ContinuousParameterRanges",
               "CategoricalParameterRanges")
#: BestObjectiveNotImproving counts a job as an improvement only if it is this much better.
MIN_RELATIVE_IMPROVEMENT = 0.01


@dataclass(frozen=True)
class Objective:
    """The metric a tuning job optimises and in which direction."""

    metric_name: str
    type: str

    @property
    def minimize(self) -> bool:
        return self.type == "Minimize"

    def better(self, value: float, than: float | None) -> bool:
        """Whether ``value`` beats ``than`` (anything beats no value)."""
        if than is None:
            return True
        return value < than if self.minimize else value > than

    def improves(self, value: float, best: float | None) -> bool:
        """Whether ``value`` beats ``best`` by at least 1 % (BestObjectiveNotImproving)."""
        if best is None:
            return True
        margin = abs(best) * MIN_RELATIVE_IMPROVEMENT
        return value <= best - margin if self.minimize else value >= best + margin

    def reached(self, value: float, target: float) -> bool:
        """Whether ``value`` meets TargetObjectiveMetricValue."""
        return value <= target if self.minimize else value >= target


@dataclass(frozen=True)
class TuningSettings:
    """Everything the tuner needs from a valid CreateHyperParameterTuningJob request."""

    strategy: str
    objective: Objective
    space: SearchSpace
    max_jobs: int
    max_parallel_jobs: int
    max_runtime_seconds: int | None
    early_stopping: bool
    random_seed: int | None
    target_value: float | None
    max_jobs_not_improving: int | None
    definition: dict
    algorithm: str

    @property
    def concurrency(self) -> int:
        """Training jobs run at once: the limit asked for, but no more than the machine's cores."""
        return max(1, min(self.max_parallel_jobs, os.cpu_count() or 1))


def parse_request(params: dict) -> TuningSettings:
    """Check a request; ValidationException (AWS's wording where known) for what AWS refuses."""
    _refuse_unsupported(params)
    config = params["HyperParameterTuningJobConfig"]
    definition = params.get("TrainingJobDefinition")
    if definition is None:
        raise validation("A TrainingJobDefinition is required to create a hyperparameter "
                         "tuning job.")
    objective = _objective(config)
    space = SearchSpace.from_request(config.get("ParameterRanges") or {})
    limits = config["ResourceLimits"]
    strategy = config["Strategy"]
    max_jobs = training_job_budget(strategy, space, limits.get("MaxNumberOfTrainingJobs"))
    algorithm = _algorithm(definition)
    _check_objective_metric(objective.metric_name, algorithm, definition)
    _resource_config(definition)  # refuse a definition without one now, not at the first launch
    criteria = config.get("TuningJobCompletionCriteria") or {}
    return TuningSettings(
        strategy=strategy,
        objective=objective,
        space=space,
        max_jobs=max_jobs,
        max_parallel_jobs=limits["MaxParallelTrainingJobs"],
        max_runtime_seconds=limits.get("MaxRuntimeInSeconds"),
        early_stopping=config.get("TrainingJobEarlyStoppingType", "Off") == "Auto",
        random_seed=config.get("RandomSeed"),
        target_value=criteria.get("TargetObjectiveMetricValue"),
        max_jobs_not_improving=(criteria.get("BestObjectiveNotImproving") or {}).get(
            "MaxNumberOfTrainingJobsNotImproving"),
        definition=copy.deepcopy(definition),
        algorithm=algorithm,
    )


def _refuse_unsupported(params: dict) -> None:
    """Features of the API localcloud does not implement fail loudly, never silently."""
    config = params["HyperParameterTuningJobConfig"]
    if params.get("TrainingJobDefinitions"):
        raise validation("localcloud runs tuning jobs with a single TrainingJobDefinition; "
                         "TrainingJobDefinitions (several algorithms) is not implemented.")
    if params.get("WarmStartConfig"):
        raise validation("localcloud does not implement warm start tuning (WarmStartConfig).")
    if params.get("Autotune") or (config.get("ParameterRanges") or {}).get("AutoParameters"):
        raise validation("localcloud does not implement Autotune; give ParameterRanges "
                         "explicitly.")
    if config["Strategy"] == "Hyperband" or config.get("StrategyConfig"):
        raise validation("localcloud implements the Bayesian, Random and Grid strategies; "
                         "Hyperband is not implemented.")


def _objective(config: dict) -> Objective:
    objective = config.get("HyperParameterTuningJobObjective")
    if objective is None:
        raise validation("HyperParameterTuningJobObjective is required: name the metric to "
                         "optimise and whether to Minimize or Maximize it.")
    return Objective(objective["MetricName"], objective["Type"])


def _algorithm(definition: dict) -> str:
    """The localcloud algorithm behind the definition's image (refused if there is none)."""
    image = definition["AlgorithmSpecification"].get("TrainingImage")
    if not image:
        raise validation("localcloud runs tuning jobs from a TrainingImage; AlgorithmName "
                         "(AWS Marketplace algorithms) is not implemented.")
    try:
        return resolve_image(image).algorithm
    except UnknownImage as error:
        raise validation(str(error)) from None


def _check_objective_metric(metric_name: str, algorithm: str, definition: dict) -> None:
    """The objective must be a metric the algorithm logs or a MetricDefinitions entry."""
    known = [item["Name"] for item in _metric_definitions(algorithm, definition)]
    if metric_name in known:
        return
    close = difflib.get_close_matches(metric_name, known, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    where = (f"the {algorithm} algorithm" if metric_definitions(algorithm)
             else "the MetricDefinitions of the AlgorithmSpecification")
    raise validation(f"The objective metric {metric_name} of the hyperparameter tuning job is "
                     f"not a metric that {where} defines.{hint}")


def _metric_definitions(algorithm: str, definition: dict) -> list[dict]:
    """The definitions a training job of this definition parses metrics with."""
    given = definition["AlgorithmSpecification"].get("MetricDefinitions") or []
    builtin = metric_definitions(algorithm)
    return list(given) + [item for item in builtin if item["Name"] not in
                          {entry["Name"] for entry in given}]


# -- the request as DescribeHyperParameterTuningJob shows it ----------------------------------

def described_config(config: dict, settings: TuningSettings) -> dict:
    """``HyperParameterTuningJobConfig`` with the members AWS fills in."""
    described = copy.deepcopy(config)
    described.setdefault("TrainingJobEarlyStoppingType", "Off")
    ranges = described.setdefault("ParameterRanges", {})
    for kind in RANGE_KINDS:
        ranges.setdefault(kind, [])
    if settings.strategy == GRID:
        described["ResourceLimits"]["MaxNumberOfTrainingJobs"] = settings.max_jobs
    return described


def described_definition(settings: TuningSettings) -> dict:
    """``TrainingJobDefinition`` as AWS shows it.

    The objective appears among the static hyperparameters and, for built-in algorithms, the
    metric definitions the service applies are listed; ``ResourceConfig`` is filled in when the
    request gave ``HyperParameterTuningResourceConfig`` (as the SDK does), because
    ``HyperparameterTuner.attach`` reads it.
    """
    described = copy.deepcopy(settings.definition)
    described["StaticHyperParameters"] = static_hyperparameters(settings)
    described.setdefault("ResourceConfig", _resource_config(settings.definition))
    specification = described["AlgorithmSpecification"]
    specification["MetricDefinitions"] = _metric_definitions(settings.algorithm,
                                                             settings.definition)
    return described


def static_hyperparameters(settings: TuningSettings) -> dict[str, str]:
    """The definition's static hyperparameters plus the objective, as children receive them."""
    static = dict(settings.definition.get("StaticHyperParameters") or {})
    static[TUNING_OBJECTIVE_KEY] = settings.objective.metric_name
    return static


# -- the training jobs of a tuning job ---------------------------------------------------------

def child_name(tuning_job_name: str, number: int, suffix: str) -> str:
    """AWS's names: ``<tuning job>-<3-digit number from 001>-<8 hex digits>``."""
    return f"{tuning_job_name}-{number:03d}-{suffix}"


def child_request(settings: TuningSettings, name: str, tuned: dict[str, str],
                  tags: list[dict] | None) -> dict:
    """The CreateTrainingJob request for one training job of the tuning job.

    Tuned values override static ones of the same name; the tuning job's tags are added to
    every training job it launches, as AWS does.
    """
    definition = settings.definition
    request = {
        "TrainingJobName": name,
        "AlgorithmSpecification": copy.deepcopy(definition["AlgorithmSpecification"]),
        "HyperParameters": {**static_hyperparameters(settings), **tuned},
        "ResourceConfig": _resource_config(definition),
        **{key: copy.deepcopy(definition[key]) for key in COPIED_MEMBERS if key in definition},
    }
    if tags:
        request["Tags"] = copy.deepcopy(tags)
    return request


def _resource_config(definition: dict) -> dict:
    """``ResourceConfig``, else the first choice of ``HyperParameterTuningResourceConfig``."""
    if "ResourceConfig" in definition:
        return copy.deepcopy(definition["ResourceConfig"])
    tuning_config = definition.get("HyperParameterTuningResourceConfig")
    if not tuning_config:
        raise validation("The TrainingJobDefinition needs a ResourceConfig or a "
                         "HyperParameterTuningResourceConfig.")
    choice = (tuning_config.get("InstanceConfigs") or [tuning_config])[0]
    return {key: choice[key] for key in ("InstanceType", "InstanceCount", "VolumeSizeInGB")
            if key in choice}
