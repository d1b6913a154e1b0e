"""The learner's grade command: run an exercise's graded tests on their notebook, print a rubric.

The report reads like a project review: one line per criterion, met or not, and when not, why
(the error the test hit) and a hint; then a summary. Example (the second line is one line)::

    [MET]     Removes HTML tags and punctuation, and lower-cases a review
    [NOT MET] Builds a vocabulary of the most frequent words — NotImplementedError: TODO: keep
    the `size` most frequent words  Hint: sort by (-count, word) and keep the first `size` words.
    Summary: 1/2 criteria met

TODOs that no test can check (cloud calls, written answers) are listed after the criteria: "to be
reviewed" when the learner has replaced the stub, "not done" while the stub is still there. A
written answer to be reviewed is quoted below its line, so the reviewer reads it in the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from .layout import CourseLayout, UnknownExerciseError, locate_exercise, parse_exercise_name
from .results import DEFAULT_TIMEOUT_SECONDS, CriterionResult
from .runner import GradingRun, run_graded_tests

MET_LABEL = "[MET]    "
NOT_MET_LABEL = "[NOT MET]"
TO_REVIEW_LABEL = "[TO REVIEW]"
NOT_DONE_LABEL = "[NOT DONE] "
_MAX_REASON_CHARS = 200
ANSWER_MARK = "**Answer:**"
_QUOTE = "    > "


class UngradedTodo(NamedTuple):
    """A TODO no test checks: its message, whether the stub is gone, and a written answer."""

    message: str
    done: bool
    #: The learner's text, for a written answer (markdown) that is done; "" otherwise.
    answer: str = ""


@dataclass(frozen=True)
class GradeReport:
    """The graded notebook, the exercise it was graded as, and the rubric."""

    notebook: Path
    exercise: PurePosixPath
    test_module: Path
    run: GradingRun
    #: The TODOs no test checks, each with whether the learner replaced its stub.
    ungraded: list[UngradedTodo] = field(default_factory=list)


def grade(
    notebook: Path,
    exercise_name: str | None = None,
    root: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> GradeReport:
    """Grade ``notebook`` against its exercise's graded tests.

    The exercise is found from where the notebook sits (under ``Mini-Projects/`` or
    ``Case-Studies/``), or named with ``exercise_name`` for a copy kept elsewhere, in which case
    the course root is ``root`` (default: the current directory).
    """
    if not notebook.is_file():
        raise FileNotFoundError(f"no notebook at {notebook}")
    layout, exercise = _resolve(notebook, exercise_name, root)
    test_module = layout.graded_test_module(exercise)
    if not test_module.is_file():
        raise UnknownExerciseError(
            f"{exercise} has no graded tests (looked for {test_module}); "
            f"is this the exercise you meant?"
        )
    run = run_graded_tests(test_module, notebook, timeout=timeout)
    return GradeReport(notebook, exercise, test_module, run, _ungraded_todos(layout, exercise,
                                                                             notebook))


def _ungraded_todos(layout: CourseLayout, exercise: PurePosixPath,
                    notebook: Path) -> list[UngradedTodo]:
    """Each TODO outside the graded cells, whether its stub is gone from ``notebook``, and the
    learner's text of each written answer that is."""
    if not layout.solution_path(exercise).is_file():
        return []  # a copy of the course without solutions: nothing to compare with
    from .generate import generate_file  # imports nbformat: only when there is work to do

    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    sources = "\n".join(_source(cell) for cell in cells)
    learner_cells = {cell.get("id"): cell for cell in cells if cell.get("id")}
    generated = generate_file(layout, exercise)
    # The generator writes a banner cell, then one cell per solution cell, keeping its id.
    exercise_cells = json.loads(generated.content).get("cells", [])[1:]
    todos = []
    for todo in generated.other_todos:
        stubs = (f"NotImplementedError({json.dumps(todo.message, ensure_ascii=False)})",
                 f"_{todo.message}_")
        done = not any(stub in sources for stub in stubs)
        answer = ""
        if done and todo.location.cell is not None:
            exercise_cell = exercise_cells[todo.location.cell]
            learner_cell = learner_cells.get(exercise_cell.get("id"))
            if exercise_cell.get("cell_type") == "markdown" and learner_cell is not None:
                answer = _answer_text(_source(learner_cell))
        todos.append(UngradedTodo(todo.message, done, answer))
    return todos


def _source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def _answer_text(markdown: str) -> str:
    """What follows the answer mark in a written-answer cell (the whole cell without one)."""
    _, mark, after = markdown.partition(ANSWER_MARK)
    return (after if mark else markdown).strip()


def format_rubric(report: GradeReport) -> list[str]:
    """The report's lines: a heading, one line per criterion, loading notes, a summary."""
    run = report.run
    lines = [f"Grading {report.notebook} as exercise {report.exercise}", ""]
    lines.extend(criterion_line(result) for result in run.results)
    if report.ungraded:
        lines.extend(["", "Not graded automatically (compare with the solution, or ask a "
                          "reviewer):"])
        for todo in report.ungraded:
            lines.append(f"{TO_REVIEW_LABEL if todo.done else NOT_DONE_LABEL} {todo.message}")
            lines.extend(f"{_QUOTE}{line}".rstrip() for line in todo.answer.splitlines())
    if run.notes:
        lines.append("")
        lines.extend(f"Note: {note}" for note in run.notes)
    summary = f"Summary: {run.met}/{len(run.results)} criteria met"
    if report.ungraded:
        not_done = sum(not todo.done for todo in report.ungraded)
        summary += (f"; {len(report.ungraded)} more TODO(s) to be reviewed"
                    + (f" ({not_done} not done yet)" if not_done else ""))
    lines.extend(["", summary])
    return lines


def criterion_line(result: CriterionResult) -> str:
    """One rubric line: met, or not met with why and a hint (the in-notebook check uses it too)."""
    if result.met:
        return f"{MET_LABEL} {result.criterion.description}"
    line = f"{NOT_MET_LABEL} {result.criterion.description} — {_shorten(result.reason())}"
    if result.criterion.hint:
        line += f"  Hint: {result.criterion.hint}"
    return line


def _resolve(
    notebook: Path, exercise_name: str | None, root: Path | None
) -> tuple[CourseLayout, PurePosixPath]:
    if exercise_name is not None:
        return CourseLayout(root or Path.cwd()), parse_exercise_name(exercise_name)
    layout, exercise = locate_exercise(notebook)
    return (CourseLayout(root) if root else layout), exercise


def _shorten(text: str) -> str:
    if len(text) <= _MAX_REASON_CHARS:
        return text
    return text[: _MAX_REASON_CHARS - 1] + "…"
