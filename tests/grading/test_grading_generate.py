"""Exercise generation: deterministic, normalised, and a drift check that sees every difference."""

import json
from pathlib import PurePosixPath

import pytest

from mlcourse.grading.generate import (
    BANNER_CELL_ID,
    KERNELSPEC,
    build_exercise_tree,
    check_drift,
    generate_file,
    generated_from,
    write_exercises,
)
from mlcourse.grading.markers import MarkerError

SCRIPT = PurePosixPath("Case-Studies/Review Scoring/source/train.py")


def generated_notebook(layout, exercise) -> dict:
    return json.loads(generate_file(layout, exercise).content)


def test_generation_is_byte_for_byte_repeatable(fixture_course):
    first, second = build_exercise_tree(fixture_course), build_exercise_tree(fixture_course)
    assert [file.content for file in first] == [file.content for file in second]
    assert all(file.content.endswith(b"}\n") for file in first if file.exercise.suffix == ".ipynb")


def test_committed_fixture_exercises_match_the_generator(fixture_course):
    report = check_drift(fixture_course)
    assert report.clean, report.describe()


def test_notebook_gets_a_banner_naming_its_solution(fixture_course, fixture_exercise):
    banner = generated_notebook(fixture_course, fixture_exercise)["cells"][0]
    assert banner["id"] == BANNER_CELL_ID
    assert banner["cell_type"] == "markdown"
    text = "".join(banner["source"])
    assert f"`solutions/{fixture_exercise}`" in text
    assert f'make grade NB="{fixture_exercise}"' in text


