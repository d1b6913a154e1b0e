"""Warm containers: forked from a parent that imported the family's libraries, yet each one a
separate process with its own working directory, environment, output and freshly imported code.
"""

from __future__ import annotations

import json
import textwrap
import time
import urllib.error
import urllib.request

import psutil
import pytest

from localcloud.containers.contract import BIND_PORT_ENV, ML_ROOT_ENV, MLPaths
from localcloud.sagemaker.hosting import free_port
from localcloud.sagemaker.launcher import Launcher, WarmProcess, import_time_settings
from localcloud.sagemaker.platform import kill_tree

# The learner's inference script: reports what its process sees.
INFERENCE = """
    import json, os, sys
    import numpy

    LOADS = []  # module state: a fresh import per container starts it empty

    def model_fn(model_dir):
        LOADS.append(model_dir)
        return {"cwd": os.getcwd(), "marker": os.environ.get("JOB_MARKER"),
                "loads": len(LOADS), "pid": os.getpid(), "random": float(numpy.random.rand()),
                "wait_policy": os.environ.get("OMP_WAIT_POLICY")}

    def input_fn(body, content_type):
        return body

    def predict_fn(data, model):
        return model

    def output_fn(prediction, accept):
        return json.dumps(prediction)
"""


@pytest.fixture
def launcher(tmp_path):
    started = Launcher(tmp_path / "state")
    yield started
    started.close()


def start_server(launcher: Launcher, root, marker: str):
    paths = MLPaths(root)
    (paths.model_dir / "code").mkdir(parents=True)
    (paths.model_dir / "code" / "inference.py").write_text(textwrap.dedent(INFERENCE))
    port = free_port()
    env = {ML_ROOT_ENV: str(root), BIND_PORT_ENV: str(port), "JOB_MARKER": marker,
           "SAGEMAKER_PROGRAM": "inference.py"}
    return launcher.start("serve", "sklearn", env, root), port


def ask(port: int, process, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "".join(process.stdout)
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=b"x",
                                             headers={"Content-Type": "text/plain"})
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError("the model server did not answer")


def test_each_container_is_its_own_process_with_its_own_world(launcher, tmp_path):
    first, first_port = start_server(launcher, tmp_path / "one", "one")
    second, second_port = start_server(launcher, tmp_path / "two", "two")
    try:
        assert isinstance(first, WarmProcess) and isinstance(second, WarmProcess)
        one, two = ask(first_port, first), ask(second_port, second)
        assert (one["cwd"], one["marker"], one["pid"]) == (str(tmp_path / "one"), "one", first.pid)
        assert (two["cwd"], two["marker"], two["pid"]) == (str(tmp_path / "two"), "two",
                                                           second.pid)
        assert one["loads"] == two["loads"] == 1  # the learner's module was imported afresh
        assert one["random"] != two["random"]  # numpy's generator was reseeded
        assert one["wait_policy"] == "PASSIVE"  # the containers' default (CONTAINER_DEFAULTS)
        parent = psutil.Process(first.pid).parent()
        assert parent.pid == psutil.Process(second.pid).parent().pid  # one warm parent
        assert "forkserver" in " ".join(parent.cmdline())
        assert psutil.Process(first.pid).cmdline()[-3:] == ["localcloud.containers", "serve",
                                                             "sklearn"]
    finally:
        kill_tree(first)
        kill_tree(second)
    assert first.returncode is not None and second.returncode is not None
    assert "Model server listening" in "".join(first.stdout)  # its own output, to the end


def test_a_failing_container_exits_nonzero_with_its_failure_file(launcher, tmp_path):
    paths = MLPaths(tmp_path / "job")
    paths.make_dirs()
    process = launcher.start("train", "xgboost", {ML_ROOT_ENV: str(paths.root)}, paths.root)
    output = "".join(process.stdout)
    assert process.wait(timeout=120) == 1
    assert "num_round" in paths.failure_file.read_text()
    assert "ERROR" in output


def test_cold_start_when_warm_containers_are_off(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_WARM_CONTAINERS", "0")
    cold = Launcher(tmp_path / "state")
    paths = MLPaths(tmp_path / "job")
    paths.make_dirs()
    process = cold.start("train", "xgboost", {ML_ROOT_ENV: str(paths.root)}, paths.root)
    assert not isinstance(process, WarmProcess)
    assert process.wait(timeout=120) == 1
    cold.close()


def test_parents_are_kept_apart_by_what_libraries_read_on_import():
    assert import_time_settings("pytorch", {})["OMP_NUM_THREADS"] == "1"  # its default
    assert import_time_settings("pytorch", {"OMP_NUM_THREADS": "2"})["OMP_NUM_THREADS"] == "2"
    assert "OMP_NUM_THREADS" not in import_time_settings("xgboost", {"HOME": "/root"})
    assert import_time_settings("xgboost", {"OMP_NUM_THREADS": "2", "JOB": "x"}) == {
        "OMP_NUM_THREADS": "2"}
