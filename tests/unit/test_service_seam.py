"""The service seam: one registry, a dispatcher that knows only it, errors in a neutral module."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

import localcloud
from localcloud.aws import errors
from localcloud.server.app import LocalCloudApp
from localcloud.services.base import Json11Service, Service
from localcloud.services.registry import SERVICES, load_services

PACKAGE = Path(localcloud.__file__).parent
SERVICE_PACKAGES = {"sagemaker", "awslambda", "apigateway"}


def imported_packages(folder: Path) -> set[str]:
    """The first-level ``localcloud`` subpackages the modules of ``folder`` import."""
    found = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.level == 2:  # from ..x import y
                    found.add(node.module.split(".")[0])
                elif node.module.startswith("localcloud."):
                    found.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                found.update(alias.name.split(".")[1] for alias in node.names
                             if alias.name.startswith("localcloud."))
    return found


def test_server_knows_the_registry_not_the_services():
    assert imported_packages(PACKAGE / "server") & SERVICE_PACKAGES == set()


@pytest.mark.parametrize("package", sorted(SERVICE_PACKAGES))
def test_services_do_not_import_the_server(package):
    if not (PACKAGE / package).is_dir():
        pytest.skip(f"no {package} package")
    assert "server" not in imported_packages(PACKAGE / package)


def test_registry_loads_every_service_with_a_unique_name_and_moto_last():
    services = load_services()
    names = [service.name for service in services]
    assert names == [name for name, _ in SERVICES]
    assert len(set(names)) == len(names)
    assert names[-1] == "moto"
    assert all(isinstance(service, Service) for service in services)


class Fake(Service):
    def __init__(self, prefix: str):
        self.prefix = prefix
        self.name = prefix

    def recognises(self, environ):
        return environ["PATH_INFO"].startswith(self.prefix)

    def handle(self, request):
        return Response(self.name)


def test_dispatcher_sends_a_request_to_the_first_service_that_recognises_it():
    app = LocalCloudApp([Fake("/a"), Fake("/ab"), Fake("/")], status=lambda: {"n": 1})
    client = Client(app)
    assert client.get("/ab/x").text == "/a"
    assert client.get("/zzz").text == "/"
    assert client.get("/_localcloud/health").status_code == 503
    app.ready = True
    assert json.loads(client.get("/_localcloud/status").text) == {"n": 1}
    assert client.get("/_localcloud/nothing").status_code == 404


class Echo(Json11Service):
    target_prefix = "Echo"

    def operation(self, name, params):
        if name == "Fail":
            raise errors.ResourceNotFoundException("no such thing")
        if name == "Crash":
            raise RuntimeError("boom")
        return {"operation": name, **params}


@pytest.mark.parametrize("operation, status, expected", [
    ("Say", 200, {"operation": "Say", "x": 1}),
    ("Fail", 404, {"__type": "ResourceNotFoundException", "message": "no such thing"}),
    ("Crash", 500, {"__type": "InternalFailure", "message": "localcloud failed: boom"}),
])
def test_json11_services_answer_results_and_aws_errors(operation, status, expected):
    client = Client(LocalCloudApp([Echo()]))
    response = client.post("/", data=json.dumps({"x": 1}),
                           headers={"X-Amz-Target": f"Echo.{operation}"})
    assert response.status_code == status
    assert json.loads(response.text) == expected


def test_typed_errors_carry_their_code_and_status():
    error = errors.ModelError("bad", OriginalStatusCode=500)
    assert isinstance(error, errors.AWSError)
    assert (error.code, error.status, error.fields) == ("ModelError", 424,
                                                         {"OriginalStatusCode": 500})
    assert errors.validation("x").code == "ValidationException"
    custom = errors.AWSError("413", "too big", 413)
    assert (custom.code, custom.message, custom.status) == ("413", "too big", 413)
