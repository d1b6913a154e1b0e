"""The WSGI application: the service's admin routes, then the registry's services in order.

Routing, by what the request says about itself:

- ``/_localcloud/*`` -> the service's own admin routes (health, status, reset);
- otherwise the first service of :mod:`localcloud.services.registry` that recognises the
  request (SageMaker's ``X-Amz-Target``, the runtime's invocation path, ...); moto, the last
  entry, takes everything else (S3, STS, IAM, CloudWatch Logs).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from ..services.base import Service

ADMIN_PREFIX = "/_localcloud/"


class LocalCloudApp:
    """Dispatches each request to the service that owns it."""

    def __init__(self, services: list[Service], status: Callable[[], dict] | None = None,
                 on_reset: Callable[[], None] | None = None):
        self.services = services
        self.status = status
        self.on_reset = on_reset
        self.ready = False

    def service_for(self, environ: dict) -> Service:
        """The first service of the registry that recognises this request."""
        return next(service for service in self.services if service.recognises(environ))

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX):
            return self._admin(Request(environ), path)(environ, start_response)
        return self.service_for(environ)(environ, start_response)

    # -- admin --------------------------------------------------------------------------------

    def _admin(self, request: Request, path: str) -> Response:
        route = path[len(ADMIN_PREFIX):]
        if route == "health":
            status = 200 if self.ready else 503
            return _json({"ready": self.ready}, status)
        if route == "status" and self.status and self.ready:
            return _json(self.status())
        if route == "reset" and request.method == "POST" and self.on_reset:
            self.on_reset()
            return _json({"reset": True})
        return _json({"error": f"no admin route {route}"}, 404)


def _json(document: dict, status: int = 200) -> Response:
    return Response(json.dumps(document), status=status, content_type="application/json")
