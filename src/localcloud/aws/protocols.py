"""Reading AWS requests and writing AWS responses (JSON 1.1 and REST-JSON protocols).

SageMaker's control plane speaks JSON 1.1: ``POST /`` with ``X-Amz-Target: SageMaker.<Operation>``
and a JSON body; errors carry ``__type`` and ``message``. The runtime speaks REST-JSON: errors
carry the code in the ``X-Amzn-ErrorType`` header and ``message`` in the body.
(https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html,
https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html)
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from .errors import AWSError, SerializationException

JSON_11 = "application/x-amz-json-1.1"


def _encode_default(value: Any):
    """Timestamps travel as epoch seconds in both JSON protocols."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"Cannot encode {type(value).__name__} in an AWS JSON response")


def to_json(document: dict) -> str:
    return json.dumps(document, default=_encode_default)


def request_id_headers() -> dict[str, str]:
    return {"x-amzn-RequestId": str(uuid.uuid4())}


def json11_response(document: dict) -> Response:
    """A successful JSON 1.1 answer."""
    return Response(to_json(document), status=200, content_type=JSON_11,
                    headers=request_id_headers())


def json11_error(error: AWSError) -> Response:
    """A JSON 1.1 error answer; botocore reads the code from ``__type``."""
    body = {"__type": error.code, "message": error.message, **error.fields}
    headers = {**request_id_headers(), "x-amzn-ErrorType": error.code}
    return Response(to_json(body), status=error.status, content_type=JSON_11, headers=headers)


def restjson_error(error: AWSError, include_type: bool = True) -> Response:
    """A REST-JSON error answer. Without a type, botocore reports the HTTP status as the code
    (AWS answers an oversized InvokeEndpoint body that way: ``An error occurred (413)``)."""
    body = {"message": error.message, **error.fields}
    headers = request_id_headers()
    if include_type:
        headers["x-amzn-ErrorType"] = error.code
    return Response(to_json(body), status=error.status, content_type="application/json",
                    headers=headers)


def parse_json_body(raw: bytes) -> dict:
    """The JSON body of a request; an empty body is an empty request."""
    if not raw:
        return {}
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise SerializationException(f"Request body is not valid JSON: {error}") \
            from error
    if not isinstance(document, dict):
        raise SerializationException("Request body must be a JSON object")
    return document


def signing_service(authorization: str | None) -> str | None:
    """The service name of a SigV4 ``Authorization`` header's credential scope, if any.

    ``AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sagemaker/aws4_request, ...``
    """
    if not authorization or "Credential=" not in authorization:
        return None
    scope = authorization.split("Credential=", 1)[1].split(",", 1)[0]
    parts = scope.split("/")
    return parts[3] if len(parts) >= 5 else None
