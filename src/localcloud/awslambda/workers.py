"""Warm workers: one subprocess per concurrently running invocation of a function.

Like Lambda's execution environments, a worker is started on the first invocation (a cold
start, whose init time the REPORT line shows), is reused by later ones while the function's code
and configuration stay the same, and is killed when the invocation times out (the next one
starts a fresh worker), when the function changes or is deleted, and when localcloud stops.

Each worker writes its output to its own CloudWatch Logs stream
``YYYY/MM/DD/[$LATEST]<id>`` of the group ``/aws/lambda/<function>``, framed by the
``START``/``END``/``REPORT`` lines Lambda writes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import psutil

from ..aws.logs import LogStream
from .bootstrap import ANSWER_FD_ENV, END_MARKER

log = logging.getLogger(__name__)

#: How much of the log an Invoke with ``LogType=Tail`` returns (base64 in X-Amz-Log-Result).
TAIL_BYTES = 4096
#: How long to wait for a worker's output to drain after its answer arrived.
DRAIN_SECONDS = 2.0
#: A worker idle this long is stopped (Lambda, too, recycles idle execution environments).
IDLE_SECONDS = 600.0


@dataclass
class Outcome:
    """What one invocation produced."""

    request_id: str
    payload: bytes
    error: dict | None = None  # {"errorMessage", "errorType", ...} when the function failed
    log_tail: str = ""
    duration_ms: float = 0.0


@dataclass
class WorkerSpec:
    """Everything a worker needs to start; a new spec (new code or settings) means new workers."""

    function_name: str
    log_group: str
    code_dir: str
    environment: dict[str, str]
    timeout: float
    memory_mb: int
    generation: int
    init_notes: list[str] = field(default_factory=list)  # logged once per cold start


class Worker:
    """One warm worker process and its log stream."""

    def __init__(self, spec: WorkerSpec, logs_client):
        self.spec = spec
        self.worker_id = uuid.uuid4().hex
        day = time.strftime("%Y/%m/%d", time.gmtime())
        self.stream_name = f"{day}/[$LATEST]{self.worker_id}"
        self.stream = LogStream(logs_client, spec.log_group, self.stream_name)
        self._lines: queue.Queue[str | None] = queue.Queue()
        started = time.monotonic()
        answer_read, answer_write = os.pipe()
        env = {**spec.environment, "AWS_LAMBDA_LOG_STREAM_NAME": self.stream_name,
               ANSWER_FD_ENV: str(answer_write)}
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "localcloud.awslambda.bootstrap"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=env, cwd=spec.code_dir, pass_fds=(answer_write,), text=True, bufsize=1)
        os.close(answer_write)
        self.answers = os.fdopen(answer_read, "r", encoding="utf-8")
        self.init_ms = (time.monotonic() - started) * 1000
        self.cold = True
        self.idle_since = time.monotonic()
        threading.Thread(target=self._read_output, daemon=True,
                         name=f"lambda-out:{spec.function_name}").start()

    def _read_output(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def alive(self) -> bool:
        return self.process.poll() is None

    def invoke(self, payload: bytes, client_context: str | None = None) -> Outcome:
        """Run one invocation; kill the worker if it times out or dies."""
        request_id = str(uuid.uuid4())
        transcript = [f"START RequestId: {request_id} Version: $LATEST"]
        if self.cold:
            transcript[:0] = self.spec.init_notes
        started = time.monotonic()
        deadline = time.time() + self.spec.timeout
        request = {"id": request_id, "payload": payload.decode("utf-8"),
                   "deadline": deadline, "client_context": client_context}
        answer = self._exchange(request)
        duration_ms = (time.monotonic() - started) * 1000
        transcript += self._drain(request_id, wait=answer is not None)
        if answer is None:
            transcript.append(f"{_timestamp()} {request_id} Task timed out after "
                              f"{self.spec.timeout:.2f} seconds")
            error = {"errorType": "Sandbox.Timedout",
                     "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
                                     f"{self.spec.timeout:.2f} seconds"}
            self.stop()
        elif "fatal" in answer or not self.alive():
            error = answer["error"] if answer else _exited(request_id, self.process.poll())
            self.stop()
        else:
            error = answer.get("error")
        transcript += [f"END RequestId: {request_id}",
                       self._report(request_id, duration_ms, timed_out=answer is None)]
        for line in transcript:
            self.stream.write(line)
        self.cold = False
        body = json.dumps(error) if error else answer["result"]
        tail = "\n".join(transcript) + "\n"
        return Outcome(request_id, body.encode("utf-8"), error,
                       tail.encode("utf-8")[-TAIL_BYTES:].decode("utf-8", errors="ignore"),
                       duration_ms)

    def _exchange(self, request: dict) -> dict | None:
        """Send the request; the answer, or None when the function ran out of time."""
        answers: queue.Queue = queue.Queue()

        def read_answer():
            line = self.answers.readline()
            answers.put(json.loads(line) if line else {"error": None, "exited": True})

        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return {"error": _exited(request["id"], self.process.poll()), "fatal": True}
        threading.Thread(target=read_answer, daemon=True).start()
        try:
            answer = answers.get(timeout=self.spec.timeout)
        except queue.Empty:
            return None
        if answer.get("exited"):
            self.process.wait(timeout=5)
            return {"error": _exited(request["id"], self.process.returncode), "fatal": True}
        return answer

    def _drain(self, request_id: str, wait: bool) -> list[str]:
        """The function's output lines of this invocation (up to the end marker)."""
        lines, marker = [], f"{END_MARKER}{request_id}"
        deadline = time.monotonic() + (DRAIN_SECONDS if wait else 0.2)
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return lines
            if line is None or line == marker:
                return lines
            lines.append(line)

    def _report(self, request_id: str, duration_ms: float, timed_out: bool) -> str:
        try:
            used_mb = psutil.Process(self.process.pid).memory_info().rss // (1024 * 1024)
        except psutil.NoSuchProcess:
            used_mb = 0
        parts = [f"REPORT RequestId: {request_id}", f"Duration: {duration_ms:.2f} ms",
                 f"Billed Duration: {int(duration_ms) + 1} ms",
                 f"Memory Size: {self.spec.memory_mb} MB", f"Max Memory Used: {used_mb} MB"]
        if self.cold:
            parts.append(f"Init Duration: {self.init_ms:.2f} ms")
        if timed_out:
            parts.append("Status: timeout")
        return "\t".join(parts)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.answers):
            with contextlib.suppress(OSError):
                stream.close()
        self.stream.close()


