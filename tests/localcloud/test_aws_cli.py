"""The AWS CLI against localcloud: ``aws lambda invoke`` and ``aws apigateway get-rest-apis``.

The CLI is installed by ``make setup`` into a venv of its own (``.venv/bin/aws``); without it the
test is skipped with a message saying how to get it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from lambda_support import create_function
from support import unique

AWS = Path(sys.executable).parent / "aws"
ECHO = "def lambda_handler(event, context):\n    return {'got': event}\n"


@pytest.fixture(scope="module")
def aws(cloud):
    """Run ``aws ARGS...`` with localcloud's environment; return its parsed JSON output."""
    executable = str(AWS) if AWS.exists() else shutil.which("aws")
    if executable is None:
        pytest.skip("The AWS CLI is missing: `make setup` installs it as .venv/bin/aws")
    environ = cloud.environ(dict(os.environ))

    def run(*args: str, cwd: Path | None = None) -> dict:
        done = subprocess.run([executable, *args, "--output", "json"], env=environ, cwd=cwd,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    return run


def test_lambda_invoke(aws, lambda_role, tmp_path):
    name = create_function(lambda_role, ECHO)
    try:
        listed = aws("lambda", "list-functions")
        assert name in [function["FunctionName"] for function in listed["Functions"]]
        # AWS CLI v1 sends --payload as given (v2 would need --cli-binary-format).
        answer = aws("lambda", "invoke", "--function-name", name, "--payload", '{"review": 1}',
                     "answer.json", cwd=tmp_path)
        assert answer["StatusCode"] == 200
        assert json.loads((tmp_path / "answer.json").read_text()) == {"got": {"review": 1}}
    finally:
        boto3.client("lambda").delete_function(FunctionName=name)


def test_apigateway_get_rest_apis(aws, aws_env):
    api_id = boto3.client("apigateway").create_rest_api(name=unique("cli-api"))["id"]
    try:
        apis = aws("apigateway", "get-rest-apis")["items"]
        assert api_id in [api["id"] for api in apis]
    finally:
        boto3.client("apigateway").delete_rest_api(restApiId=api_id)


def test_waiters_poll_at_the_kits_interval(cloud):
    """``aws sagemaker wait endpoint-in-service`` (and boto3's waiters) poll every fraction of a
    second against localcloud, through the data path its environment names, not every 30 s."""
    if not AWS.exists():
        pytest.skip("The AWS CLI is missing: `make setup` installs it as .venv/bin/aws")
    cli_python = Path(os.path.realpath(AWS)).parent / "python"
    probe = ("import awscli.botocore.session as s; w = s.get_session().get_waiter_model("
             "'sagemaker').get_waiter('EndpointInService'); print(w.delay, w.max_attempts)")
    done = subprocess.run([str(cli_python), "-c", probe], env=cloud.environ(dict(os.environ)),
                          capture_output=True, text=True, timeout=60, check=True)
    delay, attempts = done.stdout.split()
    assert float(delay) <= 1
    assert float(delay) * int(attempts) >= 30 * 120  # as patient as AWS's model: one hour
    waiter = boto3.client("sagemaker").get_waiter("endpoint_in_service")
    assert waiter.config.delay <= 1
