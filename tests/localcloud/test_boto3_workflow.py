"""The same XGBoost workflow through the low-level boto3 client, plus what bad input gets.

Every call here is the one a learner would make against AWS; waits use the SDK's own helpers
(``logs_for_job``, ``wait_for_endpoint``, ``wait_for_transform_job``).
"""

from __future__ import annotations

import time

import boto3
import numpy as np
import pytest
import sagemaker
from botocore.exceptions import ClientError
from support import (
    INSTANCE_TYPE,
    training_request,
    unique,
    wait_for_job,
    write_csv,
    xgboost_image,
)

pytestmark = pytest.mark.usefixtures("aws_env")


@pytest.fixture(scope="module")
def data(upload_boston):
    """Boston train, validation and test uploaded under lowlevel/, and the output location."""
    return upload_boston("lowlevel", "train", "validation", "test")


def log_messages(group: str, prefix: str) -> list[str]:
    """Every CloudWatch message in the streams of ``group`` whose names start with ``prefix``."""
    logs = boto3.client("logs")
    messages = []
    for stream in logs.describe_log_streams(logGroupName=group,
                                            logStreamNamePrefix=prefix)["logStreams"]:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"],
                                     startFromHead=True)["events"]
        messages.extend(event["message"] for event in events)
    return messages


def test_low_level_workflow(sm, session, data, boston, no_leaks, capsys):
    job = unique("lowlevel-xgb")
    sm.create_training_job(**training_request(
        job, session, {"train": data["train"], "validation": data["validation"]}))
    session.logs_for_job(job, wait=True)
    assert "validation-rmse" in capsys.readouterr().out
    artifacts = sm.describe_training_job(TrainingJobName=job)["ModelArtifacts"]

    model = unique("lowlevel-model")
    container = {"Image": xgboost_image(session), "ModelDataUrl": artifacts["S3ModelArtifacts"]}
    sm.create_model(ModelName=model, ExecutionRoleArn=sagemaker.get_execution_role(),
                    PrimaryContainer=container)
    config = unique("lowlevel-config")
    sm.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1,
        "InstanceType": INSTANCE_TYPE, "InitialVariantWeight": 1.0}])
    endpoint = unique("lowlevel-endpoint")
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    described = session.wait_for_endpoint(endpoint)
    assert described["EndpointStatus"] == "InService"
    try:
        runtime = boto3.client("sagemaker-runtime")
        body = "\n".join(",".join(str(v) for v in row) for row in boston.test_features.values[:5])
        response = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                           Body=body)
        assert response["InvokedProductionVariant"] == "AllTraffic"
        values = response["Body"].read().decode().replace("\n", ",").split(",")
        assert len([v for v in values if v.strip()]) == 5

        with pytest.raises(ClientError) as raised:
            runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                    Body="not,a,number")
        assert raised.value.response["Error"]["Code"] == "ModelError"
        assert raised.value.response["OriginalStatusCode"] == 400
        again = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                        Body=body.splitlines()[0])
        assert float(again["Body"].read().decode().strip().split(",")[0]) > 0
    finally:
        sm.delete_endpoint(EndpointName=endpoint)

    transform = unique("lowlevel-transform")
    sm.create_transform_job(
        TransformJobName=transform, ModelName=model, MaxPayloadInMB=1,
        BatchStrategy="MultiRecord",
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                        "S3Uri": data["test"]}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": f"{data['output']}/transform",
                         "AssembleWith": "Line"},
        TransformResources={"InstanceType": INSTANCE_TYPE, "InstanceCount": 1})
    finished = session.wait_for_transform_job(transform)
    assert finished["TransformJobStatus"] == "Completed"
    bucket, key = f"{data['output']}/transform/test.csv.out".removeprefix("s3://").split("/", 1)
    text = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    predictions = np.array([float(line) for line in text.splitlines()])
    assert len(predictions) == len(boston.test_features)
    assert log_messages("/aws/sagemaker/TransformJobs", transform)
    sm.delete_endpoint_config(EndpointConfigName=config)
    sm.delete_model(ModelName=model)


def test_header_row_fails_with_a_reason(sm, session, tmp_path, boston):
    path = tmp_path / "with_header.csv"
    boston.train.to_csv(path, index=False)  # header row included: a classic mistake
    uri = session.upload_data(str(path), key_prefix="bad/header")
    job = unique("bad-header")
    sm.create_training_job(**training_request(job, session, {"train": uri}))
    description = wait_for_job(sm, job)
    assert description["TrainingJobStatus"] == "Failed"
    reason = description["FailureReason"]
    assert reason.startswith("ClientError") and "MEDV" in reason
    assert any("MEDV" in m for m in log_messages("/aws/sagemaker/TrainingJobs", job))


def test_text_column_fails_with_a_reason(sm, session, tmp_path, boston):
    frame = boston.train.copy()
    frame["CHAS"] = frame["CHAS"].map({0: "no", 1: "yes"})
    uri = session.upload_data(str(write_csv(frame, tmp_path / "text.csv")),
                              key_prefix="bad/text")
    job = unique("bad-text")
    sm.create_training_job(**training_request(job, session, {"train": uri}))
    description = wait_for_job(sm, job)
    assert description["TrainingJobStatus"] == "Failed"
    assert "ClientError" in description["FailureReason"]
    assert "no" in description["FailureReason"] or "yes" in description["FailureReason"]


