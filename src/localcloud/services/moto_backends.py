"""moto, used unmodified as a library through its public WSGI application: S3, STS, IAM and
CloudWatch Logs (and any AWS API no other service recognises).

Its state persists across stop/start and crashes through a write-ahead journal of the requests
that changed it (:mod:`.journal`), replayed when the service starts. Its reset hook empties the
storage a course run fills: every bucket (the SDK's default bucket is kept, empty) and every log
group, and the journal.
"""

from __future__ import annotations

from pathlib import Path

from moto.server import DomainDispatcherApplication, create_backend_app

from .account import clear_storage
from .base import Service, ServiceContext
from .journal import Journal


class MotoService(Service):
    """The catch-all last entry of the registry."""

    def __init__(self):
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.app = self.moto
        self.journal: Journal | None = None
        self.context: ServiceContext | None = None

    def recognises(self, environ: dict) -> bool:
        return True

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)

    def restore(self, state_dir: Path) -> None:
        self.journal = Journal(state_dir / "moto" / "journal.bin")
        self.journal.replay(self.moto)
        self.app = self.journal.wrap(self.moto)

    def start(self, context: ServiceContext) -> None:
        self.context = context

    def reset(self) -> None:
        clear_storage(self.context.url, self.context.region,
                      keep_bucket=self.context.default_bucket)
        if self.journal:
            # Only the default bucket is left: the next start's bootstrap creates it again.
            self.journal.clear()
