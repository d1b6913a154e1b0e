"""The REST-JSON protocol, driven by botocore's service model (Lambda, API Gateway, ...).

A REST-JSON operation is identified by its HTTP method and a URI template such as
``/2015-03-31/functions/{FunctionName}/invocations``; its input members come from the URI,
the query string, headers and a JSON (or raw payload) body, each as the model's
``location`` says. :class:`RestJsonApi` turns a request into ``(operation, params)``, validated
exactly as for JSON 1.1 services, and a handler's output dict back into the HTTP answer.
(https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html)
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

import botocore.session
from botocore.model import OperationModel, Shape
from werkzeug.wrappers import Request, Response

from .errors import SerializationException, UnknownOperationException
from .protocols import parse_json_body, request_id_headers, to_json
from .validation import validate_request

_LABEL = re.compile(r"\{(\w+)(\+?)\}")


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    operation: OperationModel
    literal_length: int  # more literal characters = more specific (tried first)


def _route(operation: OperationModel) -> Route:
    uri = operation.http["requestUri"].split("?", 1)[0]
    regex, position = "", 0
    for label in _LABEL.finditer(uri):
        regex += re.escape(uri[position:label.start()])
        regex += f"(?P<{label[1]}>.+)" if label[2] else f"(?P<{label[1]}>[^/]+)"
        position = label.end()
    regex += re.escape(uri[position:])
    literal = len(_LABEL.sub("", uri))
    return Route(operation.http["method"], re.compile(f"^{regex}/?$"), operation, literal)


class RestJsonApi:
    """Routing, parsing and answering for one REST-JSON service of botocore's model."""

    def __init__(self, service_name: str):
        self.model = botocore.session.get_session().get_service_model(service_name)
        routes = [_route(self.model.operation_model(name))
                  for name in self.model.operation_names]
        self.routes = sorted(routes, key=lambda route: -route.literal_length)

    def match(self, method: str, path: str) -> tuple[OperationModel, dict[str, str]]:
        """The operation a request is for, and its URI labels (percent-decoded)."""
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route.operation, {k: unquote(v) for k, v in found.groupdict().items()}
        raise UnknownOperationException(
            f"localcloud's {self.model.service_name} has no operation for {method} {path}")

    def parse(self, request: Request) -> tuple[str, dict]:
        """``(operation name, params)`` of a request, validated against the model."""
        operation, labels = self.match(request.method, request.environ.get("PATH_INFO", "/"))
        shape = operation.input_shape
        params: dict = {}
        if shape is None:
            return operation.name, params
        payload_name = shape.serialization.get("payload")
        body_members = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if location == "uri":
                params[name] = _from_text(labels.get(wire_name), member)
            elif location == "querystring":
                values = request.args.getlist(wire_name)
                if values:
                    params[name] = _from_text(values if member.type_name == "list"
                                              else values[0], member)
            elif location == "header":
                if wire_name in request.headers:
                    params[name] = _from_text(request.headers[wire_name], member)
            elif name == payload_name:
                params[name] = _payload(request.get_data(), member)
            else:
                body_members[name] = member
        if body_members and not payload_name:
            document = parse_json_body(request.get_data())
            for name, member in body_members.items():
                if name in document:
                    params[name] = _from_json(document[name], member)
        params = {key: value for key, value in params.items() if value is not None}
        validate_request(operation, params)
        return operation.name, params

    def respond(self, operation_name: str, output: dict) -> Response:
        """The HTTP answer of an operation's output dict."""
        operation = self.model.operation_model(operation_name)
        shape = operation.output_shape
        status = operation.http.get("responseCode", 200)
        headers = request_id_headers()
        if shape is None:
            return Response(b"", status=status, headers=headers)
        payload_name = shape.serialization.get("payload")
        body: bytes | str | None = None
        document = {}
        for name, value in output.items():
            member = shape.members.get(name)
            if member is None or value is None:
                continue
            location = member.serialization.get("location")
            if location == "statusCode":
                status = value
            elif location == "header":
                headers[member.serialization.get("name", name)] = str(value)
            elif name == payload_name:
                body = value if member.type_name == "blob" else to_json(_to_json(value, member))
            else:
                document[member.serialization.get("name", name)] = _to_json(value, member)
        if body is None and not payload_name:
            body = to_json(document)
        return Response(body or b"", status=status, headers=headers,
                        content_type="application/json")


# -- value conversions --------------------------------------------------------------------------

def _from_text(value, shape: Shape):
    """A URI label, query value or header as the member's type."""
    if value is None:
        return None
    if shape.type_name == "list":
        return [_from_text(item, shape.member) for item in value]
    if shape.type_name in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            raise SerializationException(f"{value!r} is not an integer") from None
    if shape.type_name == "boolean":
        return value.lower() == "true"
    return value


def _from_json(value, shape: Shape):
    """A JSON body member as botocore would hand it to a handler (blobs decoded)."""
    if value is None:
        return None
    if shape.type_name == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise SerializationException("A blob member is not valid base64") from None
    if shape.type_name == "structure" and isinstance(value, dict):
        return {key: _from_json(item, shape.members[key]) if key in shape.members else item
                for key, item in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_from_json(item, shape.member) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: _from_json(item, shape.value) for key, item in value.items()}
    return value


def _to_json(value, shape: Shape):
    """An output value as JSON: blobs base64, timestamps as epoch seconds."""
    if shape.type_name == "blob" and isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if shape.type_name == "timestamp" and isinstance(value, datetime):
        return value.timestamp()
    if shape.type_name == "structure" and isinstance(value, dict):
        return {shape.members[key].serialization.get("name", key)
                if key in shape.members else key:
                _to_json(item, shape.members[key]) if key in shape.members else item
                for key, item in value.items() if item is not None}
    if shape.type_name == "list" and isinstance(value, list):
        return [_to_json(item, shape.member) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: _to_json(item, shape.value) for key, item in value.items()}
    return value


def _payload(raw: bytes, shape: Shape):
    if shape.type_name == "blob":
        return raw
    return _from_json(parse_json_body(raw), shape) if raw else None
