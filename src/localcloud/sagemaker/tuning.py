"""Hyperparameter tuning jobs: the Create/Describe/List/Stop operations and the tuner behind them.

A tuning job launches real training jobs, named as AWS names them
(``<tuning job>-<001...>-<8 hex digits>``), at most ``MaxParallelTrainingJobs`` at a time and no
more than the machine has cores. Each training job receives the static hyperparameters, the
values its search strategy proposed (:mod:`.tuning_search`) and ``_tuning_objective_metric``;
its objective is the last value of the objective metric its log showed (its
``FinalMetricDataList``). The tuning job moves through the statuses AWS reports::

    InProgress -> Completed | Failed | Stopped (Stopping first)

Its counters and ``BestTrainingJob`` are computed from its training jobs whenever it is
described, so they always agree with what DescribeTrainingJob says about those jobs.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from ..aws.errors import AWSError, ResourceInUse, ResourceNotFound, validation
from .jobs import JobCollection
from .resources import (
    Account,
    Resource,
    ResourceTable,
    TagStore,
    list_response,
    now,
    page_of,
    page_response,
    pick,
)
from .training import TrainingJob, TrainingJobs
from .tuning_config import (
    Objective,
    TuningSettings,
    child_name,
    child_request,
    described_config,
    described_definition,
    parse_request,
)
from .tuning_search import Candidate, create_strategy, stops_early

log = logging.getLogger(__name__)

#: How often the tuner looks at its training jobs (they report metrics every boosting round).
POLL_SECONDS = 0.1
#: AWS gives up on a tuning job when this many training jobs failed before any succeeded.
MAX_FAILED_ATTEMPTS = 5
#: How long stopping a tuning job may wait for its training jobs when the service shuts down.
SHUTDOWN_SECONDS = 10
NO_SUCCESS_REASON = ("No training job succeeded after {attempts} attempts. For additional "
                     "details, please take a look at the training job failures by listing "
                     "training jobs for the hyperparameter tuning job.")

# Why a tuning job launches no more training jobs before its budget is spent.
STOPPED = "stopped"  # StopHyperParameterTuningJob, MaxRuntimeInSeconds or service shutdown
CRITERIA_MET = "criteria met"  # TuningJobCompletionCriteria
TOO_MANY_FAILURES = "too many failures"

CHILD_SUMMARY_KEYS = ("TrainingJobName", "TrainingJobArn", "CreationTime", "TrainingStartTime",
                      "TrainingEndTime", "TrainingJobStatus", "FailureReason")
OBJECTIVE_METRIC = "FinalHyperParameterTuningJobObjectiveMetric"


def objective_value(description: dict, metric_name: str) -> float | None:
    """The final value of ``metric_name`` in a training job's ``FinalMetricDataList``."""
    for metric in description.get("FinalMetricDataList") or []:
        if metric["MetricName"] == metric_name:
            return float(metric["Value"])
    return None


def objective_status(training_status: str, value: float | None) -> str:
    """``Pending`` while the job runs, then ``Succeeded`` if it produced an objective value."""
    if training_status in ("InProgress", "Stopping"):
        return "Pending"
    return "Succeeded" if value is not None else "Failed"


@dataclass
class Child:
    """One training job of a tuning job, and the candidate it tries."""

    candidate: Candidate
    job: TrainingJob
    reported: bool = False  # its result went back to the search strategy
    stop_sent: bool = False
    judged_epochs: int = 0  # epochs the early-stopping rule has looked at

    @property
    def finished(self) -> bool:
        return self.job.finished.is_set()

    def history(self, metric_name: str) -> list[float]:
        """The objective after each epoch so far, as the job's log showed it."""
        parser = self.job.metrics
        if parser is None:
            return []
        return [value for _, value in list(parser.history.get(metric_name, []))]

    def summary(self, tuning_job_name: str, objective: Objective) -> dict:
        """Its ``HyperParameterTrainingJobSummary``."""
        description = self.job.resource.describe()
        value = objective_value(description, objective.metric_name)
        summary = pick(description, *CHILD_SUMMARY_KEYS)
        summary["TuningJobName"] = tuning_job_name
        summary["TunedHyperParameters"] = dict(self.candidate.hyperparameters)
        if value is not None:
            summary[OBJECTIVE_METRIC] = {"Type": objective.type,
                                         "MetricName": objective.metric_name, "Value": value}
        summary["ObjectiveStatus"] = objective_status(description["TrainingJobStatus"], value)
        return summary


def status_counters(summaries: list[dict]) -> dict:
    """``TrainingJobStatusCounters``: a failed training job is a client error, never retried."""
    counts = Counter(summary["TrainingJobStatus"] for summary in summaries)
    return {"Completed": counts["Completed"],
            "InProgress": counts["InProgress"] + counts["Stopping"],
            "RetryableError": 0, "NonRetryableError": counts["Failed"],
            "Stopped": counts["Stopped"]}


