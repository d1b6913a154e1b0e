"""Fixtures for the whole suite: the network guard and a shared localcloud service.

- Every test runs with the network guard on: a connection to anything but loopback fails, in
  this process and (through the kit's ``sitecustomize``) in every Python subprocess started with
  the localcloud environment, such as notebook kernels.
- ``cloud`` is one localcloud service for the whole session, started on first use in a
  temporary state directory; ``aws_env`` points this process's SDK and boto3 at it.
- After the session, the service is stopped and no process of it may be left.
- ``strict`` says whether a learner's work in the tree (edited exercises, notebooks saved with
  outputs) fails the checks: it does in CI and ``make check`` (``MLCOURSE_STRICT=1``), while a
  learner's ``make test`` notes it and passes.
"""

from __future__ import annotations

import importlib.util
import os
import signal
from pathlib import Path, PurePosixPath

import boto3
import psutil
import pytest
from summaries import merge, print_section

from localcloud import LocalCloud
from localcloud.kit import hooks

# A suite started in the background by a non-interactive shell (`make test &`, a CI script)
# ignores SIGINT, and every program a test starts inherits that: the tests that stop a program
# with Ctrl-C, as a terminal sends it, would wait for it forever. Python's own handler is reset
# to the default in the programs it starts.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

#: Set by `.ci/run` and `make check`: the tree must be exactly as committed by maintainers.
STRICT_ENV = "MLCOURSE_STRICT"

# The graded tests are run by `python -m mlcourse.grading validate` (tests/grading), against
# both the solution and the exercise; collecting them here too would run them twice.
collect_ignore = ["graded"]


#: The PyTorch build the course pins exists for Python 3.11 only (pyproject's `lab` extra), so on
#: the other Pythons (`make test-pythons`) the tests of the parts built on it are skipped.
TORCH_INSTALLED = importlib.util.find_spec("torch") is not None
_NEEDS_TORCH = ("deepar", "pytorch", "torch", "frameworks", "moon")


def pytest_collection_modifyitems(config, items):
    items.sort(key=_start_rank)
    if TORCH_INSTALLED:
        return
    skip = pytest.mark.skip(reason="needs PyTorch, which the course pins for Python 3.11 only")
    for item in items:
        if any(word in item.nodeid.lower() for word in _NEEDS_TORCH):
            item.add_marker(skip)


# `make test` runs the suite in pytest-xdist workers (Makefile: PYTEST_WORKERS), each with a
# localcloud of its own. Work goes to them in units (``worker_unit``), in collection order, and
# the long tests come first: a long notebook left for the end would keep one worker busy while
# the other has nothing left to do.
_FIRST = ("tests/notebooks/test_notebooks.py", "tests/notebooks/test_golden.py",
          "tests/localcloud", "tests/test_lab.py", "tests/test_learner_session.py",
          "tests/reliability", "tests/unit/algorithms", "tests/grading", "tests/browser",
          "tests/packaging")


def _start_rank(item) -> int:
    module = item.nodeid.split("::")[0]
    return next((rank for rank, prefix in enumerate(_FIRST) if module.startswith(prefix)),
                len(_FIRST))


def worker_unit(nodeid: str) -> str:
    """The unit of work a test belongs to: its tests run on one worker, in collection order.

    A module's tests stay together (its module-scoped fixtures are built once). A notebook's
    tests (structure, run, golden cells) stay together: the golden run and the full run write
    the same ``work/`` folder. Numbered notebooks of one folder ("1 - ...", "2 - ...") make one
    unit: a later part may read what an earlier part wrote.
    """
    module, _, test = nodeid.partition("::")
    if not (module.startswith("tests/notebooks/") and test.endswith("]")):
        return module
    notebook = PurePosixPath(test[test.index("[") + 1:-1])
    return (notebook.parent if notebook.name[:1].isdigit() else notebook).as_posix()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Hand out ``worker_unit``s in collection order (pytest-xdist's loadgroup marks cannot be
    used: xdist 3.8 renames tests in a way pytest 9 no longer sees)."""
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_unit(nodeid)

    config.option.loadscopereorder = False  # keep the long-first order of the collection
    return UnitScheduling(config, log)


#: Summary sections handed back by pytest-xdist workers (tests/summaries.py), printed here.
_WORKER_SECTIONS: dict[str, dict[str, dict]] = {}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    merge(_WORKER_SECTIONS, getattr(node, "workeroutput", {}))


def pytest_terminal_summary(terminalreporter):
    for title, figures in sorted(_WORKER_SECTIONS.items()):
        print_section(terminalreporter, title, figures["counts"], figures["measurements"])


@pytest.fixture(scope="session")
def strict() -> bool:
    """Whether a learner's edits count as failures (CI, maintainers) or only as notes."""
    return os.environ.get(STRICT_ENV) == "1"


@pytest.fixture(scope="session", autouse=True)
def network_guard():
    """Refuse connections outside 127.0.0.1 here and in guarded subprocesses."""
    os.environ[hooks.GUARD_ENV] = "1"
    hooks.guard_sockets()
    yield


def _service_processes(state_dir: Path) -> list[psutil.Process]:
    """Processes that belong to the service of ``state_dir`` (server and containers)."""
    found = []
    for process in psutil.process_iter(["cmdline", "environ"]):
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
            environ = process.info["environ"] or {}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if str(state_dir) in cmdline or any(str(state_dir) in value for value in environ.values()):
            found.append(process)
    return found


@pytest.fixture(scope="session")
def cloud(tmp_path_factory):
    """A localcloud service shared by the session (stopped, and checked, at the end)."""
    state_dir = tmp_path_factory.mktemp("localcloud")
    service = LocalCloud(state_dir=state_dir, port=0)
    service.start()
    yield service
    service.stop()
    leftovers = _service_processes(state_dir)
    assert not leftovers, f"processes left after stop: {[p.pid for p in leftovers]}"


@pytest.fixture(scope="session")
def aws_env(cloud):
    """Point this process's SDK and boto3 at the session's localcloud."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(cloud.environ(saved))
    boto3.DEFAULT_SESSION = None  # a session cached before now would keep the old settings
    hooks.install()
    yield cloud.env
    os.environ.clear()
    os.environ.update(saved)
    boto3.DEFAULT_SESSION = None


@pytest.fixture
def no_leaks(cloud):
    """Fail a test that leaves a job, endpoint, model server or Lambda function behind."""
    yield
    status = cloud.status()
    assert status["endpoints"] == [], f"endpoints left: {status['endpoints']}"
    assert status["model_servers"] == 0
    assert status["training_jobs_running"] == []
    assert status["transform_jobs_running"] == []
    assert status["tuning_jobs_running"] == []
    assert status.get("lambda_functions", []) == [], "Lambda functions left"
