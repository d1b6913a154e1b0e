"""Browser safety: what a web page could make the learner's browser send to localcloud.

Each request below carries the headers a browser adds (``Origin``, ``Sec-Fetch-Site``) or the
``Host`` of a DNS-rebinding page; localcloud must refuse it and keep serving. The same requests
without those headers (what the SDK, the CLI and curl send) must still work.
"""

from __future__ import annotations

import pytest
import requests
from resilience import count

EVIL = "http://evil.example"
SAGEMAKER_LIST = {"X-Amz-Target": "SageMaker.ListEndpoints",
                  "Content-Type": "application/x-amz-json-1.1"}


@pytest.fixture
def http():
    session = requests.Session()
    session.trust_env = False  # straight to loopback, not through the egress guard
    return session


# (what a page tries, method, path, headers)
CROSS_ORIGIN = [
    ("reset from another origin", "POST", "/_localcloud/reset", {"Origin": EVIL}),
    ("status from another origin", "GET", "/_localcloud/status", {"Origin": EVIL}),
    ("SageMaker call from another origin", "POST", "/", {**SAGEMAKER_LIST, "Origin": EVIL}),
    ("S3 listing from another origin", "GET", "/", {"Origin": EVIL}),
    ("CORS preflight for x-amz-target", "OPTIONS", "/",
     {"Origin": EVIL, "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "x-amz-target,content-type"}),
    ("no-cors request from another site", "GET", "/", {"Sec-Fetch-Site": "cross-site"}),
    ("another loopback port (a different origin)", "POST", "/",
     {**SAGEMAKER_LIST, "Origin": "http://127.0.0.1:1"}),
    ("DNS rebinding: SageMaker call", "POST", "/", {**SAGEMAKER_LIST, "Host": "evil.example"}),
    ("DNS rebinding: reset", "POST", "/_localcloud/reset", {"Host": "evil.example:4599"}),
    ("admin reset without the token", "POST", "/_localcloud/reset", {}),
    ("admin reset with a wrong token", "POST", "/_localcloud/reset",
     {"X-Localcloud-Token": "guess"}),
]


@pytest.mark.parametrize("name, method, path, headers", CROSS_ORIGIN,
                         ids=[row[0] for row in CROSS_ORIGIN])
def test_browser_requests_are_refused(cloud, http, name, method, path, headers):
    count("browser requests refused")
    answer = http.request(method, cloud.url + path, headers=headers, data=b"{}", timeout=10)
    assert answer.status_code == 403, (name, answer.status_code, answer.text[:200])
    assert not any(h.lower().startswith("access-control-allow") for h in answer.headers)
    assert "localcloud" in answer.json()["message"] or "admin" in answer.json()["message"]
    # still serving, nothing deleted
    assert http.get(cloud.url + "/_localcloud/health", timeout=5).status_code == 200
    assert cloud.status()["egress"]["url"]


def test_clients_without_browser_headers_still_work(cloud, http):
    listed = http.post(cloud.url + "/", headers=SAGEMAKER_LIST, data=b"{}", timeout=10)
    assert listed.status_code == 200 and "Endpoints" in listed.json()
    assert not any(h.lower().startswith("access-control-") for h in listed.headers)
    same_origin = http.post(cloud.url + "/", data=b"{}", timeout=10,
                            headers={**SAGEMAKER_LIST, "Origin": cloud.url})
    assert same_origin.status_code == 200
    token = cloud.info.admin_token
    status = http.get(cloud.url + "/_localcloud/status", timeout=10,
                      headers={"X-Localcloud-Token": token})
    assert status.status_code == 200 and "endpoints" in status.json()


def test_state_files_are_private(cloud):
    for path in [cloud.state_dir / "service.json", *(cloud.state_dir / "client").iterdir()]:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
    assert cloud.state_dir.stat().st_mode & 0o077 == 0