def test_missing_train_channel_fails_with_a_reason(sm, session, data):
    job = unique("bad-channel")
    sm.create_training_job(**training_request(job, session, {"validation": data["validation"]}))
    description = wait_for_job(sm, job)
    assert description["TrainingJobStatus"] == "Failed"
    assert "train" in description["FailureReason"]


def test_empty_prefix_fails_with_a_reason(sm, session):
    job = unique("bad-prefix")
    empty = f"s3://{session.default_bucket()}/nothing/here/"
    sm.create_training_job(**training_request(job, session, {"train": empty}))
    description = wait_for_job(sm, job)
    assert description["TrainingJobStatus"] == "Failed"
    assert "No S3 objects found" in description["FailureReason"]
    assert description["ModelArtifacts"]["S3ModelArtifacts"].endswith(f"/{job}/output/model.tar.gz")


def test_unknown_endpoint_is_a_validation_error():
    with pytest.raises(ClientError) as raised:
        boto3.client("sagemaker-runtime").invoke_endpoint(EndpointName="no-such-endpoint",
                                                          ContentType="text/csv", Body="1")
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "no-such-endpoint" in raised.value.response["Error"]["Message"]


def test_duplicate_names_are_refused(sm, session, data):
    job = unique("dup")
    request = training_request(job, session, {"train": data["train"]})
    sm.create_training_job(**request)
    with pytest.raises(ClientError) as raised:
        sm.create_training_job(**request)
    assert raised.value.response["Error"]["Code"] == "ResourceInUse"
    wait_for_job(sm, job)
    model = unique("dup-model")
    container = {"Image": request["AlgorithmSpecification"]["TrainingImage"]}
    sm.create_model(ModelName=model, ExecutionRoleArn=request["RoleArn"],
                    PrimaryContainer=container)
    with pytest.raises(ClientError) as raised:
        sm.create_model(ModelName=model, ExecutionRoleArn=request["RoleArn"],
                        PrimaryContainer=container)
    assert "Cannot create already existing model" in raised.value.response["Error"]["Message"]
    sm.delete_model(ModelName=model)


def test_max_runtime_is_enforced(sm, session, data):
    job = unique("slow")
    request = training_request(job, session, {"train": data["train"]}, num_round=1000000,
                               max_depth=10, eta=0.001)
    request["StoppingCondition"] = {"MaxRuntimeInSeconds": 2}
    sm.create_training_job(**request)
    description = wait_for_job(sm, job)
    assert description["TrainingJobStatus"] == "Stopped"
    assert description["SecondaryStatus"] == "MaxRuntimeExceeded"


def test_stop_training_job(sm, session, data):
    job = unique("stopme")
    request = training_request(job, session, {"train": data["train"]}, num_round=1000000,
                               eta=0.001)
    sm.create_training_job(**request)
    planned = f"{request['OutputDataConfig']['S3OutputPath']}/{job}/output/model.tar.gz"
    # As on AWS, the artifact's location is known (and described) from the start, so the SDK's
    # `model_data` never fails with KeyError on a job that is still running.
    running = sm.describe_training_job(TrainingJobName=job)
    assert running["TrainingJobStatus"] == "InProgress"
    assert running["ModelArtifacts"] == {"S3ModelArtifacts": planned}
    assert "FailureReason" not in running
    time.sleep(1.5)
    sm.stop_training_job(TrainingJobName=job)
    description = wait_for_job(sm, job)
    assert description["TrainingJobStatus"] == "Stopped"
    assert description["ModelArtifacts"] == {"S3ModelArtifacts": planned}
    assert "FailureReason" not in description
    with pytest.raises(ClientError) as raised:
        sm.stop_training_job(TrainingJobName=job)
    assert "status Stopped" in raised.value.response["Error"]["Message"]


def test_payload_over_six_megabytes_is_refused():
    with pytest.raises(ClientError) as raised:
        boto3.client("sagemaker-runtime").invoke_endpoint(
            EndpointName="any", ContentType="text/csv", Body=b"1" * (6 * 1024 * 1024 + 1))
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_request_validation_uses_aws_wording(sm):
    with pytest.raises(ClientError) as raised:
        sm.describe_endpoint(EndpointName="bad_name!")
    message = raised.value.response["Error"]["Message"]
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "failed to satisfy constraint" in message


def test_tags_round_trip(sm, session):
    model = unique("tagged")
    arn = sm.create_model(
        ModelName=model, ExecutionRoleArn=sagemaker.get_execution_role(),
        PrimaryContainer={"Image": xgboost_image(session)},
        Tags=[{"Key": "course", "Value": "mlops"}])["ModelArn"]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "lesson", "Value": "1"}])
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
    assert tags == {"course": "mlops", "lesson": "1"}
    sm.delete_model(ModelName=model)
