"""The WSGI application: a dispatcher in front of our SageMaker and moto's other services.

Routing, by what the request says about itself:

- ``X-Amz-Target: SageMaker.*`` -> our SageMaker control plane (JSON 1.1);
- ``POST /endpoints/{name}/invocations`` signed for service ``sagemaker`` -> our runtime;
- ``/_localcloud/*`` -> the service's own admin routes (health, status, reset);
- everything else -> moto's server application, unmodified (S3, STS, IAM, CloudWatch Logs).
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from ..sagemaker.control import ControlPlane
from ..sagemaker.runtime import Invocation, Runtime
from .errors import AWSError
from .wire import json11_error, json11_response, parse_json_body, restjson_error, signing_service

log = logging.getLogger(__name__)

RUNTIME_PATH = re.compile(r"^/endpoints/(?P<name>[^/]+)/invocations$")
ADMIN_PREFIX = "/_localcloud/"


class LocalCloudApp:
    """Dispatches each request to the component that owns it."""

    def __init__(self, moto_app, control: ControlPlane | None = None,
                 runtime: Runtime | None = None, on_reset=None):
        self.moto_app = moto_app
        self.control = control
        self.runtime = runtime
        self.on_reset = on_reset
        self.extra_status = dict  # the service adds its own parts (the egress guard)
        self.ready = False

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX):
            return self._admin(Request(environ), path)(environ, start_response)
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("SageMaker."):
            return self._control_plane(Request(environ))(environ, start_response)
        runtime_match = RUNTIME_PATH.match(path)
        if runtime_match and environ.get("REQUEST_METHOD") == "POST" and \
                signing_service(environ.get("HTTP_AUTHORIZATION")) in ("sagemaker", None):
            name = unquote(runtime_match["name"])
            return self._invoke(Request(environ), name)(environ, start_response)
        return self.moto_app(environ, start_response)

    # -- SageMaker ----------------------------------------------------------------------------

    def _control_plane(self, request: Request) -> Response:
        operation = request.headers["X-Amz-Target"].split(".", 1)[1]
        try:
            params = parse_json_body(request.get_data())
            return json11_response(self.control.handle(operation, params))
        except AWSError as error:
            log.info("SageMaker.%s -> %s: %s", operation, error.code, error.message)
            return json11_error(error)
        except Exception as error:
            log.exception("SageMaker.%s failed", operation)
            return json11_error(AWSError("InternalFailure", f"localcloud failed: {error}", 500))

    def _invoke(self, request: Request, endpoint_name: str) -> Response:
        invocation = Invocation(
            endpoint_name=endpoint_name,
            body=request.get_data(),
            content_type=request.headers.get("Content-Type"),
            accept=request.headers.get("Accept"),
            target_variant=request.headers.get("X-Amzn-SageMaker-Target-Variant"),
            custom_attributes=request.headers.get("X-Amzn-SageMaker-Custom-Attributes"),
        )
        try:
            result = self.runtime.invoke(invocation)
        except AWSError as error:
            return restjson_error(error, include_type=not error.code.isdigit())
        except Exception as error:
            log.exception("InvokeEndpoint %s failed", endpoint_name)
            return restjson_error(AWSError("InternalFailure", f"localcloud failed: {error}", 500))
        return Response(result.body, status=200, content_type=result.content_type,
                        headers={"x-Amzn-Invoked-Production-Variant": result.variant_name})

    # -- admin --------------------------------------------------------------------------------

    def _admin(self, request: Request, path: str) -> Response:
        route = path[len(ADMIN_PREFIX):]
        if route == "health":
            status = 200 if self.ready else 503
            return Response(json.dumps({"ready": self.ready}), status=status,
                            content_type="application/json")
        if route == "status" and self.control:
            status = {**self.control.status(), **self.extra_status()}
            return Response(json.dumps(status), content_type="application/json")
        if route == "reset" and request.method == "POST" and self.on_reset:
            self.on_reset()
            return Response(json.dumps({"reset": True}), content_type="application/json")
        return Response(json.dumps({"error": f"no admin route {route}"}), status=404,
                        content_type="application/json")
