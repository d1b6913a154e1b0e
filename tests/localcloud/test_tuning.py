"""Hyperparameter tuning jobs against localcloud, through the unchanged SDK and boto3.

The SDK flow a tuning notebook runs (``HyperparameterTuner.fit`` / ``wait`` /
``best_training_job`` / ``analytics().dataframe()`` / ``Estimator.attach`` / ``deploy``), the
low-level flow with ``wait_for_tuning_job``, Grid search with early stopping, stopping a tuning
job, failing training jobs and the ValidationExceptions of bad requests. Training jobs use few
boosting rounds so the whole module runs in well under two minutes.
"""

from __future__ import annotations

import copy
import re
import time

import pytest
import sagemaker
from botocore.exceptions import ClientError
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.serializers import CSVSerializer
from sagemaker.tuner import (
    ContinuousParameter,
    HyperparameterTuner,
    IntegerParameter,
)
from support import INSTANCE_TYPE, rmse, unique, xgboost_image

pytestmark = pytest.mark.usefixtures("aws_env")

OBJECTIVE = "validation:rmse"
#: The untuned settings a learner starts from (the course's Boston XGBoost tutorial).
BASELINE = {"objective": "reg:squarederror", "num_round": 30, "max_depth": 5, "eta": 0.2,
            "gamma": 4, "min_child_weight": 6, "subsample": 0.8, "seed": 7}
#: Fixed so that the search, like xgboost itself, is repeatable.
RANDOM_SEED = 11


@pytest.fixture(scope="module")
def data(upload_boston):
    """Boston train and validation uploaded under tuning-test/boston/, and the output location."""
    return upload_boston("tuning-test/boston", "train", "validation")


@pytest.fixture(scope="module")
def make_request(session, data):
    """Builds CreateHyperParameterTuningJob requests as a learner writes them with boto3."""
    role, image = sagemaker.get_execution_role(), xgboost_image(session)

    def tuning_request(name: str, *, strategy: str, ranges: dict, max_jobs: int | None,
                       parallel: int = 2, static: dict | None = None,
                       early_stopping: str = "Off") -> dict:
        limits = {"MaxParallelTrainingJobs": parallel}
        if max_jobs is not None:
            limits["MaxNumberOfTrainingJobs"] = max_jobs
        static = static or {"objective": "reg:squarederror", "num_round": "20"}
        return {
            "HyperParameterTuningJobName": name,
            "HyperParameterTuningJobConfig": {
                "Strategy": strategy,
                "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": OBJECTIVE},
                "ResourceLimits": limits,
                "ParameterRanges": ranges,
                "TrainingJobEarlyStoppingType": early_stopping,
                "RandomSeed": RANDOM_SEED,
            },
            "TrainingJobDefinition": {
                "StaticHyperParameters": {key: str(value) for key, value in static.items()},
                "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
                "RoleArn": role,
                "InputDataConfig": [
                    {"ChannelName": channel, "ContentType": "text/csv",
                     "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                     "S3Uri": data[channel]}}}
                    for channel in ("train", "validation")],
                "OutputDataConfig": {"S3OutputPath": data["output"]},
                "ResourceConfig": {"InstanceType": INSTANCE_TYPE, "InstanceCount": 1,
                                   "VolumeSizeInGB": 5},
                "StoppingCondition": {"MaxRuntimeInSeconds": 300},
            },
        }

    return tuning_request


def all_training_jobs(sm, tuning_job: str) -> list[dict]:
    """Every summary, following NextToken with a small page size."""
    summaries, token = [], None
    while True:
        page = sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=tuning_job, MaxResults=2,
            **({"NextToken": token} if token else {}))
        summaries.extend(page["TrainingJobSummaries"])
        token = page.get("NextToken")
        if not token:
            return summaries


def assert_counters_agree(sm, description: dict) -> None:
    """The tuning job's counters and best job say what its training jobs say."""
    children = [sm.describe_training_job(TrainingJobName=s["TrainingJobName"])
                for s in all_training_jobs(sm, description["HyperParameterTuningJobName"])]
    statuses = [child["TrainingJobStatus"] for child in children]
    counters = description["TrainingJobStatusCounters"]
    assert counters == {"Completed": statuses.count("Completed"), "InProgress": 0,
                        "RetryableError": 0, "NonRetryableError": statuses.count("Failed"),
                        "Stopped": statuses.count("Stopped")}
    finals = {child["TrainingJobName"]: final_objective(child) for child in children}
    objective_counters = description["ObjectiveStatusCounters"]
    assert objective_counters["Pending"] == 0
    assert objective_counters["Succeeded"] == sum(v is not None for v in finals.values())
    assert objective_counters["Failed"] == sum(v is None for v in finals.values())
    completed = {child["TrainingJobName"]: finals[child["TrainingJobName"]] for child in children
                 if child["TrainingJobStatus"] == "Completed"}
    best = description["BestTrainingJob"]
    assert best["TrainingJobName"] == min(completed, key=completed.get)
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == pytest.approx(
        min(completed.values()))


