"""mlcourse.webapp.create_web_api against localcloud: a function behind POST / of a REST API,
and nothing left behind, neither by delete() nor by a build that fails half way."""

import io
import zipfile

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from mlcourse.webapp import create_web_api

ECHO = b'''
import os

def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"},
            "body": os.environ["ENDPOINT_NAME"] + ":" + (event.get("body") or "")}
'''


def _package(source: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("lambda_function.py", source)
    return buffer.getvalue()


def _leftovers(name: str) -> list[str]:
    roles = [role["RoleName"] for role in boto3.client("iam").list_roles()["Roles"]]
    functions = [f["FunctionName"] for f in boto3.client("lambda").list_functions()["Functions"]]
    apis = [api["name"] for api in boto3.client("apigateway").get_rest_apis()["items"]]
    return [found for found in roles + functions + apis if found.startswith(name)]


def test_the_api_calls_the_function_and_delete_removes_everything(aws_env):
    api = create_web_api("webapi-echo", _package(ECHO), "some-endpoint", stage="test")
    try:
        assert api.url.endswith("/test/_user_request_")
        answer = requests.post(api.url, data=b"hello", timeout=30)
        assert (answer.status_code, answer.text) == (200, "some-endpoint:hello")
        assert sorted(_leftovers("webapi-echo")) == [
            "webapi-echo-api", "webapi-echo-function", "webapi-echo-lambda-role"]
        policy = boto3.client("iam").get_role_policy(
            RoleName=api.role_name, PolicyName="invoke-endpoint-and-log")["PolicyDocument"]
        assert policy["Statement"][0]["Resource"].endswith(":endpoint/some-endpoint")
    finally:
        api.delete()
    assert _leftovers("webapi-echo") == []
    assert (api.api_id, api.function_name, api.role_name) == ("", "", "")


def test_a_failed_build_deletes_what_it_had_created(aws_env):
    with pytest.raises(ClientError, match="Could not unzip"):
        create_web_api("webapi-broken", b"not a zip file", "some-endpoint")
    assert _leftovers("webapi-broken") == []
