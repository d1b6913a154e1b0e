"""CI gate: exercises do not drift from solutions and every graded test is two-sided.

Runs over the real course (repository root; an empty solutions/ passes trivially) and over the
fixture course, which must be found and validated.
"""

from pathlib import Path

import pytest

from mlcourse.grading.generate import check_drift
from mlcourse.grading.layout import CourseLayout
from mlcourse.grading.validate import validate_course

REPOSITORY = CourseLayout(Path(__file__).resolve().parents[2])
GRADED_TEST = "tests/graded/test_review_scoring_word_counts.py"


@pytest.mark.parametrize("course", ["repository", "fixture"])
def test_exercises_do_not_drift_from_solutions(course, fixture_course, strict):
    """Exercises follow their solutions. A learner's edited exercise is their work: it fails
    only in strict mode (CI, `make check`), and is otherwise reported as a skip."""
    layout = REPOSITORY if course == "repository" else fixture_course
    report = check_drift(layout)
    in_step = report.clean if strict else report.in_step
    assert in_step, "run `python -m mlcourse.grading generate`:\n" + "\n".join(
        report.describe()
    )
    if report.edited:
        pytest.skip(f"your edited exercises are kept, not compared: {report.describe()}")


@pytest.mark.parametrize("course", ["repository", "fixture"])
def test_graded_tests_are_two_sided(course, fixture_course, fixture_exercise):
    layout = REPOSITORY if course == "repository" else fixture_course
    report = validate_course(layout)
    assert report.ok, "\n".join(report.problems)
    if course == "fixture":
        assert report.validated == [fixture_exercise]
    exercises = layout.solution_notebooks()
    assert sorted(report.validated + report.ungraded) == exercises


def test_validate_finds_one_sided_untested_and_orphan_tests(course_copy):
    tests = course_copy.root / GRADED_TEST
    text = tests.read_text()
    # A test without a rubric that passes on the exercise (count_words is given, not a TODO).
    text += (
        "\n\ndef test_counts_words(exercise):\n"
        "    assert exercise['count_words'](['a a'])['a'] == 2\n"
    )
    # No test reaches the script's TODO any more.
    text = text.replace("def test_script_accuracy(", "def _unused_script_accuracy(")
    tests.write_text(text)
    (course_copy.graded_tests / "test_no_such_exercise.py").write_text("")

    problems = validate_course(course_copy, timeout=5).problems
    assert len(problems) == 5, problems
    assert "test_no_such_exercise.py matches no solution notebook" in problems[0]
    assert "test_counts_words needs @pytest.mark.rubric(description, hint=...)" in problems[1]
    assert problems[2].endswith(
        "'test_counts_words' must fail on the untouched exercise with the stub's "
        "NotImplementedError, but passes"
    )
    # The check cell that ran the renamed test has nothing left to run.
    assert problems[3].endswith('check("script") matches no graded test of '
                                'Case-Studies/Review Scoring/Word Counts.ipynb')
    problems.pop(3)
    assert problems[3].startswith("solutions/Case-Studies/Review Scoring/source/train.py, line")
    assert problems[3].endswith(
        "'TODO: return the share of correct predictions (0.0 if none)' is not reached by any "
        "graded test"
    )


def test_validate_reports_failures_on_the_solution_and_notebooks_without_tests(
    course_copy, fixture_exercise
):
    solution = course_copy.solution_path(fixture_exercise)
    untested = solution.with_name("Untested Copy.ipynb")
    untested.write_bytes(solution.read_bytes())
    solution.write_text(
        solution.read_text().replace("(-counts[word], word)", "(counts[word], word)")
    )

    problems = validate_course(course_copy, timeout=5).problems
    assert len(problems) == 2, problems
    assert problems[0] == (
        "Case-Studies/Review Scoring/Untested Copy.ipynb: 3 graded TODO(s) but no graded tests "
        "(expected "
        f"{course_copy.graded_tests / 'test_review_scoring_untested_copy.py'})"
    )
    assert problems[1].startswith(
        f"{fixture_exercise}: 'Keeps the `size` most frequent words in the vocabulary' fails on "
        "the solution: AssertionError: expected 'good' and 'plot', got"
    )
