"""Prove every graded test two-sided, and every graded TODO tested.

For each exercise notebook with graded tests, the tests run twice:

- on the solution, where every test must pass;
- on the exercise as the generator makes it, where every test must fail with the stub's own
  ``NotImplementedError("TODO: ...")`` (not an ImportError, a NameError, an assertion or a
  timeout: those would mean the test does not reach the TODO, or the exercise is broken).

Then every TODO a graded test can reach (in a cell tagged ``graded``, or in a script) must have
been hit by at least one of those failures, and every test module must belong to an exercise.
Every graded cell with a TODO must be followed by a check cell (``### CHECK`` marker) whose tests
exist, are met on the solution and not met with a stub's message on the exercise, and every
script TODO must be reached by some check.
TODOs in other cells (cloud calls, written answers) are not graded and need no test; the grader
lists them as "to be reviewed". And no hint may quote the solution's code (see :mod:`.hints`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .generate import GeneratedFile, build_exercise_tree
from .hints import gives_away, solution_only_runs
from .layout import NOTEBOOK_SUFFIX, CourseLayout, UnknownExerciseError
from .results import DEFAULT_TIMEOUT_SECONDS, FAILED, CriterionResult
from .runner import GradingError, GradingRun, run_graded_tests

logger = logging.getLogger(__name__)

STUB_ERROR = "NotImplementedError"
STUB_MESSAGE_PREFIX = "TODO:"


@dataclass
class ValidationReport:
    """Which exercises were validated, which have no graded part, and every problem found."""

    validated: list[PurePosixPath] = field(default_factory=list)
    ungraded: list[PurePosixPath] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _ExerciseRuns:
    exercise: PurePosixPath
    on_solution: GradingRun
    on_exercise: GradingRun


def validate_course(
    layout: CourseLayout, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> ValidationReport:
    """Validate every exercise of ``layout``; an empty course validates trivially."""
    tree = build_exercise_tree(layout)
    report = ValidationReport(problems=_orphan_test_modules(layout))
    tested, untested = _split_by_tests(layout, tree)
    for generated in untested:
        if generated.graded_todos:
            report.problems.append(
                f"{generated.exercise}: {len(generated.graded_todos)} graded TODO(s) but no "
                f"graded tests (expected {layout.graded_test_module(generated.exercise)})"
            )
        else:
            report.ungraded.append(generated.exercise)
    with tempfile.TemporaryDirectory(prefix="generated-exercises-") as scratch:
        _write_tree(tree, Path(scratch))
        all_runs, run_problems = _run_all(layout, tested, Path(scratch), timeout)
    report.problems.extend(run_problems)
    triggered: set[str] = set()
    checked: set[str] = set()
    by_exercise = {generated.exercise: generated for generated in tree}
    script_todos = {todo.message for generated in tree for todo in generated.graded_todos
                    if generated.exercise.suffix != NOTEBOOK_SUFFIX}
    secret_runs = solution_only_runs(
        ((str(item.exercise), layout.solution_path(item.exercise).read_bytes()) for item in tree),
        ((str(item.exercise), item.content) for item in tree))
    for runs in all_runs:
        report.validated.append(runs.exercise)
        report.problems.extend(_two_sided_problems(layout, runs))
        report.problems.extend(_hint_problems(layout, runs, secret_runs))
        triggered.update(_stub_messages(runs.on_exercise))
        report.problems.extend(_check_problems(by_exercise[runs.exercise], runs, checked,
                                               script_todos))
    untested_notebooks = {generated.exercise for generated in untested}
    report.problems.extend(_uncovered_todos(tree, untested_notebooks, triggered))
    # A script TODO no test reaches was reported just above; it needs no check problem too.
    report.problems.extend(_unchecked_todos(tree, untested_notebooks, checked | (
        {todo.message for generated in tree for todo in generated.graded_todos} - triggered)))
    return report


def is_stub_failure(result: CriterionResult) -> bool:
    """Whether a test failed the way an untouched TODO should make it fail."""
    outcome = result.outcome
    return (
        outcome.status == FAILED
        and outcome.error_type == STUB_ERROR
        and outcome.first_line.startswith(STUB_MESSAGE_PREFIX)
    )


def _split_by_tests(
    layout: CourseLayout, tree: list[GeneratedFile]
) -> tuple[list[PurePosixPath], list[GeneratedFile]]:
    """Exercise notebooks with a graded test module, and the generated notebooks without one."""
    notebooks = [generated for generated in tree if generated.exercise.suffix == NOTEBOOK_SUFFIX]
    tested, untested = [], []
    for generated in notebooks:
        if layout.graded_test_module(generated.exercise).is_file():
            tested.append(generated.exercise)
        else:
            untested.append(generated)
    return tested, untested


def _orphan_test_modules(layout: CourseLayout) -> list[str]:
    """One problem per graded test module that belongs to no exercise."""
    by_slug = layout.exercises_by_slug()
    problems = []
    for module in layout.graded_test_modules():
        try:
            layout.exercise_for_test_module(module, by_slug)
        except UnknownExerciseError as error:
            problems.append(str(error))
    return problems


def _write_tree(tree: list[GeneratedFile], destination: Path) -> None:
    for generated in tree:
        target = destination / generated.exercise
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(generated.content)


def _run_all(
    layout: CourseLayout, exercises: list[PurePosixPath], generated_root: Path, timeout: float
) -> tuple[list[_ExerciseRuns], list[str]]:
    """Run every exercise's tests on its solution and on its generated exercise, in parallel."""
    targets = [
        (exercise, notebook)
        for exercise in exercises
        for notebook in (layout.solution_path(exercise), generated_root / exercise)
    ]

    def run(target: tuple[PurePosixPath, Path]) -> GradingRun | GradingError:
        exercise, notebook = target
        logger.info("validating %s on %s", exercise, notebook)
        try:
            return run_graded_tests(layout.graded_test_module(exercise), notebook, timeout)
        except GradingError as error:
            return error

    workers = max(1, min(len(targets), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(run, targets))
    runs, problems = [], []
    # outcomes alternate: solution, exercise, solution, exercise, ...
    for exercise, on_solution, on_exercise in zip(
        exercises, outcomes[0::2], outcomes[1::2], strict=True
    ):
        errors = [run for run in (on_solution, on_exercise) if isinstance(run, GradingError)]
        if errors:
            problems.append(f"{exercise}: {errors[0]}")
        else:
            runs.append(_ExerciseRuns(exercise, on_solution, on_exercise))
    return runs, problems


def _two_sided_problems(layout: CourseLayout, runs: _ExerciseRuns) -> list[str]:
    module = layout.graded_test_module(runs.exercise).name
    problems = []
    for result in runs.on_solution.results:
        criterion = result.criterion
        if not (criterion.has_rubric and criterion.hint):
            problems.append(
                f"{module}::{criterion.test} needs @pytest.mark.rubric(description, hint=...)"
            )
        if not result.met:
            problems.append(
                f"{runs.exercise}: '{criterion.description}' fails on the solution: "
                f"{result.reason()}"
            )
    for result in runs.on_exercise.results:
        if not is_stub_failure(result):
            observed = "passes" if result.met else f"fails with {result.reason()}"
            problems.append(
                f"{runs.exercise}: '{result.criterion.description}' must fail on the untouched "
                f"exercise with the stub's NotImplementedError, but {observed}"
            )
    return problems


def _hint_problems(layout: CourseLayout, runs: _ExerciseRuns,
                   secret_runs: set[tuple[str, ...]]) -> list[str]:
    """Hints that quote the solution: they must guide the learner, not hand over the code."""
    module = layout.graded_test_module(runs.exercise).name
    problems = []
    for result in runs.on_solution.results:
        quoted = gives_away(result.criterion.hint, secret_runs)
        if quoted:
            problems.append(
                f"{module}::{result.criterion.test}: the hint gives the answer away (it quotes "
                f"the solution: `{quoted}`); say what to do or look at, not the code"
            )
    return problems


def _check_problems(generated: GeneratedFile, runs: _ExerciseRuns, checked: set[str],
                    script_todos: set[str]) -> list[str]:
    """Each check cell must select tests that are not met on the exercise, each with the stub's
    message of a TODO above the check or in a script (all tests are met on the solution: see
    _two_sided_problems). The stub messages they report are added to ``checked``."""
    cells_by_message: dict[str, list[int]] = {}
    for todo in generated.graded_todos:
        cells_by_message.setdefault(todo.message, []).append(todo.location.cell)
    problems = []
    for check in generated.checks:
        where = f"{check.location.describe(check.line)}: {check.call}"
        selected = [result for result in runs.on_exercise.results
                    if check.selects(result.criterion.test)]
        if not selected:
            problems.append(f"{where} matches no graded test of {runs.exercise}")
        for result in selected:
            message = result.outcome.first_line
            if not is_stub_failure(result):
                observed = result.reason() or "it passes"
                problems.append(f"{where}: '{result.criterion.description}' must be NOT MET with "
                                f"a stub's message on the exercise, but {observed}")
            elif message in script_todos or any(
                    cell <= check.location.cell for cell in cells_by_message.get(message, [])):
                checked.add(message)
            else:
                problems.append(f"{where}: '{result.criterion.description}' belongs to a later "
                                f"TODO ({message}); choose keys that leave it out")
    return problems


def _unchecked_todos(
    tree: list[GeneratedFile], skipped: set[PurePosixPath], checked: set[str]
) -> list[str]:
    """Graded TODOs with no check cell after their cell, and script TODOs no check reaches."""
    problems = []
    for generated in tree:
        if generated.exercise in skipped:
            continue
        problems.extend(
            f"{todo.location.describe(todo.line)}: '{todo.message}' has no check cell after it; "
            "end its cell with '### CHECK <key>' (it runs the tests named test_<key>...)"
            for todo in generated.unchecked_todos)
        if generated.exercise.suffix != NOTEBOOK_SUFFIX:
            problems.extend(
                f"{todo.location.describe(todo.line)}: '{todo.message}' is reached by no check "
                "cell; add '### CHECK <key>' to the notebook cell that introduces it"
                for todo in generated.graded_todos if todo.message not in checked)
    return problems


def _stub_messages(run: GradingRun) -> set[str]:
    return {result.outcome.first_line for result in run.results if is_stub_failure(result)}


def _uncovered_todos(
    tree: list[GeneratedFile], skipped: set[PurePosixPath], triggered: set[str]
) -> list[str]:
    """Graded TODOs no test reached (notebooks without tests were reported already)."""
    return [
        f"{todo.location.describe(todo.line)}: '{todo.message}' is not reached by any graded test"
        for generated in tree
        if generated.exercise not in skipped
        for todo in generated.graded_todos
        if todo.message not in triggered
    ]