def _timestamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000Z"


def _exited(request_id: str, code: int | None) -> dict:
    return {"errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: "
                            f"exit status {code}"}


class WorkerPool:
    """The warm workers of every function; an idle worker is reused, a busy one never."""

    def __init__(self, logs_client, idle_seconds: float = IDLE_SECONDS):
        self.logs_client = logs_client
        self.idle_seconds = idle_seconds
        self._idle: dict[str, list[Worker]] = {}
        self._busy: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._reap_idle, daemon=True, name="lambda-reaper").start()

    def _reap_idle(self) -> None:
        """Stop workers nobody has used for ``idle_seconds``; an idle function costs nothing."""
        while not self._closed.wait(min(60.0, self.idle_seconds)):
            now = time.monotonic()
            with self._lock:
                stale = [w for ws in self._idle.values() for w in ws
                         if now - w.idle_since > self.idle_seconds]
                for workers in self._idle.values():
                    workers[:] = [w for w in workers if w not in stale]
            for worker in stale:
                worker.stop()

    def invoke(self, spec: WorkerSpec, payload: bytes,
               client_context: str | None = None) -> Outcome:
        worker = self._checkout(spec)
        try:
            return worker.invoke(payload, client_context)
        finally:
            self._checkin(worker)

    def _checkout(self, spec: WorkerSpec) -> Worker:
        with self._lock:
            idle = self._idle.get(spec.function_name, [])
            while idle:
                worker = idle.pop()
                if worker.spec.generation == spec.generation and worker.alive():
                    self._busy.add(worker)
                    return worker
                worker.stop()
        worker = Worker(spec, self.logs_client)
        with self._lock:
            self._busy.add(worker)
        return worker

    def _checkin(self, worker: Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if worker.alive():
                worker.idle_since = time.monotonic()
                self._idle.setdefault(worker.spec.function_name, []).append(worker)

    def retire(self, function_name: str) -> None:
        """Stop a function's idle workers (its code or settings changed, or it was deleted)."""
        with self._lock:
            workers = self._idle.pop(function_name, [])
        for worker in workers:
            worker.stop()

    def count(self) -> int:
        with self._lock:
            return len(self._busy) + sum(len(workers) for workers in self._idle.values())

    def shutdown(self) -> None:
        """Stop every worker and the reaper (localcloud is stopping)."""
        self._closed.set()
        self.stop_all()

    def stop_all(self) -> None:
        """Stop every worker (reset); the pool stays usable."""
        with self._lock:
            workers = [w for ws in self._idle.values() for w in ws] + list(self._busy)
            self._idle.clear()
            self._busy.clear()
        for worker in workers:
            worker.stop()
