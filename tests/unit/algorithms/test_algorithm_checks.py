"""The check suite every built-in passes (cases and helpers in checks.py).

For each algorithm: it trains on tiny CSV (JSON Lines time series for DeepAR; RecordIO-protobuf
too) data through the container entry point; its log carries the metrics its definitions
promise, read by the service's own parser; its model serves every request and answer type it
supports, in process and as a model-server process; a bad hyperparameter fails the job with a
FailureReason naming it; batch transform runs it over a CSV (or JSON Lines) object in the
session's localcloud.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import uuid

import boto3
import pytest
from checks import (
    CASES,
    RECORDIO,
    Case,
    count_answers,
    request_body,
    write_training_job,
)
from model_server import http_request, running_model_server

from localcloud.aws.logs import TAB_ESCAPE
from localcloud.containers.__main__ import run_training
from localcloud.containers.contract import ML_ROOT_ENV, MLPaths
from localcloud.containers.registry import IMAGES, family_named
from localcloud.sagemaker.training import MetricParser

ANSWERED_EXAMPLES = 3


def test_every_built_in_has_a_case():
    assert {case.name for case in CASES} == {family.name for family in IMAGES
                                             if family.kind == "algorithm"}


def train(tmp_path, monkeypatch, case: Case, content_type: str,
          hyperparameters: dict | None = None) -> tuple[MLPaths, int]:
    paths = write_training_job(tmp_path, case, content_type, hyperparameters)
    monkeypatch.setenv(ML_ROOT_ENV, str(tmp_path))
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    return paths, run_training(case.name)


@pytest.fixture(params=CASES, ids=str)
def case(request) -> Case:
    return request.param


@pytest.fixture
def trained(tmp_path_factory, case, monkeypatch) -> tuple[Case, MLPaths]:
    """The case's model, trained on CSV (JSON Lines for time series)."""
    root = tmp_path_factory.mktemp(case.name)
    paths, status = train(root, monkeypatch, case, case.training_content_type)
    assert status == 0, paths.failure_file.read_text()
    return case, paths


def test_trains_from_csv_as_a_container_and_logs_its_metrics(tmp_path, case):
    """Run as the platform runs it: a container process whose output becomes the job's log."""
    paths = write_training_job(tmp_path, case, case.training_content_type)
    container = subprocess.run(
        [sys.executable, "-m", "localcloud.containers", "train", case.name],
        env={**os.environ, ML_ROOT_ENV: str(tmp_path), **case.env}, capture_output=True,
        text=True, timeout=120)
    assert container.returncode == 0, container.stdout + container.stderr
    assert any(paths.model_dir.iterdir()), "training wrote no model"
    parser = MetricParser(family_named(case.name).metric_definitions())
    for line in container.stdout.splitlines():
        parser.feed(line.replace("\t", TAB_ESCAPE))  # as CloudWatch shows it
    missing = set(case.metrics) - set(parser.history)
    assert not missing, f"{case.name} logged no {missing}:\n{container.stdout}"


def test_trains_from_recordio_protobuf(tmp_path, monkeypatch, case):
    if not case.trains_on_recordio:
        pytest.skip(f"localcloud's {case.name} reads no RecordIO-protobuf training data")
    paths, status = train(tmp_path, monkeypatch, case, RECORDIO)
    assert status == 0, paths.failure_file.read_text()
    assert any(paths.model_dir.iterdir()), "training wrote no model"


def test_a_bad_hyperparameter_fails_with_a_reason_naming_it(tmp_path, monkeypatch, case):
    name, value = case.bad_hyperparameter
    paths, status = train(tmp_path, monkeypatch, case, case.training_content_type,
                          {**case.hyperparameters, name: value})
    reason = paths.failure_file.read_text()
    assert status == 1 and reason.startswith("ClientError: ") and name in reason


def test_serves_every_request_and_answer_type(trained, monkeypatch):
    case, paths = trained
    handler = family_named(case.name).load().Handler()
    handler.load(paths.model_dir)
    features = case.problem().features[:ANSWERED_EXAMPLES]
    for content_type in case.request_types:
        for accept in case.accept_types:
            body, answered_type = handler.invoke(request_body(features, content_type),
                                                 content_type, accept)
            assert answered_type == accept
            assert count_answers(body, accept) == ANSWERED_EXAMPLES, (content_type, accept)


def test_serves_as_a_model_server_process(trained, tmp_path):
    case, paths = trained
    features = case.problem().features[:ANSWERED_EXAMPLES]
    content_type, accept = case.request_types[0], case.accept_types[0]
    with running_model_server(case.name, paths.root, tmp_path / "server.log",
                              extra_env=case.env) as port:
        status, body = http_request(port, "POST", "/invocations",
                                    request_body(features, content_type),
                                    {"Content-Type": content_type, "Accept": accept})
        assert status == 200 and count_answers(body, accept) == ANSWERED_EXAMPLES
        status, _ = http_request(port, "POST", "/invocations", b"not,numbers",
                                 {"Content-Type": content_type, "Accept": accept})
        assert status == 400
        assert http_request(port, "GET", "/ping")[0] == 200


def test_runs_under_batch_transform(trained, aws_env, tmp_path):
    case, paths = trained
    s3, sm = boto3.client("s3"), boto3.client("sagemaker")
    bucket, name = "algorithm-checks", f"checks-{case.name}-{uuid.uuid4().hex[:6]}"
    s3.create_bucket(Bucket=bucket)
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for item in paths.model_dir.iterdir():
            tar.add(item, arcname=item.name)
    s3.upload_file(str(archive), bucket, f"{name}/model.tar.gz")
    features = case.problem().features
    s3.put_object(Bucket=bucket, Key=f"{name}/input/rows.csv",
                  Body=request_body(features, case.transform_content_type))
    sm.create_model(ModelName=name, ExecutionRoleArn="arn:aws:iam::123456789012:role/checks",
                    PrimaryContainer={"Image": case.image,
                                      "ModelDataUrl": f"s3://{bucket}/{name}/model.tar.gz"})
    try:
        sm.create_transform_job(
            TransformJobName=name, ModelName=name, MaxPayloadInMB=1,
            TransformInput={"DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/{name}/input/"}},
                "ContentType": case.transform_content_type, "SplitType": "Line"},
            TransformOutput={"S3OutputPath": f"s3://{bucket}/{name}/output",
                             "Accept": case.transform_accept, "AssembleWith": "Line"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1})
        sm.get_waiter("transform_job_completed_or_stopped").wait(
            TransformJobName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 1200})
        job = sm.describe_transform_job(TransformJobName=name)
        assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
        output = s3.get_object(Bucket=bucket, Key=f"{name}/output/rows.csv.out")["Body"].read()
        assert count_answers(output, case.transform_accept) == len(features)
    finally:
        sm.delete_model(ModelName=name)