def objective_counters(summaries: list[dict]) -> dict:
    counts = Counter(summary["ObjectiveStatus"] for summary in summaries)
    return {status: counts[status] for status in ("Succeeded", "Pending", "Failed")}


def best_summary(summaries: list[dict], objective: Objective) -> dict | None:
    """The completed training job with the best objective value.

    Only completed jobs qualify: a job stopped early has uploaded no model to deploy.
    """
    best = None
    for summary in summaries:
        if summary["TrainingJobStatus"] != "Completed" or OBJECTIVE_METRIC not in summary:
            continue
        value = summary[OBJECTIVE_METRIC]["Value"]
        if best is None or objective.better(value, best[OBJECTIVE_METRIC]["Value"]):
            best = summary
    return best


class TuningJob:
    """One tuning job: its description, its training jobs and the thread that drives them."""

    def __init__(self, resource: Resource, settings: TuningSettings, training: TrainingJobs,
                 tags: list[dict] | None):
        self.resource = resource
        self.name = resource.name
        self.settings = settings
        self.training = training
        self.tags = tags
        self.strategy = create_strategy(settings.strategy, settings.space,
                                        settings.objective.minimize, settings.random_seed,
                                        settings.max_jobs)
        self.children: list[Child] = []
        self._children_lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.finished = threading.Event()
        self._deadline = (time.monotonic() + settings.max_runtime_seconds
                          if settings.max_runtime_seconds else None)
        self._end: str | None = None  # why no more training jobs are launched
        self._exhausted = False  # the strategy has nothing left to try
        self._succeeded = 0
        self._failed = 0
        self._best: float | None = None
        self._not_improving = 0
        self.thread = threading.Thread(target=self._run, name=f"tuning:{self.name}",
                                       daemon=True)

    # -- what Describe and List show ------------------------------------------------------------

    def snapshot(self) -> list[Child]:
        with self._children_lock:
            return list(self.children)

    def summaries(self) -> list[dict]:
        return [child.summary(self.name, self.settings.objective) for child in self.snapshot()]

    def describe(self) -> dict:
        """The stored description plus what is derived from the training jobs right now."""
        description = self.resource.describe()
        summaries = self.summaries()
        description["TrainingJobStatusCounters"] = status_counters(summaries)
        description["ObjectiveStatusCounters"] = objective_counters(summaries)
        best = best_summary(summaries, self.settings.objective)
        if best is not None:
            description["BestTrainingJob"] = best
        end = description.get("HyperParameterTuningEndTime") or now()
        description["ConsumedResources"] = {
            "RuntimeInSeconds": int((end - description["CreationTime"]).total_seconds())}
        return description

    # -- the run --------------------------------------------------------------------------------

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        try:
            while self._step():
                time.sleep(POLL_SECONDS)
            self._conclude()
        except AWSError as error:  # a training job could not even be created
            log.warning("Tuning job %s: %s", self.name, error.message)
            self._abort(f"ClientError: {error.message}")
        except Exception as error:  # a bug of ours must still end the job, with a reason
            log.exception("Tuning job %s crashed", self.name)
            self._abort(f"InternalServerError: {error}")

    def _step(self) -> bool:
        """One look at the training jobs; False once there is nothing left to wait for."""
        self._record_finished()
        self._check_end()
        if self._end:
            self._stop_children(self._running())
        else:
            if self.settings.early_stopping:
                self._stop_unpromising()
            self._launch()
        return bool(self._running()) or (self._end is None and self._can_launch())

    def _running(self) -> list[Child]:
        return [child for child in self.snapshot() if not child.finished]

    def _can_launch(self) -> bool:
        return (not self._exhausted and not self.stop_requested.is_set()
                and len(self.children) < self.settings.max_jobs)

    def _launch(self) -> None:
        """Start training jobs until the concurrency limit or the budget is reached."""
        while len(self._running()) < self.settings.concurrency and self._can_launch():
            candidate = self.strategy.suggest()
            if candidate is None:
                self._exhausted = True
                return
            self._start_child(candidate)

    def _start_child(self, candidate: Candidate) -> None:
        name = child_name(self.name, len(self.children) + 1, uuid.uuid4().hex[:8])
        request = child_request(self.settings, name, candidate.hyperparameters, self.tags)
        self.training.create(request, tuning_job_arn=self.resource.arn)
        with self._children_lock:
            self.children.append(Child(candidate, self.training.jobs[name]))
        log.info("Tuning job %s: started training job %s with %s", self.name, name,
                 candidate.hyperparameters)

    def _record_finished(self) -> None:
        """Tell the strategy how finished training jobs did; track the completion criteria."""
        objective = self.settings.objective
        for child in self.snapshot():
            if child.reported or not child.finished:
                continue
            child.reported = True
            description = child.job.resource.describe()
            value = objective_value(description, objective.metric_name)
            self.strategy.report(child.candidate, value)
            if value is None:
                self._failed += 1
                continue
            self._succeeded += 1
            if description["TrainingJobStatus"] == "Completed":
                self._track_best(value)

    def _track_best(self, value: float) -> None:
        objective = self.settings.objective
        improved = objective.improves(value, self._best)
        self._not_improving = 0 if improved else self._not_improving + 1
        if objective.better(value, self._best):
            self._best = value
        self.resource.update(TuningJobCompletionDetails={
            "NumberOfTrainingJobsObjectiveNotImproving": self._not_improving})

    def _check_end(self) -> None:
        """Decide whether to launch no more training jobs, and why."""
        out_of_time = self._deadline is not None and time.monotonic() > self._deadline
        if self.stop_requested.is_set() or out_of_time:
            self._end = STOPPED  # a stop overrides any earlier reason
        elif self._end is None and self._criteria_met():
            self._end = CRITERIA_MET
        elif self._end is None and self._too_many_failures():
            self._end = TOO_MANY_FAILURES

    def _too_many_failures(self) -> bool:
        attempts = min(MAX_FAILED_ATTEMPTS, self.settings.max_jobs)
        return not self._succeeded and self._failed >= attempts

    def _criteria_met(self) -> bool:
        """``TuningJobCompletionCriteria``: the target value reached, or no more progress."""
        settings = self.settings
        target, limit = settings.target_value, settings.max_jobs_not_improving
        reached = (self._best is not None and target is not None
                   and settings.objective.reached(self._best, target))
        return reached or (limit is not None and self._not_improving >= limit)

    def _stop_unpromising(self) -> None:
        """``TrainingJobEarlyStoppingType: Auto``: the median rule on every running job."""
        metric = self.settings.objective.metric_name
        children = self.snapshot()
        finished = [history for history in (child.history(metric) for child in children
                                            if child.finished) if history]
        for child in children:
            if child.finished or child.stop_sent:
                continue
            history = child.history(metric)
            stop = stops_early(history, finished, self.settings.objective.minimize,
                               from_epoch=child.judged_epochs)
            child.judged_epochs = len(history)
            if stop:
                log.info("Tuning job %s: stopping training job %s early: its %s is worse than "
                         "the median of earlier jobs at the same epoch", self.name,
                         child.job.name, metric)
                self._stop_children([child])

    def _stop_children(self, children: list[Child]) -> None:
        for child in children:
            if child.stop_sent:
                continue
            child.stop_sent = True
            with contextlib.suppress(AWSError):  # it may have finished on its own meanwhile
                child.job.stop()

    def _conclude(self) -> None:
        self._record_finished()  # the last jobs may have finished since the last look
        if self._end == STOPPED:
            self._finish("Stopped")
        elif self._succeeded:
            self._finish("Completed")
        else:
            self._finish("Failed", NO_SUCCESS_REASON.format(attempts=self._failed))

    def _abort(self, reason: str) -> None:
        self._stop_children(self._running())
        self._finish("Failed", reason)

    def _finish(self, status: str, failure: str | None = None) -> None:
        fields = {"HyperParameterTuningJobStatus": status, "HyperParameterTuningEndTime": now()}
        if failure:
            fields["FailureReason"] = failure
        self.resource.update(**fields)
        self.finished.set()
        log.info("Tuning job %s: %s after %d training jobs", self.name, status,
                 len(self.children))

    # -- stopping -------------------------------------------------------------------------------

    def stop(self) -> None:
        """StopHyperParameterTuningJob: stop launching, stop the running training jobs."""
        with self.resource.lock:
            status = self.resource.description["HyperParameterTuningJobStatus"]
            if status != "InProgress":
                raise validation("The request was rejected because the hyperparameter tuning "
                                 f"job is in status {status}.")
            self.resource.update(HyperParameterTuningJobStatus="Stopping")
        self.stop_requested.set()

    def terminate(self) -> None:
        """Used when the service shuts down or resets: stop, and wait for the tuner to end."""
        self.stop_requested.set()
        if self.thread.is_alive():
            self.thread.join(timeout=SHUTDOWN_SECONDS)


