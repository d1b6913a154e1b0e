"""Run one exercise's graded tests against one notebook, in a pytest subprocess.

A subprocess keeps the learner's code away from the grader: whatever it imports, prints or
breaks, the grader survives, and a run stuck where no signal reaches (a loop inside C code) is
killed with its whole process group when the run's time limit expires.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .layout import CourseError
from .results import (
    DEFAULT_TIMEOUT_SECONDS,
    NOT_RUN,
    CriterionResult,
    Outcome,
    ResultsFile,
)

logger = logging.getLogger(__name__)

# The whole run may take this many per-test time limits, and at least RUN_TIMEOUT_FLOOR seconds.
RUN_TIMEOUT_FACTOR = 10
RUN_TIMEOUT_FLOOR_SECONDS = 120.0
_OUTPUT_TAIL_LINES = 30


class GradingError(CourseError, RuntimeError):
    """The graded tests themselves could not run (a broken test module, not the learner's work)."""


@dataclass(frozen=True)
class GradingRun:
    """The criteria of one run with their outcomes, plus what loading the notebook reported."""

    results: list[CriterionResult]
    notes: list[str]
    output: str

    @property
    def met(self) -> int:
        return sum(result.met for result in self.results)

    @property
    def all_met(self) -> bool:
        return bool(self.results) and self.met == len(self.results)


def run_graded_tests(
    test_module: Path,
    notebook: Path,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    run_timeout: float | None = None,
    tests: Sequence[str] | None = None,
    graded_cells: list[tuple[int, str]] | None = None,
) -> GradingRun:
    """Run ``test_module`` with ``notebook`` as its ``exercise`` and collect the rubric.

    ``timeout`` bounds each test and each graded cell; ``run_timeout`` the whole run (by default
    RUN_TIMEOUT_FACTOR times ``timeout``, at least RUN_TIMEOUT_FLOOR_SECONDS). ``tests`` (test
    function names) runs only those; ``graded_cells`` are loaded instead of the notebook's own.
    """
    test_module, notebook = test_module.resolve(), notebook.resolve()
    if run_timeout is None:
        run_timeout = max(RUN_TIMEOUT_FLOOR_SECONDS, RUN_TIMEOUT_FACTOR * timeout)
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
        report_path = Path(scratch) / "results.json"
        command = _pytest_command(test_module, notebook, report_path, timeout, tests)
        if graded_cells is not None:
            cells_path = Path(scratch) / "graded-cells.json"
            cells_path.write_text(json.dumps(graded_cells), encoding="utf-8")
            command.append(f"--graded-cells={cells_path}")
        logger.debug("running %s", command)
        output, finished = _run(command, cwd=notebook.parent, limit=run_timeout)
        if not report_path.is_file():
            raise GradingError(_broken_run_message(test_module, output))
        recorded = ResultsFile.load(report_path)
    if not recorded.criteria:
        raise GradingError(_broken_run_message(test_module, output))
    why_missing = (
        f"not run: the whole grading run was stopped after {run_timeout:g} s"
        if not finished
        else "not run: pytest ended before reaching this test"
    )
    results = recorded.results(Outcome(NOT_RUN, message=why_missing))
    return GradingRun(results, recorded.notes, output)


def _pytest_command(
    test_module: Path,
    notebook: Path,
    report_path: Path,
    timeout: float,
    tests: Sequence[str] | None = None,
) -> list[str]:
    selected = [f"{test_module}::{test}" for test in tests] if tests else [str(test_module)]
    return [
        sys.executable,
        "-m",
        "pytest",
        *selected,
        "-q",
        "--no-header",
        "-p",
        "no:cacheprovider",
        # Only the graded tests' own conftest applies, not those of the surrounding test suite.
        f"--confcutdir={test_module.parent}",
        f"--exercise={notebook}",
        f"--grading-report={report_path}",
        f"--grading-timeout={timeout:g}",
    ]


def _run(command: list[str], cwd: Path, limit: float) -> tuple[str, bool]:
    """Run ``command``; return its output and whether it finished within ``limit`` seconds."""
    # No bytecode caches in the learner's folders; graded code runs like a notebook, from cwd.
    # Graded tests need no installed pytest plugin (nbval, anyio, ...): not loading them saves
    # about 0.6 s of every run; the grading plugin comes from the graded tests' conftest.
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
                   "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so a kill reaches its children too
    )
    try:
        output, _ = process.communicate(timeout=limit)
        return output, True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return output, False


def _broken_run_message(test_module: Path, output: str) -> str:
    tail = "\n".join(output.splitlines()[-_OUTPUT_TAIL_LINES:])
    return f"the graded tests in {test_module} did not run; pytest said:\n{tail}"
