"""pytest support for graded tests: the rubric marker, the ``exercise`` fixture, time limits.

A graded test module (``tests/graded/test_<slug>.py``) is plain pytest::

    @pytest.mark.rubric("Removes HTML tags from a review", hint="A regex such as <[^>]+> ...")
    def test_removes_html(exercise):
        assert "<br" not in exercise["clean_review"]("Good<br />film")

``exercise`` is the :class:`~.loader.GradedNotebook` of the notebook being graded: the learner's
copy when the grader passes ``--exercise PATH``, otherwise the exercise's solution (so a plain
``pytest tests/graded`` checks the solutions). Each test runs under a time limit
(``--grading-timeout``, or ``timeout=`` on the rubric marker). With ``--grading-report PATH`` the
criteria and outcomes are written to PATH as JSON for the grader.

The graded-tests folder's ``conftest.py`` imports the names in ``__all__`` so pytest finds them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .layout import CourseLayout
from .loader import GradedNotebook, load_graded_notebook, time_limit
from .results import (
    DEFAULT_TIMEOUT_SECONDS,
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    Criterion,
    Outcome,
    ResultsFile,
)

__all__ = [
    "exercise",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
]

RUBRIC_MARKER = "rubric"

_RESULTS_KEY = pytest.StashKey[ResultsFile]()
_REPORT_PATH_KEY = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grading", "graded tests (mlcourse.grading)")
    group.addoption("--exercise", default=None, help="notebook to grade (default: its solution)")
    group.addoption("--grading-report", default=None, help="write criteria and outcomes here")
    group.addoption(
        "--grading-timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds each graded test and each graded cell may run",
    )
    group.addoption(
        "--graded-cells",
        default=None,
        help="JSON file of [cell index, source] pairs to load instead of the notebook's graded "
        "cells (an in-notebook check passes the kernel's current definitions)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{RUBRIC_MARKER}(description, hint, timeout=None): a graded test as a rubric criterion",
    )
    report_path = config.getoption("grading_report", default=None)
    if report_path:
        config.stash[_REPORT_PATH_KEY] = Path(report_path)
        config.stash[_RESULTS_KEY] = ResultsFile()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    results = config.stash.get(_RESULTS_KEY, None)
    if results is None:
        return  # not a grading run (this hook sees every test of the session)
    results.criteria = [criterion_of(item) for item in items]
    _save(config)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with time_limit(_timeout_for(item)):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    results = item.config.stash.get(_RESULTS_KEY, None)
    if results is not None:
        outcome = _outcome(report, call)
        test = _test_name(item)
        # Keep the first failure: a teardown error must not hide why the test itself failed.
        if outcome is not None and results.outcomes.get(test, Outcome(PASSED)).status == PASSED:
            results.outcomes[test] = outcome
            _save(item.config)
    return report


@pytest.fixture(scope="module")
def exercise(request: pytest.FixtureRequest) -> GradedNotebook:
    """The graded cells of the notebook under test, loaded into a fresh namespace."""
    config = request.config
    target = config.getoption("exercise", default=None)
    path = Path(target) if target else _solution_for(Path(request.module.__file__))
    notebook = load_graded_notebook(
        path, cell_timeout=_configured_timeout(config), cells=_graded_cells_option(config)
    )
    results = config.stash.get(_RESULTS_KEY, None)
    if results is not None:
        results.notes.extend(notebook.notes())
        _save(config)
    return notebook


def criterion_of(item: pytest.Item) -> Criterion:
    """The rubric criterion a test stands for (its name when it lacks a rubric marker)."""
    marker = item.get_closest_marker(RUBRIC_MARKER)
    if marker is None or not marker.args:
        return Criterion(_test_name(item), item.name, "", has_rubric=False)
    return Criterion(_test_name(item), str(marker.args[0]), str(marker.kwargs.get("hint", "")))


def _graded_cells_option(config: pytest.Config) -> list[tuple[int, str]] | None:
    """The cells ``--graded-cells`` names, or None to read the notebook's own."""
    cells_file = config.getoption("graded_cells", default=None)
    if not cells_file:
        return None
    return [(index, source) for index, source in json.loads(Path(cells_file).read_text("utf-8"))]


def _solution_for(test_module: Path) -> Path:
    """tests/graded/test_<slug>.py sits two folders below its course root."""
    layout = CourseLayout(test_module.resolve().parents[2])
    return layout.solution_path(layout.exercise_for_test_module(test_module))


def _test_name(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[-1]


def _configured_timeout(config: pytest.Config) -> float:
    # Without the grader's options (a plain pytest run), the option may be unregistered.
    return config.getoption("grading_timeout", default=None) or DEFAULT_TIMEOUT_SECONDS


def _timeout_for(item: pytest.Item) -> float:
    marker = item.get_closest_marker(RUBRIC_MARKER)
    override = marker.kwargs.get("timeout") if marker else None
    return float(override) if override else _configured_timeout(item.config)


def _outcome(report: pytest.TestReport, call: pytest.CallInfo) -> Outcome | None:
    """The outcome a phase report implies, or None for a passing setup/teardown."""
    if report.skipped:
        return Outcome(SKIPPED, message=str(report.longrepr))
    if report.passed:
        return Outcome(PASSED) if report.when == "call" else None
    status = FAILED if report.when == "call" else ERROR
    if call.excinfo is None:
        return Outcome(status, message=str(report.longrepr))
    error = call.excinfo.value
    notes = getattr(error, "__notes__", [])
    message = "\n".join([str(error), *notes])
    return Outcome(status, error_type=type(error).__name__, message=message)


def _save(config: pytest.Config) -> None:
    config.stash[_RESULTS_KEY].save(config.stash[_REPORT_PATH_KEY])
