"""mlcourse.teardown against a real boto3 SageMaker client whose answers come from a Stubber.

The Stubber checks every call: its operation, its exact parameters and its order, and refuses
any call not queued, so "deleted nothing" and "deleted in the right order" are both checked.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from mlcourse import teardown
from mlcourse.teardown import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    MODEL,
    TRAINING_JOB,
    TRANSFORM_JOB,
    Resource,
    delete_endpoint,
    delete_leftovers,
    find_leftovers,
    sagemaker_client,
    torn_down,
)

ARN = "arn:aws:sagemaker:us-east-1:123456789012"
CREATED = datetime(2024, 5, 1, tzinfo=timezone.utc)


def make_client(service: str = "sagemaker"):
    """A real client; nothing leaves the process (the Stubber answers, the port is closed).

    It comes from a session of its own: boto3's cached default session would keep the
    configuration read now, and tests that later point the environment at localcloud use it.
    """
    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="testing",
                                    aws_secret_access_key="testing")
    return session.client(service, endpoint_url="http://127.0.0.1:9")


class SageMakerScript:
    """The calls a test expects, in order, with AWS-shaped answers."""

    def __init__(self, stubber: Stubber):
        self.stubber = stubber

    def endpoint(self, name: str, config: str | None, pending: str | None = None) -> None:
        answer = {"EndpointName": name, "EndpointArn": f"{ARN}:endpoint/{name}",
                  "EndpointStatus": "InService", "CreationTime": CREATED,
                  "LastModifiedTime": CREATED}
        if config:
            answer["EndpointConfigName"] = config
        if pending:
            answer["PendingDeploymentSummary"] = {"EndpointConfigName": pending}
        self.stubber.add_response("describe_endpoint", answer, {"EndpointName": name})

    def config(self, name: str, models: list[str], shadows: tuple[str, ...] = ()) -> None:
        answer = {"EndpointConfigName": name, "EndpointConfigArn": f"{ARN}:endpoint-config/{name}",
                  "CreationTime": CREATED,
                  "ProductionVariants": [{"VariantName": f"v{i}", "ModelName": model}
                                         for i, model in enumerate(models)]}
        if shadows:
            answer["ShadowProductionVariants"] = [{"VariantName": f"s{i}", "ModelName": model}
                                                  for i, model in enumerate(shadows)]
        self.stubber.add_response("describe_endpoint_config", answer, {"EndpointConfigName": name})

    def ok(self, method: str, **params) -> None:
        self.stubber.add_response(method, {}, params)

    def error(self, method: str, message: str, code: str = "ValidationException",
              **params) -> None:
        self.stubber.add_client_error(method, service_error_code=code, service_message=message,
                                      http_status_code=400, expected_params=params)

    def missing(self, method: str, what: str, **params) -> None:
        """AWS's (and localcloud's) answer for something that does not exist."""
        self.error(method, f'Could not find {what} "{ARN}:{what}/x".', **params)

    def job(self, method: str, noun: str, name: str, status: str) -> None:
        """A Describe{Training,Transform}Job answer (only the fields the module reads matter)."""
        answer = {f"{noun}Name": name, f"{noun}Arn": f"{ARN}:job/{name}",
                  f"{noun}Status": status, "CreationTime": CREATED}
        if noun == "TrainingJob":
            answer.update(ModelArtifacts={"S3ModelArtifacts": "s3://b/k"},
                          SecondaryStatus="Completed", StoppingCondition={})
        self.stubber.add_response(method, answer, {f"{noun}Name": name})

    def listing(self, method: str, key: str, names: list[str], summary: dict, filters: dict,
                next_token: str | None = None) -> None:
        name_key = {"Endpoints": "EndpointName", "EndpointConfigs": "EndpointConfigName",
                    "Models": "ModelName"}.get(key, key.replace("Summaries", "Name"))
        answer = {key: [{name_key: name, "CreationTime": CREATED, **summary} for name in names]}
        if next_token:
            answer["NextToken"] = next_token
        self.stubber.add_response(method, answer, filters)


@pytest.fixture
def sm():
    return make_client()


@pytest.fixture
def script(sm):
    with Stubber(sm) as stubber:
        yield SageMakerScript(stubber)
        stubber.assert_no_pending_responses()


def expect_full_teardown(script: SageMakerScript, endpoint: str = "ep") -> None:
    """An endpoint serving two models through one config, all deleted."""
    script.endpoint(endpoint, f"{endpoint}-config")
    script.config(f"{endpoint}-config", ["model-a", "model-b"])
    script.ok("delete_endpoint", EndpointName=endpoint)
    script.ok("delete_endpoint_config", EndpointConfigName=f"{endpoint}-config")
    script.ok("delete_model", ModelName="model-a")
    script.ok("delete_model", ModelName="model-b")


# -- delete_endpoint --------------------------------------------------------------------------

def test_deletes_endpoint_then_config_then_every_model(sm, script):
    expect_full_teardown(script)
    deleted = delete_endpoint("ep", client=sm)
    assert deleted == [Resource(ENDPOINT, "ep"), Resource(ENDPOINT_CONFIG, "ep-config"),
                       Resource(MODEL, "model-a"), Resource(MODEL, "model-b")]


def test_logs_each_deletion_at_info(sm, script, caplog):
    expect_full_teardown(script)
    with caplog.at_level(logging.INFO, logger=teardown.__name__):
        delete_endpoint("ep", client=sm)
    assert [r.getMessage() for r in caplog.records] == [
        "Deleted endpoint ep", "Deleted endpoint config ep-config",
        "Deleted model model-a", "Deleted model model-b"]


def test_missing_endpoint_deletes_nothing(sm, script):
    script.missing("describe_endpoint", "endpoint", EndpointName="gone")
    assert delete_endpoint("gone", client=sm) == []


def test_pending_config_and_shadow_models_are_included(sm, script):
    script.endpoint("ep", "old-config", pending="new-config")
    script.config("old-config", ["old-model"])
    script.config("new-config", ["new-model"], shadows=("shadow-model",))
    script.ok("delete_endpoint", EndpointName="ep")
    for config in ("new-config", "old-config"):  # by name within a kind
        script.ok("delete_endpoint_config", EndpointConfigName=config)
    for model in ("new-model", "old-model", "shadow-model"):
        script.ok("delete_model", ModelName=model)
    assert len(delete_endpoint("ep", client=sm)) == 6


def test_shared_model_is_deleted_once(sm, script):
    script.endpoint("ep", "cfg")
    script.config("cfg", ["same", "same"])
    script.ok("delete_endpoint", EndpointName="ep")
    script.ok("delete_endpoint_config", EndpointConfigName="cfg")
    script.ok("delete_model", ModelName="same")
    assert delete_endpoint("ep", client=sm)[-1] == Resource(MODEL, "same")


def test_things_already_gone_are_skipped_not_reported(sm, script):
    script.endpoint("ep", "cfg")
    script.config("cfg", ["model-a", "model-b"])
    script.ok("delete_endpoint", EndpointName="ep")
    script.ok("delete_endpoint_config", EndpointConfigName="cfg")
    script.missing("delete_model", "model", ModelName="model-a")
    script.ok("delete_model", ModelName="model-b")
    deleted = delete_endpoint("ep", client=sm)
    assert Resource(MODEL, "model-a") not in deleted
    assert Resource(MODEL, "model-b") in deleted


def test_config_already_gone_still_deletes_the_endpoint(sm, script):
    script.endpoint("ep", "cfg")
    script.missing("describe_endpoint_config", "endpoint configuration",
                   EndpointConfigName="cfg")
    script.ok("delete_endpoint", EndpointName="ep")
    script.missing("delete_endpoint_config", "endpoint configuration", EndpointConfigName="cfg")
    assert delete_endpoint("ep", client=sm) == [Resource(ENDPOINT, "ep")]


def test_endpoint_without_config_name(sm, script):
    script.endpoint("ep", None)
    script.ok("delete_endpoint", EndpointName="ep")
    assert delete_endpoint("ep", client=sm) == [Resource(ENDPOINT, "ep")]


def test_other_errors_are_raised(sm, script):
    script.endpoint("ep", "cfg")
    script.config("cfg", ["m"])
    script.error("delete_endpoint", "User is not authorized", code="AccessDeniedException",
                 EndpointName="ep")
    with pytest.raises(ClientError, match="not authorized"):
        delete_endpoint("ep", client=sm)


def test_validation_errors_that_are_not_not_found_are_raised(sm, script):
    script.error("describe_endpoint", "1 validation error detected", EndpointName="ep")
    with pytest.raises(ClientError, match="validation error"):
        delete_endpoint("ep", client=sm)


def test_keep_config_and_models(sm, script):
    script.endpoint("ep", "cfg")
    script.config("cfg", ["m"])
    script.ok("delete_endpoint", EndpointName="ep")
    assert delete_endpoint("ep", client=sm, delete_config=False, delete_models=False) == [
        Resource(ENDPOINT, "ep")]


def test_keep_models_only(sm, script):
    script.endpoint("ep", "cfg")
    script.config("cfg", ["m"])
    script.ok("delete_endpoint", EndpointName="ep")
    script.ok("delete_endpoint_config", EndpointConfigName="cfg")
    assert [r.kind for r in delete_endpoint("ep", client=sm, delete_models=False)] == [
        ENDPOINT, ENDPOINT_CONFIG]


def test_wait_polls_until_the_endpoint_is_gone(sm, script):
    script.endpoint("ep", "cfg")
    script.config("cfg", ["m"])
    script.ok("delete_endpoint", EndpointName="ep")
    script.ok("delete_endpoint_config", EndpointConfigName="cfg")
    script.ok("delete_model", ModelName="m")
    script.missing("describe_endpoint", "endpoint", EndpointName="ep")  # the waiter's poll
    assert len(delete_endpoint("ep", client=sm, wait=True)) == 3


# -- clients ----------------------------------------------------------------------------------

def test_client_from_a_session_or_as_given(sm):
    assert sagemaker_client(sm) is sm
    assert sagemaker_client(SimpleNamespace(sagemaker_client=sm)) is sm


def test_default_client_is_a_sagemaker_client(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # The default client comes from boto3's cached default session; see make_client.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    assert sagemaker_client().meta.service_model.service_name == "sagemaker"


@pytest.mark.parametrize("wrong", [object(), "sagemaker", make_client("s3")])
def test_other_objects_are_refused(wrong):
    with pytest.raises(TypeError, match="SageMaker client"):
        sagemaker_client(wrong)


def test_delete_endpoint_accepts_a_session(sm, script):
    script.missing("describe_endpoint", "endpoint", EndpointName="ep")
    assert delete_endpoint("ep", client=SimpleNamespace(sagemaker_client=sm)) == []


# -- the context manager ----------------------------------------------------------------------

def test_guard_tears_down_when_the_block_succeeds(sm, script):
    expect_full_teardown(script)
    with torn_down("ep", client=sm) as guard:
        pass
    assert len(guard.deleted) == 4


def test_guard_tears_down_and_reraises_when_the_block_fails(sm, script):
    expect_full_teardown(script)
    with pytest.raises(RuntimeError, match="deploy failed"), torn_down("ep", client=sm) as guard:
        raise RuntimeError("deploy failed")
    assert Resource(ENDPOINT, "ep") in guard.deleted


def test_guard_accepts_a_predictor_and_uses_its_session(sm, script):
    predictor = SimpleNamespace(endpoint_name="ep",
                                sagemaker_session=SimpleNamespace(sagemaker_client=sm))
    expect_full_teardown(script)
    with torn_down(predictor) as guard:
        pass
    assert guard.deleted[0] == Resource(ENDPOINT, "ep")


def test_track_adds_an_endpoint_created_in_the_block(sm, script):
    expect_full_teardown(script, "first")
    expect_full_teardown(script, "second")
    with torn_down("first", client=sm) as guard:
        predictor = SimpleNamespace(endpoint_name="second", sagemaker_session=None)
        assert guard.track(predictor) is predictor
    assert {r.name for r in guard.deleted if r.kind == ENDPOINT} == {"first", "second"}


def test_track_refuses_other_objects():
    with pytest.raises(TypeError, match="endpoint name or a Predictor"):
        torn_down(42)


def test_teardown_failure_is_raised_when_the_block_succeeded(sm, script):
    script.error("describe_endpoint", "Rate exceeded", code="ThrottlingException",
                 EndpointName="ep")
    with pytest.raises(ClientError, match="Rate exceeded"), torn_down("ep", client=sm):
        pass


def test_teardown_failure_does_not_hide_the_blocks_error(sm, script, caplog):
    script.error("describe_endpoint", "Rate exceeded", code="ThrottlingException",
                 EndpointName="ep")
    with pytest.raises(KeyError, match="learner's bug"), torn_down("ep", client=sm):
        raise KeyError("learner's bug")
    assert any("Rate exceeded" in record.getMessage() for record in caplog.records)
    assert any(record.levelno == logging.ERROR and record.exc_info for record in caplog.records)


def test_one_failing_endpoint_does_not_stop_the_others(sm, script):
    script.error("describe_endpoint", "Rate exceeded", code="ThrottlingException",
                 EndpointName="bad")
    expect_full_teardown(script, "good")
    guard = torn_down("bad", "good", client=sm)
    with pytest.raises(ClientError, match="Rate exceeded"):
        guard.teardown()
    assert Resource(ENDPOINT, "good") in guard.deleted


# -- leftovers --------------------------------------------------------------------------------

JOB_FILTERS = {"NameContains": "course", "StatusEquals": "InProgress"}


def expect_listings(script: SageMakerScript, *, training=(), endpoints=(), configs=(),
                    models=()) -> None:
    """The six listings find_leftovers makes, in its order, for prefix "course"."""
    script.listing("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries",
                   [], {}, JOB_FILTERS)
    script.listing("list_training_jobs", "TrainingJobSummaries", list(training),
                   {"TrainingJobArn": f"{ARN}:training-job/x",
                    "TrainingJobStatus": "InProgress"}, JOB_FILTERS)
    script.listing("list_transform_jobs", "TransformJobSummaries", [], {}, JOB_FILTERS)
    script.listing("list_endpoints", "Endpoints", list(endpoints),
                   {"EndpointArn": f"{ARN}:endpoint/x", "LastModifiedTime": CREATED,
                    "EndpointStatus": "InService"}, {"NameContains": "course"})
    for endpoint in endpoints:
        if endpoint.startswith("course"):
            script.endpoint(endpoint, endpoint)  # the SDK names the config after the endpoint
            script.config(endpoint, ["sagemaker-xgboost-2024-05-01"])
    script.listing("list_endpoint_configs", "EndpointConfigs", list(configs),
                   {"EndpointConfigArn": f"{ARN}:endpoint-config/x"}, {"NameContains": "course"})
    script.listing("list_models", "Models", list(models), {"ModelArn": f"{ARN}:model/x"},
                   {"NameContains": "course"})


LEFTOVERS = [Resource(TRAINING_JOB, "course-train"), Resource(ENDPOINT, "course-ep"),
             Resource(ENDPOINT_CONFIG, "course-ep"), Resource(ENDPOINT_CONFIG, "course-old"),
             Resource(MODEL, "course-model"), Resource(MODEL, "sagemaker-xgboost-2024-05-01")]


def expect_course_leftovers(script: SageMakerScript) -> None:
    """A running job, an endpoint with an SDK-named model, an old config; plus a stranger."""
    expect_listings(script, training=["course-train"],
                    endpoints=["course-ep", "my-course-ep"],  # NameContains also matches "my-"
                    configs=["course-ep", "course-old"], models=["course-model"])


def test_find_leftovers_follows_endpoints_and_filters_by_prefix(sm, script):
    expect_course_leftovers(script)
    assert find_leftovers("course", client=sm) == LEFTOVERS


def test_dry_run_reports_and_deletes_nothing(sm, script, caplog):
    expect_course_leftovers(script)  # the Stubber refuses any Stop or Delete call
    with caplog.at_level(logging.INFO, logger=teardown.__name__):
        assert delete_leftovers("course", client=sm) == LEFTOVERS
    report = caplog.text
    assert "course-train" in report and "sagemaker-xgboost-2024-05-01" in report
    assert "my-course-ep" not in report


def test_delete_leftovers_stops_jobs_then_deletes_in_order(sm, script):
    expect_course_leftovers(script)
    script.ok("stop_training_job", TrainingJobName="course-train")
    script.ok("delete_endpoint", EndpointName="course-ep")
    script.ok("delete_endpoint_config", EndpointConfigName="course-ep")
    script.ok("delete_endpoint_config", EndpointConfigName="course-old")
    script.ok("delete_model", ModelName="course-model")
    script.ok("delete_model", ModelName="sagemaker-xgboost-2024-05-01")
    assert delete_leftovers("course", client=sm, dry_run=False) == LEFTOVERS


def test_waits_only_after_every_deletion_and_only_for_removed_endpoints(sm, script):
    expect_listings(script, endpoints=["course-a", "course-b"])
    script.ok("delete_endpoint", EndpointName="course-a")
    script.missing("delete_endpoint", "endpoint", EndpointName="course-b")  # gone meanwhile
    script.ok("delete_endpoint_config", EndpointConfigName="course-a")
    script.ok("delete_endpoint_config", EndpointConfigName="course-b")
    script.ok("delete_model", ModelName="sagemaker-xgboost-2024-05-01")
    script.missing("describe_endpoint", "endpoint", EndpointName="course-a")  # the waiter's poll
    assert delete_leftovers("course", client=sm, dry_run=False, wait=True) == [
        Resource(ENDPOINT, "course-a"), Resource(ENDPOINT_CONFIG, "course-a"),
        Resource(ENDPOINT_CONFIG, "course-b"), Resource(MODEL, "sagemaker-xgboost-2024-05-01")]


def test_job_that_finished_meanwhile_is_not_an_error(sm, script):
    expect_listings(script, training=["course-train"])
    script.error("stop_training_job", "The request was rejected because the training job is in "
                 "status Completed.", TrainingJobName="course-train")
    script.job("describe_training_job", "TrainingJob", "course-train", "Completed")
    assert delete_leftovers("course", client=sm, dry_run=False) == []


def test_refused_stop_of_a_running_job_is_raised(sm, script):
    expect_listings(script, training=["course-train"])
    script.error("stop_training_job", "Something else", TrainingJobName="course-train")
    script.job("describe_training_job", "TrainingJob", "course-train", "InProgress")
    with pytest.raises(ClientError, match="Something else"):
        delete_leftovers("course", client=sm, dry_run=False)


def test_unknown_listing_operation_is_raised_not_skipped(sm, script):
    # Every List* operation exists on AWS and on localcloud, so this error is a real fault.
    script.error("list_hyper_parameter_tuning_jobs", "The operation is not supported",
                 code="UnknownOperationException", **JOB_FILTERS)
    with pytest.raises(ClientError, match="UnknownOperationException"):
        find_leftovers("course", client=sm)


def test_other_listing_errors_are_raised(sm, script):
    script.error("list_hyper_parameter_tuning_jobs", "denied", code="AccessDeniedException",
                 **JOB_FILTERS)
    with pytest.raises(ClientError, match="denied"):
        find_leftovers("course", client=sm)


def test_listings_follow_pages_and_since_filters(sm, script):
    since = datetime(2024, 4, 1, tzinfo=timezone.utc)
    job_filters = {"CreationTimeAfter": since, "StatusEquals": "InProgress"}
    for method, key in (("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries"),
                        ("list_training_jobs", "TrainingJobSummaries"),
                        ("list_transform_jobs", "TransformJobSummaries")):
        script.listing(method, key, [], {}, job_filters)
    script.listing("list_endpoints", "Endpoints", [], {}, {"CreationTimeAfter": since})
    script.listing("list_endpoint_configs", "EndpointConfigs", [], {},
                   {"CreationTimeAfter": since})
    model_summary = {"ModelArn": f"{ARN}:model/x"}
    script.listing("list_models", "Models", ["b-model"], model_summary,
                   {"CreationTimeAfter": since}, next_token="page-2")
    script.listing("list_models", "Models", ["a-model"], model_summary,
                   {"CreationTimeAfter": since, "NextToken": "page-2"})
    assert find_leftovers(since=since, client=sm) == [Resource(MODEL, "a-model"),
                                                      Resource(MODEL, "b-model")]


def test_transform_jobs_are_stopped_before_models_are_deleted(sm, script):
    script.listing("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries", [],
                   {}, JOB_FILTERS)
    script.listing("list_training_jobs", "TrainingJobSummaries", [], {}, JOB_FILTERS)
    script.listing("list_transform_jobs", "TransformJobSummaries", ["course-batch"],
                   {"TransformJobArn": f"{ARN}:transform-job/x",
                    "TransformJobStatus": "InProgress"}, JOB_FILTERS)
    script.listing("list_endpoints", "Endpoints", [], {}, {"NameContains": "course"})
    script.listing("list_endpoint_configs", "EndpointConfigs", [], {}, {"NameContains": "course"})
    script.listing("list_models", "Models", ["course-model"], {"ModelArn": f"{ARN}:model/x"},
                   {"NameContains": "course"})
    script.ok("stop_transform_job", TransformJobName="course-batch")
    script.ok("delete_model", ModelName="course-model")
    assert delete_leftovers("course", client=sm, dry_run=False) == [
        Resource(TRANSFORM_JOB, "course-batch"), Resource(MODEL, "course-model")]
