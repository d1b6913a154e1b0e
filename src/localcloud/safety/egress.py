"""The egress guard: a forward proxy on 127.0.0.1 that refuses every destination.

The kit's environment points ``HTTP_PROXY``/``HTTPS_PROXY`` (both spellings, and ``ALL_PROXY``)
at this proxy and exempts loopback with ``NO_PROXY``. Every common client honours these
variables: botocore (so boto3 with or without the kit, and the AWS CLI), ``requests``,
``urllib``, ``curl``, pip. A request to localcloud goes straight to 127.0.0.1; a request to any
other host - whatever ``--endpoint-url``, ``AWS_ENDPOINT_URL_<SERVICE>`` or
``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` says - reaches this proxy instead of the network and
is answered ``403`` with a reason naming localcloud. The proxy never resolves the name, so the
refusal is immediate and nothing leaves the machine, not even a DNS query.

A learner who needs one outside host while localcloud is on (the full-size dataset downloads)
names it in ``LOCALCLOUD_ALLOW_HOSTS`` (comma-separated, exact host names) before starting the
service; the proxy then tunnels HTTPS (``CONNECT``) to that host only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

ALLOW_HOSTS_ENV = "LOCALCLOUD_ALLOW_HOSTS"
#: Hosts clients reach directly (the ``NO_PROXY`` list).
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                   "http_proxy", "https_proxy", "all_proxy")
NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")
TUNNEL_IDLE_SECONDS = 300
REMEMBERED_REFUSALS = 200


def proxy_environment(proxy_url: str) -> dict[str, str]:
    """The variables that send every client's non-loopback traffic to the guard."""
    bypass = ",".join(LOOPBACK_NAMES)
    return {**dict.fromkeys(PROXY_VARIABLES, proxy_url),
            **dict.fromkeys(NO_PROXY_VARIABLES, bypass)}


def allowed_hosts_from_env() -> frozenset[str]:
    raw = os.environ.get(ALLOW_HOSTS_ENV, "")
    return frozenset(host.strip().lower() for host in raw.split(",") if host.strip())


def refusal_reason(host: str) -> str:
    """The status line's reason: clients show it (``Tunnel connection failed: 403 ...``)."""
    return (f"Refused by localcloud: {host} is outside 127.0.0.1 while localcloud is the target "
            f"(allow a host with {ALLOW_HOSTS_ENV})")


def _split_target(command: str, target: str) -> tuple[str, int]:
    """The host and port a proxy request asks for (``host:443`` for CONNECT, a URL otherwise)."""
    if command == "CONNECT":
        host, _, port = target.rpartition(":")
        return host.strip("[]").lower(), int(port or 443)
    parts = urlsplit(target)
    return (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


class EgressGuard:
    """The proxy server, what it refused, and the hosts it may tunnel to."""

    def __init__(self, allowed_hosts: frozenset[str] | None = None, host: str = "127.0.0.1"):
        self.allowed_hosts = allowed_hosts_from_env() if allowed_hosts is None else allowed_hosts
        self.refusals: deque[dict] = deque(maxlen=REMEMBERED_REFUSALS)
        self.refused_by_host: dict[str, int] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> EgressGuard:
        threading.Thread(target=self.server.serve_forever, args=(0.1,), name="egress-guard",
                         daemon=True).start()
        log.info("Egress guard on %s (allowed hosts: %s)", self.url,
                 ", ".join(sorted(self.allowed_hosts)) or "none")
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def record_refusal(self, command: str, host: str, port: int, client: str) -> None:
        with self._lock:
            self.refused_by_host[host] = self.refused_by_host.get(host, 0) + 1
            self.refusals.append({"method": command, "host": host, "port": port,
                                  "client": client, "time": time.time()})
        log.warning("Egress guard refused %s %s:%d", command, host, port)

    def status(self) -> dict:
        with self._lock:
            return {"url": self.url, "refused": sum(self.refused_by_host.values()),
                    "refused_by_host": dict(self.refused_by_host),
                    "recent_refusals": list(self.refusals)[-20:],
                    "allowed_hosts": sorted(self.allowed_hosts)}


def _handler_for(guard: EgressGuard) -> type[BaseHTTPRequestHandler]:

    class GuardHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_CONNECT(self):  # noqa: N802 (http.server's naming)
            host, port = _split_target("CONNECT", self.path)
            if host in guard.allowed_hosts:
                self._tunnel(host, port)
            else:
                self._refuse(host, port)

        def _refuse(self, host: str, port: int) -> None:
            guard.record_refusal(self.command, host, port, self.client_address[0])
            reason = refusal_reason(host)
            body = (f"{reason}.\nlocalcloud only lets clients reach 127.0.0.1, so real AWS (and "
                    "your real credentials) are never used by accident. Unset the localcloud "
                    "environment to reach other hosts.\n").encode()
            self.send_response(403, reason)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.close_connection = True

        def _tunnel(self, host: str, port: int) -> None:
            try:
                upstream = socket.create_connection((host, port), timeout=30)
            except OSError as error:
                self.send_error(502, f"localcloud could not reach {host}:{port}: {error}")
                return
            self.send_response(200, "Connection established")
            self.end_headers()
            log.info("Egress guard tunnels to allowed host %s:%d", host, port)
            _pump(self.connection, upstream)
            self.close_connection = True

        def __getattr__(self, name: str):
            # Every other method (GET, POST, PUT, ...) is an absolute-URI proxy request.
            if name.startswith("do_"):
                return self._refuse_plain
            raise AttributeError(name)

        def _refuse_plain(self) -> None:
            host, port = _split_target(self.command, self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(min(length, 1 << 20))
            self._refuse(host or self.headers.get("Host", "?"), port)

        def log_message(self, format, *args):  # noqa: A002 (signature fixed by http.server)
            log.debug("egress guard: " + format, *args)

    return GuardHandler


def _pump(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes (an allowed HTTPS tunnel)."""
    sockets = [client, upstream]
    with contextlib.closing(upstream):
        while True:
            readable, _, broken = select.select(sockets, [], sockets, TUNNEL_IDLE_SECONDS)
            if broken or not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (upstream if source is client else client).sendall(data)
