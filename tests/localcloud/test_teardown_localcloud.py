"""mlcourse.teardown against a real SageMaker-compatible service (localcloud).

A tiny XGBoost job gives the models a real artifact, so endpoints really start model servers;
``no_leaks`` then checks that teardown left no endpoint, model server or job running.
"""

from __future__ import annotations

import numpy as np
import pytest
import sagemaker
from botocore.exceptions import ClientError
from sagemaker.predictor import Predictor
from sagemaker.serializers import CSVSerializer
from support import INSTANCE_TYPE, training_request, unique, wait_for_job, xgboost_image

from mlcourse.teardown import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    MODEL,
    TRAINING_JOB,
    Resource,
    delete_endpoint,
    delete_leftovers,
    torn_down,
)

pytestmark = pytest.mark.usefixtures("aws_env")


@pytest.fixture(scope="module")
def image(session) -> str:
    """The XGBoost image every model of this module is created with."""
    return xgboost_image(session)


@pytest.fixture(scope="module")
def train_uri(session, tmp_path_factory) -> str:
    """40 rows of y = 2a - b (label first, no header: what SageMaker's XGBoost reads)."""
    features = np.random.default_rng(0).uniform(0, 1, size=(40, 2))
    rows = np.column_stack([2 * features[:, 0] - features[:, 1], features])
    path = tmp_path_factory.mktemp("teardown") / "train.csv"
    np.savetxt(path, rows, delimiter=",", fmt="%.5f")
    return session.upload_data(str(path), key_prefix=unique("teardown/train"))


@pytest.fixture(scope="module")
def model_data(sm, session, train_uri) -> str:
    """The artifact of one small completed training job."""
    job = unique("teardown-train")
    sm.create_training_job(**training_request(job, session, {"train": train_uri}, num_round=3,
                                              eta=0.001))
    assert wait_for_job(sm, job)["TrainingJobStatus"] == "Completed"
    return sm.describe_training_job(TrainingJobName=job)["ModelArtifacts"]["S3ModelArtifacts"]


def create_model(sm, image: str, model_data: str, name: str) -> str:
    sm.create_model(ModelName=name, ExecutionRoleArn=sagemaker.get_execution_role(),
                    PrimaryContainer={"Image": image, "ModelDataUrl": model_data})
    return name


def create_config(sm, name: str, models: list[str]) -> str:
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
        {"VariantName": f"Variant{i}", "ModelName": model, "InitialInstanceCount": 1,
         "InstanceType": INSTANCE_TYPE, "InitialVariantWeight": 1.0}
        for i, model in enumerate(models)])
    return name


def deploy(sm, session, image: str, model_data: str, prefix: str, variants: int = 1,
           model_prefix: str | None = None) -> str:
    """An InService endpoint named ``prefix``-endpoint, serving ``variants`` models."""
    models = [create_model(sm, image, model_data, unique(model_prefix or f"{prefix}-model"))
              for _ in range(variants)]
    config = create_config(sm, f"{prefix}-config", models)
    endpoint = f"{prefix}-endpoint"
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    assert session.wait_for_endpoint(endpoint)["EndpointStatus"] == "InService"
    return endpoint


def assert_not_found(describe, **params) -> None:
    with pytest.raises(ClientError) as raised:
        describe(**params)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert raised.value.response["Error"]["Message"].startswith("Could not find")


def test_delete_endpoint_removes_config_and_both_models(sm, session, image, model_data,
                                                        no_leaks):
    prefix = unique("td-ab")
    endpoint = deploy(sm, session, image, model_data, prefix, variants=2)
    models = [v["ModelName"] for v in sm.describe_endpoint_config(
        EndpointConfigName=f"{prefix}-config")["ProductionVariants"]]

    deleted = delete_endpoint(endpoint, client=session, wait=True)

    assert deleted == [Resource(ENDPOINT, endpoint), Resource(ENDPOINT_CONFIG, f"{prefix}-config"),
                       *sorted(Resource(MODEL, model) for model in models)]
    assert_not_found(sm.describe_endpoint, EndpointName=endpoint)
    assert_not_found(sm.describe_endpoint_config, EndpointConfigName=f"{prefix}-config")
    for model in models:
        assert_not_found(sm.describe_model, ModelName=model)
    assert delete_endpoint(endpoint) == []  # a second teardown is harmless


def test_torn_down_predictor_when_the_block_fails(sm, session, image, model_data, no_leaks):
    prefix = unique("td-guard")
    predictor = Predictor(deploy(sm, session, image, model_data, prefix),
                          sagemaker_session=session, serializer=CSVSerializer())
    with pytest.raises(RuntimeError, match="after predicting"), torn_down(predictor) as guard:
        assert float(predictor.predict([[0.5, 0.5]]).decode().strip()) > 0
        raise RuntimeError("the notebook failed after predicting")
    assert [r.kind for r in guard.deleted] == [ENDPOINT, ENDPOINT_CONFIG, MODEL]
    assert_not_found(sm.describe_endpoint, EndpointName=predictor.endpoint_name)


def test_leftovers_dry_run_then_delete(sm, session, image, model_data, train_uri, no_leaks):
    prefix = unique("td-run")
    # Named like the SDK names models (after the image): found through the endpoint.
    endpoint = deploy(sm, session, image, model_data, prefix, model_prefix="sagemaker-xgboost")
    served = sm.describe_endpoint_config(
        EndpointConfigName=f"{prefix}-config")["ProductionVariants"][0]["ModelName"]
    spare_model = create_model(sm, image, model_data, f"{prefix}-spare")
    spare_config = create_config(sm, f"{prefix}-old-config", [spare_model])
    job = f"{prefix}-job"
    sm.create_training_job(**training_request(job, session, {"train": train_uri},
                                              num_round=1_000_000, eta=0.001))
    stranger = create_model(sm, image, model_data, unique("td-stranger"))
    expected = [Resource(TRAINING_JOB, job), Resource(ENDPOINT, endpoint),
                Resource(ENDPOINT_CONFIG, f"{prefix}-config"),
                Resource(ENDPOINT_CONFIG, spare_config),
                *sorted([Resource(MODEL, served), Resource(MODEL, spare_model)])]

    assert delete_leftovers(prefix) == expected  # dry run: reported, nothing touched
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
    assert sm.describe_training_job(TrainingJobName=job)["TrainingJobStatus"] == "InProgress"

    assert delete_leftovers(prefix, dry_run=False, client=sm, wait=True) == expected
    assert wait_for_job(sm, job)["TrainingJobStatus"] == "Stopped"
    assert_not_found(sm.describe_endpoint, EndpointName=endpoint)
    assert_not_found(sm.describe_endpoint_config, EndpointConfigName=spare_config)
    assert_not_found(sm.describe_model, ModelName=served)
    assert sm.describe_model(ModelName=stranger)["ModelName"] == stranger  # not ours: kept
    assert delete_leftovers(prefix, dry_run=False) == []
    sm.delete_model(ModelName=stranger)
