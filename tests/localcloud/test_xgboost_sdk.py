"""The unchanged SageMaker SDK drives XGBoost end to end against localcloud.

fit (with the log streamed) -> model artifact in S3 that loads with xgboost -> deploy and
predict -> batch transform -> attach -> delete. The same code runs on AWS.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import boto3
import pytest
import sagemaker
import xgboost as xgb
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.serializers import CSVSerializer
from support import INSTANCE_TYPE, rmse, xgboost_image

pytestmark = pytest.mark.usefixtures("aws_env")


@pytest.fixture(scope="module")
def uploaded(upload_boston):
    """Boston train, validation and test uploaded under sdk-test/boston/, with that prefix."""
    prefix = "sdk-test/boston"
    return {**upload_boston(prefix, "train", "validation", "test"), "prefix": prefix}


@pytest.fixture(scope="module")
def trained(session, uploaded):
    """One XGBoost training job, fitted the way the tutorials fit it."""
    estimator = Estimator(
        image_uri=xgboost_image(session),
        role=sagemaker.get_execution_role(),
        instance_count=1,
        instance_type=INSTANCE_TYPE,
        output_path=uploaded["output"],
        sagemaker_session=session,
    )
    estimator.set_hyperparameters(objective="reg:squarederror", num_round=200, max_depth=4,
                                  eta=0.1, subsample=0.8, early_stopping_rounds=10)
    estimator.fit({"train": TrainingInput(uploaded["train"], content_type="text/csv"),
                   "validation": TrainingInput(uploaded["validation"], content_type="text/csv")},
                  logs="All")
    return estimator


def test_session_basics(session):
    assert session.default_bucket() == f"sagemaker-{session.boto_region_name}-123456789012"
    assert sagemaker.get_execution_role().startswith("arn:aws:iam::123456789012:role/")


def test_fit_streams_the_log_and_completes(trained, capsys):
    description = trained.latest_training_job.describe()
    assert description["TrainingJobStatus"] == "Completed"
    statuses = [t["Status"] for t in description["SecondaryStatusTransitions"]]
    assert statuses == ["Starting", "Downloading", "Training", "Uploading", "Completed"]
    metrics = {m["MetricName"]: m["Value"] for m in description["FinalMetricDataList"]}
    assert 0 < metrics["validation:rmse"] < 6


def test_log_lines_use_aws_format(trained):
    logs = boto3.client("logs")
    group = "/aws/sagemaker/TrainingJobs"
    streams = logs.describe_log_streams(logGroupName=group,
                                        logStreamNamePrefix=trained.latest_training_job.name)
    assert len(streams["logStreams"]) == 1
    stream = streams["logStreams"][0]["logStreamName"]
    assert stream.startswith(f"{trained.latest_training_job.name}/algo-1-")
    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    messages = [event["message"] for event in events["events"]]
    assert any(m.startswith("[0]#011train-rmse:") and "#011validation-rmse:" in m
               for m in messages)
    # Paths read as on AWS (/opt/ml/...), never as folders of localcloud's state directory.
    assert any("/opt/ml/model/xgboost-model" in m for m in messages)
    state_dir = str(Path(os.environ.get("LOCALCLOUD_STATE_DIR", "/nonexistent")))
    assert not any("opt_ml" in m or state_dir in m for m in messages)


def test_model_artifact_loads_with_xgboost(trained, boston, tmp_path):
    bucket, key = trained.model_data.removeprefix("s3://").split("/", 1)
    assert key.endswith(f"{trained.latest_training_job.name}/output/model.tar.gz")
    archive = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert tar.getnames() == ["xgboost-model"]
        tar.extractall(tmp_path, filter="data")
    booster = xgb.Booster()
    booster.load_model(str(tmp_path / "xgboost-model"))
    predictions = booster.predict(xgb.DMatrix(boston.test_features.values))
    assert rmse(predictions, boston.test_labels) < 5.0


def test_deploy_predict_and_delete(trained, boston, no_leaks):
    predictor = trained.deploy(initial_instance_count=1, instance_type=INSTANCE_TYPE,
                               serializer=CSVSerializer())
    try:
        answer = predictor.predict(boston.test_features.values).decode()
        predictions = [float(v) for v in answer.replace("\n", ",").split(",") if v.strip()]
        assert len(predictions) == len(boston.test_features)
        assert rmse(predictions, boston.test_labels) < 5.0
        single = predictor.predict(boston.test_features.values[:1]).decode()
        assert len([v for v in single.replace("\n", ",").split(",") if v.strip()]) == 1
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()


def test_batch_transform_writes_one_prediction_per_line(trained, session, uploaded, boston,
                                                         no_leaks):
    output = f"s3://{session.default_bucket()}/{uploaded['prefix']}/transform"
    transformer = trained.transformer(instance_count=1, instance_type=INSTANCE_TYPE,
                                      output_path=output)
    transformer.transform(uploaded["test"], content_type="text/csv", split_type="Line")
    transformer.wait(logs=False)
    bucket, key = f"{output}/test.csv.out".removeprefix("s3://").split("/", 1)
    lines = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    predictions = [float(line) for line in lines.splitlines() if line.strip()]
    assert len(predictions) == len(boston.test_features)
    assert rmse(predictions, boston.test_labels) < 5.0
    session.delete_model(transformer.model_name)


def test_attach_recovers_the_estimator(trained, session):
    attached = Estimator.attach(trained.latest_training_job.name, sagemaker_session=session)
    assert attached.model_data == trained.model_data
    assert attached.hyperparameters()["num_round"] == "200"
