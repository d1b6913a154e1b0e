"""Fixtures shared by the unit tests: a loopback HTTP file server and an isolated cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mlcourse.datasets import _download


@dataclass
class LoopbackServer:
    """Files served over HTTP on 127.0.0.1, and the paths that were requested."""

    base_url: str
    files: dict[str, bytes] = field(default_factory=dict)
    truncated: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"


def _handler_for(server_state: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.lstrip("/")
            server_state.requests.append(name)
            body = server_state.files.get(name)
            if body is None:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            # A truncated file announces more bytes than it sends, like a dropped connection.
            announced = len(body) + (1000 if name in server_state.truncated else 0)
            self.send_header("Content-Length", str(announced))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    return Handler


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """An HTTP server on 127.0.0.1 (ephemeral port) serving ``server.files`` by name."""
    state = LoopbackServer(base_url="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    # A short poll interval keeps shutdown (hence each test's teardown) fast.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory, with the environment's cache and mirror settings removed."""
    monkeypatch.delenv("MLCOURSE_CACHE_DIR", raising=False)
    monkeypatch.delenv("MLCOURSE_IMDB_URL", raising=False)
    monkeypatch.delenv("MLCOURSE_WINE_URL", raising=False)
    monkeypatch.delenv("MLCOURSE_CENSUS_URL", raising=False)
    monkeypatch.delenv("MLCOURSE_FRAUD_URL", raising=False)
    monkeypatch.delenv("MLCOURSE_PLAGIARISM_URL", raising=False)
    # pooch waits 1 s, then 2 s, before each retry: the failure tests want the first failure.
    monkeypatch.setattr(_download, "RETRIES", 0)
    return tmp_path / "cache"
