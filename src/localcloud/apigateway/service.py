"""API Gateway's registry entry: moto's REST API control plane, deployments and execute-api URLs.

What is moto's and what is ours:

- **control plane (moto, unmodified):** CreateRestApi, GetResources, CreateResource, PutMethod,
  PutIntegration, PutMethodResponse, PutIntegrationResponse, CreateDeployment, stages,
  DeleteRestApi, ... — every ``apigateway``-signed request is passed to moto's WSGI app as is.
- **deployments (ours):** when moto has answered a CreateDeployment, the API's resources,
  methods and integrations are snapshotted, so callers see what was deployed (moto does not
  keep deployments apart from the live API).
- **execute-api (ours):** ``{localcloud}/restapis/{api_id}/{stage}/_user_request_/{path}`` is
  the stage's invoke URL (``https://{api_id}.execute-api.{region}.amazonaws.com/{stage}/{path}``
  on AWS). A request there finds the deployed resource and method, checks the function's
  resource policy lets API Gateway invoke it, calls the function through the Lambda service
  with a proxy event (payload 1.0) and answers with what the function returned.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid

import boto3
from werkzeug.wrappers import Request, Response

from ..aws.protocols import signing_service
from ..services.base import Service, ServiceContext
from .proxy import MalformedProxyResponse, Stage, gateway_error, proxy_event, proxy_response
from .routing import find_route

log = logging.getLogger(__name__)

#: ``/restapis/{api_id}/{stage}/_user_request_/{path}``, the form localstack made familiar.
EXECUTE_API = re.compile(r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_"
                         r"(?P<path>/.*)?$")
DEPLOYMENTS = re.compile(r"^/restapis/(?P<api>[^/]+)/deployments/?$")
LAMBDA_URI = re.compile(r"^arn:aws[\w-]*:apigateway:[\w-]+:lambda:path/[\d-]+/functions/"
                        r"(?P<function>[^/]+)/invocations$")
PRINCIPAL = "apigateway.amazonaws.com"


def invoke_url(base_url: str, api_id: str, stage: str) -> str:
    """The execute-api URL of a stage on a localcloud at ``base_url``."""
    return f"{base_url.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_"


class ApiGatewayService(Service):
    """API Gateway REST APIs on localcloud."""

    name = "apigateway"
    browser_facing = True  # web pages call execute-api URLs; CORS is the function's to answer

    def __init__(self):
        self.context: ServiceContext | None = None
        self._snapshots: dict[tuple[str, str], list[dict]] = {}  # (api, deployment) -> resources
        # (api, stage) -> deployment id, or None for no such stage. Stages change only through
        # control-plane requests, which all pass through handle() and empty this cache.
        self._stages: dict[tuple[str, str], str | None] = {}
        self._lock = threading.Lock()
        # Whether moto's API Gateway has been used since the last reset: importing it costs
        # seconds, which a reset of a cloud that never served an API should not pay.
        self._used = False

    def recognises(self, environ: dict) -> bool:
        path = environ.get("PATH_INFO", "")
        if EXECUTE_API.match(path):
            return True
        return signing_service(environ.get("HTTP_AUTHORIZATION")) == "apigateway"

    def start(self, context: ServiceContext) -> None:
        self.context = context
        session = boto3.session.Session(aws_access_key_id="localcloud",
                                        aws_secret_access_key="localcloud",
                                        region_name=context.region)
        self.client = session.client("apigateway", endpoint_url=context.url)

    @property
    def moto(self):
        return self.context.service("moto")

    def reset(self) -> None:
        if not self._used:
            return
        for page in self.client.get_paginator("get_rest_apis").paginate():
            for api in page["items"]:
                self.client.delete_rest_api(restApiId=api["id"])
        with self._lock:
            self._snapshots.clear()
            self._stages.clear()
        self._used = False

    def handle(self, request: Request) -> Response:
        found = EXECUTE_API.match(request.path)
        if found:
            return self._execute(request, found["api"], found["stage"], found["path"] or "/")
        self._used = True
        if request.method != "GET":
            with self._lock:
                self._stages.clear()
        response = Response.from_app(self.moto, request.environ)
        deployment = DEPLOYMENTS.match(request.path)
        if deployment and request.method == "POST" and response.status_code == 201:
            self._snapshot(deployment["api"], json.loads(response.get_data())["id"])
        return response

    # -- deployments ----------------------------------------------------------------------------

    def _snapshot(self, api_id: str, deployment_id: str) -> list[dict]:
        resources = []
        for page in self.client.get_paginator("get_resources").paginate(
                restApiId=api_id, embed=["methods"]):
            resources.extend(page["items"])
        with self._lock:
            self._snapshots[(api_id, deployment_id)] = resources
        log.info("Deployed REST API %s (deployment %s, %d resources)", api_id, deployment_id,
                 len(resources))
        return resources

    def _deployed(self, api_id: str, stage: str) -> list[dict] | None:
        """The resources deployed to a stage, or None when there is no such stage."""
        with self._lock:
            known = (api_id, stage) in self._stages
            deployment_id = self._stages.get((api_id, stage))
        if not known:
            deployment_id = self._stage_deployment(api_id, stage)
            with self._lock:
                self._stages[(api_id, stage)] = deployment_id
        if deployment_id is None:
            return None
        with self._lock:
            resources = self._snapshots.get((api_id, deployment_id))
        return resources if resources is not None else self._snapshot(api_id, deployment_id)

    def _stage_deployment(self, api_id: str, stage: str) -> str | None:
        try:
            return self.client.get_stage(restApiId=api_id, stageName=stage)["deploymentId"]
        except (self.client.exceptions.NotFoundException,
                self.client.exceptions.BadRequestException):
            return None

    # -- execute-api ----------------------------------------------------------------------------

    def _execute(self, request: Request, api_id: str, stage: str, path: str) -> Response:
        resources = self._deployed(api_id, stage)
        if resources is None:
            return gateway_error(403, "Forbidden")
        route = find_route(resources, path, request.method)
        if route is None:
            return gateway_error(403, "Missing Authentication Token")
        integration = route.method.get("methodIntegration") or {}
        function = LAMBDA_URI.match(integration.get("uri", ""))
        if integration.get("type") != "AWS_PROXY" or not function:
            log.warning("API %s %s %s: localcloud serves Lambda proxy integrations only, not %s",
                        api_id, request.method, path, integration.get("type"))
            return gateway_error(500, "Internal server error")
        source_arn = (f"arn:aws:execute-api:{self.context.region}:{self.context.account_id}:"
                      f"{api_id}/{stage}/{request.method}{route.resource_path}")
        return self._call_function(request, function["function"], source_arn,
                                   proxy_event(request, path, route, self._stage(request,
                                                                                 api_id,
                                                                                 stage)))

    def _stage(self, request: Request, api_id: str, stage: str) -> Stage:
        return Stage(api_id=api_id, stage=stage, account_id=self.context.account_id,
                     region=self.context.region, host=request.host)

    def _call_function(self, request: Request, function_arn: str, source_arn: str,
                       event: dict) -> Response:
        lambda_service = self.context.service("lambda")
        request_id = event["requestContext"]["requestId"]
        try:
            allowed = lambda_service.allows(function_arn, PRINCIPAL, source_arn)
        except Exception:  # no such function
            log.warning("API Gateway: %s calls missing function %s", source_arn, function_arn)
            return gateway_error(500, "Internal server error", request_id)
        if not allowed:
            log.warning("Execution failed due to configuration error: Invalid permissions on "
                        "Lambda function %s: add a lambda:InvokeFunction permission for %s "
                        "with SourceArn matching %s", function_arn, PRINCIPAL, source_arn)
            response = gateway_error(500, "Internal server error", request_id)
            response.headers["X-Localcloud-Error"] = (
                "Invalid permissions on Lambda function: call lambda add_permission with "
                f"Principal={PRINCIPAL}")
            return response
        outcome = lambda_service.invoke(function_arn, json.dumps(event).encode("utf-8"))
        if outcome.error:
            log.info("API Gateway: function %s failed: %s", function_arn, outcome.error)
            return gateway_error(502, "Internal server error", request_id)
        try:
            response = proxy_response(outcome.payload)
        except MalformedProxyResponse as error:
            log.warning("Execution failed due to configuration error: Malformed Lambda proxy "
                        "response from %s: %s", function_arn, error)
            return gateway_error(502, "Internal server error", request_id)
        response.headers["x-amzn-RequestId"] = request_id
        response.headers["x-amz-apigw-id"] = uuid.uuid4().hex[:16]
        return response
