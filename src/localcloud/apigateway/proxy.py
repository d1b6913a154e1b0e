"""The Lambda proxy integration (``AWS_PROXY``), payload format 1.0, as REST APIs use it.

:func:`proxy_event` turns an HTTP request into the event the function receives;
:func:`proxy_response` turns the function's answer ``{statusCode, headers, multiValueHeaders,
body, isBase64Encoded}`` into the HTTP response, or raises :class:`MalformedProxyResponse`
(which API Gateway answers with 502) when the answer has another shape.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from .routing import Route

#: Bodies of these types reach the function as text; anything else is base64 (isBase64Encoded),
#: as when an API lists binary media types.
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
              "application/x-www-form-urlencoded")


class MalformedProxyResponse(Exception):
    """The function answered with something that is not a proxy response."""


@dataclass
class Stage:
    """Where a request arrived: the API, stage and account (for the event's requestContext)."""

    api_id: str
    stage: str
    account_id: str
    region: str
    host: str


def _is_text(content_type: str | None) -> bool:
    return not content_type or content_type.startswith(TEXT_TYPES)


def proxy_event(request: Request, path: str, route: Route, stage: Stage) -> dict:
    """The payload 1.0 event of a request that arrived at ``path`` (below the stage)."""
    raw = request.get_data()
    text_body = _is_text(request.content_type)
    headers = dict(request.headers.items())
    multi_headers: dict[str, list[str]] = {}
    for key, value in request.headers.items(lower=False):
        multi_headers.setdefault(key, []).append(value)
    query = request.args
    now = time.time()
    body = None
    if raw:
        body = raw.decode("utf-8", errors="replace") if text_body else \
            base64.b64encode(raw).decode("ascii")
    return {
        "resource": route.resource_path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: query.getlist(k)[-1] for k in query} or None,
        "multiValueQueryStringParameters": {k: query.getlist(k) for k in query} or None,
        "pathParameters": route.path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": route.resource_path, "resourcePath": route.resource_path,
            "httpMethod": request.method, "extendedRequestId": uuid.uuid4().hex[:16],
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{stage.stage}{path}", "accountId": stage.account_id,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "stage": stage.stage, "domainPrefix": stage.api_id,
            "requestTimeEpoch": int(now * 1000), "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1",
                         "userAgent": request.headers.get("User-Agent"), "accessKey": None,
                         "accountId": None, "caller": None, "user": None, "userArn": None,
                         "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
                         "cognitoAuthenticationType": None,
                         "cognitoAuthenticationProvider": None},
            "domainName": stage.host, "apiId": stage.api_id,
        },
        "body": body,
        "isBase64Encoded": bool(raw) and not text_body,
    }


def proxy_response(payload: bytes) -> Response:
    """The HTTP response of a function's proxy answer."""
    try:
        answer = json.loads(payload)
    except ValueError:
        raise MalformedProxyResponse("the function's answer is not JSON") from None
    if not isinstance(answer, dict):
        raise MalformedProxyResponse("the function's answer is not a JSON object")
    unknown = set(answer) - {"statusCode", "headers", "multiValueHeaders", "body",
                             "isBase64Encoded", "cookies"}
    if unknown:
        raise MalformedProxyResponse(f"unexpected fields {sorted(unknown)}")
    if "statusCode" not in answer:  # REST APIs (unlike HTTP APIs) infer nothing
        raise MalformedProxyResponse("statusCode is missing")
    try:
        status = int(answer["statusCode"])
    except (TypeError, ValueError):
        raise MalformedProxyResponse("statusCode is not an integer") from None
    body = answer.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedProxyResponse("body must be a string")
    headers = answer.get("headers") or {}
    multi = answer.get("multiValueHeaders") or {}
    if not isinstance(headers, dict) or not isinstance(multi, dict):
        raise MalformedProxyResponse("headers must be objects")
    content = (body or "").encode("utf-8")
    if answer.get("isBase64Encoded") and body:
        try:
            content = base64.b64decode(body)
        except ValueError:
            raise MalformedProxyResponse("body is not valid base64") from None
    response = Response(content, status=status)
    response.headers.remove("Content-Type")
    for key, value in headers.items():
        response.headers[key] = str(value)
    for key, values in multi.items():
        for value in values if isinstance(values, list) else [values]:
            response.headers.add(key, str(value))
    if "Content-Type" not in response.headers:
        response.headers["Content-Type"] = "application/json"
    return response


def gateway_error(status: int, message: str, request_id: str | None = None) -> Response:
    """An error API Gateway itself answers: ``{"message": ...}`` and ``x-amzn-ErrorType``."""
    kinds = {403: "ForbiddenException", 404: "NotFoundException",
             500: "InternalServerErrorException", 502: "InternalServerErrorException",
             504: "InternalServerErrorException"}
    response = Response(json.dumps({"message": message}), status=status,
                        content_type="application/json")
    response.headers["x-amzn-RequestId"] = request_id or str(uuid.uuid4())
    response.headers["x-amzn-ErrorType"] = kinds.get(status, "BadRequestException")
    return response