class TuningJobs(JobCollection[TuningJob]):
    """The hyperparameter tuning operations of the control plane."""

    SUMMARY_KEYS = ("HyperParameterTuningJobName", "HyperParameterTuningJobArn",
                    "HyperParameterTuningJobStatus", "CreationTime", "HyperParameterTuningEndTime",
                    "LastModifiedTime", "TrainingJobStatusCounters", "ObjectiveStatusCounters")

    def __init__(self, account: Account, training: TrainingJobs, tags: TagStore):
        self.training = training
        self.tags = tags
        self.table = ResourceTable(
            "HyperParameterTuningJob", "hyper-parameter-tuning-job", account,
            duplicate_error=lambda arn: _duplicate_name(arn.rsplit("/", 1)[-1]),
            missing_error=lambda name: ResourceNotFound(
                f"Amazon SageMaker can't find a tuning job called {name}. Type another name."))
        self.jobs: dict[str, TuningJob] = {}

    def operations(self) -> dict:
        return {"CreateHyperParameterTuningJob": self.create,
                "DescribeHyperParameterTuningJob": self.describe,
                "ListHyperParameterTuningJobs": self.list,
                "ListTrainingJobsForHyperParameterTuningJob": self.list_training_jobs,
                "StopHyperParameterTuningJob": self.stop}

    def create(self, params: dict) -> dict:
        name = params["HyperParameterTuningJobName"]
        if self.table.find(name) is not None:
            raise _duplicate_name(name)
        settings = parse_request(params)
        arn = self.table.arn(name)
        created = now()
        description = {
            "HyperParameterTuningJobName": name,
            "HyperParameterTuningJobArn": arn,
            "HyperParameterTuningJobConfig": described_config(
                params["HyperParameterTuningJobConfig"], settings),
            "TrainingJobDefinition": described_definition(settings),
            "HyperParameterTuningJobStatus": "InProgress",
            "CreationTime": created,
            "LastModifiedTime": created,
        }
        resource = self.table.add(Resource(name, arn, description))
        self.tags.add(arn, params.get("Tags"))
        job = TuningJob(resource, settings, self.training, params.get("Tags"))
        self.jobs[name] = job
        job.start()
        log.info("Tuning job %s: %s search, %d training jobs, %d at a time", name,
                 settings.strategy, settings.max_jobs, settings.concurrency)
        return {"HyperParameterTuningJobArn": arn}

    def describe(self, params: dict) -> dict:
        return self._job(params["HyperParameterTuningJobName"]).describe()

    def list(self, params: dict) -> dict:
        """ListHyperParameterTuningJobs (defaults: by Name, Ascending, 10 a page)."""
        descriptions = (job.describe() for job in list(self.jobs.values()))
        return list_response(
            "HyperParameterTuningJobSummaries", descriptions,
            {"SortBy": "Name", "SortOrder": "Ascending", "MaxResults": 10, **params},
            "HyperParameterTuningJobName", "HyperParameterTuningJobStatus", self._summary)

    def _summary(self, description: dict) -> dict:
        config = description["HyperParameterTuningJobConfig"]
        return {**pick(description, *self.SUMMARY_KEYS), "Strategy": config["Strategy"],
                "ResourceLimits": config["ResourceLimits"]}

    def list_training_jobs(self, params: dict) -> dict:
        """ListTrainingJobsForHyperParameterTuningJob (defaults: by Name, Ascending, 10 a page)."""
        summaries = self._job(params["HyperParameterTuningJobName"]).summaries()
        if params.get("StatusEquals"):
            summaries = [s for s in summaries if s["TrainingJobStatus"] == params["StatusEquals"]]
        summaries = _sorted_summaries(summaries, params.get("SortBy", "Name"),
                                      params.get("SortOrder", "Ascending") == "Descending")
        page, token = page_of(summaries, params.get("NextToken"), params.get("MaxResults", 10))
        return page_response("TrainingJobSummaries", page, token)

    def stop(self, params: dict) -> dict:
        self._job(params["HyperParameterTuningJobName"]).stop()
        return {}

    def terminate_all(self) -> None:
        """Stop every tuner before the service stops its training jobs (none may start late)."""
        for job in self.jobs.values():
            job.stop_requested.set()
        super().terminate_all()


def _duplicate_name(name: str) -> AWSError:
    return ResourceInUse(f"A hyperparameter tuning job with the name, {name}, already exists. "
                  "Choose a different name.")


def _sorted_summaries(summaries: list[dict], sort_by: str, descending: bool) -> list[dict]:
    """Sort as AWS does; sorting by objective value lists only jobs that have one."""
    if sort_by == "FinalObjectiveMetricValue":
        with_value = [s for s in summaries if OBJECTIVE_METRIC in s]
        return sorted(with_value, key=lambda s: s[OBJECTIVE_METRIC]["Value"], reverse=descending)
    key = {"Name": "TrainingJobName", "Status": "TrainingJobStatus"}.get(sort_by, "CreationTime")
    return sorted(summaries, key=lambda s: s[key], reverse=descending)

