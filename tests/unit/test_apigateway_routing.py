"""API Gateway's resource matching, the proxy response contract and the invoke-URL helper."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from localcloud.apigateway.proxy import MalformedProxyResponse, proxy_response
from localcloud.apigateway.routing import find_route
from mlcourse.webapp import invoke_url

RESOURCES = [
    {"path": "/", "resourceMethods": {"POST": {"m": "root"}}},
    {"path": "/reviews", "resourceMethods": {"GET": {"m": "list"}, "ANY": {"m": "any"}}},
    {"path": "/reviews/{id}", "resourceMethods": {"GET": {"m": "one"}}},
    {"path": "/reviews/latest", "resourceMethods": {"GET": {"m": "latest"}}},
    {"path": "/{proxy+}", "resourceMethods": {"ANY": {"m": "proxy"}}},
]


@pytest.mark.parametrize("path, method, expected, parameters", [
    ("/", "POST", "root", {}),
    ("/reviews", "GET", "list", {}),
    ("/reviews", "DELETE", "any", {}),
    ("/reviews/7", "GET", "one", {"id": "7"}),
    ("/reviews/latest", "GET", "latest", {}),
    ("/reviews/7", "POST", "proxy", {"proxy": "reviews/7"}),
    ("/a/b/c", "GET", "proxy", {"proxy": "a/b/c"}),
])
def test_most_specific_resource_and_method_win(path, method, expected, parameters):
    route = find_route(RESOURCES, path, method)
    assert route.method["m"] == expected
    assert route.path_parameters == parameters


def test_no_route():
    assert find_route(RESOURCES, "/", "GET") is None
    assert find_route(RESOURCES[:1], "/x", "POST") is None


def test_proxy_response_contract():
    response = proxy_response(b'{"statusCode": 404, "headers": {"A": "1"}, "body": "gone"}')
    assert (response.status_code, response.headers["A"], response.get_data()) == (404, "1",
                                                                                  b"gone")
    assert response.headers["Content-Type"] == "application/json"
    for bad in (b"[]", b"not json", b'{"body": "x"}', b'{"statusCode": 200, "body": 3}',
                b'{"statusCode": 200, "extra": 1}'):
        with pytest.raises(MalformedProxyResponse):
            proxy_response(bad)


def _client(endpoint_url: str, region: str):
    """Stands in for a boto3 client (the kit may redirect real ones to localcloud here)."""
    return SimpleNamespace(meta=SimpleNamespace(endpoint_url=endpoint_url, region_name=region))


def test_invoke_url_on_aws_and_offline():
    aws = _client("https://apigateway.eu-west-1.amazonaws.com", "eu-west-1")
    assert invoke_url("abc123", "prod", aws) == \
        "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    local = _client("http://127.0.0.1:4566", "us-east-1")
    assert invoke_url("abc123", "prod", local) == \
        "http://127.0.0.1:4566/restapis/abc123/prod/_user_request_"
