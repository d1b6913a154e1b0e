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
- ``HTTP(S)_PROXY``/``ALL_PROXY`` (both spellings) pointing at localcloud's egress guard, with
  ``NO_PROXY`` exempting loopback: any client that would leave the machine (the AWS CLI with
  ``--endpoint-url https://...amazonaws.com``, ``curl``, ``requests``, boto3 with or without
  the kit) is refused by localcloud instead (:mod:`localcloud.safety.egress`);
- every other ``AWS_*`` variable of the caller (keys, profiles, per-service endpoints, web
  identity, SSO, ...) is removed, in ``localcloud run`` and ``localcloud env`` alike;
- ``AWS_DATA_PATH``: waiter models whose delay is the kit's poll interval
  (:mod:`localcloud.kit.waiters`), so ``aws sagemaker wait endpoint-in-service`` returns when
  the endpoint is up, not 30 s later;
- ``PYTHONPATH`` starting with the kit's ``site`` folder, whose ``sitecustomize`` installs the
  hooks in :mod:`localcloud.kit.hooks` (short SDK polls, no INFO noise, no traffic to AWS).
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import asdict, dataclass
from pathlib import Path

from ..safety.files import private_dir, write_private
from .hooks import FAST_POLL_SECONDS
from .waiters import write_fast_waiters

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
    proxy_url: str = ""
    admin_token: str = ""

    def save(self) -> None:
        """Publish the facts, readable by their owner only (they hold secrets)."""
        write_private(Path(self.state_dir) / SERVICE_FILE, json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, state_dir: Path) -> ServiceInfo | None:
        path = Path(state_dir) / SERVICE_FILE
        if not path.exists():
            return None
        try:
            facts = json.loads(path.read_text())
        except ValueError:  # a file from a crashed start-up
            return None
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in facts.items() if key in known})


def client_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "client"


def write_client_files(info: ServiceInfo) -> None:
    """The AWS and SageMaker config files the client environment points at."""
    folder = private_dir(client_dir(Path(info.state_dir)))
    write_private(folder / "aws_config",
                  f"[profile {PROFILE}]\nregion = {info.region}\noutput = json\n"
                  f"endpoint_url = {info.url}\n")
    write_private(folder / "aws_credentials",
                  f"[{PROFILE}]\naws_access_key_id = {info.access_key_id}\n"
                  f"aws_secret_access_key = {info.secret_access_key}\n"
                  f"aws_session_token = {info.session_token}\n")
    write_private(folder / "sagemaker-config.yaml",
        "SchemaVersion: '1.0'\n"
        "SageMaker:\n"
        "  PythonSDK:\n"
        "    Modules:\n"
        "      TelemetryOptOut: true\n"
        "      Session:\n"
        f"        DefaultS3Bucket: {info.default_bucket}\n")
    write_private(folder / "sagemaker-admin-config.yaml", "SchemaVersion: '1.0'\n")
    write_fast_waiters(data_path(Path(info.state_dir)), FAST_POLL_SECONDS)


def data_path(state_dir: Path) -> Path:
    """The folder ``AWS_DATA_PATH`` names: botocore data files that override the built-in ones."""
    return client_dir(state_dir) / "aws-data"


def client_environment(info: ServiceInfo, inherited_pythonpath: str | None = None) -> dict:
    """Environment variables that point the SDK, boto3 and the aws CLI at this service."""
    from ..safety.egress import proxy_environment  # http.server: only where a client is set up

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
        "AWS_DATA_PATH": str(data_path(Path(info.state_dir))),
        "SAGEMAKER_USER_CONFIG_OVERRIDE": str(folder / "sagemaker-config.yaml"),
        "SAGEMAKER_ADMIN_CONFIG_OVERRIDE": str(folder / "sagemaker-admin-config.yaml"),
        "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
        "PYTHONPATH": pythonpath,
        **(proxy_environment(info.proxy_url) if info.proxy_url else {}),
    }


#: Variables that could make a client use real credentials or a real endpoint. ``env`` unsets
#: them even when the caller's shell does not have them now; any other ``AWS_*`` variable the
#: caller has is removed as well.
MASKED_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                    "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_DEFAULT_PROFILE",
                    "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_SDK_LOAD_CONFIG",
                    "AWS_CA_BUNDLE", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT")


def removed_variables(environ: dict, settings: dict) -> list[str]:
    """The caller's variables the localcloud environment removes: every ``AWS_*`` variable
    (and the known credential ones) it does not set itself."""
    present = {name for name in environ if name.startswith("AWS_")}
    return sorted((present | set(MASKED_VARIABLES)) - settings.keys())


def apply_environment(environ: dict, info: ServiceInfo) -> dict:
    """A copy of ``environ`` pointed at localcloud, with the caller's AWS settings removed."""
    settings = client_environment(info, environ.get("PYTHONPATH"))
    removed = set(removed_variables(environ, settings))
    return {**{k: v for k, v in environ.items() if k not in removed}, **settings}


def shell_lines(environ: dict, info: ServiceInfo) -> list[str]:
    """``unset``/``export`` lines that give a POSIX shell the same environment as
    :func:`apply_environment` (what ``localcloud env`` prints)."""
    settings = client_environment(info, environ.get("PYTHONPATH"))
    lines = [f"unset {' '.join(removed_variables(environ, settings))}"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in settings.items()]
    return lines
