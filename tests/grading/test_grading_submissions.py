"""The grader on the fixture submissions: the stored expected rubric, criterion by criterion."""

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from mlcourse.grading.grade import format_rubric, grade
from mlcourse.grading.results import PASSED

# Long enough for the solution's tests, short enough to keep the endless loop cheap.
TIMEOUT_SECONDS = 2.0


@pytest.fixture(scope="module")
def expected(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "submissions/expected.json").read_text())["submissions"]


@pytest.fixture(scope="module")
def reports(expected, fixtures_dir, fixture_course, fixture_exercise) -> dict:
    """Every submission graded once; the runs are subprocesses, so they run side by side."""

    def grade_submission(name: str):
        notebook = fixtures_dir / expected[name]["notebook"]
        # The copies under submissions/ are not in an exercise folder: name their exercise.
        in_course = notebook.is_relative_to(fixture_course.root)
        return grade(
            notebook,
            exercise_name=None if in_course else str(fixture_exercise),
            root=None if in_course else fixture_course.root,
            timeout=TIMEOUT_SECONDS,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(expected, pool.map(grade_submission, expected), strict=True))


def observed_criteria(report) -> dict[str, str]:
    return {
        result.criterion.test: "met" if result.met else result.outcome.error_type
        for result in report.run.results
    }


@pytest.mark.parametrize(
    "submission",
    [
        "solution",
        "exercise",
        "wrong_answer",
        "syntax_error",
        "renamed_function",
        "infinite_loop",
        "deleted_cell",
        "work_in_progress",
    ],
)
def test_submission_gets_its_expected_rubric(submission, reports, expected):
    report = reports[submission]
    assert observed_criteria(report) == expected[submission]["criteria"]
    assert report.run.all_met == (submission == "solution")


def test_every_stored_submission_is_tested(expected):
    assert len(expected) == 8


def test_untouched_exercise_fails_with_each_stub_message(reports):
    messages = {result.outcome.first_line for result in reports["exercise"].run.results}
    assert messages == {
        "TODO: remove HTML tags, lower-case the text, and replace every run of characters other "
        "than letters and digits by one space",
        "TODO: keep the `size` most frequent words, ties broken alphabetically",
        "TODO: count the vocabulary words of the review; ignore all other words",
        "TODO: return the share of correct predictions (0.0 if none)",
    }


def test_rubric_reads_like_a_review(reports):
    lines = format_rubric(reports["wrong_answer"])
    criteria = [line for line in lines if line.startswith("[")]
    assert len(criteria) == 5
    assert criteria[0].startswith(
        "[NOT MET] Removes HTML tags and punctuation, and lower-cases a review — AssertionError: "
        "expected 'a great film loved it 10 10', got"
    )
    assert criteria[0].endswith(
        "  Hint: Replace <...> tags by a space first, then keep only "
        "runs of [a-z0-9] of text.lower()."
    )
    assert all(line.startswith("[MET]     ") for line in criteria[1:])
    assert lines[-1] == "Summary: 4/5 criteria met"


def test_loading_problems_are_noted(reports):
    lines = format_rubric(reports["syntax_error"])
    notes = [line for line in lines if line.startswith("Note: ")]
    assert len(notes) == 1
    assert re.match(
        r"Note: graded cell index \d+ failed: SyntaxError: '\(' was never closed", notes[0]
    )


def test_endless_loop_is_a_failed_criterion_not_a_hang(reports):
    timed_out = [r for r in reports["infinite_loop"].run.results if not r.met]
    assert [result.reason() for result in timed_out] == [
        f"GradingTimeout: timed out after {TIMEOUT_SECONDS:g} s (an endless loop?)"
    ]
    assert all(r.outcome.status == PASSED for r in reports["infinite_loop"].run.results if r.met)