def test_notebook_is_normalised(course_copy, fixture_exercise):
    # Dirty the solution as an editor would: outputs, counts, widget state, a stray id.
    solution_path = course_copy.solution_path(fixture_exercise)
    solution = json.loads(solution_path.read_text())
    solution["metadata"]["widgets"] = {"state": {}}
    code = next(cell for cell in solution["cells"] if cell["cell_type"] == "code")
    code.update(
        execution_count=5, outputs=[{"output_type": "stream", "name": "stdout", "text": "x"}]
    )
    code["metadata"].update(collapsed=True, ExecuteTime={"end_time": "2024"})
    solution_path.write_text(json.dumps(solution))

    notebook = generated_notebook(course_copy, fixture_exercise)
    assert notebook["metadata"] == {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    assert (notebook["nbformat"], notebook["nbformat_minor"]) == (4, 5)
    for cell in notebook["cells"]:
        assert set(cell["metadata"]) <= {"tags"}
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    ids = [cell["id"] for cell in notebook["cells"]]
    assert len(ids) == len(set(ids))
    # The solution's cells keep their ids; check cells get "check-<index of the cell above>".
    assert [i for i in ids[1:] if not i.startswith("check-")] == [
        cell["id"] for cell in solution["cells"]]


def test_notebook_keeps_tags_and_replaces_solutions(fixture_course, fixture_exercise):
    cells = generated_notebook(fixture_course, fixture_exercise)["cells"]
    by_id = {cell["id"]: cell for cell in cells}
    assert by_id["imports"]["metadata"] == {"tags": ["graded"]}
    assert by_id["parameters"]["metadata"] == {"tags": ["parameters"]}
    encode = "".join(by_id["encode"]["source"])
    assert 'raise NotImplementedError("TODO: count the vocabulary words' in encode
    assert "vector" not in encode
    assert "### " not in "".join("".join(cell["source"]) for cell in cells)


def test_graded_and_other_todos_are_told_apart(fixture_course, fixture_exercise):
    generated = generate_file(fixture_course, fixture_exercise)
    assert [todo.location.cell for todo in generated.graded_todos] == [4, 6, 7]
    assert [todo.location.cell for todo in generated.other_todos] == [8, 10]
    assert generate_file(fixture_course, SCRIPT).graded_todos[0].location.cell is None


def test_script_gets_a_header_after_its_shebang(course_copy):
    solution = course_copy.solution_path(SCRIPT)
    solution.write_text("#!/usr/bin/env python\n" + solution.read_text())
    lines = generate_file(course_copy, SCRIPT).content.decode().splitlines()
    assert lines[0] == "#!/usr/bin/env python"
    assert lines[1] == f"# GENERATED from solutions/{SCRIPT}"
    assert 'raise NotImplementedError("TODO: return the share' in "\n".join(lines)


def test_other_files_are_copied_verbatim(course_copy):
    data = bytes(range(256))
    (course_copy.solutions / "Case-Studies/Review Scoring/source/weights.bin").write_bytes(data)
    tree = {file.exercise: file.content for file in build_exercise_tree(course_copy)}
    assert tree[PurePosixPath("Case-Studies/Review Scoring/source/weights.bin")] == data


def test_drift_check_reports_changed_missing_and_stale_files(course_copy, fixture_exercise):
    solution = course_copy.solution_path(fixture_exercise)
    old = course_copy.solution_path(PurePosixPath("Case-Studies/Review Scoring/Old.ipynb"))
    old.write_bytes(solution.read_bytes())
    write_exercises(course_copy)  # Old.ipynb generated and recorded, then its solution goes
    old.unlink()
    solution.write_text(solution.read_text().replace("vocabulary", "word list", 1))
    course_copy.exercise_path(SCRIPT).unlink()
    learners_file = course_copy.root / "Case-Studies/Review Scoring/my_notes.py"
    learners_file.write_text("print('mine')\n")
    learners_copy = course_copy.root / "Case-Studies/Review Scoring/Word Counts-Copy1.ipynb"
    learners_copy.write_bytes(generate_file(course_copy, fixture_exercise).content)

    report = check_drift(course_copy)
    assert report.describe() == [
        f"missing: {SCRIPT}",
        f"changed: {fixture_exercise}",
        "stale: Case-Studies/Review Scoring/Old.ipynb",
        "out of date: solutions/exercises.sha256",
    ]
    assert not report.in_step

    result = write_exercises(course_copy)
    assert not result.drift.clean and not result.refused
    assert check_drift(course_copy).clean
    assert not course_copy.exercise_path(PurePosixPath("Case-Studies/Review Scoring/Old.ipynb")
                                         ).exists()
    assert learners_file.exists(), "a file the generator did not write is never removed"
    assert learners_copy.exists(), "nor a copy of an exercise whose solution still exists"


def test_a_learners_edits_are_never_overwritten(course_copy, fixture_exercise):
    exercise = course_copy.exercise_path(fixture_exercise)
    my_work = exercise.read_text().replace("raise NotImplementedError", "return []  # mine", 1)
    exercise.write_text(my_work)

    report = check_drift(course_copy)
    assert report.edited == [fixture_exercise]
    assert report.in_step and not report.clean, "edits are a learner's work, not drift"

    result = write_exercises(course_copy)
    assert result.refused == [fixture_exercise]
    assert exercise.read_text() == my_work

    forced = write_exercises(course_copy, force=True)
    backup = forced.backed_up[fixture_exercise]
    assert backup.read_text() == my_work
    assert backup.relative_to(course_copy.root).parts[0] == "backups"
    assert backup.relative_to(course_copy.backups).parts[1:] == fixture_exercise.parts
    assert check_drift(course_copy).clean


def test_an_edited_exercise_whose_solution_is_gone_is_kept(course_copy, fixture_exercise):
    solution = course_copy.solution_path(fixture_exercise)
    old = PurePosixPath("Case-Studies/Review Scoring/Old.ipynb")
    course_copy.solution_path(old).write_bytes(solution.read_bytes())
    write_exercises(course_copy)
    course_copy.solution_path(old).unlink()
    edited = course_copy.exercise_path(old)
    my_work = edited.read_text().replace("raise NotImplementedError", "return []  # mine", 1)
    edited.write_text(my_work)

    assert write_exercises(course_copy).refused == [old]
    assert edited.read_text() == my_work


def test_writing_is_all_or_nothing_on_marker_errors(course_copy, fixture_exercise):
    course_copy.exercise_path(fixture_exercise).unlink()
    solution = course_copy.solution_path(SCRIPT)
    solution.write_text(solution.read_text().replace("### END SOLUTION", "", 1))
    with pytest.raises(MarkerError, match=rf"^solutions/{SCRIPT}, line \d+: .*must not nest"):
        write_exercises(course_copy)
    assert not course_copy.exercise_path(fixture_exercise).exists()


def test_notebook_marker_error_names_the_cell(course_copy, fixture_exercise):
    path = course_copy.solution_path(fixture_exercise)
    notebook = json.loads(path.read_text())
    notebook["cells"][7]["source"] = "# TODO: x\n### BEGIN SOLUTION\n### BEGIN SOLUTION"
    path.write_text(json.dumps(notebook))
    with pytest.raises(MarkerError) as raised:
        build_exercise_tree(course_copy)
    assert str(raised.value).startswith(f"solutions/{fixture_exercise}, cell index 7, line 3: ")


def test_generated_files_name_their_solution(fixture_course, fixture_exercise, tmp_path):
    for exercise in (fixture_exercise, SCRIPT):
        assert generated_from(fixture_course.exercise_path(exercise)) == PurePosixPath(
            f"solutions/{exercise}"
        )
        assert generated_from(fixture_course.solution_path(exercise)) is None
    broken = tmp_path / "broken.ipynb"
    broken.write_text("not json")
    assert generated_from(broken) is None
