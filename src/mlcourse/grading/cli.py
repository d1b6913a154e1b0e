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

from .grade import format_rubric, grade
from .layout import CourseError, CourseLayout
from .results import DEFAULT_TIMEOUT_SECONDS

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
        report = write_exercises(layout)
        print("exercises were up to date" if report.clean else "exercises regenerated")
        return EXIT_OK
    report = check_drift(layout)
    if report.clean:
        print("exercises match their solutions")
        return EXIT_OK
    print("exercises differ from what `python -m mlcourse.grading generate` writes:")
    for line in report.describe():
        print(f"  {line}")
    print("run `python -m mlcourse.grading generate` and commit the result")
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
        "--check", action="store_true", help="write nothing; exit 1 listing files that differ"
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
