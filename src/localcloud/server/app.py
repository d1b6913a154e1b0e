"""The WSGI application: the service's admin routes, then the registry's services in order.

Routing, by what the request says about itself:

- a request a browser sends from another origin, or addressed to a host other than loopback,
  is refused first (:mod:`localcloud.safety.browser`);
- ``/_localcloud/*`` -> the service's own admin routes (health; status and reset with the
  admin token);
- otherwise the first service of :mod:`localcloud.services.registry` that recognises the
  request (SageMaker's ``X-Amz-Target``, the runtime's invocation path, ...); moto, the last
  entry, takes everything else (S3, STS, IAM, CloudWatch Logs).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from ..safety import browser
from ..services.base import Service

ADMIN_PREFIX = "/_localcloud/"


class LocalCloudApp:
    """Dispatches each request to the service that owns it."""

    def __init__(self, services: list[Service], status: Callable[[], dict] | None = None,
                 on_reset: Callable[[], None] | None = None, admin_token: str | None = None):
        self.services = services
        self.status = status
        self.on_reset = on_reset
        self.admin_token = admin_token
        self.ready = False

    def service_for(self, environ: dict) -> Service:
        """The first service of the registry that recognises this request."""
        return next(service for service in self.services if service.recognises(environ))

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        refusal = browser.host_refusal(environ)
        if refusal is None and path.startswith(ADMIN_PREFIX):
            refusal = browser.cross_origin_refusal(environ)
            if refusal is None and path != ADMIN_PREFIX + "health":
                refusal = browser.admin_refusal(environ, self.admin_token)
            if refusal is None:
                return self._admin(Request(environ), path)(environ, start_response)
        if refusal is not None:
            return _refuse(refusal, environ, start_response)
        service = self.service_for(environ)
        if service.browser_facing:  # answers CORS itself, as AWS's service does
            return service(environ, start_response)
        refusal = browser.cross_origin_refusal(environ)
        if refusal is not None:
            return _refuse(refusal, environ, start_response)
        return service(environ, browser.without_cors(start_response))

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


def _refuse(message: str, environ, start_response):
    Request(environ).get_data()  # read the body: a kept-alive connection must not see it next
    return browser.refusal_response(message)(environ, start_response)


def _json(document: dict, status: int = 200) -> Response:
    return Response(json.dumps(document), status=status, content_type="application/json")
