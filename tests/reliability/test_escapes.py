"""The escape table: every client, every endpoint setting, in a namespace with only loopback.

Each row tries to leave the machine with localcloud's environment set over a shell that holds
real AWS credentials and endpoint settings. The driver runs in a new network namespace
(``unshare -rn``), so even a miss could not reach the internet; a row passes only when
localcloud accounts for the request (see escape_driver.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from resilience import count

DRIVER = Path(__file__).with_name("escape_driver.py")


def _namespaces_available() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(["unshare", "-rn", "ip", "link", "set", "lo", "up"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def escape_rows(tmp_path_factory) -> list[dict]:
    if not _namespaces_available():
        pytest.skip("needs `unshare -rn` (unprivileged user and network namespaces)")
    state = tmp_path_factory.mktemp("escapes")
    result = subprocess.run(["unshare", "-rn", sys.executable, str(DRIVER), str(state)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_no_client_leaves_loopback(escape_rows):
    escapes = [row for row in escape_rows if row["table"] == "escape"]
    count("escapes attempted", len(escapes))
    missed = [row for row in escapes if not row["ok"]]
    assert len(escapes) >= 12
    assert missed == [], json.dumps(missed, indent=2)


def test_the_callers_credentials_are_never_used(escape_rows):
    checks = [row for row in escape_rows if row["table"] == "credentials"]
    count("credential checks", len(checks))
    leaked = [row for row in checks if not row["ok"]]
    assert len(checks) == 3
    assert leaked == [], json.dumps(leaked, indent=2)
