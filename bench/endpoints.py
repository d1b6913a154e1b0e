"""Benchmark: InvokeEndpoint latency of each kind of endpoint the course deploys, and update time.

    .venv/bin/python bench/endpoints.py [--calls 300] [--updates 3]

Against one fresh localcloud, with boto3 as a notebook uses it:

- trains a small XGBoost, Linear Learner, PCA, k-means and DeepAR model (real training jobs on
  generated data) and packs a TorchScript model for the PyTorch inference image (script mode
  with the default handlers), deploys each on an endpoint and times ``CreateEndpoint`` until
  ``InService``;
- sends ``--calls`` one-row requests to each (one CSV row; one series for DeepAR) and reports
  p50/p99 of the round trip as the client sees it (client, service, model server and back);
- updates the XGBoost endpoint to a new endpoint config ``--updates`` times (blue/green: the new
  model server starts and passes its health check, traffic moves, the old one drains) and times
  ``UpdateEndpoint`` until ``InService`` on the new config.

:func:`rows` gives the figures as rows of ``bench/run.py``'s table. Not run as a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from measure import Stopwatch, machine, percentile  # noqa: E402
from table import Row, format_table  # noqa: E402

from localcloud import LocalCloud  # noqa: E402
from localcloud.kit import hooks  # noqa: E402

INSTANCE = "ml.m5.large"
POLL_SECONDS = 0.05
RNG = np.random.default_rng(7)


@dataclass(frozen=True)
class Kind:
    """One kind of endpoint: how to get its model and what one request looks like."""

    name: str
    image: str
    hyperparameters: dict[str, str]
    train_body: str = ""
    train_type: str = "text/csv"
    request: str = ""
    request_type: str = "text/csv"


def regression_csv(rows: int = 200) -> tuple[str, np.ndarray]:
    features = RNG.normal(size=(rows, 4))
    target = features @ np.array([1.5, -2.0, 0.5, 3.0]) + RNG.normal(scale=0.1, size=rows)
    table = np.column_stack([target, features])
    return "".join(",".join(f"{v:.5f}" for v in row) + "\n" for row in table), features


def blobs_csv(rows: int = 200) -> str:
    centres = np.array([[0, 0, 0, 0], [5, 5, 5, 5], [-5, 5, -5, 5]], dtype=float)
    points = centres[RNG.integers(0, 3, rows)] + RNG.normal(size=(rows, 4))
    return "".join(",".join(f"{v:.5f}" for v in row) + "\n" for row in points)


def series_jsonlines(count: int = 4, days: int = 60) -> tuple[str, dict]:
    lines, one = [], None
    for index in range(count):
        level = 10 + 5 * index
        target = (level + 3 * np.sin(np.arange(days) * 2 * np.pi / 7)
                  + RNG.normal(scale=0.5, size=days))
        one = {"start": "2024-01-01 00:00:00", "target": [round(v, 3) for v in target]}
        lines.append(json.dumps(one))
    return "\n".join(lines) + "\n", one


def kinds() -> list[Kind]:
    from sagemaker import image_uris

    region = "us-east-1"
    regression, features = regression_csv()
    row = ",".join(f"{v:.5f}" for v in features[0])
    series, one_series = series_jsonlines()
    blobs = blobs_csv()
    return [
        Kind("XGBoost", image_uris.retrieve("xgboost", region, "1.7-1"),
             {"num_round": "50", "objective": "reg:squarederror"}, regression, request=row),
        Kind("Linear Learner", image_uris.retrieve("linear-learner", region),
             {"feature_dim": "4", "predictor_type": "regressor", "epochs": "3"}, regression,
             request=row),
        Kind("PCA", image_uris.retrieve("pca", region),
             {"feature_dim": "4", "num_components": "2", "mini_batch_size": "50"}, blobs,
             "text/csv;label_size=0", request=row),
        Kind("k-means", image_uris.retrieve("kmeans", region),
             {"feature_dim": "4", "k": "3"}, blobs, "text/csv;label_size=0", request=row),
        Kind("PyTorch", image_uris.retrieve("pytorch", region, "2.1", py_version="py310",
                                            instance_type=INSTANCE, image_scope="inference"),
             {}, request="[[" + row + "]]", request_type="application/json"),
        Kind("DeepAR", image_uris.retrieve("forecasting-deepar", region),
             {"time_freq": "D", "context_length": "7", "prediction_length": "7", "epochs": "2",
              "mini_batch_size": "16", "num_cells": "8"}, series, "application/jsonlines",
             request=json.dumps({"instances": [one_series]}),
             request_type="application/json"),
    ]


class Bench:
    """boto3 clients against the running localcloud, and the resources made so far."""

    def __init__(self, role_arn: str, bucket: str):
        import boto3

        self.sm = boto3.client("sagemaker")
        self.runtime = boto3.client("sagemaker-runtime")
        self.s3 = boto3.client("s3")
        self.role_arn = role_arn
        self.bucket = bucket
        self.s3.create_bucket(Bucket=bucket)

    def wait(self, describe, field: str, done: str, **names) -> dict:
        while True:
            description = describe(**names)
            status = description[field]
            if status == done:
                return description
            if status in ("Failed", "Stopped"):
                raise RuntimeError(f"{names}: {status}: {description.get('FailureReason')}")
            time.sleep(POLL_SECONDS)

    def model_data(self, kind: Kind, name: str) -> str:
        """Train ``kind`` (or pack a TorchScript model for PyTorch); return model.tar.gz's URI."""
        if not kind.hyperparameters:
            return self.torchscript_model(name)
        key = f"{name}/train/data"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=kind.train_body.encode())
        self.sm.create_training_job(
            TrainingJobName=name, RoleArn=self.role_arn,
            AlgorithmSpecification={"TrainingImage": kind.image, "TrainingInputMode": "File"},
            HyperParameters=kind.hyperparameters,
            InputDataConfig=[{"ChannelName": "train", "ContentType": kind.train_type,
                              "DataSource": {"S3DataSource": {
                                  "S3DataType": "S3Prefix",
                                  "S3Uri": f"s3://{self.bucket}/{name}/train/"}}}],
            OutputDataConfig={"S3OutputPath": f"s3://{self.bucket}/{name}/output"},
            ResourceConfig={"InstanceType": INSTANCE, "InstanceCount": 1, "VolumeSizeInGB": 1},
            StoppingCondition={"MaxRuntimeInSeconds": 600})
        job = self.wait(self.sm.describe_training_job, "TrainingJobStatus", "Completed",
                        TrainingJobName=name)
        return job["ModelArtifacts"]["S3ModelArtifacts"]

    def torchscript_model(self, name: str) -> str:
        """A 4 -> 1 linear model as TorchScript, served by the PyTorch defaults."""
        import torch

        with tempfile.TemporaryDirectory() as folder:
            torch.jit.script(torch.nn.Linear(4, 1)).save(str(Path(folder) / "model.pt"))
            archive = io.BytesIO()
            with tarfile.open(fileobj=archive, mode="w:gz") as tar:
                tar.add(Path(folder) / "model.pt", arcname="model.pt")
                code = tarfile.TarInfo("code/inference.py")
                tar.addfile(code, io.BytesIO(b""))
        key = f"{name}/model.tar.gz"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=archive.getvalue())
        return f"s3://{self.bucket}/{key}"

    def deploy(self, kind: Kind, name: str) -> float:
        """Create the model, config and endpoint; return seconds until InService."""
        environment = {} if kind.hyperparameters else {"SAGEMAKER_PROGRAM": "inference.py"}
        self.sm.create_model(ModelName=name, ExecutionRoleArn=self.role_arn, PrimaryContainer={
            "Image": kind.image, "ModelDataUrl": self.model_data(kind, name),
            "Environment": environment})
        self.config(name, name)
        started = time.perf_counter()
        self.sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
        self.wait(self.sm.describe_endpoint, "EndpointStatus", "InService", EndpointName=name)
        return time.perf_counter() - started

    def config(self, config_name: str, model_name: str) -> None:
        self.sm.create_endpoint_config(EndpointConfigName=config_name, ProductionVariants=[{
            "VariantName": "main", "ModelName": model_name, "InitialInstanceCount": 1,
            "InstanceType": INSTANCE}])

    def latencies(self, kind: Kind, name: str, calls: int) -> list[float]:
        seconds = []
        for _ in range(calls):
            sent = time.perf_counter()
            self.runtime.invoke_endpoint(EndpointName=name, ContentType=kind.request_type,
                                         Body=kind.request)["Body"].read()
            seconds.append(time.perf_counter() - sent)
        return seconds

    def update(self, name: str, number: int) -> float:
        """Blue/green to a new config of the same model; seconds until InService on it."""
        config = f"{name}-update-{number}"
        self.config(config, name)
        started = time.perf_counter()
        self.sm.update_endpoint(EndpointName=name, EndpointConfigName=config)
        while True:
            endpoint = self.sm.describe_endpoint(EndpointName=name)
            if endpoint["EndpointStatus"] == "InService" and \
                    endpoint["EndpointConfigName"] == config:
                return time.perf_counter() - started
            time.sleep(POLL_SECONDS)