def final_objective(training_job: dict) -> float | None:
    return next((m["Value"] for m in training_job.get("FinalMetricDataList", [])
                 if m["MetricName"] == OBJECTIVE), None)


def wait_for_status(sm, name: str, statuses: tuple[str, ...], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        description = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        if description["HyperParameterTuningJobStatus"] in statuses:
            return description
        time.sleep(0.1)
    raise AssertionError(f"tuning job {name} never reached {statuses}")


# -- the SDK flow -------------------------------------------------------------------------------

def boston_estimator(session, data) -> Estimator:
    estimator = Estimator(image_uri=xgboost_image(session), role=sagemaker.get_execution_role(),
                          instance_count=1, instance_type=INSTANCE_TYPE,
                          output_path=data["output"], sagemaker_session=session)
    estimator.set_hyperparameters(**BASELINE)
    return estimator


def channels(data) -> dict:
    return {name: TrainingInput(data[name], content_type="text/csv")
            for name in ("train", "validation")}


@pytest.fixture(scope="module")
def baseline_rmse(session, data) -> float:
    """The validation RMSE of the untuned model: same data, same seed, same rounds."""
    estimator = boston_estimator(session, data)
    estimator.fit(channels(data), logs=False)
    return final_objective(estimator.latest_training_job.describe())


@pytest.fixture(scope="module")
def tuner(session, data) -> HyperparameterTuner:
    """A Bayesian tuning job fitted the way the tuning tutorial fits it."""
    tuner = HyperparameterTuner(
        estimator=boston_estimator(session, data),
        objective_metric_name=OBJECTIVE,
        objective_type="Minimize",
        hyperparameter_ranges={
            "max_depth": IntegerParameter(3, 10),
            "eta": ContinuousParameter(0.05, 0.5),
            "min_child_weight": IntegerParameter(2, 8),
            "subsample": ContinuousParameter(0.5, 0.9),
            "gamma": ContinuousParameter(0, 10),
        },
        max_jobs=4,
        max_parallel_jobs=2,
        random_seed=RANDOM_SEED,
        base_tuning_job_name="xgb-tune",
    )
    tuner.fit(channels(data), wait=False)
    tuner.wait()
    return tuner


def test_tuner_completes_with_consistent_counters(tuner, sm):
    description = tuner.describe()
    assert description["HyperParameterTuningJobStatus"] == "Completed"
    assert description["TrainingJobStatusCounters"]["Completed"] == 4
    assert description["ObjectiveStatusCounters"]["Succeeded"] == 4
    assert description["HyperParameterTuningEndTime"] >= description["CreationTime"]
    assert_counters_agree(sm, description)


def test_training_jobs_are_named_and_linked_as_on_aws(tuner, sm):
    name = tuner.latest_tuning_job.name
    arn = tuner.describe()["HyperParameterTuningJobArn"]
    assert len(name) <= 32 and arn.endswith(f":hyper-parameter-tuning-job/{name}")
    summaries = all_training_jobs(sm, name)
    numbers = sorted(re.fullmatch(rf"{name}-(\d{{3}})-[0-9a-f]{{8}}", s["TrainingJobName"])[1]
                     for s in summaries)
    assert numbers == ["001", "002", "003", "004"]
    for summary in summaries:
        child = sm.describe_training_job(TrainingJobName=summary["TrainingJobName"])
        assert child["TuningJobArn"] == arn
        tuned = summary["TunedHyperParameters"]
        assert child["HyperParameters"] == {**{k: str(v) for k, v in BASELINE.items()}, **tuned,
                                            "_tuning_objective_metric": OBJECTIVE}
        assert 3 <= int(tuned["max_depth"]) <= 10 and 2 <= int(tuned["min_child_weight"]) <= 8
        assert 0.05 <= float(tuned["eta"]) <= 0.5 and 0 <= float(tuned["gamma"]) <= 10
        metric = summary["FinalHyperParameterTuningJobObjectiveMetric"]
        assert metric["MetricName"] == OBJECTIVE and summary["ObjectiveStatus"] == "Succeeded"
        assert metric["Value"] == pytest.approx(final_objective(child))


def test_tuned_model_is_no_worse_than_the_baseline(tuner, baseline_rmse):
    best = tuner.describe()["BestTrainingJob"]
    tuned_rmse = best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert 0 < tuned_rmse <= baseline_rmse < 6


def test_analytics_dataframe_lists_every_training_job(tuner):
    frame = tuner.analytics().dataframe()
    assert len(frame) == 4
    assert {"max_depth", "eta", "min_child_weight", "subsample", "gamma", "TrainingJobName",
            "TrainingJobStatus", "FinalObjectiveValue",
            "TrainingElapsedTimeSeconds"} <= set(frame.columns)
    assert (frame["TrainingJobStatus"] == "Completed").all()
    best_row = frame.loc[frame["FinalObjectiveValue"].idxmin()]
    assert best_row["TrainingJobName"] == tuner.best_training_job()
    assert (frame["TrainingElapsedTimeSeconds"] > 0).all()


def test_best_estimator_attaches_and_deploys(tuner, session, boston, no_leaks):
    best = tuner.best_training_job()
    attached = Estimator.attach(best, sagemaker_session=session)
    assert attached.model_data.endswith(f"{best}/output/model.tar.gz")
    tuned = tuner.describe()["BestTrainingJob"]["TunedHyperParameters"]
    assert attached.hyperparameters()["max_depth"] == tuned["max_depth"]

    predictor = tuner.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE,
                             serializer=CSVSerializer())
    try:
        assert predictor.endpoint_name == best
        answer = predictor.predict(boston.test_features.values).decode()
        predictions = [float(v) for v in answer.replace("\n", ",").split(",") if v.strip()]
        assert len(predictions) == len(boston.test_features)
        assert rmse(predictions, boston.test_labels) < 5.0
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()


