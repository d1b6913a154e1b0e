"""Helpers for the web-app lessons: an API's public URL, and a page served from the notebook.

``invoke_url`` asks boto3 where API Gateway lives, so the same notebook prints
``https://{api_id}.execute-api.{region}.amazonaws.com/{stage}`` on AWS and localcloud's
execute-api URL (``{localcloud}/restapis/{api_id}/{stage}/_user_request_``) offline.

``PageServer`` serves a folder (the lesson's ``index.html``) on 127.0.0.1 from a background
thread, so a browser on the same machine can open the page while the notebook keeps running.
"""

from __future__ import annotations

import functools
import logging
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import boto3

log = logging.getLogger(__name__)

AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn")


def invoke_url(api_id: str, stage: str, client=None) -> str:
    """The URL a browser (or ``requests``) calls to reach a deployed REST API stage."""
    client = client or boto3.client("apigateway")
    endpoint = client.meta.endpoint_url
    host = urlparse(endpoint).hostname or ""
    if host.endswith(AWS_DOMAINS):
        region = client.meta.region_name
        suffix = "amazonaws.com.cn" if host.endswith(".cn") else "amazonaws.com"
        return f"https://{api_id}.execute-api.{region}.{suffix}/{stage}"
    return f"{endpoint.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 -- the base class names it so
        log.debug("page server: " + format, *args)


class PageServer:
    """Serve ``folder`` on ``http://127.0.0.1:<port>/`` until :meth:`stop` (or ``with``)."""

    def __init__(self, folder: str | Path, port: int = 0):
        handler = functools.partial(_QuietHandler, directory=str(Path(folder).resolve()))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                       name="page-server")
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> PageServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
