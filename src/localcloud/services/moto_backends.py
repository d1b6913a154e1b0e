"""moto, used unmodified as a library through its public WSGI application: S3, STS, IAM and
CloudWatch Logs (and any AWS API no other service recognises).

Its state persists across stop/start and crashes through a write-ahead journal of the requests
that changed it (:mod:`.journal`), replayed when the service starts. Its reset hook empties the
storage a course run fills: every bucket (the SDK's default bucket is kept, empty) and every log
group, and the journal.
"""

from __future__ import annotations

import json
from pathlib import Path

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Response

from .account import clear_storage
from .base import Service, ServiceContext
from .journal import Journal, read_body


class MotoService(Service):
    """The catch-all last entry of the registry."""

    def __init__(self):
        self.moto = with_stream_prefix_filter(DomainDispatcherApplication(create_backend_app))
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


def with_stream_prefix_filter(app):
    """CloudWatch Logs' FilterLogEvents honours ``logStreamNamePrefix`` (moto ignores it): the
    answer keeps the events and searched streams whose stream name has the prefix."""

    def filtered(environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").endswith(".FilterLogEvents"):
            return app(environ, start_response)
        try:
            prefix = json.loads(read_body(environ) or b"{}").get("logStreamNamePrefix")
        except ValueError:
            prefix = None
        if not prefix:
            return app(environ, start_response)
        response = Response.from_app(app, environ)
        if response.status_code == 200:
            document = json.loads(response.get_data())
            for key in ("events", "searchedLogStreams"):
                document[key] = [item for item in document.get(key, [])
                                 if item.get("logStreamName", "").startswith(prefix)]
            response.set_data(json.dumps(document))
        return response(environ, start_response)

    return filtered