def test_tuner_attach_recovers_the_configuration(tuner, session):
    attached = HyperparameterTuner.attach(tuner.latest_tuning_job.name,
                                          sagemaker_session=session)
    assert attached.strategy == "Bayesian" and attached.max_jobs == 4
    assert attached.max_parallel_jobs == 2 and attached.early_stopping_type == "Off"
    integer_ranges = attached.hyperparameter_ranges()["IntegerParameterRanges"]
    assert {item["Name"] for item in integer_ranges} == {"max_depth", "min_child_weight"}
    assert attached.best_training_job() == tuner.best_training_job()
    assert attached.estimator.hyperparameters()["num_round"] == "30"


# -- the low-level flow -------------------------------------------------------------------------

def test_low_level_random_search_with_wait_for_tuning_job(sm, session, make_request):
    name = unique("lowlevel-tune")
    request = make_request(name, strategy="Random", max_jobs=3, ranges={
        "ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.01", "MaxValue": "0.5",
                                       "ScalingType": "Logarithmic"}],
        "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "2", "MaxValue": "6"}],
        "CategoricalParameterRanges": [{"Name": "booster", "Values": ["gbtree", "dart"]}],
    })
    request["Tags"] = [{"Key": "course", "Value": "mlops"}]
    arn = sm.create_hyper_parameter_tuning_job(**request)["HyperParameterTuningJobArn"]
    description = session.wait_for_tuning_job(name)

    assert description["HyperParameterTuningJobArn"] == arn
    assert description["HyperParameterTuningJobStatus"] == "Completed"
    config = description["HyperParameterTuningJobConfig"]
    assert config["ParameterRanges"]["ContinuousParameterRanges"][0]["ScalingType"] == \
        "Logarithmic"
    assert description["TrainingJobDefinition"]["StaticHyperParameters"] == {
        "objective": "reg:squarederror", "num_round": "20",
        "_tuning_objective_metric": OBJECTIVE}
    assert_counters_agree(sm, description)

    summaries = all_training_jobs(sm, name)
    assert len(summaries) == 3
    for summary in summaries:
        tuned = summary["TunedHyperParameters"]
        assert 0.01 <= float(tuned["eta"]) <= 0.5 and 2 <= int(tuned["max_depth"]) <= 6
        assert tuned["booster"] in ("gbtree", "dart")
        tags = sm.list_tags(ResourceArn=summary["TrainingJobArn"])["Tags"]
        assert {"Key": "course", "Value": "mlops"} in tags

    by_value = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="FinalObjectiveMetricValue",
        SortOrder="Ascending")["TrainingJobSummaries"]
    assert by_value[0]["TrainingJobName"] == description["BestTrainingJob"]["TrainingJobName"]
    by_name = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name)["TrainingJobSummaries"]
    assert [s["TrainingJobName"] for s in by_name] == sorted(s["TrainingJobName"]
                                                             for s in summaries)
    failed = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, StatusEquals="Failed")["TrainingJobSummaries"]
    assert failed == []
    listed = sm.list_hyper_parameter_tuning_jobs(NameContains=name)
    assert [s["HyperParameterTuningJobName"]
            for s in listed["HyperParameterTuningJobSummaries"]] == [name]


