"""The Python runtime inside a function's worker: ``python -m localcloud.awslambda.bootstrap``.

It plays the part of AWS's runtime interface client: it imports the handler once (the "init"
phase), then answers invocations one at a time, for as long as the worker lives (a warm
container). The service talks to it over two pipes, one JSON document per line:

- requests arrive on stdin: ``{"id", "payload", "deadline", "client_context"}``;
- answers leave on the file descriptor named by ``LOCALCLOUD_LAMBDA_ANSWER_FD``:
  ``{"id", "result"}`` (the handler's return value as JSON text) or ``{"id", "error"}``;
- stdout and stderr are the function's log; after each invocation a marker line
  (:data:`END_MARKER` + id) tells the service that all its output has been written.

Init failures are answered like AWS's runtime does (``Runtime.ImportModuleError``,
``Runtime.HandlerNotFound``) for the first request, then the worker exits.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import time
import traceback

ANSWER_FD_ENV = "LOCALCLOUD_LAMBDA_ANSWER_FD"
END_MARKER = "\x1e#localcloud-end "
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"


class LambdaContext:
    """The ``context`` argument, with the attributes AWS's Python runtime gives it."""

    def __init__(self, request_id: str, deadline: float, client_context=None):
        self.aws_request_id = request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = os.environ["LOCALCLOUD_LAMBDA_FUNCTION_ARN"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = client_context
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


class _RequestIdFilter(logging.Filter):
    """Stamps every log record with the current request id, as AWS's log format shows it."""

    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def error_document(error: BaseException, error_type: str | None = None) -> dict:
    """``{"errorMessage", "errorType", "stackTrace"}``, the shape AWS answers errors with."""
    frames = traceback.extract_tb(error.__traceback__)
    return {"errorMessage": str(error), "errorType": error_type or type(error).__name__,
            "requestId": "",
            "stackTrace": [line for line in traceback.format_list(frames)]}


def load_handler(spec: str):
    """``module.function`` (module may be dotted or a path with /) -> the callable."""
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise _InitError("Runtime.MalformedHandlerName",
                         f"Bad handler '{spec}': not enough values to unpack "
                         "(expected 2, got 1)")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise _InitError("Runtime.ImportModuleError",
                         f"Unable to import module '{module_name}': {error}") from error
    except SyntaxError as error:
        raise _InitError("Runtime.UserCodeSyntaxError",
                         f"Syntax error in module '{module_name}': {error}") from error
    handler = getattr(module, function_name, None)
    if handler is None:
        raise _InitError("Runtime.HandlerNotFound",
                         f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


class _InitError(Exception):
    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def _answer(channel, document: dict) -> None:
    channel.write(json.dumps(document) + "\n")
    channel.flush()


def _end_of_output(request_id: str) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout.write(f"{END_MARKER}{request_id}\n")
    sys.stdout.flush()


def _invoke(handler, request: dict, request_filter: _RequestIdFilter) -> dict:
    request_filter.request_id = request["id"]
    context = LambdaContext(request["id"], request["deadline"], request.get("client_context"))
    try:
        event = json.loads(request["payload"]) if request["payload"] else {}
        result = handler(event, context)
    except Exception as error:
        document = error_document(error)
        document["requestId"] = request["id"]
        traceback.print_exc()  # AWS logs the error with its traceback too
        return {"id": request["id"], "error": document}
    try:
        return {"id": request["id"], "result": json.dumps(result)}
    except (TypeError, ValueError) as error:
        return {"id": request["id"], "error": {
            "errorMessage": f"Unable to marshal response: {error}",
            "errorType": "Runtime.MarshalError", "requestId": request["id"],
            "stackTrace": []}}


def main() -> int:
    answers = os.fdopen(int(os.environ[ANSWER_FD_ENV]), "w", encoding="utf-8")
    requests = sys.stdin
    sys.stdin = open(os.devnull)  # noqa: SIM115 -- user code must not read our requests
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    request_filter = _RequestIdFilter()
    handler_output = logging.StreamHandler(sys.stdout)
    handler_output.setFormatter(logging.Formatter(LOG_FORMAT, "%Y-%m-%dT%H:%M:%S"))
    handler_output.addFilter(request_filter)
    logging.Formatter.converter = time.gmtime
    logging.getLogger().addHandler(handler_output)
    try:
        handler = load_handler(os.environ["_HANDLER"])
        init_error = None
    except _InitError as error:
        init_error = {"errorMessage": str(error), "errorType": error.error_type,
                      "requestId": "", "stackTrace": []}
        print(f"[ERROR] {error.error_type}: {error}", flush=True)
    for line in requests:
        request = json.loads(line)
        if init_error:
            _end_of_output(request["id"])
            _answer(answers, {"id": request["id"], "error": {**init_error,
                                                             "requestId": request["id"]},
                              "fatal": True})
            return 1
        answer = _invoke(handler, request, request_filter)
        _end_of_output(request["id"])
        _answer(answers, answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
