"""Shipping a process's output to a CloudWatch Logs stream, as AWS's agents do.

Every service that runs user code (SageMaker containers, Lambda functions) writes its lines here;
the stream lives in moto's CloudWatch Logs, reached over HTTP like any client would.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

log = logging.getLogger(__name__)

#: CloudWatch shows a TAB of a container's output as "#011" (syslog's octal escape); metric
#: regexes written for AWS's built-in algorithms depend on it.
TAB_ESCAPE = "#011"


class LogStream:
    """Ships lines to one CloudWatch Logs stream in small batches, from a background thread.

    ``path_aliases`` maps local folders to the paths the process would see on AWS (a
    container's ``/opt/ml`` lives under the state directory here), so a log reads the same on
    both and never shows localcloud's state directory.
    """

    FLUSH_SECONDS = 0.2

    def __init__(self, client, group: str, stream: str,
                 path_aliases: dict[str, str] | None = None):
        self.client = client
        self.group = group
        self.stream = stream
        self._path_aliases = dict(path_aliases or {})
        self._pending: list[dict] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._ensure_stream()
        self._thread = threading.Thread(target=self._flush_loop, daemon=True,
                                         name=f"logs:{stream}")
        self._thread.start()

    def _ensure_stream(self) -> None:
        for create, kwargs in ((self.client.create_log_group, {"logGroupName": self.group}),
                               (self.client.create_log_stream, {"logGroupName": self.group,
                                                               "logStreamName": self.stream})):
            with contextlib.suppress(self.client.exceptions.ResourceAlreadyExistsException):
                create(**kwargs)

    def write(self, line: str) -> str:
        """Queue one line; return it as CloudWatch shows it (what metric regexes must match)."""
        message = line.rstrip("\n").replace("\t", TAB_ESCAPE)
        for local, shown in self._path_aliases.items():
            message = message.replace(local, shown)
        event = {"timestamp": int(time.time() * 1000), "message": message or " "}
        with self._lock:
            self._pending.append(event)
        return message

    def _flush_loop(self) -> None:
        while not self._closed.wait(self.FLUSH_SECONDS):
            self.flush()
        self.flush()

    def flush(self) -> None:
        with self._lock:
            events, self._pending = self._pending, []
        for start in range(0, len(events), 1000):
            try:
                self.client.put_log_events(logGroupName=self.group, logStreamName=self.stream,
                                           logEvents=events[start:start + 1000])
            except Exception:  # logs must never take a job down
                log.exception("Could not ship %d log events to %s", len(events), self.stream)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
