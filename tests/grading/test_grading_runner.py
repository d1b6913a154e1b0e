"""The grading subprocess: a killed run keeps its results; a broken test module is an error."""

import pytest

from mlcourse.grading.results import NOT_RUN
from mlcourse.grading.runner import GradingError, run_graded_tests

CONFTEST = "from mlcourse.grading.plugin import *  # noqa: F403\n"

HANGS_WHERE_NO_SIGNAL_REACHES = """
import signal

import pytest


@pytest.mark.rubric("Runs first", hint="-")
def test_first(exercise):
    assert exercise["VALUE"] == 1


@pytest.mark.rubric("Never finishes", hint="-")
def test_blocks_the_alarm_and_loops(exercise):
    # Stands for code stuck inside C, which the per-test alarm cannot interrupt.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    while True:
        pass


@pytest.mark.rubric("Comes after", hint="-")
def test_after(exercise):
    pass
"""


@pytest.fixture
def graded_dir(tmp_path):
    directory = tmp_path / "tests/graded"
    directory.mkdir(parents=True)
    (directory / "conftest.py").write_text(CONFTEST)
    return directory


def test_a_run_killed_at_its_time_limit_keeps_what_it_recorded(graded_dir, write_notebook):
    module = graded_dir / "test_hanging.py"
    module.write_text(HANGS_WHERE_NO_SIGNAL_REACHES)
    notebook = write_notebook([("code", "VALUE = 1", ["graded"])])

    run = run_graded_tests(module, notebook, timeout=0.5, run_timeout=3)

    assert [result.met for result in run.results] == [True, False, False]
    for result in run.results[1:]:
        assert result.outcome.status == NOT_RUN
        assert result.reason() == "not run: the whole grading run was stopped after 3 s"


def test_a_test_module_that_does_not_import_is_a_grading_error(graded_dir, write_notebook):
    module = graded_dir / "test_broken.py"
    module.write_text("import a_module_that_does_not_exist\n")
    with pytest.raises(GradingError, match="a_module_that_does_not_exist"):
        run_graded_tests(module, write_notebook([]), timeout=1)


def test_an_unreadable_notebook_fails_every_criterion(graded_dir, tmp_path):
    module = graded_dir / "test_simple.py"
    module.write_text(
        "import pytest\n\n\n@pytest.mark.rubric('Has VALUE', hint='-')\n"
        "def test_value(exercise):\n    assert exercise['VALUE']\n"
    )
    notebook = tmp_path / "truncated.ipynb"
    notebook.write_text('{"cells": [')
    [result] = run_graded_tests(module, notebook, timeout=1).results
    assert not result.met
    assert result.outcome.error_type == "JSONDecodeError"
