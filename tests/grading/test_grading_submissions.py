"""The grader on the fixture submissions: the stored expected rubric, criterion by criterion.

The fixture course's solution and exercise are graded where they are. Every other submission is
built in a temporary folder from a copy of the solution's exercise folder (what a learner who
finished the exercise hands in; the marker comments left in it are inert) with the one
deliberate change listed in ``CHANGES``. Only ``work_in_progress`` is committed whole
(submissions/work_in_progress.ipynb): it differs from the solution in too many ways for an edit
to say. The grades each submission must get are in submissions/expected.json.
"""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlcourse.grading.grade import format_rubric, grade
from mlcourse.grading.results import PASSED

SUBMISSIONS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "grading" / "submissions"
# Long enough for the solution's tests, short enough to keep the endless loop cheap.
TIMEOUT_SECONDS = 2.0


def _replaced(text: str, old: str, new: str, where: str) -> str:
    # Exactly once: an edit that no longer matches the solution must fail loudly, not build a
    # submission that is silently the solution.
    assert text.count(old) == 1, f"expected {old!r} once in {where}"
    return text.replace(old, new)


def _cell(notebook: dict, cell_id: str) -> dict:
    cells = [cell for cell in notebook["cells"] if cell.get("id") == cell_id]
    assert len(cells) == 1, f"expected one cell with id {cell_id!r}"
    return cells[0]


def _read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write_notebook(path: Path, notebook: dict) -> None:
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


@dataclass(frozen=True)
class EditCell:
    """Replace ``old`` by ``new`` in the source of the notebook cell whose id is ``cell``."""

    cell: str
    old: str
    new: str

    def apply(self, notebook: Path) -> None:
        content = _read_notebook(notebook)
        cell = _cell(content, self.cell)
        cell["source"] = _replaced("".join(cell["source"]), self.old, self.new,
                                   f"cell {self.cell}")
        _write_notebook(notebook, content)


@dataclass(frozen=True)
class DeleteCell:
    """Delete the notebook cell whose id is ``cell``."""

    cell: str

    def apply(self, notebook: Path) -> None:
        content = _read_notebook(notebook)
        content["cells"].remove(_cell(content, self.cell))
        _write_notebook(notebook, content)


@dataclass(frozen=True)
class EditScript:
    """Replace ``old`` by ``new`` in ``script``, a path relative to the notebook's folder."""

    script: str
    old: str
    new: str

    def apply(self, notebook: Path) -> None:
        path = notebook.parent / self.script
        path.write_text(_replaced(path.read_text(encoding="utf-8"), self.old, self.new,
                                  self.script), encoding="utf-8")


@dataclass(frozen=True)
class CommittedNotebook:
    """Replace the notebook by the committed one named ``name`` under submissions/."""

    name: str

    def apply(self, notebook: Path) -> None:
        shutil.copyfile(SUBMISSIONS_DIR / self.name, notebook)


Change = EditCell | DeleteCell | EditScript | CommittedNotebook

#: Each submission's one deliberate change to the fixture solution.
CHANGES: dict[str, Change] = {
    # clean_review forgets to lower-case the text: its criterion fails an assertion.
    "wrong_answer": EditCell("clean-review", "WORD.findall(text.lower())", "WORD.findall(text)"),
    # A parenthesis left open: the cell does not compile, so clean_review is not defined.
    "syntax_error": EditCell("clean-review", '" ", text)', '" ", text'),
    # build_vocabulary defined under another name: the tests cannot find what they call.
    "renamed_function": EditCell("build-vocabulary", "def build_vocabulary",
                                 "def make_vocabulary"),
    # The training script's accuracy never moves its index: its test must time out.
    "infinite_loop": EditScript(
        "source/train.py",
        "correct = sum(prediction == label for prediction, label in pairs)",
        "correct = index = 0\n"
        "    while index < len(labels):\n"
        "        correct += predictions[index] == labels[index]",
    ),
    # The cell defining encode was deleted.
    "deleted_cell": DeleteCell("encode"),
    # Cells moved (imports after their first use), notes and a scratch cell with its output
    # added, a magic in a graded cell, and encode still the stub.
    "work_in_progress": CommittedNotebook("work_in_progress.ipynb"),
}
SUBMISSIONS = ["solution", "exercise", *CHANGES]


def build_submission(solution: Path, change: Change, folder: Path) -> Path:
    """Copy the solution notebook's folder to ``folder``, apply ``change``; return the notebook."""
    shutil.copytree(solution.parent, folder)
    notebook = folder / solution.name
    change.apply(notebook)
    return notebook


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SUBMISSIONS_DIR / "expected.json").read_text())["submissions"]


@pytest.fixture(scope="module")
def reports(fixture_course, fixture_exercise, tmp_path_factory) -> dict:
    """Every submission graded once; the runs are subprocesses, so they run side by side."""
    solution = fixture_course.solution_path(fixture_exercise)
    built = tmp_path_factory.mktemp("submissions")
    notebooks = {"solution": solution, "exercise": fixture_course.exercise_path(fixture_exercise)}
    notebooks |= {name: build_submission(solution, change, built / name)
                  for name, change in CHANGES.items()}

    def grade_submission(name: str):
        notebook = notebooks[name]
        # Built submissions are not in an exercise folder: name their exercise.
        in_course = notebook.is_relative_to(fixture_course.root)
        return grade(
            notebook,
            exercise_name=None if in_course else str(fixture_exercise),
            root=None if in_course else fixture_course.root,
            timeout=TIMEOUT_SECONDS,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(notebooks, pool.map(grade_submission, notebooks), strict=True))


def observed_criteria(report) -> dict[str, str]:
    return {
        result.criterion.test: "met" if result.met else result.outcome.error_type
        for result in report.run.results
    }


@pytest.mark.parametrize("submission", SUBMISSIONS)
def test_submission_gets_its_expected_rubric(submission, reports, expected):
    report = reports[submission]
    assert observed_criteria(report) == expected[submission]["criteria"]
    assert report.run.all_met == (submission == "solution")


def test_every_stored_submission_is_tested(expected):
    assert len(expected) == 8
    assert sorted(expected) == sorted(SUBMISSIONS)


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
    criteria = [line for line in lines if line.startswith(("[MET]", "[NOT MET]"))]
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
    assert lines[-1].startswith("Summary: 4/5 criteria met; 2 more TODO(s) to be reviewed")


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
