"""moto, used unmodified as a library through its public WSGI application: S3, STS, IAM and
CloudWatch Logs (and any AWS API no other service recognises).

Its reset hook empties the storage a course run fills: every bucket (the SDK's default bucket
is kept, empty) and every log group.
"""

from __future__ import annotations

from moto.server import DomainDispatcherApplication, create_backend_app

from .account import clear_storage
from .base import Service, ServiceContext


class MotoService(Service):
    """The catch-all last entry of the registry."""

    def __init__(self):
        self.app = DomainDispatcherApplication(create_backend_app)
        self.context: ServiceContext | None = None

    def recognises(self, environ: dict) -> bool:
        return True

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)

    def start(self, context: ServiceContext) -> None:
        self.context = context

    def reset(self) -> None:
        clear_storage(self.context.url, self.context.region,
                      keep_bucket=self.context.default_bucket)
