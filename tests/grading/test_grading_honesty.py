"""Honest grading: hints guide without quoting the solution, graded tests check what the TODO
asks (a near-miss is not met), and TODOs no test can check are listed for review."""

from pathlib import Path, PurePosixPath

from mlcourse.grading.grade import format_rubric, grade
from mlcourse.grading.hints import gives_away, solution_only_runs
from mlcourse.grading.layout import CourseLayout

REPO = Path(__file__).resolve().parents[2]
BATCH = PurePosixPath("Mini-Projects/IMDB Sentiment Analysis - XGBoost (Batch Transform).ipynb")

SOLUTION = b"def accuracy(p, y):\n    return float(np.mean((np.asarray(p) > 0.5) == y))\n"
EXERCISE = b"def accuracy(p, y):\n    raise NotImplementedError('TODO: the share of hits')\n"


def test_a_hint_quoting_the_solution_gives_the_answer_away():
    secret = solution_only_runs([("a.py", SOLUTION)], [("a.py", EXERCISE)])
    assert gives_away("np.mean((np.asarray(p) > 0.5) == y)", secret)
    assert gives_away("Use np.mean ( ( np.asarray ( p ) > 0.5 ) with single 'quotes'", secret)
    assert gives_away("Threshold at one half, compare with the labels, average.", secret) is None
    # Quoting the exercise's own code (the signature, given names) is fine.
    assert gives_away("def accuracy(p, y): returns a share", secret) is None


def test_a_near_miss_is_not_met_and_ungraded_todos_are_listed(tmp_path):
    solution = (REPO / "solutions" / BATCH).read_text()
    glued = solution.replace('HTML_TAG.sub(\\" \\", review)', 'HTML_TAG.sub(\\"\\", review)')
    assert glued != solution, "the solution's tag replacement changed: update this test"
    attempt = tmp_path / "attempt.ipynb"
    attempt.write_text(glued)

    report = grade(attempt, exercise_name=str(BATCH), root=REPO)
    lines = format_rubric(report)
    cleaning = next(line for line in lines if "Cleans a review" in line)
    assert cleaning.startswith("[NOT MET]") and "must become a space" in cleaning
    assert "HTML_TAG.sub" not in cleaning, "the hint must not quote the solution"
    # The solution has done its ungraded TODOs, so they await review rather than "not done".
    reviewed = [line for line in lines if line.startswith("[TO REVIEW]")]
    assert reviewed and len(reviewed) == len(report.ungraded)
    assert lines[-1].endswith(f"{len(reviewed)} more TODO(s) to be reviewed")



PROJECT = PurePosixPath("Mini-Projects/SageMaker Project.ipynb")


def test_written_answers_are_quoted_for_the_reviewer(tmp_path):
    """A written answer the learner gave is listed "to review" with their text; one left as the
    stub is "not done" (the rubric never skips a written line silently)."""
    from mlcourse.grading.grade import GradeReport, _ungraded_todos
    from mlcourse.grading.runner import GradingRun

    exercise = (REPO / PROJECT).read_text()
    stub = "**Answer:** _TODO: say what review_to_words does to a review, and why each step helps._"
    assert stub in exercise, "the project's first written answer changed: update this test"
    attempt = tmp_path / "attempt.ipynb"
    attempt.write_text(exercise.replace(stub, "**Answer:** It strips tags,\\nthen stems words."))

    ungraded = _ungraded_todos(CourseLayout(REPO), PROJECT, attempt)
    answered = [todo for todo in ungraded if todo.done]
    assert [todo.answer for todo in answered] == ["It strips tags,\nthen stems words."]
    assert sum(not todo.done for todo in ungraded) == len(ungraded) - 1

    lines = format_rubric(GradeReport(attempt, PROJECT, Path("t.py"), GradingRun([], [], ""),
                                      ungraded))
    index = lines.index(f"[TO REVIEW] {answered[0].message}")
    assert lines[index + 1:index + 3] == ["    > It strips tags,", "    > then stems words."]
