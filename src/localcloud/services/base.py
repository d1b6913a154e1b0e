"""What a service is to the server: a WSGI handler with a recogniser and lifecycle hooks.

The server builds every service of the registry, serves HTTP, bootstraps the account (role,
credentials, default bucket), then calls :meth:`Service.start` on each in registry order. A
request goes to the first service whose :meth:`Service.recognises` says yes; the last entry
(moto) takes everything else. ``reset`` and ``shutdown`` run in registry order too, so a service
is reset before the storage it uses (SageMaker's endpoints before moto's S3 and Logs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.wrappers import Request, Response

from ..aws.errors import AWSError, InternalFailure
from ..aws.protocols import json11_error, json11_response, parse_json_body

log = logging.getLogger(__name__)


@dataclass
class ServiceContext:
    """What a service may know about the running localcloud and the other services."""

    url: str  # e.g. http://127.0.0.1:4566; every service's clients reach the others through it
    region: str
    state_dir: Path
    account_id: str = ""
    role_arn: str = ""
    default_bucket: str = ""
    services: dict[str, Service] = field(default_factory=dict)

    def service(self, name: str) -> Service:
        """Another running service, by its registry name (e.g. ``"lambda"``)."""
        return self.services[name]

    def service_dir(self, name: str) -> Path:
        """A folder of the state directory that belongs to one service."""
        folder = self.state_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder


class Service:
    """One AWS service localcloud serves. Subclasses override what they need."""

    #: The registry name (also the key of :attr:`ServiceContext.services`).
    name = "service"
    #: True when browsers call this service from pages of any origin by design (API Gateway's
    #: execute-api URLs): the server's Host/Origin checks let these requests through and the
    #: service answers CORS itself, as the real service does.
    browser_facing = False

    def recognises(self, environ: dict) -> bool:
        """Is this WSGI request for this service? (cheap: looks at path and headers only)"""
        raise NotImplementedError

    def handle(self, request: Request) -> Response:
        """Answer one request this service recognised."""
        raise NotImplementedError

    def __call__(self, environ, start_response):
        return self.handle(Request(environ))(environ, start_response)

    # -- lifecycle hooks (all optional) ------------------------------------------------------

    def restore(self, state_dir: Path) -> None:
        """Reload what an earlier run of this state directory saved (persistence), before the
        account is bootstrapped and before any request is served."""

    def start(self, context: ServiceContext) -> None:
        """Called once the server answers HTTP and the account is bootstrapped."""

    def reset(self) -> None:
        """Delete every resource this service holds, saved state included; keep serving."""

    def shutdown(self) -> None:
        """Stop everything this service started (processes, threads)."""

    def status(self) -> dict:
        """What is running now, merged into ``localcloud status`` (keys unique per service)."""
        return {}


class Json11Service(Service):
    """A service speaking AWS JSON 1.1: ``X-Amz-Target: <prefix>.<Operation>``, JSON body."""

    target_prefix = ""

    def recognises(self, environ: dict) -> bool:
        return environ.get("HTTP_X_AMZ_TARGET", "").startswith(self.target_prefix + ".")

    def operation(self, name: str, params: dict) -> dict:
        """Run one operation; raise :class:`AWSError` for an error answer."""
        raise NotImplementedError

    def handle(self, request: Request) -> Response:
        operation = request.headers["X-Amz-Target"].split(".", 1)[1]
        try:
            params = parse_json_body(request.get_data())
            return json11_response(self.operation(operation, params))
        except AWSError as error:
            log.info("%s.%s -> %s: %s", self.target_prefix, operation, error.code,
                     error.message)
            return json11_error(error)
        except Exception as error:
            log.exception("%s.%s failed", self.target_prefix, operation)
            return json11_error(InternalFailure(f"localcloud failed: {error}"))
