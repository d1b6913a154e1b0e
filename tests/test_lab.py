"""`make lab`: JupyterLab whose kernels talk to localcloud.

Runs the Makefile's ``lab`` target (with a private state directory, port and token), starts a
kernel through Jupyter's REST API, executes SDK code in it over the kernel's websocket, and
checks that it reached localcloud. Then stops everything as Ctrl-C would, and checks the other
ways a lab ends (terminal closed, make killed) leave nothing running either.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import psutil
import pytest
from tornado.websocket import websocket_connect

from localcloud.sagemaker.hosting import free_port

REPO = Path(__file__).resolve().parents[1]
TOKEN = "localcloud-lab-test"
PROBE = ("import sagemaker, json\n"
         "session = sagemaker.Session()\n"
         "print(json.dumps({'bucket': session.default_bucket(),\n"
         "                  'role': sagemaker.get_execution_role()}))\n")

STATUS_PROBE = ("import json, subprocess, sys\n"
                "result = subprocess.run(['localcloud', 'status'], capture_output=True,\n"
                "                        text=True)\n"
                "print(json.dumps(json.loads(result.stdout)))\n")


def api(port: int, path: str, method: str = "GET", body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def wait_for_lab(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "jupyter lab exited during start-up"
        try:
            api(port, "/api/status")
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("JupyterLab did not start within 120 s")


async def execute(port: int, kernel_id: str, code: str) -> str:
    """Run ``code`` in the kernel; return what it printed."""
    connection = await websocket_connect(
        f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?token={TOKEN}")
    msg_id = uuid.uuid4().hex
    await connection.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                   "session": uuid.uuid4().hex, "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False}}))
    printed = []
    while True:
        message = json.loads(await asyncio.wait_for(connection.read_message(), timeout=120))
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "stream":
            printed.append(message["content"]["text"])
        elif kind == "error":
            raise AssertionError("\n".join(message["content"]["traceback"]))
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            connection.close()
            return "".join(printed)


def start_lab(state: Path, port: int, log: Path) -> subprocess.Popen:
    """`make lab` in a session of its own, as a terminal would run it; output goes to ``log``."""
    # `-o` keeps make from reinstalling: the suite already runs inside the installed .venv.
    command = ["make", "-C", str(REPO), "-o", ".venv/.installed", "lab", f"LAB_STATE={state}",
               f"LAB_PORT={port}", f"LAB_ARGS=--IdentityProvider.token={TOKEN}"]
    with log.open("wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def lab_processes(state: Path, port: int) -> list[psutil.Process]:
    """The lab's processes still alive: localcloud (and its model servers), Jupyter, kernels."""
    found = []
    for process in psutil.process_iter(["cmdline", "environ"]):
        try:
            text = " ".join(process.info["cmdline"] or []) + str(process.info["environ"] or {})
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if str(state) in text or f"--port={port}" in text:
            found.append(process)
    return found


def wait_for_stop(process: subprocess.Popen, state: Path, port: int) -> None:
    """Wait for the stopped lab's `make` to end; if it does not, kill what is left and fail."""
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        for leftover in [psutil.Process(process.pid), *lab_processes(state, port)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
        raise


def assert_nothing_left(state: Path, port: int) -> None:
    deadline = time.monotonic() + 30
    while lab_processes(state, port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not lab_processes(state, port), "the lab left processes running"
    assert not (state / "service.json").exists(), "localcloud should stop with the lab"


def test_lab_kernels_talk_to_localcloud(tmp_path):
    port, state, log = free_port(), tmp_path / "state", tmp_path / "lab.log"
    process = start_lab(state, port, log)
    try:
        wait_for_lab(port, process)
        kernel = api(port, "/api/kernels", method="POST", body={"name": "python3"})
        printed = asyncio.run(execute(port, kernel["id"], PROBE))
        facts = json.loads(printed.strip().splitlines()[-1])
        assert facts["bucket"] == "sagemaker-us-east-1-123456789012"
        assert ":role/" in facts["role"]
        # A terminal or kernel of the lab finds the lab's service with the README's commands.
        found = asyncio.run(execute(port, kernel["id"], STATUS_PROBE))
        assert json.loads(found.strip().splitlines()[-1])["state_dir"] == str(state.resolve())
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        wait_for_stop(process, state, port)
    assert_nothing_left(state, port)
    output = log.read_text()
    overrides = REPO / ".venv/share/jupyter/lab/settings/overrides.json"
    assert '"fetchNews": "false"' in overrides.read_text(), "no Jupyter news pop-up"
    assert "Shut down this Jupyter server" not in output
    assert "make: ***" not in output, output[-2000:]


@pytest.mark.parametrize("how", ["terminal closed", "make killed"])
def test_lab_stopped_any_way_leaves_nothing_running(tmp_path, how):
    port, state, log = free_port(), tmp_path / "state", tmp_path / "lab.log"
    process = start_lab(state, port, log)
    try:
        wait_for_lab(port, process)
    finally:
        if how == "terminal closed":
            os.killpg(process.pid, signal.SIGHUP)  # what closing the terminal sends
        else:
            process.kill()  # make dies at once; localcloud notices its parent is gone
        wait_for_stop(process, state, port)
    assert_nothing_left(state, port)
