"""The in-notebook check: markers become check cells, validate proves them two-sided, and a check
cell run in a real kernel prints NOT MET on the exercise and MET on the solution."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from mlcourse.grading.generate import CHECK_TAG, generate_file
from mlcourse.grading.markers import Location, MarkerError, SourceKind, to_exercise
from mlcourse.grading.validate import validate_course

CELL = Location("solutions/Mini-Projects/X.ipynb", cell=3)
SOLVED_CLEAN_REVIEW = '''def clean_review(text):
    text = re.sub(r"<[^>]*>", " ", text)
    return " ".join(WORD.findall(text.lower()))'''


def test_check_marker_is_removed_and_recorded():
    source = "def f():\n    # TODO: return 1\n    ### BEGIN SOLUTION\n    return 1\n    ### END " \
             "SOLUTION\n\n### CHECK f_returns one"
    transformed = to_exercise(source, SourceKind.CODE, CELL)
    assert transformed.text.endswith('raise NotImplementedError("TODO: return 1")')
    assert [check.call for check in transformed.checks] == ['check("f_returns", "one")']


@pytest.mark.parametrize("text, problem", [
    ("## CHECK f", "malformed check marker"),
    ("### check f", "malformed check marker"),
    ("### CHECK", "malformed check marker"),
    ("def f():\n    ### CHECK f", "malformed check marker"),
    ("# TODO: x\n### BEGIN SOLUTION\n### CHECK f\n### END SOLUTION", "inside the SOLUTION"),
])
def test_misplaced_or_misspelt_check_markers_are_errors(text, problem):
    with pytest.raises(MarkerError, match=problem):
        to_exercise(text, SourceKind.CODE, CELL)


def test_check_markers_belong_in_code_cells():
    with pytest.raises(MarkerError, match="code cell"):
        to_exercise("### CHECK f", SourceKind.MARKDOWN, CELL)
    with pytest.raises(MarkerError, match="code cell"):
        to_exercise("### CHECK f", SourceKind.CODE, Location("source/train.py"))


def test_each_marked_cell_is_followed_by_its_check_cell(fixture_course, fixture_exercise):
    cells = json.loads(generate_file(fixture_course, fixture_exercise).content)["cells"]
    for cell in cells:
        cell["source"] = "".join(cell["source"])
    checks = [(index, cell) for index, cell in enumerate(cells)
              if CHECK_TAG in cell["metadata"].get("tags", [])]
    assert [cell["source"].splitlines()[-1] for _, cell in checks] == [
        'check("clean_review")', 'check("vocabulary")', 'check("encode")', 'check("script")']
    for index, cell in checks:
        assert cell["source"].startswith("from mlcourse.grading import check\n")
        assert "### CHECK" not in cells[index - 1]["source"]


def test_validate_requires_matching_two_sided_checks_after_graded_todos(course_copy):
    solution = course_copy.root / "solutions/Case-Studies/Review Scoring/Word Counts.ipynb"
    notebook = json.loads(solution.read_text())
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        # No check after encode's TODO; the vocabulary check names no test; clean_review's check
        # also runs the test of encode, a later TODO; the script's check also runs clean_review's
        # test, which is fine (its TODO comes before).
        source = source.replace("\n### CHECK encode", "").replace("CHECK vocabulary",
                                                                  "CHECK vocabulry")
        source = source.replace("CHECK clean_review", "CHECK clean_review encode")
        cell["source"] = source.replace("CHECK script", "CHECK script clean_review")
    solution.write_text(json.dumps(notebook))

    problems = validate_course(course_copy, timeout=5).problems
    assert any("check(\"vocabulry\") matches no graded test" in p for p in problems), problems
    assert any("'TODO: count the vocabulary words of the review; ignore all other words' has no "
               "check cell" in p for p in problems), problems
    assert any("check(\"clean_review\", \"encode\"): 'Encodes a review as counts of vocabulary "
               "words, ignoring other words' belongs to a later TODO (TODO: count the vocabulary "
               "words" in p
               for p in problems), problems
    assert len(problems) == 3, problems


def run_in_kernel(cells: list[str], cwd, env: dict[str, str]) -> list[str]:
    """Execute ``cells`` in a real kernel started in ``cwd``; return each cell's text output."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in cells])
    NotebookClient(notebook, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(cwd)}}).execute(env=env)
    return ["".join(output.get("text", "") for output in cell.outputs) for cell in notebook.cells]


def graded_and_check_cells(path) -> tuple[list[str], str]:
    """The notebook's graded cells and the source of its first check cell."""
    cells = json.loads(path.read_text())["cells"]
    graded = ["".join(cell["source"]) for cell in cells
              if "graded" in cell["metadata"].get("tags", [])]
    return graded, 'from mlcourse.grading import check\n\ncheck("clean_review")'


def test_check_cell_in_a_kernel_not_met_on_the_exercise_met_on_the_solution(course_copy):
    exercise = course_copy.root / "Case-Studies/Review Scoring/Word Counts.ipynb"
    graded, check_cell = graded_and_check_cells(exercise)
    assert any(check_cell in "".join(cell["source"])
               for cell in json.loads(exercise.read_text())["cells"])
    # Jupyter tells the kernel its notebook in JPY_SESSION_NAME. After the NOT MET, the learner
    # fixes clean_review in the kernel without saving: the next check sees the new definition.
    outputs = run_in_kernel([*graded, check_cell, "import re\n" + SOLVED_CLEAN_REVIEW, check_cell],
                            exercise.parent, {**os.environ, "JPY_SESSION_NAME": str(exercise)})
    not_met, met = outputs[len(graded)], outputs[-1]
    assert "[NOT MET] Removes HTML tags and punctuation, and lower-cases a review — " \
           "NotImplementedError: TODO: remove HTML tags" in not_met
    assert not_met.rstrip().endswith("NOT MET: 0/1 criteria of this part met")
    assert "[MET]     Removes HTML tags" in met
    assert "MET: 1/1 criteria of this part met (checked your current clean_review" in met

    # The solution, in a kernel with no session name: found as the folder's only notebook.
    solution = course_copy.solution_path(exercise.relative_to(course_copy.root))
    graded, _ = graded_and_check_cells(solution)
    environ = {key: value for key, value in os.environ.items() if key != "JPY_SESSION_NAME"}
    on_solution = run_in_kernel([*graded, check_cell], solution.parent, environ)[-1]
    assert on_solution.splitlines() == [
        "[MET]     Removes HTML tags and punctuation, and lower-cases a review",
        "MET: 1/1 criteria of this part met"]
