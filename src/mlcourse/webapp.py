"""Helpers for the web-app lessons: a function behind an API, its URL, a page served locally.

``create_web_api`` builds what the IMDB web-app tutorial builds step by step: an IAM role for a
Lambda function (allowed to invoke one endpoint and to write its logs), the function, and a REST
API whose ``POST /`` calls it, deployed to a stage; :meth:`WebApi.delete` removes all of it.

``invoke_url`` asks boto3 where API Gateway lives, so the same notebook prints
``https://{api_id}.execute-api.{region}.amazonaws.com/{stage}`` on AWS and localcloud's
execute-api URL (``{localcloud}/restapis/{api_id}/{stage}/_user_request_``) offline.

``PageServer`` serves a folder (the lesson's ``index.html``) on 127.0.0.1 from a background
thread, so a browser on the same machine can open the page while the notebook keeps running.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import boto3

log = logging.getLogger(__name__)

AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn")
LAMBDA_TRUST_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}
ROLE_POLICY_NAME = "invoke-endpoint-and-log"


def invoke_url(api_id: str, stage: str, client=None) -> str:
    """The URL a browser (or ``requests``) calls to reach a deployed REST API stage."""
    client = client or boto3.client("apigateway")
    endpoint = client.meta.endpoint_url
    host = urlparse(endpoint).hostname or ""
    if host.endswith(AWS_DOMAINS):
        region = client.meta.region_name
        suffix = "amazonaws.com.cn" if host.endswith(".cn") else "amazonaws.com"
        return f"https://{api_id}.execute-api.{region}.{suffix}/{stage}"
    return f"{endpoint.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_"


@dataclass
class WebApi:
    """A Lambda function behind ``POST /`` of a REST API stage, and the role it runs as.

    Fields are filled as :func:`create_web_api` creates each piece, so :meth:`delete` removes
    exactly what exists, also after a failure half way.
    """

    name: str
    role_name: str = ""
    function_name: str = ""
    function_arn: str = ""
    api_id: str = ""
    url: str = ""

    def delete(self) -> None:
        """Delete the API, the function with its log group, and the role (whatever exists)."""
        if self.api_id:
            boto3.client("apigateway").delete_rest_api(restApiId=self.api_id)
            self.api_id = self.url = ""
        if self.function_name:
            boto3.client("lambda").delete_function(FunctionName=self.function_name)
            logs = boto3.client("logs")
            with contextlib.suppress(logs.exceptions.ResourceNotFoundException):  # never logged
                logs.delete_log_group(logGroupName=f"/aws/lambda/{self.function_name}")
            self.function_name = self.function_arn = ""
        if self.role_name:
            iam = boto3.client("iam")
            with contextlib.suppress(iam.exceptions.NoSuchEntityException):
                iam.delete_role_policy(RoleName=self.role_name, PolicyName=ROLE_POLICY_NAME)
            iam.delete_role(RoleName=self.role_name)
            self.role_name = ""
        log.info("deleted the web API %s", self.name)


def create_web_api(name: str, package: bytes, endpoint_name: str, stage: str = "prod",
                   handler: str = "lambda_function.lambda_handler") -> WebApi:
    """Deploy ``package`` (a zip) as function ``<name>-function`` behind API ``<name>-api``.

    The function gets ``ENDPOINT_NAME`` in its environment and a role that may invoke that
    endpoint only. Everything created is deleted again if a later step fails.
    """
    sts = boto3.client("sts")
    region = sts.meta.region_name
    account = sts.get_caller_identity()["Account"]
    api = WebApi(name)
    try:
        role_arn = _create_role(api, f"{name}-lambda-role", region, account, endpoint_name)
        _create_function(api, f"{name}-function", role_arn, package, handler, endpoint_name)
        _create_rest_api(api, f"{name}-api", region, account, stage)
    except BaseException:
        api.delete()
        raise
    log.info("web API %s answers at %s", name, api.url)
    return api


def _create_role(api: WebApi, role_name: str, region: str, account: str,
                 endpoint_name: str) -> str:
    permissions = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint",
         "Resource": f"arn:aws:sagemaker:{region}:{account}:endpoint/{endpoint_name}"},
        {"Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:{region}:{account}:*"}]}
    iam = boto3.client("iam")
    arn = iam.create_role(RoleName=role_name,
                          AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST_POLICY))["Role"]["Arn"]
    api.role_name = role_name
    iam.put_role_policy(RoleName=role_name, PolicyName=ROLE_POLICY_NAME,
                        PolicyDocument=json.dumps(permissions))
    return arn


def _create_function(api: WebApi, function_name: str, role_arn: str, package: bytes,
                     handler: str, endpoint_name: str, attempts: int = 15,
                     pause_seconds: float = 4) -> None:
    client = boto3.client("lambda")
    settings = {"FunctionName": function_name, "Runtime": "python3.11", "Role": role_arn,
                "Handler": handler, "Code": {"ZipFile": package}, "Timeout": 30,
                "MemorySize": 256, "Environment": {"Variables": {"ENDPOINT_NAME": endpoint_name}}}
    for attempt in range(attempts):
        try:
            api.function_arn = client.create_function(**settings)["FunctionArn"]
            break
        except client.exceptions.InvalidParameterValueException as error:
            # On AWS a new role takes some seconds to become usable by Lambda.
            if "cannot be assumed" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(pause_seconds)
    api.function_name = function_name
    client.get_waiter("function_active_v2").wait(FunctionName=function_name)


def _create_rest_api(api: WebApi, api_name: str, region: str, account: str, stage: str) -> None:
    client = boto3.client("apigateway")
    api.api_id = client.create_rest_api(name=api_name)["id"]
    root_id = next(resource["id"] for resource in
                   client.get_resources(restApiId=api.api_id)["items"] if resource["path"] == "/")
    client.put_method(restApiId=api.api_id, resourceId=root_id, httpMethod="POST",
                      authorizationType="NONE")
    client.put_integration(
        restApiId=api.api_id, resourceId=root_id, httpMethod="POST", type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{api.function_arn}"
            "/invocations")
    boto3.client("lambda").add_permission(
        FunctionName=api.function_name, StatementId=f"{api_name}-invoke",
        Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{region}:{account}:{api.api_id}/*/POST/")
    client.create_deployment(restApiId=api.api_id, stageName=stage)
    api.url = invoke_url(api.api_id, stage, client)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 -- the base class names it so
        log.debug("page server: " + format, *args)


class PageServer:
    """Serve ``folder`` on ``http://127.0.0.1:<port>/`` until :meth:`stop` (or ``with``)."""

    def __init__(self, folder: str | Path, port: int = 0):
        handler = functools.partial(_QuietHandler, directory=str(Path(folder).resolve()))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                       name="page-server")
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> PageServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
