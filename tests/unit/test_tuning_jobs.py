"""Tuning-job requests and the tuner that runs them, with training jobs simulated.

The conformance tests (tests/localcloud/test_tuning.py) run real training jobs; here a fake
training service finishes jobs with chosen objective values in milliseconds, so limits,
completion criteria and failure handling can be checked exactly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from localcloud.aws.errors import AWSError, validation
from localcloud.sagemaker import tuning, tuning_config
from localcloud.sagemaker.resources import Account, Resource, TagStore, now
from localcloud.sagemaker.tuning import (
    TuningJobs,
    best_summary,
    objective_status,
    status_counters,
)
from localcloud.sagemaker.tuning_config import (
    Objective,
    child_name,
    child_request,
    described_config,
    described_definition,
    parse_request,
)

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
OBJECTIVE = "validation:rmse"
ACCOUNT = Account("123456789012", "us-east-1")


def request(name: str = "tune", *, strategy: str = "Random", max_jobs: int | None = 4,
            parallel: int = 2, ranges: dict | None = None, **config) -> dict:
    limits = {"MaxParallelTrainingJobs": parallel}
    if max_jobs is not None:
        limits["MaxNumberOfTrainingJobs"] = max_jobs
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": OBJECTIVE},
            "ResourceLimits": limits,
            "ParameterRanges": ranges or {"ContinuousParameterRanges": [
                {"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}]},
            **config,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {"num_round": "10", "objective": "reg:squarederror"},
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train"}}}],
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/output"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1,
                               "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        },
    }


def refusal(params: dict) -> str:
    with pytest.raises(AWSError) as raised:
        parse_request(params)
    assert raised.value.code == "ValidationException"
    return raised.value.message


# -- requests ---------------------------------------------------------------------------------

def test_a_valid_request_becomes_settings(monkeypatch):
    monkeypatch.setattr(tuning_config.os, "cpu_count", lambda: 8)
    settings = parse_request(request(max_jobs=6, parallel=3, RandomSeed=4,
                                     TrainingJobEarlyStoppingType="Auto"))
    assert (settings.strategy, settings.max_jobs, settings.concurrency) == ("Random", 6, 3)
    assert settings.early_stopping and settings.random_seed == 4
    assert settings.objective == Objective(OBJECTIVE, "Minimize")
    assert settings.algorithm == "xgboost" and settings.space.names == ["eta"]


def test_concurrency_never_exceeds_the_machines_cores(monkeypatch):
    monkeypatch.setattr(tuning_config.os, "cpu_count", lambda: 2)
    assert parse_request(request(parallel=10)).concurrency == 2
    assert parse_request(request(parallel=1)).concurrency == 1


def _without_objective(params: dict) -> None:
    params["HyperParameterTuningJobConfig"].pop("HyperParameterTuningJobObjective")


def _objective(name: str) -> Callable[[dict], None]:
    def change(params: dict) -> None:
        params["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"][
            "MetricName"] = name
    return change


def _image(uri: str) -> Callable[[dict], None]:
    def change(params: dict) -> None:
        params["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"] = uri
    return change


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p.update(TrainingJobDefinitions=[p["TrainingJobDefinition"]]),
     "TrainingJobDefinitions (several algorithms) is not implemented"),
    (lambda p: p.pop("TrainingJobDefinition"), "A TrainingJobDefinition is required"),
    (lambda p: p.update(WarmStartConfig={"WarmStartType": "TransferLearning",
                                         "ParentHyperParameterTuningJobs": []}),
     "warm start"),
    (lambda p: p.update(Autotune={"Mode": "Enabled"}), "Autotune"),
    (lambda p: p["HyperParameterTuningJobConfig"].update(Strategy="Hyperband"),
     "Hyperband is not implemented"),
    (_without_objective, "HyperParameterTuningJobObjective is required"),
    (_objective("validation:rsme"), "Did you mean validation:rmse?"),
    (_objective("train:nonsense"), "is not a metric that the xgboost algorithm defines"),
    (_image("123.dkr.ecr.us-east-1.amazonaws.com/my-own-image:1"), "cannot run image"),
    (lambda p: p["TrainingJobDefinition"].pop("ResourceConfig"),
     "needs a ResourceConfig or a HyperParameterTuningResourceConfig"),
])
def test_requests_localcloud_cannot_run_are_refused_with_a_reason(change, message):
    params = request()
    change(params)
    assert message in refusal(params)


def test_metric_definitions_name_objectives_of_their_own():
    params = request()
    _objective("validation:mape-ish")(params)
    params["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "validation:mape-ish", "Regex": "mape=([0-9.]+)"}]
    assert parse_request(params).objective.metric_name == "validation:mape-ish"


def test_describe_shows_the_request_completed_as_aws_does():
    params = request(strategy="Grid", max_jobs=None, ranges={"CategoricalParameterRanges": [
        {"Name": "max_depth", "Values": ["2", "4", "6"]}]})
    settings = parse_request(params)
    config = described_config(params["HyperParameterTuningJobConfig"], settings)
    assert config["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 3
    assert config["TrainingJobEarlyStoppingType"] == "Off"
    assert config["ParameterRanges"]["IntegerParameterRanges"] == []
    assert config["ParameterRanges"]["ContinuousParameterRanges"] == []
    definition = described_definition(settings)
    assert definition["StaticHyperParameters"]["_tuning_objective_metric"] == OBJECTIVE
    names = [item["Name"] for item in definition["AlgorithmSpecification"]["MetricDefinitions"]]
    assert OBJECTIVE in names and "train:rmse" in names
    assert "MetricDefinitions" not in params["TrainingJobDefinition"]["AlgorithmSpecification"]


def test_the_sdks_tuning_resource_config_becomes_a_resource_config():
    params = request()
    definition = params["TrainingJobDefinition"]
    definition["HyperParameterTuningResourceConfig"] = definition.pop("ResourceConfig")
    settings = parse_request(params)
    expected = {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5}
    assert described_definition(settings)["ResourceConfig"] == expected
    assert child_request(settings, "job", {}, None)["ResourceConfig"] == expected


def test_child_requests_carry_static_tuned_and_objective_hyperparameters():
    params = request()
    params["TrainingJobDefinition"]["StaticHyperParameters"]["eta"] = "0.9"
    settings = parse_request(params)
    tags = [{"Key": "course", "Value": "mlops"}]
    child = child_request(settings, "tune-001-0a1b2c3d", {"eta": "0.25"}, tags)
    assert child["TrainingJobName"] == "tune-001-0a1b2c3d"
    assert child["HyperParameters"] == {"num_round": "10", "objective": "reg:squarederror",
                                        "eta": "0.25", "_tuning_objective_metric": OBJECTIVE}
    assert child["Tags"] == tags
    for key in ("RoleArn", "InputDataConfig", "OutputDataConfig", "StoppingCondition",
                "AlgorithmSpecification", "ResourceConfig"):
        assert child[key] == params["TrainingJobDefinition"][key]
    assert "StaticHyperParameters" not in child and "TuningObjective" not in child
    assert child_name("xgb-tune", 7, "0a1b2c3d") == "xgb-tune-007-0a1b2c3d"


def test_objective_directions_and_the_one_percent_rule():
    minimise, maximise = Objective("m", "Minimize"), Objective("m", "Maximize")
    assert minimise.better(1.0, 2.0) and not minimise.better(2.0, 1.0)
    assert maximise.better(2.0, 1.0) and minimise.better(5.0, None)
    assert minimise.improves(0.98, 1.0) and not minimise.improves(0.995, 1.0)
    assert maximise.improves(1.02, 1.0) and not maximise.improves(1.005, 1.0)
    assert minimise.reached(0.5, 0.5) and not maximise.reached(0.4, 0.5)


# -- what Describe derives from the training jobs ---------------------------------------------

def summary(name: str, status: str, value: float | None = None) -> dict:
    item = {"TrainingJobName": name, "TrainingJobStatus": status,
            "ObjectiveStatus": objective_status(status, value)}
    if value is not None:
        item["FinalHyperParameterTuningJobObjectiveMetric"] = {"MetricName": OBJECTIVE,
                                                               "Value": value}
    return item


def test_counters_and_best_job_come_from_the_training_jobs():
    summaries = [summary("a", "Completed", 3.0), summary("b", "Completed", 2.5),
                 summary("c", "Stopped", 1.0), summary("d", "Failed"),
                 summary("e", "InProgress"), summary("f", "Stopping")]
    assert status_counters(summaries) == {"Completed": 2, "InProgress": 2, "RetryableError": 0,
                                          "NonRetryableError": 1, "Stopped": 1}
    assert tuning.objective_counters(summaries) == {"Succeeded": 3, "Pending": 2, "Failed": 1}
    # A job stopped early uploaded no model: only completed jobs can be the best.
    assert best_summary(summaries, Objective(OBJECTIVE, "Minimize"))["TrainingJobName"] == "b"
    assert best_summary(summaries, Objective(OBJECTIVE, "Maximize"))["TrainingJobName"] == "a"
    assert best_summary(summaries[3:], Objective(OBJECTIVE, "Minimize")) is None
    assert objective_status("Completed", None) == "Failed"


# -- the tuner, with training jobs simulated --------------------------------------------------

class FakeTrainingJob:
    """Just what the tuner reads of a training job: status, metrics, finished, stop."""

    def __init__(self, name: str, hyperparameters: dict, arn: str):
        self.name = name
        self.resource = Resource(name, f"arn:training-job/{name}", {
            "TrainingJobName": name, "TrainingJobArn": f"arn:training-job/{name}",
            "TrainingJobStatus": "InProgress", "CreationTime": now(), "TuningJobArn": arn,
            "HyperParameters": hyperparameters})
        self.finished = threading.Event()
        self.metrics = None
        self.history: list[float] = []

    def finish(self, status: str, value: float | None) -> None:
        fields = {"TrainingJobStatus": status}
        if value is not None:
            fields["FinalMetricDataList"] = [{"MetricName": OBJECTIVE, "Value": value}]
        self.resource.update(**fields)
        self.finished.set()

    def stop(self) -> None:
        if self.resource.description["TrainingJobStatus"] != "InProgress":
            raise validation("not running")
        self.finish("Stopped", self.history[-1] if self.history else None)


class FakeTraining:
    """Finishes each job after ``seconds`` with the value ``score(hyperparameters)`` gives
    (None: the job fails; math.inf: it never finishes on its own)."""

    def __init__(self, score: Callable[[dict], float | None], seconds: float = 0.02):
        self.score = score
        self.seconds = seconds
        self.jobs: dict[str, FakeTrainingJob] = {}
        self.most_running = 0

    def create(self, params: dict, tuning_job_arn: str | None = None) -> dict:
        job = FakeTrainingJob(params["TrainingJobName"], params["HyperParameters"],
                              tuning_job_arn)
        self.jobs[job.name] = job
        running = sum(not item.finished.is_set() for item in self.jobs.values())
        self.most_running = max(self.most_running, running)
        value = self.score(params["HyperParameters"])
        if value != float("inf"):
            status = "Failed" if value is None else "Completed"
            threading.Timer(self.seconds, job.finish, (status, value)).start()
        return {"TrainingJobArn": job.resource.arn}


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch):
    monkeypatch.setattr(tuning, "POLL_SECONDS", 0.005)


def run(params: dict, training: FakeTraining) -> dict:
    """Create a tuning job and wait until it ends; return its description."""
    service = TuningJobs(ACCOUNT, training, TagStore())
    service.create(params)
    job = service.jobs[params["HyperParameterTuningJobName"]]
    assert job.finished.wait(10), "the tuning job did not finish"
    return service.describe({"HyperParameterTuningJobName": job.name})


def eta_score(hyperparameters: dict) -> float:
    return abs(float(hyperparameters["eta"]) - 0.3)


def test_the_tuner_runs_its_budget_within_its_concurrency(monkeypatch):
    monkeypatch.setattr(tuning_config.os, "cpu_count", lambda: 4)
    training = FakeTraining(eta_score)
    description = run(request(max_jobs=7, parallel=3), training)
    assert description["HyperParameterTuningJobStatus"] == "Completed"
    assert len(training.jobs) == 7 and training.most_running == 3
    assert description["TrainingJobStatusCounters"]["Completed"] == 7
    values = {name: eta_score(job.resource.description["HyperParameters"])
              for name, job in training.jobs.items()}
    assert description["BestTrainingJob"]["TrainingJobName"] == min(values, key=values.get)
    assert sorted(training.jobs) == [f"tune-{n:03d}-{name[-8:]}" for n, name in
                                     enumerate(sorted(training.jobs), start=1)]


def test_the_machines_cores_cap_parallel_jobs(monkeypatch):
    monkeypatch.setattr(tuning_config.os, "cpu_count", lambda: 1)
    training = FakeTraining(eta_score)
    run(request(max_jobs=3, parallel=3), training)
    assert training.most_running == 1


def test_five_failures_without_a_success_fail_the_tuning_job():
    training = FakeTraining(lambda hyperparameters: None)
    description = run(request(max_jobs=20, parallel=1), training)
    assert description["HyperParameterTuningJobStatus"] == "Failed"
    assert description["FailureReason"].startswith("No training job succeeded after 5 attempts")
    assert len(training.jobs) == 5
    assert description["TrainingJobStatusCounters"]["NonRetryableError"] == 5
    assert "BestTrainingJob" not in description


def test_failures_after_a_success_do_not_end_the_tuning():
    outcomes = iter([1.0] + [None] * 7)
    training = FakeTraining(lambda hyperparameters: next(outcomes))
    description = run(request(max_jobs=8, parallel=1), training)
    assert description["HyperParameterTuningJobStatus"] == "Completed"
    assert description["ObjectiveStatusCounters"] == {"Succeeded": 1, "Pending": 0, "Failed": 7}


def test_reaching_the_target_value_completes_the_tuning_early():
    outcomes = iter([5.0, 4.0, 0.5, 3.0, 2.0, 1.0])
    training = FakeTraining(lambda hyperparameters: next(outcomes))
    description = run(request(max_jobs=6, parallel=1, TuningJobCompletionCriteria={
        "TargetObjectiveMetricValue": 1.0}), training)
    assert description["HyperParameterTuningJobStatus"] == "Completed"
    assert len(training.jobs) == 3
    assert description["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"][
        "Value"] == 0.5


def test_jobs_that_do_not_improve_complete_the_tuning_early():
    outcomes = iter([1.0, 0.999, 1.2, 0.995, 0.5, 0.4])  # improving means by 1 % or more
    training = FakeTraining(lambda hyperparameters: next(outcomes))
    description = run(request(max_jobs=6, parallel=1, TuningJobCompletionCriteria={
        "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3}}), training)
    assert len(training.jobs) == 4
    assert description["TuningJobCompletionDetails"] == {
        "NumberOfTrainingJobsObjectiveNotImproving": 3}


def test_stopping_stops_the_running_jobs_and_launches_no_more():
    training = FakeTraining(lambda hyperparameters: float("inf"))
    service = TuningJobs(ACCOUNT, training, TagStore())
    service.create(request(max_jobs=6, parallel=2))
    job = service.jobs["tune"]
    deadline = time.monotonic() + 5
    while len(training.jobs) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    service.stop({"HyperParameterTuningJobName": "tune"})
    assert job.finished.wait(5)
    description = service.describe({"HyperParameterTuningJobName": "tune"})
    assert description["HyperParameterTuningJobStatus"] == "Stopped"
    assert len(training.jobs) == 2
    assert description["TrainingJobStatusCounters"]["Stopped"] == 2
    with pytest.raises(AWSError, match="status Stopped"):
        service.stop({"HyperParameterTuningJobName": "tune"})


def test_early_stopping_stops_a_job_worse_than_the_median():
    class History:  # the tuner reads job.metrics.history like a MetricParser's
        def __init__(self, values):
            self.history = {OBJECTIVE: [(0.0, value) for value in values]}

    def score(hyperparameters: dict) -> float:
        return float("inf") if float(hyperparameters["eta"]) == 0.01 else 1.0

    training = FakeTraining(score)
    original_create = training.create

    def create(params, tuning_job_arn=None):
        answer = original_create(params, tuning_job_arn)
        job = training.jobs[params["TrainingJobName"]]
        slow = params["HyperParameters"]["eta"] == "0.01"
        job.history = [9.0, 8.0] if slow else [5.0, 3.0, 1.0]
        job.metrics = History(job.history)
        return answer

    training.create = create
    params = request(strategy="Grid", max_jobs=None, parallel=1,
                     TrainingJobEarlyStoppingType="Auto",
                     ranges={"CategoricalParameterRanges": [
                         {"Name": "eta", "Values": ["0.3", "0.2", "0.1", "0.01"]}]})
    description = run(params, training)
    assert description["TrainingJobStatusCounters"] == {
        "Completed": 3, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0,
        "Stopped": 1}
    stopped = [job for job in training.jobs.values()
               if job.resource.description["TrainingJobStatus"] == "Stopped"]
    assert [job.resource.description["HyperParameters"]["eta"] for job in stopped] == ["0.01"]


def test_reset_forgets_tuning_jobs():
    training = FakeTraining(lambda hyperparameters: float("inf"))
    service = TuningJobs(ACCOUNT, training, TagStore())
    service.create(request(max_jobs=2, parallel=1))
    service.reset()
    assert service.jobs == {} and service.running() == []
    with pytest.raises(AWSError) as raised:
        service.describe({"HyperParameterTuningJobName": "tune"})
    assert raised.value.code == "ResourceNotFound"
    assert training.jobs  # its training job was created, then stopped
    assert all(job.finished.is_set() for job in training.jobs.values())


def test_max_runtime_stops_the_tuning_job():
    training = FakeTraining(lambda hyperparameters: float("inf"))
    params = request(max_jobs=4, parallel=1)
    params["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"] = 1
    started = time.monotonic()
    description = run(params, training)
    assert 1 <= time.monotonic() - started < 5
    assert description["HyperParameterTuningJobStatus"] == "Stopped"
    assert description["TrainingJobStatusCounters"]["Stopped"] == len(training.jobs) == 1


def test_tuning_jobs_are_listed_by_name_by_default():
    service = TuningJobs(ACCOUNT, FakeTraining(eta_score), TagStore())
    for name in ("b-tune", "c-tune", "a-tune"):
        service.create(request(name, max_jobs=1))
    listed = service.list({})["HyperParameterTuningJobSummaries"]
    assert [item["HyperParameterTuningJobName"] for item in listed] == ["a-tune", "b-tune",
                                                                        "c-tune"]
    assert {item["Strategy"] for item in listed} == {"Random"}
    assert listed[0]["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 1
    page = service.list({"MaxResults": 2, "SortOrder": "Descending"})
    assert [item["HyperParameterTuningJobName"]
            for item in page["HyperParameterTuningJobSummaries"]] == ["c-tune", "b-tune"]
    assert page["NextToken"]
    service.reset()