def measure(calls: int = 300, updates: int = 3, only: set[str] | None = None) -> dict:
    """Deploy each kind of endpoint, time its calls (and XGBoost's updates); return figures."""
    figures: dict = {"endpoints": {}, "updates": [], "machine": machine()}
    with tempfile.TemporaryDirectory() as tmp, LocalCloud(state_dir=Path(tmp) / "state") as cloud:
        os.environ.update(cloud.environ())
        hooks.install()
        bench = Bench(cloud.info.role_arn, cloud.info.default_bucket)
        for number, kind in enumerate(kinds()):
            if only and kind.name not in only:
                continue
            name = f"bench-{number}-{kind.name.lower().replace(' ', '-')}"
            watch = Stopwatch(service_pid=cloud.info.pid)
            deploy_seconds = bench.deploy(kind, name)
            bench.latencies(kind, name, 5)  # first calls: connections, lazy imports
            with watch.stage("calls"):
                seconds = bench.latencies(kind, name, calls)
            if kind.name == "XGBoost":
                figures["updates"] = [bench.update(name, n) for n in range(updates)]
            bench.sm.delete_endpoint(EndpointName=name)
            figures["endpoints"][kind.name] = {
                "deploy": deploy_seconds, "latencies": seconds,
                "cpu_per_call": watch.stages["calls"][1] / calls}
        figures["machine_after"] = machine()
    return figures


