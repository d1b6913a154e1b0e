"""Live endpoint updates: blue/green UpdateEndpoint, A/B weights, failed updates roll back.

One XGBoost and one Linear Learner model are trained on Boston; the endpoint moves between
configs while a thread keeps invoking it.
"""

from __future__ import annotations

import collections
import threading
import time

import boto3
import pytest
import sagemaker
from botocore.exceptions import ClientError
from sagemaker import image_uris
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from support import INSTANCE_TYPE, unique, xgboost_image

pytestmark = pytest.mark.usefixtures("aws_env")


@pytest.fixture(scope="module")
def models(sm, session, upload_boston):
    """Two SageMaker models (XGBoost, Linear Learner) trained on the same data."""
    data = upload_boston("updates", "train")
    role = sagemaker.get_execution_role()
    trainers = {
        "xgboost": (xgboost_image(session), {"objective": "reg:squarederror", "num_round": 30}),
        "linear": (image_uris.retrieve("linear-learner", session.boto_region_name),
                   {"feature_dim": 13, "predictor_type": "regressor", "epochs": 5,
                    "mini_batch_size": 32}),
    }
    names = {}
    for key, (image, hyperparameters) in trainers.items():
        estimator = Estimator(image, role, instance_count=1, instance_type=INSTANCE_TYPE,
                              output_path=data["output"], sagemaker_session=session,
                              hyperparameters=hyperparameters)
        estimator.fit({"train": TrainingInput(data["train"], content_type="text/csv")},
                      logs=False)
        names[key] = unique(f"update-{key}")
        sm.create_model(ModelName=names[key], ExecutionRoleArn=role,
                        PrimaryContainer={"Image": image, "ModelDataUrl": estimator.model_data})
    yield names
    for name in names.values():
        sm.delete_model(ModelName=name)


def endpoint_config(sm, variants: dict[str, tuple[str, float]]) -> str:
    name = unique("update-config")
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
        {"VariantName": variant, "ModelName": model, "InitialInstanceCount": 1,
         "InstanceType": INSTANCE_TYPE, "InitialVariantWeight": weight}
        for variant, (model, weight) in variants.items()])
    return name


@pytest.fixture
def runtime():
    return boto3.client("sagemaker-runtime")


@pytest.fixture
def row(boston) -> str:
    return ",".join(str(value) for value in boston.test_features.values[0])


class Traffic(threading.Thread):
    """Invokes an endpoint in a loop, counting answers per variant and failures."""

    def __init__(self, runtime, endpoint: str, body: str):
        super().__init__(daemon=True)
        self.runtime, self.endpoint, self.body = runtime, endpoint, body
        self.variants: list[str] = []
        self.started: list[float] = []  # when each answered request was sent
        self.failures: list[str] = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            sent = time.monotonic()
            try:
                response = self.runtime.invoke_endpoint(EndpointName=self.endpoint,
                                                        ContentType="text/csv", Body=self.body)
                response["Body"].read()
                self.variants.append(response["InvokedProductionVariant"])
                self.started.append(sent)
            except ClientError as error:
                self.failures.append(str(error))

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)


def test_update_endpoint_drops_no_request(sm, runtime, session, models, row, no_leaks):
    blue = endpoint_config(sm, {"xgboost": (models["xgboost"], 1.0)})
    green = endpoint_config(sm, {"linear": (models["linear"], 1.0)})
    endpoint = unique("update-endpoint")
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=blue)
    session.wait_for_endpoint(endpoint)
    traffic = Traffic(runtime, endpoint, row)
    traffic.start()
    try:
        sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=green)
        assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "Updating"
        described = session.wait_for_endpoint(endpoint)
        updated_at = time.monotonic()
        while sum(sent > updated_at for sent in traffic.started) < 20:
            traffic.stopping.wait(0.05)
    finally:
        traffic.stop()
        sm.delete_endpoint(EndpointName=endpoint)
    assert traffic.failures == []
    assert "xgboost" in traffic.variants, "traffic should have reached the old variant first"
    after_update = {variant for variant, sent in zip(traffic.variants, traffic.started,
                                                     strict=True) if sent > updated_at}
    assert after_update == {"linear"}
    assert described["EndpointConfigName"] == green
    assert [v["VariantName"] for v in described["ProductionVariants"]] == ["linear"]
    for name in (blue, green):
        sm.delete_endpoint_config(EndpointConfigName=name)


def test_two_variants_share_traffic_by_weight(sm, runtime, session, models, row, no_leaks):
    config = endpoint_config(sm, {"xgboost": (models["xgboost"], 1.0),
                                  "linear": (models["linear"], 1.0)})
    endpoint = unique("ab-endpoint")
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    session.wait_for_endpoint(endpoint)
    try:
        counts = collections.Counter(
            runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                    Body=row)["InvokedProductionVariant"]
            for _ in range(400))
        assert abs(counts["xgboost"] / 400 - 0.5) <= 0.10
        targeted = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                           Body=row, TargetVariant="linear")
        assert targeted["InvokedProductionVariant"] == "linear"
        assert b"predictions" in targeted["Body"].read()  # Linear Learner answers JSON

        sm.update_endpoint_weights_and_capacities(
            EndpointName=endpoint,
            DesiredWeightsAndCapacities=[{"VariantName": "xgboost", "DesiredWeight": 0.0}])
        session.wait_for_endpoint(endpoint)
        variants = {v["VariantName"]: v for v in
                    sm.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]}
        assert variants["xgboost"]["CurrentWeight"] == 0.0
        after = {runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                         Body=row)["InvokedProductionVariant"] for _ in range(30)}
        assert after == {"linear"}
    finally:
        sm.delete_endpoint(EndpointName=endpoint)
        sm.delete_endpoint_config(EndpointConfigName=config)


def test_failed_update_rolls_back_and_keeps_serving(sm, runtime, session, models, row,
                                                    no_leaks):
    good = endpoint_config(sm, {"xgboost": (models["xgboost"], 1.0)})
    broken_model = unique("broken")
    sm.create_model(ModelName=broken_model, ExecutionRoleArn=sagemaker.get_execution_role(),
                    PrimaryContainer={
                        "Image": xgboost_image(session),
                        "ModelDataUrl": f"s3://{session.default_bucket()}/missing/model.tar.gz"})
    bad = endpoint_config(sm, {"broken": (broken_model, 1.0)})
    endpoint = unique("rollback")
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=good)
    session.wait_for_endpoint(endpoint)
    try:
        sm.update_endpoint(EndpointName=endpoint, EndpointConfigName=bad)
        for _ in range(200):
            described = sm.describe_endpoint(EndpointName=endpoint)
            if described["EndpointStatus"] != "Updating":
                break
            threading.Event().wait(0.05)
        assert described["EndpointStatus"] == "InService"
        assert described["EndpointConfigName"] == good
        assert "rolled back" in described["FailureReason"]
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                         Body=row)
        assert answer["InvokedProductionVariant"] == "xgboost"
    finally:
        sm.delete_endpoint(EndpointName=endpoint)
        for name in (good, bad):
            sm.delete_endpoint_config(EndpointConfigName=name)
        sm.delete_model(ModelName=broken_model)
