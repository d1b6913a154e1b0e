"""The suite's network guard (tests/conftest.py) really refuses non-loopback addresses."""

from __future__ import annotations

import socket

import pytest

from localcloud.kit.hooks import NonLoopbackConnection


@pytest.mark.parametrize("address", [("10.1.2.3", 80), ("192.168.0.1", 443), ("8.8.8.8", 53)])
def test_connections_outside_loopback_are_refused(address):
    with socket.socket() as sock, pytest.raises(NonLoopbackConnection):
        sock.connect(address)


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