def rows(runs: int = 3, calls: int = 300, only: set[str] | None = None) -> list[Row]:
    """The figures as rows of the benchmark table (``runs`` endpoint updates)."""
    figures = measure(calls, max(runs, 1), only)
    load = f"load {figures['machine']} -> {figures['machine_after']}"
    table = []
    for name, endpoint in figures["endpoints"].items():
        latencies = endpoint["latencies"]
        table.append(Row(
            "endpoints", f"InvokeEndpoint one row, {name}",
            f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms",
            f"{endpoint['cpu_per_call'] * 1000:.1f} ms CPU/call (client+service+server); "
            f"CreateEndpoint->InService {endpoint['deploy']:.2f} s", len(latencies)))
    if figures["updates"]:
        updates = sorted(figures["updates"])
        table.append(Row("endpoints", "UpdateEndpoint -> InService (XGBoost, blue/green)",
                         f"median {updates[len(updates) // 2]:.2f} s",
                         "each: " + ", ".join(f"{s:.2f}" for s in figures["updates"]) + " s; "
                         + load, len(updates)))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="endpoint kinds to run, e.g. XGBoost PCA")
    args = parser.parse_args()
    print(format_table(rows(args.updates, args.calls, set(args.only) if args.only else None)))


if __name__ == "__main__":
    main()
