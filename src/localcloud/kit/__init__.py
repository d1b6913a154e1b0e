"""The client kit: what makes the unchanged SageMaker SDK and boto3 work offline, and safely.

``client_environment()`` gives the variables a notebook kernel (or any command) needs to talk to
a running localcloud:

- ``AWS_ENDPOINT_URL``: botocore sends every service to localcloud;
- an isolated ``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE`` with profile ``localcloud``
  holding credentials assumed from a SageMaker execution role, so
  ``sagemaker.get_execution_role()`` returns a role ARN and real AWS credentials on the machine
  are never read;
- ``AWS_EC2_METADATA_DISABLED`` (no probe of 169.254.169.254 when the SDK is imported);
- ``SAGEMAKER_USER_CONFIG_OVERRIDE``: an SDK config with ``TelemetryOptOut`` and
  ``DefaultS3Bucket``; ``SAGEMAKER_ADMIN_CONFIG_OVERRIDE`` an empty admin config;
- ``SAGEMAKER_SUPPRESS_V2_WARNING``;
- ``PYTHONPATH`` starting with the kit's ``site`` folder, whose ``sitecustomize`` installs the
  hooks in :mod:`localcloud.kit.hooks` (short SDK polls, no INFO noise, no traffic to AWS).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

SITE_DIR = Path(__file__).parent / "site"
PROFILE = "localcloud"
ENDPOINT_ENV = "LOCALCLOUD_ENDPOINT_URL"
SERVICE_FILE = "service.json"


@dataclass
class ServiceInfo:
    """What a running service publishes in ``<state-dir>/service.json``."""

    pid: int
    url: str
    region: str
    account_id: str
    role_arn: str
    default_bucket: str
    access_key_id: str
    secret_access_key: str
    session_token: str
    state_dir: str

    def save(self) -> None:
        path = Path(self.state_dir) / SERVICE_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2))
        temporary.replace(path)  # readers never see half a file

    @classmethod
    def load(cls, state_dir: Path) -> ServiceInfo | None:
        path = Path(state_dir) / SERVICE_FILE
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text()))


def client_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "client"


def write_client_files(info: ServiceInfo) -> None:
    """The AWS and SageMaker config files the client environment points at."""
    folder = client_dir(Path(info.state_dir))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "aws_config").write_text(
        f"[profile {PROFILE}]\nregion = {info.region}\noutput = json\n"
        f"endpoint_url = {info.url}\n")
    credentials = folder / "aws_credentials"
    credentials.write_text(
        f"[{PROFILE}]\naws_access_key_id = {info.access_key_id}\n"
        f"aws_secret_access_key = {info.secret_access_key}\n"
        f"aws_session_token = {info.session_token}\n")
    credentials.chmod(0o600)
    (folder / "sagemaker-config.yaml").write_text(
        "SchemaVersion: '1.0'\n"
        "SageMaker:\n"
        "  PythonSDK:\n"
        "    Modules:\n"
        "      TelemetryOptOut: true\n"
        "      Session:\n"
        f"        DefaultS3Bucket: {info.default_bucket}\n")
    (folder / "sagemaker-admin-config.yaml").write_text("SchemaVersion: '1.0'\n")


def client_environment(info: ServiceInfo, inherited_pythonpath: str | None = None) -> dict:
    """Environment variables that point the SDK, boto3 and the aws CLI at this service."""
    folder = client_dir(Path(info.state_dir))
    pythonpath = str(SITE_DIR)
    if inherited_pythonpath:
        pythonpath += os.pathsep + inherited_pythonpath
    return {
        ENDPOINT_ENV: info.url,
        "AWS_ENDPOINT_URL": info.url,
        "AWS_CONFIG_FILE": str(folder / "aws_config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "aws_credentials"),
        "AWS_PROFILE": PROFILE,
        "AWS_DEFAULT_REGION": info.region,
        "AWS_REGION": info.region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "SAGEMAKER_USER_CONFIG_OVERRIDE": str(folder / "sagemaker-config.yaml"),
        "SAGEMAKER_ADMIN_CONFIG_OVERRIDE": str(folder / "sagemaker-admin-config.yaml"),
        "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
        "PYTHONPATH": pythonpath,
    }


#: Variables that would override the isolated profile if the user had them set.
MASKED_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                    "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


def apply_environment(environ: dict, info: ServiceInfo) -> dict:
    """A copy of ``environ`` pointed at localcloud, with real AWS credentials masked."""
    result = {k: v for k, v in environ.items() if k not in MASKED_VARIABLES
              and not k.startswith("AWS_ENDPOINT_URL_")}
    result.update(client_environment(info, environ.get("PYTHONPATH")))
    return result