def test_grid_tries_every_combination_and_stops_a_slow_learner_early(sm, session, make_request):
    name = unique("grid-tune")
    etas = ["0.5", "0.4", "0.3", "0.001"]
    request = make_request(
        name, strategy="Grid", max_jobs=None, parallel=1,
        early_stopping="Auto",
        ranges={"CategoricalParameterRanges": [{"Name": "eta", "Values": etas}]},
        # Fast learners stop themselves (early_stopping_rounds); eta 0.001 would run for long.
        static={"objective": "reg:squarederror", "num_round": "20000",
                "early_stopping_rounds": "5"})
    sm.create_hyper_parameter_tuning_job(**request)
    description = session.wait_for_tuning_job(name)

    assert description["HyperParameterTuningJobConfig"]["ResourceLimits"][
        "MaxNumberOfTrainingJobs"] == len(etas)
    summaries = sorted(all_training_jobs(sm, name), key=lambda s: s["TrainingJobName"])
    assert [s["TunedHyperParameters"]["eta"] for s in summaries] == etas
    assert [s["TrainingJobStatus"] for s in summaries] == ["Completed"] * 3 + ["Stopped"]
    stopped = summaries[-1]
    assert stopped["ObjectiveStatus"] == "Succeeded"
    assert stopped["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] > max(
        s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in summaries[:3])
    assert description["TrainingJobStatusCounters"]["Stopped"] == 1
    assert_counters_agree(sm, description)


def test_stop_tuning_job_stops_its_training_jobs(sm, session, make_request, no_leaks):
    name = unique("stop-tune")
    request = make_request(
        name, strategy="Random", max_jobs=4, parallel=2,
        ranges={"IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "2",
                                            "MaxValue": "8"}]},
        static={"objective": "reg:squarederror", "num_round": "1000000", "eta": "0.001"})
    sm.create_hyper_parameter_tuning_job(**request)
    deadline = time.monotonic() + 30
    while not any(s["TrainingJobStatus"] == "InProgress" for s in all_training_jobs(sm, name)):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
        "HyperParameterTuningJobStatus"] in ("Stopping", "Stopped")
    description = wait_for_status(sm, name, ("Stopped",))

    summaries = all_training_jobs(sm, name)
    assert 1 <= len(summaries) <= 2  # nothing new was launched after the stop
    assert {s["TrainingJobStatus"] for s in summaries} == {"Stopped"}
    counters = description["TrainingJobStatusCounters"]
    assert counters["Stopped"] == len(summaries) and counters["InProgress"] == 0
    with pytest.raises(ClientError) as raised:
        sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "status Stopped" in raised.value.response["Error"]["Message"]
    session.stop_tuning_job(name)  # the SDK tolerates stopping a stopped job


def test_a_failing_training_job_does_not_end_the_tuning(sm, session, make_request):
    name = unique("partly-bad")
    request = make_request(name, strategy="Grid", max_jobs=None, ranges={
        "CategoricalParameterRanges": [{"Name": "max_depth", "Values": ["-1", "3"]}]})
    sm.create_hyper_parameter_tuning_job(**request)
    description = session.wait_for_tuning_job(name)
    assert description["TrainingJobStatusCounters"]["NonRetryableError"] == 1
    assert description["TrainingJobStatusCounters"]["Completed"] == 1
    assert description["ObjectiveStatusCounters"] == {"Succeeded": 1, "Pending": 0, "Failed": 1}
    assert description["BestTrainingJob"]["TunedHyperParameters"] == {"max_depth": "3"}
    failed = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, StatusEquals="Failed")["TrainingJobSummaries"]
    assert len(failed) == 1 and "max_depth" in failed[0]["FailureReason"]
    assert failed[0]["ObjectiveStatus"] == "Failed"
    assert "FinalHyperParameterTuningJobObjectiveMetric" not in failed[0]
    assert_counters_agree(sm, description)


