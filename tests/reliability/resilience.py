"""Helpers of the reliability suite: private services, clients of them, a tiny real model.

The suite injects faults (killed model servers, a killed service), so each test that does gets a
service of its own in a temporary state directory instead of the session's shared one.
"""

from __future__ import annotations

import tarfile
import time
import uuid
from pathlib import Path

import boto3
import numpy as np
import psutil
from botocore.config import Config

from localcloud import LocalCloud

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
INSTANCE_TYPE = "ml.m5.large"
#: One attempt per call: the suite counts what the service answers, not what retries hide.
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=30)

#: Rows of the suite's tables (requests tried, faults injected, escapes attempted, ...).
RELIABILITY_COUNTS: dict[str, int] = {}


#: What the suite measured (seconds to replace a dead model server, ...).
MEASUREMENTS: dict[str, float] = {}


def count(table: str, rows: int = 1) -> None:
    """Add ``rows`` to one of the suite's counts."""
    RELIABILITY_COUNTS[table] = RELIABILITY_COUNTS.get(table, 0) + rows


def measure(name: str, value: float) -> None:
    MEASUREMENTS[name] = round(value, 2)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def client(cloud: LocalCloud, service: str, config: Config = NO_RETRIES):
    """A boto3 client of ``cloud`` with the credentials it hands out."""
    info = cloud.info or cloud.running()
    session = boto3.session.Session(aws_access_key_id=info.access_key_id,
                                    aws_secret_access_key=info.secret_access_key,
                                    aws_session_token=info.session_token,
                                    region_name=info.region)
    return session.client(service, endpoint_url=info.url, config=config)


def xgboost_artifact(folder: Path) -> Path:
    """model.tar.gz of a real SageMaker XGBoost model of y = x0 + 2 x1 (three features)."""
    import xgboost as xgb

    rng = np.random.default_rng(3)
    features = rng.random((200, 3))
    booster = xgb.train({"max_depth": 3}, xgb.DMatrix(features,
                                                      label=features[:, 0] + 2 * features[:, 1]),
                        20)
    booster.save_model(str(folder / "xgboost-model.json"))  # a named format: no warning
    (folder / "xgboost-model.json").rename(folder / "xgboost-model")
    archive = folder / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder / "xgboost-model", arcname="xgboost-model")
    return archive


def deploy(cloud: LocalCloud, artifact: Path, instances: int, name: str | None = None) -> str:
    """Upload ``artifact``, create a model, config and endpoint; wait until InService."""
    name = name or unique("rel")
    info = cloud.info or cloud.running()
    key = f"{name}/model.tar.gz"
    client(cloud, "s3").upload_file(str(artifact), info.default_bucket, key)
    sm = client(cloud, "sagemaker")
    sm.create_model(ModelName=name, ExecutionRoleArn=info.role_arn,
                    PrimaryContainer={"Image": XGBOOST_IMAGE,
                                      "ModelDataUrl": f"s3://{info.default_bucket}/{key}"})
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": name, "InitialInstanceCount": instances,
        "InstanceType": INSTANCE_TYPE}])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    wait_for_endpoint(sm, name, "InService")
    return name


def wait_for_endpoint(sm, name: str, status: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        description = sm.describe_endpoint(EndpointName=name)
        if description["EndpointStatus"] == status:
            return description
        if description["EndpointStatus"] == "Failed":
            raise AssertionError(f"endpoint {name} failed: {description.get('FailureReason')}")
        time.sleep(0.1)
    raise AssertionError(f"endpoint {name} did not reach {status}")


def invoke(runtime, endpoint: str) -> float:
    """One prediction for a fixed row (y close to 0.5 + 2 * 0.25 = 1.0)."""
    answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                     Body="0.5,0.25,0.9")
    return float(answer["Body"].read().decode().strip())


def model_servers(cloud: LocalCloud) -> list[psutil.Process]:
    """The service's live model-server processes."""
    info = cloud.info or cloud.running()
    servers = []
    for child in psutil.Process(info.pid).children(recursive=True):
        try:
            if "serve" in child.cmdline() and child.status() != psutil.STATUS_ZOMBIE:
                servers.append(child)
        except psutil.NoSuchProcess:
            continue
    return servers
