"""Command line: ``python -m mlcourse.grading generate|validate|grade``.

Exit status: 0 when all is well; 1 when the check found drift, validation found problems or a
criterion is not met; 2 when the command could not do its job (bad markers, unknown exercise,
a broken test module).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .grade import format_rubric, grade
from .layout import CourseError, CourseLayout
from .results import DEFAULT_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from .generate import WriteReport

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2

# Failures of the command itself, reported as one line rather than a traceback.
_COMMAND_ERRORS = (CourseError, FileNotFoundError)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    arguments = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return arguments.command(arguments)
    except _COMMAND_ERRORS as error:
        logging.getLogger(__name__).error("error: %s", error)
        return EXIT_ERROR


def _generate(arguments: argparse.Namespace) -> int:
    # Imported here: nbformat takes a second to import, and `grade` does not need it.
    from .generate import check_drift, write_exercises

    layout = CourseLayout(arguments.root)
    if not arguments.check:
        return _report_written(write_exercises(layout, force=arguments.force))
    report = check_drift(layout)
    if report.clean:
        print("exercises match their solutions")
        return EXIT_OK
    in_step = report.in_step and not arguments.strict
    print("exercises differ from what `python -m mlcourse.grading generate` writes:")
    for line in report.describe():
        print(f"  {line}")
    if in_step:
        print("the edited exercises are kept as they are (a learner's work is never overwritten)")
        return EXIT_OK
    print("run `python -m mlcourse.grading generate` and commit the result")
    return EXIT_FAILED


def _report_written(result: WriteReport) -> int:
    drift = result.drift
    if drift.clean:
        print("exercises were up to date")
    elif not drift.in_step or result.backed_up:
        print("exercises regenerated")
    for exercise, copy in result.backed_up.items():
        print(f"replaced {exercise}; your version is kept in {copy}")
    if not result.refused:
        return EXIT_OK
    print("not overwritten, because they were edited (your work is safe):")
    for exercise in result.refused:
        print(f"  {exercise}")
    print(
        "to replace them with fresh copies anyway, run `python -m mlcourse.grading generate "
        "--force`: the edited versions are first copied under backups/"
    )
    return EXIT_FAILED


def _validate(arguments: argparse.Namespace) -> int:
    from .validate import validate_course  # imports nbformat: see _generate

    report = validate_course(CourseLayout(arguments.root), timeout=arguments.timeout)
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    if not report.validated and not report.ungraded:
        print("no exercises found")
    print(
        f"{len(report.validated)} exercise(s) validated, {len(report.ungraded)} without a "
        f"graded part, {len(report.problems)} problem(s)"
    )
    return EXIT_OK if report.ok else EXIT_FAILED


def _grade(arguments: argparse.Namespace) -> int:
    report = grade(
        arguments.notebook,
        exercise_name=arguments.exercise_name,
        root=arguments.root,
        timeout=arguments.timeout,
    )
    print("\n".join(format_rubric(report)))
    return EXIT_OK if report.run.all_met else EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mlcourse.grading",
        description="Generate exercises from solutions, validate graded tests, grade a notebook.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    generate = commands.add_parser("generate", help="write Mini-Projects/ and Case-Studies/")
    generate.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 listing files that differ (edited exercises are allowed)",
    )
    generate.add_argument(
        "--strict", action="store_true", help="with --check: edited exercises count as drift"
    )
    generate.add_argument(
        "--force",
        action="store_true",
        help="also replace exercises edited by hand, keeping a copy of each under backups/",
    )
    _add_root(generate, default=Path.cwd())
    generate.set_defaults(command=_generate)

    validate = commands.add_parser(
        "validate", help="graded tests pass on solutions and fail on exercises"
    )
    _add_root(validate, default=Path.cwd())
    _add_timeout(validate)
    validate.set_defaults(command=_validate)

    grade_command = commands.add_parser("grade", help="grade a notebook and print the rubric")
    grade_command.add_argument("notebook", type=Path, help="your exercise notebook")
    grade_command.add_argument(
        "--as",
        dest="exercise_name",
        metavar="EXERCISE",
        help="grade a copy kept elsewhere as this exercise, e.g. 'Mini-Projects/<name>.ipynb'",
    )
    _add_root(grade_command, default=None)
    _add_timeout(grade_command)
    grade_command.set_defaults(command=_grade)
    return parser


def _add_root(parser: argparse.ArgumentParser, default: Path | None) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=default,
        help="course root holding solutions/ and tests/graded/ (default: the current folder"
        + (")" if default else ", or found from the notebook's path)"),
    )


def _add_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"seconds each graded test may run (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