def test_a_tuning_job_whose_training_jobs_all_fail_fails(sm, session, make_request):
    name = unique("all-bad")
    request = make_request(name, strategy="Grid", max_jobs=None, ranges={
        "CategoricalParameterRanges": [{"Name": "max_depth", "Values": ["-1", "-2"]}]})
    sm.create_hyper_parameter_tuning_job(**request)
    with pytest.raises(sagemaker.exceptions.UnexpectedStatusException) as raised:
        session.wait_for_tuning_job(name)
    assert "No training job succeeded after 2 attempts" in str(raised.value)
    description = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert description["HyperParameterTuningJobStatus"] == "Failed"
    assert description["TrainingJobStatusCounters"]["NonRetryableError"] == 2
    assert "BestTrainingJob" not in description


# -- what bad requests get ----------------------------------------------------------------------

def _with(request: dict, change) -> dict:
    changed = copy.deepcopy(request)
    change(changed)
    return changed


def _config(request: dict) -> dict:
    return request["HyperParameterTuningJobConfig"]


BAD_REQUESTS = {
    "log scaling from zero": (
        lambda r: _config(r)["ParameterRanges"]["ContinuousParameterRanges"][0].update(
            MinValue="0", ScalingType="Logarithmic"),
        "Logarithmic scaling, which works only for ranges whose values are greater than 0"),
    "reverse log on integers": (
        lambda r: _config(r)["ParameterRanges"].update(IntegerParameterRanges=[
            {"Name": "max_depth", "MinValue": "2", "MaxValue": "6",
             "ScalingType": "ReverseLogarithmic"}]),
        "supported only for continuous hyperparameter ranges"),
    "min above max": (
        lambda r: _config(r)["ParameterRanges"]["ContinuousParameterRanges"][0].update(
            MinValue="0.9"),
        "must be less than or equal to its MaxValue"),
    "not a number": (
        lambda r: _config(r)["ParameterRanges"]["ContinuousParameterRanges"][0].update(
            MaxValue="lots"),
        "The MaxValue 'lots' of hyperparameter eta is not a number"),
    "grid over a continuous range": (
        lambda r: _config(r).update(Strategy="Grid"),
        "Only categorical parameters are supported when using the grid search strategy"),
    "grid with the wrong job count": (
        lambda r: _config(r).update(Strategy="Grid", ParameterRanges={
            "CategoricalParameterRanges": [{"Name": "max_depth", "Values": ["2", "4", "6"]}]}),
        "must equal the total number of distinct categorical combinations (3)"),
    "random without a job count": (
        lambda r: _config(r)["ResourceLimits"].pop("MaxNumberOfTrainingJobs"),
        "MaxNumberOfTrainingJobs is required for the Random strategy"),
    "unknown objective metric": (
        lambda r: _config(r)["HyperParameterTuningJobObjective"].update(
            MetricName="validation:rmsee"),
        "Did you mean validation:rmse?"),
    "hyperband": (
        lambda r: _config(r).update(Strategy="Hyperband"),
        "Hyperband is not implemented"),
    "name too long": (
        lambda r: r.update(HyperParameterTuningJobName="x" * 33),
        "Member must have length less than or equal to 32"),
}


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_bad_requests_are_refused_with_a_reason(sm, make_request, case):
    change, message = BAD_REQUESTS[case]
    request = make_request(unique("bad"), strategy="Random", max_jobs=2,
                           ranges={"ContinuousParameterRanges": [
                               {"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}]})
    with pytest.raises(ClientError) as raised:
        sm.create_hyper_parameter_tuning_job(**_with(request, change))
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert message in raised.value.response["Error"]["Message"]


def test_unknown_and_duplicate_names(sm, session, make_request):
    with pytest.raises(ClientError) as raised:
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="no-such-tuning")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"
    assert "can't find a tuning job called no-such-tuning" in \
        raised.value.response["Error"]["Message"]

    name = unique("dup-tune")
    request = make_request(name, strategy="Grid", max_jobs=None, ranges={
        "CategoricalParameterRanges": [{"Name": "max_depth", "Values": ["3"]}]})
    sm.create_hyper_parameter_tuning_job(**request)
    with pytest.raises(ClientError) as raised:
        sm.create_hyper_parameter_tuning_job(**request)
    assert raised.value.response["Error"]["Code"] == "ResourceInUse"
    assert f"with the name, {name}, already exists" in raised.value.response["Error"]["Message"]
    assert session.wait_for_tuning_job(name)["HyperParameterTuningJobStatus"] == "Completed"
