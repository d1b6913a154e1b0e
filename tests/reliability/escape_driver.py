"""The escape table, run inside a network namespace that has only loopback.

``unshare -rn python escape_driver.py STATE_DIR`` (see test_escapes.py): a miss cannot reach the
internet because there is none, and a row passes only when localcloud itself accounts for the
request: its egress guard refused it (the guard's refusal count for that host went up), the
kit refused it in the client, or localcloud answered it. Prints one JSON row per attempt.

The caller's shell holds "real" AWS credentials and endpoint settings throughout, so every row
also shows that they are not used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from localcloud import LocalCloud

REAL_KEY = "AKIAREALKEY0000EXAMPLE"
REAL_SHELL = {"AWS_ACCESS_KEY_ID": REAL_KEY, "AWS_SECRET_ACCESS_KEY": "real-secret",
              "AWS_PROFILE": "work", "AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com"}
BIN = Path(sys.executable).parent
AWS_CLI = str(BIN / "aws")
SAGEMAKER_HOST = "sagemaker.us-east-1.amazonaws.com"
LIST_ENDPOINTS = "import boto3; print(boto3.client('sagemaker'{extra}).list_endpoints())"
NO_KIT = {"PYTHONPATH": ""}  # the kit's sitecustomize is not loaded
ONE_ATTEMPT = {"AWS_MAX_ATTEMPTS": "1"}  # a refused call is not retried 5 times (speed only)

# (name, command, variables added on top of the localcloud environment, expected outcome,
#  host the guard must refuse)
ESCAPES = [
    # The CLI loads the kit only when it runs in an interpreter that has localcloud installed
    # (`make setup` gives it a venv of its own, without): either way the request stays here.
    ("aws CLI --endpoint-url real host (PYTHONPATH as set)",
     [AWS_CLI, "sagemaker", "list-endpoints", "--endpoint-url", f"https://{SAGEMAKER_HOST}"],
     ONE_ATTEMPT, ("served", "guard"), SAGEMAKER_HOST),
    ("aws CLI --endpoint-url real host (no kit)",
     [AWS_CLI, "sagemaker", "list-endpoints", "--endpoint-url", f"https://{SAGEMAKER_HOST}"],
     {**NO_KIT, **ONE_ATTEMPT}, "guard", SAGEMAKER_HOST),
    ("aws CLI AWS_ENDPOINT_URL_SAGEMAKER=real host (no kit)",
     [AWS_CLI, "sagemaker", "list-endpoints"],
     {**NO_KIT, **ONE_ATTEMPT, "AWS_ENDPOINT_URL_SAGEMAKER": f"https://{SAGEMAKER_HOST}"},
     "guard", SAGEMAKER_HOST),
    ("aws CLI AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (no kit)",
     [AWS_CLI, "s3", "ls"],
     {**NO_KIT, **ONE_ATTEMPT, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
     "guard", "s3.amazonaws.com"),
    ("aws CLI AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (PYTHONPATH as set)",
     [AWS_CLI, "s3", "ls"],
     {**ONE_ATTEMPT, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, ("kit", "guard"),
     "s3.amazonaws.com"),
    ("boto3 endpoint_url=real host (kit loaded)",
     [sys.executable, "-c", LIST_ENDPOINTS.format(
         extra=f", endpoint_url='https://{SAGEMAKER_HOST}'")],
     ONE_ATTEMPT, "served", None),
    ("boto3 endpoint_url=real host (python -I, no kit)",
     [sys.executable, "-I", "-c", LIST_ENDPOINTS.format(
         extra=f", endpoint_url='https://{SAGEMAKER_HOST}'")],
     ONE_ATTEMPT, "guard", SAGEMAKER_HOST),
    ("boto3 AWS_ENDPOINT_URL_SAGEMAKER=real host (python -I, no kit)",
     [sys.executable, "-I", "-c", LIST_ENDPOINTS.format(extra="")],
     {**ONE_ATTEMPT, "AWS_ENDPOINT_URL_SAGEMAKER": f"https://{SAGEMAKER_HOST}"},
     "guard", SAGEMAKER_HOST),
    ("boto3 AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (python -I, no kit)",
     [sys.executable, "-I", "-c", LIST_ENDPOINTS.format(extra="")],
     {**ONE_ATTEMPT, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "guard", SAGEMAKER_HOST),
    ("boto3 AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (kit loaded)",
     [sys.executable, "-c", LIST_ENDPOINTS.format(extra="")],
     {**ONE_ATTEMPT, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "kit", None),
    ("requests https://example.com",
     [sys.executable, "-I", "-c", "import requests; requests.get('https://example.com')"],
     {}, "guard", "example.com"),
    ("requests http://example.com",
     [sys.executable, "-I", "-c",
      "import requests; r = requests.get('http://example.com'); "
      "assert r.status_code == 403, r.status_code; raise SystemExit(r.reason)"],
     {}, "guard", "example.com"),
    ("urllib https://169.254.169.254 (instance metadata)",
     [sys.executable, "-I", "-c",
      "import urllib.request; urllib.request.urlopen('http://169.254.169.254/latest/meta-data/')"],
     {}, "guard", "169.254.169.254"),
    ("curl https://sts.amazonaws.com",
     ["curl", "-sS", "--max-time", "10", "https://sts.amazonaws.com/"], {}, "guard",
     "sts.amazonaws.com"),
    ("curl http://example.com",
     ["curl", "-sS", "--fail", "--max-time", "10", "http://example.com/"], {}, "guard",
     "example.com"),
]

# Credentials: whatever the client, the keys that sign are localcloud's, never the shell's.
CREDENTIAL_CHECKS = [
    ("boto3 credentials (python -I, no kit)",
     [sys.executable, "-I", "-c",
      "import boto3; print(boto3.Session().get_credentials().access_key)"]),
    ("aws CLI caller identity",
     [AWS_CLI, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"]),
]


def refused(cloud: LocalCloud, host: str) -> int:
    """How often the guard refused ``host`` or a host under it (``api.sagemaker...``)."""
    by_host = cloud.status()["egress"]["refused_by_host"]
    return sum(n for name, n in by_host.items() if name == host or name.endswith("." + host))


def attempt(cloud: LocalCloud, environment: dict, name: str, command: list[str],
            extra: dict, expected: str | tuple[str, ...], host: str | None) -> dict:
    before = refused(cloud, host) if host else 0
    result = subprocess.run(command, env={**environment, **extra}, capture_output=True,
                            text=True, timeout=60)
    output = (result.stdout + result.stderr).strip()
    outcomes = {
        # the egress guard refused it: its count for the host went up
        "guard": bool(host) and result.returncode != 0 and refused(cloud, host) > before,
        # the kit refused it inside the client
        "kit": result.returncode != 0 and "localcloud is the target" in output,
        # localcloud answered it (ListEndpoints of the local service)
        "served": result.returncode == 0 and "Endpoints" in output,
    }
    accepted = (expected,) if isinstance(expected, str) else expected
    seen = [outcome for outcome in accepted if outcomes[outcome]]
    return {"table": "escape", "name": name, "expected": accepted, "ok": bool(seen),
            "outcome": seen, "code": result.returncode, "output": output[-300:]}


def credentials_row(cloud: LocalCloud, environment: dict, name: str, command: list[str]) -> dict:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60)
    output = (result.stdout + result.stderr).strip()
    ok = result.returncode == 0 and REAL_KEY not in output and (
        output == cloud.info.access_key_id or "assumed-role/AmazonSageMaker" in output)
    return {"table": "credentials", "name": name, "ok": ok, "output": output[-300:]}


def shell_row(cloud: LocalCloud) -> dict:
    """A real shell: real keys exported, then ``eval "$(localcloud env)"``."""
    script = (f"export AWS_ACCESS_KEY_ID={REAL_KEY} AWS_SECRET_ACCESS_KEY=real "
              f"AWS_SESSION_TOKEN=real AWS_DEFAULT_PROFILE=work; "
              f'eval "$({BIN / "localcloud"} --state-dir {cloud.state_dir} env)"; '
              "env | grep -E '^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|"
              "DEFAULT_PROFILE)=' || true; "
              f"{AWS_CLI} configure list")
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60,
                            env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")})
    output = result.stdout + result.stderr
    ok = result.returncode == 0 and REAL_KEY not in output and "localcloud" in output
    return {"table": "credentials", "name": "shell: eval \"$(localcloud env)\" over real keys",
            "ok": ok, "output": output[-300:]}


def main(state_dir: str) -> int:
    # A fresh network namespace has its loopback interface down.
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with LocalCloud(state_dir=state_dir, port=0) as cloud:
        environment = cloud.environ({**REAL_SHELL, "PATH": os.environ["PATH"],
                                     "HOME": os.environ.get("HOME", "/")})
        rows = [attempt(cloud, environment, *escape) for escape in ESCAPES
                if shutil.which(escape[1][0])]
        rows += [credentials_row(cloud, environment, *check) for check in CREDENTIAL_CHECKS]
        rows.append(shell_row(cloud))
    for row in rows:
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
