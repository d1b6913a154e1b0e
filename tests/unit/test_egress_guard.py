"""The egress guard as a proxy: refuses by default, tunnels only to allowed hosts."""

from __future__ import annotations

import socket
import threading

import pytest

from localcloud.safety.egress import EgressGuard, proxy_environment


@pytest.fixture
def echo_server():
    """A loopback TCP server that sends back what it receives (a stand-in for an HTTPS host)."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        connection, _ = server.accept()
        with connection:
            while data := connection.recv(1024):
                connection.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def _proxy_request(guard: EgressGuard, request: bytes) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", guard.server.server_port), timeout=5)
    sock.sendall(request)
    return sock, sock.recv(4096)


def test_connect_to_any_host_is_refused_with_a_reason():
    guard = EgressGuard(allowed_hosts=frozenset()).start()
    try:
        sock, answer = _proxy_request(
            guard, b"CONNECT sts.amazonaws.com:443 HTTP/1.1\r\nHost: sts.amazonaws.com\r\n\r\n")
        sock.close()
        assert answer.startswith(b"HTTP/1.1 403 Refused by localcloud: sts.amazonaws.com")
        assert guard.status()["refused_by_host"] == {"sts.amazonaws.com": 1}
        sock, answer = _proxy_request(
            guard, b"GET http://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n")
        sock.close()
        assert b" 403 " in answer.split(b"\r\n")[0] and b"127.0.0.1" in answer
    finally:
        guard.stop()


def test_an_allowed_host_is_tunnelled(echo_server):
    guard = EgressGuard(allowed_hosts=frozenset({"127.0.0.1"})).start()
    try:
        sock, answer = _proxy_request(
            guard, f"CONNECT 127.0.0.1:{echo_server} HTTP/1.1\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 200")
        sock.sendall(b"through the tunnel")
        assert sock.recv(1024) == b"through the tunnel"
        sock.close()
    finally:
        guard.stop()


def test_proxy_environment_exempts_loopback():
    environment = proxy_environment("http://127.0.0.1:9")
    assert environment["HTTPS_PROXY"] == environment["http_proxy"] == "http://127.0.0.1:9"
    assert set(environment["no_proxy"].split(",")) == {"127.0.0.1", "localhost", "::1"}
