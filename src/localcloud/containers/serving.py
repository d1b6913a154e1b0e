"""A model server that implements the SageMaker inference container contract.

SageMaker talks to a serving container over HTTP on ``SAGEMAKER_BIND_TO_PORT`` (8080 by default):

- ``GET /ping`` answers 200 once the model is loaded (health check);
- ``POST /invocations`` takes the request body with its ``Content-Type`` and ``Accept`` headers
  and returns the prediction;
- ``GET /execution-parameters`` (optional) tells batch transform the container's preferred
  ``MaxConcurrentTransforms``, ``BatchStrategy`` and ``MaxPayloadInMB``.

(https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html)

Each algorithm provides an :class:`InferenceHandler`; this module serves it. A request the model
cannot read is answered with 400 (415 for a Content-Type it does not read or an Accept type it
does not write) and a message, and the server keeps serving.
"""

from __future__ import annotations

import json
import logging
import os
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol

from .contract import MLPaths, serving_port
from .errors import ClientError, UnsupportedContentType

log = logging.getLogger(__name__)


class InferenceHandler(Protocol):
    """What an algorithm implements to be served."""

    def load(self, model_dir: Path) -> None:
        """Read the model artifacts extracted from model.tar.gz."""

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        """Predict for a request body; return the response body and its content type."""


class Prediction:
    """The outcome of one invocation, as the HTTP layer sends it."""

    def __init__(self, status: int, body: bytes, content_type: str):
        self.status = status
        self.body = body
        self.content_type = content_type

    @classmethod
    def error(cls, status: HTTPStatus, message: str) -> Prediction:
        return cls(status, message.encode(), "text/plain")


def predict(handler: InferenceHandler, body: bytes, content_type: str, accept: str) -> Prediction:
    """Run one invocation, turning the handler's errors into HTTP answers."""
    try:
        payload, response_type = handler.invoke(body, content_type, accept)
    except UnsupportedContentType as error:
        return Prediction.error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, str(error))
    except ClientError as error:
        return Prediction.error(HTTPStatus.BAD_REQUEST, str(error))
    except Exception as error:  # the server must survive any model failure
        log.error("Invocation failed:\n%s", traceback.format_exc())
        message = f"{type(error).__name__}: {error}"
        return Prediction.error(HTTPStatus.INTERNAL_SERVER_ERROR, message)
    return Prediction(HTTPStatus.OK, payload, response_type)


#: What ``GET /execution-parameters`` answers: batch transform's defaults for this server.
EXECUTION_PARAMETERS = {
    "MaxConcurrentTransforms": 1,
    "BatchStrategy": "MULTI_RECORD",
    "MaxPayloadInMB": 6,
}


MB = 1024 * 1024
#: Real-time invocations carry at most 6 MB; batch transform allows MaxPayloadInMB up to 100.
REALTIME_PAYLOAD_LIMIT = 6 * MB
BATCH_PAYLOAD_LIMIT = 100 * MB


def payload_limit() -> int:
    """The largest request body this server accepts, even when reached directly."""
    batch = os.environ.get("SAGEMAKER_BATCH", "").lower() == "true"
    return BATCH_PAYLOAD_LIMIT if batch else REALTIME_PAYLOAD_LIMIT


def make_request_handler(handler: InferenceHandler):
    """An http.server request handler class bound to one loaded model."""

    class ModelRequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the host manager reuses connections
        # Send headers and body in one segment, without Nagle's delay: otherwise every small
        # answer waits ~40 ms for the client's delayed ACK.
        disable_nagle_algorithm = True
        wbufsize = 64 * 1024

        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path == "/ping":
                self._send(Prediction(HTTPStatus.OK, b"", "text/plain"))
            elif self.path == "/execution-parameters":
                body = json.dumps(EXECUTION_PARAMETERS).encode()
                self._send(Prediction(HTTPStatus.OK, body, "application/json"))
            else:
                self._send(Prediction.error(HTTPStatus.NOT_FOUND, f"No route {self.path}"))

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            limit = payload_limit()
            if length > limit:  # refused unread: the connection closes after the answer
                self.close_connection = True
                self._send(Prediction.error(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"The request body of {length} bytes exceeds the {limit // MB} MB limit"))
                return
            body = self.rfile.read(length)
            if self.path != "/invocations":
                self._send(Prediction.error(HTTPStatus.NOT_FOUND, f"No route {self.path}"))
                return
            content_type = self.headers.get("Content-Type") or "application/octet-stream"
            accept = self.headers.get("Accept") or ""
            self._send(predict(handler, body, content_type, accept))

        def _send(self, prediction: Prediction) -> None:
            self.send_response(prediction.status)
            self.send_header("Content-Type", prediction.content_type)
            self.send_header("Content-Length", str(len(prediction.body)))
            self.end_headers()
            self.wfile.write(prediction.body)

        def log_message(self, format, *args):  # noqa: A002 (signature fixed by http.server)
            log.debug("%s - %s", self.address_string(), format % args)

    return ModelRequestHandler


def serve(handler: InferenceHandler, paths: MLPaths | None = None, port: int | None = None) -> None:
    """Load the model and serve it until the process is terminated."""
    paths = paths or MLPaths.from_env()
    port = port if port is not None else serving_port()
    handler.load(paths.model_dir)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_request_handler(handler))
    server.daemon_threads = True
    log.info("Model server listening on 127.0.0.1:%d", port)
    server.serve_forever()
