"""Persistence for moto's services (S3, IAM, CloudWatch Logs, ...): a write-ahead journal.

moto keeps its state in memory and has no public way to save it. So localcloud records every
request that changed moto's state (a write that moto answered with success) in an append-only
file, and replays the file through moto's WSGI application when the service starts again, before
anything else runs. Requests are recorded exactly as received (method, path, headers, body), so
the replay goes through moto's public behaviour only. A record is on disk (fsync) before the
client gets its answer: writes are durable when the API call returns, and a crash at any moment
loses at most the request in flight (a torn last record is ignored at replay).

Record layout: 4-byte header length, JSON header (the WSGI environ entries that describe the
request), 8-byte body length, body.
"""

from __future__ import annotations

import io
import json
import logging
import os
import struct
import threading
from pathlib import Path
from urllib.parse import parse_qs

log = logging.getLogger(__name__)

MUTATING_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})
#: Operations that only read, though their protocol sends them as POST (JSON and query APIs).
READ_PREFIXES = ("Get", "Describe", "List", "Filter", "Test", "Lookup", "Search", "Head",
                 "Simulate", "Generate")
#: STS answers are not state (credentials are assumed afresh by each run).
UNJOURNALED_SERVICES = ("sts",)
ENVIRON_KEYS = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "RAW_URI",
                "REQUEST_URI", "SCRIPT_NAME")
_HEADER = struct.Struct(">I")
_BODY = struct.Struct(">Q")


def _operation(environ: dict, body: bytes) -> str:
    """The AWS operation of a JSON (``X-Amz-Target``) or query (``Action=``) request, if any."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    return parse_qs(environ.get("QUERY_STRING", "")).get("Action", [""])[0]


def _signing_service(environ: dict) -> str:
    credential = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1]
    parts = credential.split(",", 1)[0].split("/")
    return parts[3] if len(parts) >= 5 else ""


def may_change_state(environ: dict, body: bytes) -> bool:
    if environ.get("REQUEST_METHOD") not in MUTATING_METHODS:
        return False
    if _signing_service(environ) in UNJOURNALED_SERVICES:
        return False
    return not _operation(environ, body).startswith(READ_PREFIXES)


def read_body(environ: dict) -> bytes:
    """Read the request body and give the app a fresh stream of it (with its exact length)."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated") or environ.get("HTTP_TRANSFER_ENCODING"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)
    return body


class Journal:
    """The append-only file of state-changing requests, and its replay."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def wrap(self, app):
        """A WSGI app that records each successful state-changing request it passes to ``app``."""

        def journaled(environ, start_response):
            body = read_body(environ)
            if not may_change_state(environ, body):
                return app(environ, start_response)
            status: list[int] = []

            def remember(status_line, headers, exc_info=None):
                status.append(int(status_line.split(" ", 1)[0]))
                return start_response(status_line, headers, exc_info)

            result = app(environ, remember)
            if status and status[0] < 400:
                self.append(environ, body)
            return result

        return journaled

    def append(self, environ: dict, body: bytes) -> None:
        header = {key: environ[key] for key in ENVIRON_KEYS if key in environ}
        header.update({key: value for key, value in environ.items()
                       if key.startswith("HTTP_") and isinstance(value, str)})
        encoded = json.dumps(header).encode()
        record = _HEADER.pack(len(encoded)) + encoded + _BODY.pack(len(body)) + body
        with self._lock, open(self.path, "ab") as journal:
            journal.write(record)
            journal.flush()
            os.fsync(journal.fileno())

    def records(self):
        """Each complete record: (environ header, body). A torn last record ends the file."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as journal:
            while True:
                raw = journal.read(_HEADER.size)
                if len(raw) < _HEADER.size:
                    return
                encoded = journal.read(_HEADER.unpack(raw)[0])
                raw_length = journal.read(_BODY.size)
                if len(raw_length) < _BODY.size:
                    return
                length = _BODY.unpack(raw_length)[0]
                body = journal.read(length)
                if len(body) < length:
                    log.warning("Journal %s ends with a torn record; ignoring it", self.path)
                    return
                yield json.loads(encoded), body

    def replay(self, app) -> int:
        """Send every recorded request to ``app`` again, in order; return how many."""
        count = 0
        for header, body in self.records():
            environ = {**header, "wsgi.input": io.BytesIO(body),
                       "CONTENT_LENGTH": str(len(body)), "wsgi.url_scheme": "http",
                       "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0),
                       "wsgi.multithread": False, "wsgi.multiprocess": False,
                       "wsgi.run_once": False, "SERVER_NAME": "127.0.0.1",
                       "SERVER_PORT": "0", "SERVER_PROTOCOL": "HTTP/1.1"}
            for _ in app(environ, lambda *args: None):
                pass
            count += 1
        if count:
            log.info("Replayed %d journaled request(s) from %s", count, self.path)
        return count

    def clear(self) -> None:
        """Forget everything (``localcloud reset``)."""
        with self._lock:
            self.path.unlink(missing_ok=True)
