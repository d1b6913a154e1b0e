"""API Gateway REST APIs with the unchanged boto3: create, deploy, call over HTTP -> Lambda.

The whole path on to a SageMaker endpoint is tested with the tutorial's own function in
tests/browser/test_web_app.py.
"""

from __future__ import annotations

import boto3
import pytest
import requests
from lambda_support import create_function
from support import unique

from mlcourse.webapp import invoke_url

#: Answers what the test asks for through the query string, to check the proxy contract.
ECHO = '''
import base64, json


def lambda_handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode")
    if mode == "malformed":
        return {"body": "no status code"}
    if mode == "fail":
        raise RuntimeError("boom")
    if mode == "binary":
        return {"statusCode": 200, "isBase64Encoded": True,
                "headers": {"Content-Type": "application/octet-stream"},
                "body": base64.b64encode(bytes([0, 1, 2])).decode()}
    return {"statusCode": 201, "headers": {"X-Seen": "yes"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": json.dumps(event)}
'''


def rest_api(function_name: str, method: str = "POST", path_part: str | None = None,
             permit: bool = True) -> tuple[str, str]:
    """A REST API calling ``function_name`` through the Lambda proxy integration, deployed to
    stage ``prod``; returns (api id, invoke URL)."""
    apigw = boto3.client("apigateway")
    lam = boto3.client("lambda")
    api_id = apigw.create_rest_api(name=unique("api"))["id"]
    resource_id = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    if path_part:
        resource_id = apigw.create_resource(restApiId=api_id, parentId=resource_id,
                                            pathPart=path_part)["id"]
    function_arn = lam.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    region = apigw.meta.region_name
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                     authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id, resourceId=resource_id, httpMethod=method, type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}"
            "/invocations")
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                              statusCode="200")
    if permit:
        account = function_arn.split(":")[4]
        lam.add_permission(FunctionName=function_name, StatementId=unique("apigw"),
                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*/*")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id, invoke_url(api_id, "prod")


@pytest.fixture(scope="module")
def echo_api(lambda_role):
    function = create_function(lambda_role, ECHO)
    api_id, url = rest_api(function, method="ANY", path_part="{proxy+}")
    yield api_id, url, function
    boto3.client("apigateway").delete_rest_api(restApiId=api_id)
    boto3.client("lambda").delete_function(FunctionName=function)


def test_proxy_event_has_the_request(echo_api):
    _, url, _ = echo_api
    response = requests.put(f"{url}/reviews/7?lang=en&lang=fr", data="{\"a\": 1}",
                            headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 201
    assert response.headers["X-Seen"] == "yes"
    assert "a=1" in response.headers["Set-Cookie"] and "b=2" in response.headers["Set-Cookie"]
    event = response.json()
    assert event["httpMethod"] == "PUT"
    assert event["resource"] == "/{proxy+}"
    assert event["path"] == "/reviews/7"
    assert event["pathParameters"] == {"proxy": "reviews/7"}
    assert event["queryStringParameters"] == {"lang": "fr"}
    assert event["multiValueQueryStringParameters"] == {"lang": ["en", "fr"]}
    assert event["body"] == '{"a": 1}' and event["isBase64Encoded"] is False
    assert event["requestContext"]["stage"] == "prod"
    assert event["requestContext"]["httpMethod"] == "PUT"


def test_binary_answers_are_decoded(echo_api):
    _, url, _ = echo_api
    response = requests.get(f"{url}/x?mode=binary", timeout=30)
    assert response.content == bytes([0, 1, 2])


@pytest.mark.parametrize("mode", ["malformed", "fail"])
def test_bad_function_answers_are_502(echo_api, mode):
    _, url, _ = echo_api
    response = requests.get(f"{url}/x?mode={mode}", timeout=30)
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


def test_unknown_stage_and_path_are_403(echo_api):
    api_id, url, _ = echo_api
    assert requests.get(url.replace("/prod/", "/nostage/"), timeout=30).status_code == 403
    root = requests.get(url + "/", timeout=30)  # only /{proxy+} has a method, not /
    assert (root.status_code, root.json()) == (403, {"message": "Missing Authentication Token"})


def test_missing_permission_is_500(lambda_role):
    function = create_function(lambda_role, ECHO)
    api_id, url = rest_api(function, method="GET", permit=False)
    try:
        response = requests.get(url, timeout=30)
        assert response.status_code == 500
        assert "add_permission" in response.headers["X-Localcloud-Error"]
    finally:
        boto3.client("apigateway").delete_rest_api(restApiId=api_id)
        boto3.client("lambda").delete_function(FunctionName=function)


def test_changes_reach_callers_only_after_a_new_deployment(echo_api):
    api_id, url, function = echo_api
    apigw = boto3.client("apigateway")
    resources = apigw.get_resources(restApiId=api_id)["items"]
    proxy = next(r for r in resources if r["path"] == "/{proxy+}")
    integration = apigw.get_integration(restApiId=api_id, resourceId=proxy["id"],
                                        httpMethod="ANY")
    fresh = apigw.create_resource(restApiId=api_id, parentId=proxy["parentId"],
                                  pathPart="fresh")["id"]
    apigw.put_method(restApiId=api_id, resourceId=fresh, httpMethod="POST",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=fresh, httpMethod="POST",
                          type="AWS_PROXY", integrationHttpMethod="POST", uri=integration["uri"])
    assert requests.post(f"{url}/fresh", timeout=30).json()["resource"] == "/{proxy+}"
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert requests.post(f"{url}/fresh", timeout=30).json()["resource"] == "/fresh"
