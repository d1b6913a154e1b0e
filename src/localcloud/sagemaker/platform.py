"""What the SageMaker platform does around a container: move data, ship logs, run processes.

The platform reaches S3 and CloudWatch Logs through boto3 over HTTP, against the same localcloud
URL every other client uses, exactly as SageMaker's own agents use the public S3 and Logs APIs.
"""

from __future__ import annotations

import json
import logging
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import boto3
import psutil
from botocore.config import Config

from ..aws.logs import LogStream
from ..containers.contract import DEFAULT_ML_ROOT
from ..safety.processes import end_processes
from .launcher import Launcher

log = logging.getLogger(__name__)


def channel_path(prefix: str, key: str) -> str:
    """Where SageMaker puts object ``key`` of an S3Prefix channel, relative to the channel folder.

    A prefix names a folder when the key lies below it (``data/train`` and
    ``data/train/train.csv`` give ``train.csv``, with or without the trailing slash, as the
    SDK's ``upload_data`` URIs are used). A prefix that only matches the start of a name keeps
    the object's whole name (``data/train`` and ``data/train-labels.csv`` give
    ``train-labels.csv``), as observed on SageMaker (sagemaker-python-sdk issue 3612).
    """
    folder = prefix if prefix.endswith("/") else prefix + "/"
    if key.startswith(folder):
        return key[len(folder):]
    parent = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
    return key[len(parent):]


class ChannelError(Exception):
    """Input data could not be provided to the container (becomes a ClientError FailureReason)."""


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key/prefix`` -> (bucket, key/prefix)."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ChannelError(f"{uri!r} is not an S3 URI (expected s3://bucket/prefix)")
    return parsed.netloc, parsed.path.lstrip("/")


@dataclass
class Platform:
    """Clients and settings shared by the job runner and the host manager."""

    endpoint_url: str
    region: str
    account_id: str
    state_dir: Path

    def __post_init__(self):
        session = boto3.session.Session(
            aws_access_key_id="localcloud", aws_secret_access_key="localcloud",
            region_name=self.region)
        config = Config(retries={"max_attempts": 3, "mode": "standard"},
                        max_pool_connections=32)
        self.s3 = session.client("s3", endpoint_url=self.endpoint_url, config=config)
        self.logs = session.client("logs", endpoint_url=self.endpoint_url, config=config)
        self.launcher = Launcher(self.state_dir)

    # -- containers ---------------------------------------------------------------------------

    def start_container(self, mode: str, algorithm: str, env: dict[str, str], cwd: Path):
        """Start a container process (``Popen``-like: ``stdout`` lines, ``poll``, ``wait``)."""
        return self.launcher.start(mode, algorithm, env, cwd)

    def shutdown(self) -> None:
        """Stop the warm parents (after the containers: the service is stopping)."""
        self.launcher.close()

    # -- S3 -----------------------------------------------------------------------------------

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        """Every object key under ``prefix`` (S3Prefix semantics: a plain string prefix)."""
        keys: list[str] = []
        try:
            paginator = self.s3.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
                keys.extend(item["Key"] for item in page.get("Contents", []))
        except self.s3.exceptions.NoSuchBucket:
            raise ChannelError(f"S3 bucket {bucket!r} does not exist") from None
        return [key for key in keys if not key.endswith("/")]

    def download_prefix(self, uri: str, destination: Path) -> list[Path]:
        """Download every object under an S3 prefix into ``destination`` (see channel_path)."""
        bucket, prefix = split_s3_uri(uri)
        keys = self.list_keys(bucket, prefix)
        if not keys:
            raise ChannelError(
                f"No S3 objects found under S3 URL \"{uri}\" given in input data source. "
                "Please ensure that the bucket exists and that objects exist under that prefix.")
        return [self.download(bucket, key, destination / channel_path(prefix, key))
                for key in keys]

    def download_manifest(self, uri: str, destination: Path) -> list[Path]:
        """Download the objects a ManifestFile lists: ``[{"prefix": "s3://b/p/"}, "rel", ...]``."""
        bucket, key = split_s3_uri(uri)
        try:
            manifest = json.loads(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            base = manifest[0]["prefix"]
            relative_keys = manifest[1:]
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise ChannelError(f"Manifest file {uri} is not a valid SageMaker manifest "
                               f"([{{\"prefix\": \"s3://...\"}}, \"key\", ...]): {error}") from None
        except self.s3.exceptions.NoSuchKey:
            raise ChannelError(f"Manifest file {uri} does not exist") from None
        base_bucket, base_prefix = split_s3_uri(base)
        return [self.download(base_bucket, base_prefix + relative, destination / relative)
                for relative in relative_keys]

    def download(self, bucket: str, key: str, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.s3.download_file(bucket, key, str(path))
        except Exception as error:
            raise ChannelError(f"Could not download s3://{bucket}/{key}: {error}") from error
        return path

    def download_uri(self, uri: str, path: Path) -> Path:
        bucket, key = split_s3_uri(uri)
        return self.download(bucket, key, path)

    def upload(self, path: Path, uri: str) -> None:
        bucket, key = split_s3_uri(uri)
        self.s3.upload_file(str(path), bucket, key)

    def put_bytes(self, data: bytes, uri: str) -> None:
        bucket, key = split_s3_uri(uri)
        self.s3.put_object(Bucket=bucket, Key=key, Body=data)

    # -- CloudWatch Logs ----------------------------------------------------------------------

    def log_stream(self, group: str, stream: str, container_root: Path | None = None) -> LogStream:
        """A log stream; lines naming ``container_root`` show it as ``/opt/ml``, as on AWS."""
        aliases = {str(container_root): DEFAULT_ML_ROOT} if container_root else None
        return LogStream(self.logs, group, stream, aliases)


def pack_model(model_dir: Path, archive: Path) -> Path:
    """``model/`` -> ``model.tar.gz`` with paths relative to the folder, as SageMaker packs it."""
    with tarfile.open(archive, "w:gz") as tar:
        for item in sorted(model_dir.iterdir()):
            tar.add(item, arcname=item.name)
    return archive


def unpack_model(archive: Path, model_dir: Path) -> None:
    """Extract ``model.tar.gz`` into the serving container's ``model/`` folder."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:*") as tar:
        tar.extractall(model_dir, filter="data")


# -- processes --------------------------------------------------------------------------------

def kill_tree(process: subprocess.Popen, grace_seconds: float = 3.0) -> None:
    """Terminate a container and anything it started (SIGTERM, then SIGKILL)."""
    try:
        parent = psutil.Process(process.pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    end_processes(family, grace_seconds)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        log.warning("Process %d did not exit after SIGKILL", process.pid)
