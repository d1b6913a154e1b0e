"""Lambda's warm workers without a server: answers, errors, timeouts, reuse and idle reaping."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from localcloud.awslambda.workers import WorkerPool, WorkerSpec

HANDLER = """
import os
import time

def handler(event, context):
    print("got", event)
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("fail"):
        raise KeyError("missing")
    return {"remaining": context.get_remaining_time_in_millis() > 0, "pid": os.getpid()}
"""


class QuietLogs:
    """Stands in for a CloudWatch Logs client: keeps the events."""

    class exceptions:  # noqa: N801 -- mirrors boto3's client.exceptions
        ResourceAlreadyExistsException = RuntimeError

    def __init__(self):
        self.events = []

    def create_log_group(self, **_):
        pass

    def create_log_stream(self, **_):
        pass

    def put_log_events(self, logEvents, **_):  # noqa: N803 -- boto3's argument name
        self.events.extend(event["message"] for event in logEvents)


@pytest.fixture
def spec(tmp_path):
    (tmp_path / "app.py").write_text(HANDLER)
    environment = {"PATH": os.environ["PATH"], "_HANDLER": "app.handler",
                   "LAMBDA_TASK_ROOT": str(tmp_path), "AWS_LAMBDA_FUNCTION_NAME": "fn",
                   "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                   "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
                   "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
                   "LOCALCLOUD_LAMBDA_FUNCTION_ARN": "arn:aws:lambda:us-east-1:1:function:fn",
                   "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return WorkerSpec("fn", "/aws/lambda/fn", str(tmp_path), environment, timeout=1.0,
                      memory_mb=128, generation=0)


def test_a_warm_worker_answers_again_and_logs_each_call(spec):
    logs = QuietLogs()
    pool = WorkerPool(logs)
    try:
        first = pool.invoke(spec, b'{"n": 1}')
        second = pool.invoke(spec, b'{"n": 2}')
        assert first.error is None and json.loads(first.payload)["remaining"] is True
        assert json.loads(first.payload)["pid"] == json.loads(second.payload)["pid"]  # reused
        assert "Init Duration" in first.log_tail and "Init Duration" not in second.log_tail
        assert "got {'n': 2}" in second.log_tail
        failed = pool.invoke(spec, b'{"fail": true}')
        assert failed.error["errorType"] == "KeyError"
        assert pool.count() == 1
    finally:
        pool.shutdown()
    assert pool.count() == 0


def test_a_timeout_kills_the_worker(spec):
    pool = WorkerPool(QuietLogs())
    try:
        started = time.monotonic()
        outcome = pool.invoke(spec, b'{"sleep": 30}')
        assert time.monotonic() - started < 10
        assert outcome.error["errorType"] == "Sandbox.Timedout"
        assert "Status: timeout" in outcome.log_tail
        assert pool.count() == 0
        assert pool.invoke(spec, b"{}").error is None  # a fresh worker
    finally:
        pool.shutdown()


def test_idle_workers_are_stopped(spec):
    pool = WorkerPool(QuietLogs(), idle_seconds=0.3)
    try:
        pool.invoke(spec, b"{}")
        assert pool.count() == 1
        deadline = time.monotonic() + 10
        while pool.count() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pool.count() == 0
    finally:
        pool.shutdown()
