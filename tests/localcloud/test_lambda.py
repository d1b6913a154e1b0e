"""Lambda with the unchanged boto3 (and the AWS CLI): create, invoke, errors, timeouts, logs."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from lambda_support import zipped
from support import unique

HANDLER = '''
import json, logging, os, time
import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    print("event", json.dumps(event))
    logger.info("remaining %d ms", context.get_remaining_time_in_millis())
    action = event.get("action")
    if action == "fail":
        raise ValueError("the review was empty")
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "unserializable":
        return {1, 2}
    if action == "buckets":
        return [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
    if action == "internet":
        import socket
        try:
            socket.create_connection(("192.0.2.1", 80), timeout=2)
        except OSError as error:
            return type(error).__name__
        return "connected"
    if action == "whoami":
        return boto3.client("sts").get_caller_identity()["Arn"]
    return {"echo": event, "greeting": os.environ.get("GREETING"),
            "function": context.function_name, "memory": context.memory_limit_in_mb,
            "arn": context.invoked_function_arn, "request": context.aws_request_id,
            "endpoint": os.environ.get("AWS_ENDPOINT_URL")}
'''

@pytest.fixture(scope="module")
def lam(aws_env):
    return boto3.client("lambda")


@pytest.fixture(scope="module")
def function(lam, lambda_role):
    name = unique("echo")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=lambda_role,
                        Handler="app.lambda_handler", Code={"ZipFile": zipped({"app.py": HANDLER})},
                        Timeout=2, MemorySize=256,
                        Environment={"Variables": {"GREETING": "hello"}})
    yield name
    lam.delete_function(FunctionName=name)


def invoke(lam, name: str, event: dict, **kwargs) -> tuple[dict, object]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_create_describe_list(lam, function, lambda_role):
    config = lam.get_function_configuration(FunctionName=function)
    assert config["Runtime"] == "python3.11"
    assert config["Role"] == lambda_role
    assert config["Handler"] == "app.lambda_handler"
    assert (config["Timeout"], config["MemorySize"]) == (2, 256)
    assert config["Environment"]["Variables"] == {"GREETING": "hello"}
    assert config["State"] == "Active"
    assert config["FunctionArn"].endswith(f":function:{function}")
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert function in names
    got = lam.get_function(FunctionName=config["FunctionArn"])
    assert got["Configuration"]["CodeSha256"] == config["CodeSha256"]
    with zipfile.ZipFile(io.BytesIO(_download(got["Code"]["Location"]))) as archive:
        assert archive.namelist() == ["app.py"]


def _download(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_invoke_runs_the_handler_with_context_and_environment(lam, function):
    response, result = invoke(lam, function, {"review": "great"}, LogType="Tail")
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert result["echo"] == {"review": "great"}
    assert result["greeting"] == "hello"
    assert result["function"] == function
    assert result["memory"] == "256"
    assert result["arn"].endswith(f":function:{function}")
    assert result["endpoint"].startswith("http://127.0.0.1:")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert f"START RequestId: {result['request']}" in tail
    assert 'event {"review": "great"}' in tail
    assert f"END RequestId: {result['request']}" in tail
    assert f"REPORT RequestId: {result['request']}" in tail and "Memory Size: 256 MB" in tail


def test_function_boto3_reaches_localcloud_with_its_role(lam, function, lambda_role):
    _, buckets = invoke(lam, function, {"action": "buckets"})
    assert any(name.startswith("sagemaker-") for name in buckets)
    _, identity = invoke(lam, function, {"action": "whoami"})
    assert identity.split("/")[1] == lambda_role.rsplit("/", 1)[-1]  # assumed-role/<role>/<session>


def test_function_cannot_leave_the_machine(lam, function):
    _, outcome = invoke(lam, function, {"action": "internet"})
    assert outcome == "NonLoopbackConnection"


def test_code_from_s3(lam, lambda_role, session):
    bucket = session.default_bucket()
    key = f"{unique('code')}/package.zip"
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=zipped(
        {"main.py": "def handler(event, context):\n    return 'from s3'\n"}))
    name = unique("s3code")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=lambda_role,
                        Handler="main.handler", Code={"S3Bucket": bucket, "S3Key": key})
    try:
        assert invoke(lam, name, {})[1] == "from s3"
        with pytest.raises(lam.exceptions.InvalidParameterValueException, match="NoSuchKey"):
            lam.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="missing.zip")
    finally:
        lam.delete_function(FunctionName=name)


def test_unhandled_error_is_answered_as_aws_does(lam, function):
    response, error = invoke(lam, function, {"action": "fail"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "the review was empty"
    assert any("lambda_handler" in line for line in error["stackTrace"])
    _, result = invoke(lam, function, {"action": "unserializable"})
    assert result["errorType"] == "Runtime.MarshalError"
    _, again = invoke(lam, function, {"review": "still serving"})
    assert again["echo"] == {"review": "still serving"}


def test_timeout_kills_the_call_and_the_next_one_works(lam, function):
    started = time.monotonic()
    response, error = invoke(lam, function, {"action": "sleep", "seconds": 30})
    assert time.monotonic() - started < 10
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 2.00 seconds" in error["errorMessage"]
    _, result = invoke(lam, function, {"review": "after timeout"})
    assert result["echo"] == {"review": "after timeout"}


def test_logs_reach_cloudwatch(lam, function, aws_env):
    _, result = invoke(lam, function, {"review": "logged"})
    logs = boto3.client("logs")
    group = f"/aws/lambda/{function}"
    for _ in range(50):
        events = logs.filter_log_events(logGroupName=group)["events"]
        messages = [event["message"] for event in events]
        if any(f"REPORT RequestId: {result['request']}" in m for m in messages):
            break
        time.sleep(0.1)
    assert any(m.startswith(f"START RequestId: {result['request']}") for m in messages)
    assert any("[INFO]" in m and "remaining" in m for m in messages)
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert all("[$LATEST]" in stream["logStreamName"] for stream in streams)


def test_event_and_dry_run_invocations(lam, function):
    assert lam.invoke(FunctionName=function, InvocationType="DryRun")["StatusCode"] == 204
    event = lam.invoke(FunctionName=function, InvocationType="Event", Payload=b'{"a": 1}')
    assert event["StatusCode"] == 202


def test_update_code_and_configuration(lam, lambda_role):
    name = unique("update")
    lam.create_function(FunctionName=name, Runtime="python3.6", Role=lambda_role,
                        Handler="main.handler",
                        Code={"ZipFile": zipped({"main.py": "def handler(e, c):\n    return 1\n"})})
    try:
        response, result = invoke(lam, name, {}, LogType="Tail")
        assert result == 1
        assert "python3.6 runs on the course's Python" in base64.b64decode(
            response["LogResult"]).decode()
        lam.update_function_code(FunctionName=name, ZipFile=zipped(
            {"main.py": "import os\ndef handler(e, c):\n    return os.environ['VERSION']\n"}))
        lam.update_function_configuration(FunctionName=name,
                                          Environment={"Variables": {"VERSION": "two"}})
        assert invoke(lam, name, {})[1] == "two"
    finally:
        lam.delete_function(FunctionName=name)


def test_permissions(lam, function):
    statement = lam.add_permission(
        FunctionName=function, StatementId="apigw", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn="arn:aws:execute-api:us-east-1:123456789012:abc/*/POST/")["Statement"]
    assert json.loads(statement)["Principal"] == {"Service": "apigateway.amazonaws.com"}
    policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["apigw"]
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.add_permission(FunctionName=function, StatementId="apigw",
                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com")
    lam.remove_permission(FunctionName=function, StatementId="apigw")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.remove_permission(FunctionName=function, StatementId="apigw")


@pytest.mark.parametrize("change, code", [
    ({"Runtime": "nodejs20.x"}, "InvalidParameterValueException"),
    ({"Role": "arn:aws:iam::123456789012:role/missing"}, "InvalidParameterValueException"),
    ({"Code": {"ZipFile": b"not a zip"}}, "InvalidParameterValueException"),
    ({"FunctionName": "bad name!"}, "ValidationException"),
])
def test_bad_requests_get_aws_errors(lam, lambda_role, change, code):
    request = {"FunctionName": unique("bad"), "Runtime": "python3.11", "Role": lambda_role,
               "Handler": "app.lambda_handler", "Code": {"ZipFile": zipped({"app.py": HANDLER})},
               **change}
    with pytest.raises(ClientError) as raised:
        lam.create_function(**request)
    assert raised.value.response["Error"]["Code"] == code


def test_missing_function_and_bad_payload(lam, function):
    with pytest.raises(lam.exceptions.ResourceNotFoundException, match="Function not found"):
        lam.invoke(FunctionName="no-such-function", Payload=b"{}")
    with pytest.raises(lam.exceptions.InvalidRequestContentException):
        lam.invoke(FunctionName=function, Payload=b"{not json")


def test_import_error_is_reported(lam, lambda_role):
    name = unique("broken")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=lambda_role,
                        Handler="missing.handler", Code={"ZipFile": zipped({"app.py": ""})})
    try:
        response, error = invoke(lam, name, {})
        assert response["FunctionError"] == "Unhandled"
        assert error["errorType"] == "Runtime.ImportModuleError"
        assert "Unable to import module 'missing'" in error["errorMessage"]
    finally:
        lam.delete_function(FunctionName=name)

