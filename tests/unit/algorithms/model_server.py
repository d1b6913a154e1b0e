"""Run a built-in algorithm's model server as its own process and talk HTTP to it.

Shared by the algorithm tests (``from model_server import ...``): the server is started the way
localcloud's hosting starts it, ``python -m localcloud.containers serve <algorithm>``, with the
model under ``<ml_root>/model`` and a free loopback port.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from localcloud.containers.contract import BIND_PORT_ENV, ML_ROOT_ENV
from localcloud.sagemaker.hosting import free_port


def http_request(port: int, method: str, path: str, body: bytes = b"",
                 headers: dict | None = None) -> tuple[int, bytes]:
    """One HTTP request to 127.0.0.1:``port``; returns the status and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait_for_ping(port: int, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the model server exited before answering /ping"
        # Refused until the server listens: keep asking.
        with contextlib.suppress(OSError):
            if http_request(port, "GET", "/ping")[0] == 200:
                return
        time.sleep(0.1)
    raise AssertionError("the model server did not answer /ping in time")


@contextlib.contextmanager
def running_model_server(algorithm: str, ml_root: Path, log_path: Path,
                         extra_env: dict[str, str] | None = None,
                         timeout: float = 60) -> Iterator[int]:
    """Serve ``ml_root`` with ``algorithm`` until the block ends; yields the server's port.

    The server's output goes to ``log_path``. Entering waits until /ping answers 200; leaving
    stops the server (killed if it does not stop within 10 seconds).
    """
    port = free_port()
    environment = {**os.environ, ML_ROOT_ENV: str(ml_root), BIND_PORT_ENV: str(port),
                   **(extra_env or {})}
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "localcloud.containers", "serve", algorithm],
            env=environment, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_for_ping(port, server, timeout)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
