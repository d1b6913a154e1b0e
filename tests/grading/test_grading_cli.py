"""The command line: exit statuses and what each command prints."""

import json
import subprocess
import sys

from mlcourse.grading.cli import EXIT_ERROR, EXIT_FAILED, EXIT_OK, main


def test_generate_check_passes_on_the_fixture_course(fixture_course, capsys):
    assert main(["generate", "--check", "--root", str(fixture_course.root)]) == EXIT_OK
    assert "exercises match their solutions" in capsys.readouterr().out


def test_generate_check_lists_drift_and_generate_repairs_it(course_copy, fixture_exercise, capsys):
    solution = course_copy.solution_path(fixture_exercise)
    solution.write_text(solution.read_text().replace("vocabulary", "word list", 1))
    root = str(course_copy.root)
    assert main(["generate", "--check", "--root", root]) == EXIT_FAILED
    assert f"  changed: {fixture_exercise}" in capsys.readouterr().out
    assert main(["generate", "--root", root]) == EXIT_OK
    assert main(["generate", "--check", "--root", root]) == EXIT_OK


def test_generate_refuses_to_overwrite_an_edited_exercise(course_copy, fixture_exercise, capsys):
    exercise = course_copy.exercise_path(fixture_exercise)
    exercise.write_text("{}")
    root = str(course_copy.root)
    assert main(["generate", "--check", "--root", root]) == EXIT_OK
    assert main(["generate", "--check", "--strict", "--root", root]) == EXIT_FAILED
    capsys.readouterr()

    assert main(["generate", "--root", root]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert f"not overwritten, because they were edited (your work is safe):\n  {fixture_exercise}" \
        in out
    assert "--force" in out
    assert exercise.read_text() == "{}"

    assert main(["generate", "--force", "--root", root]) == EXIT_OK
    assert f"replaced {fixture_exercise}; your version is kept in " in capsys.readouterr().out
    assert main(["generate", "--check", "--strict", "--root", root]) == EXIT_OK


def test_generate_reports_marker_errors_without_a_traceback(course_copy, fixture_exercise, caplog):
    path = course_copy.solution_path(fixture_exercise)
    notebook = json.loads(path.read_text())
    notebook["cells"][4]["source"] += "\n### END SOLUTION"
    path.write_text(json.dumps(notebook))
    assert main(["generate", "--root", str(course_copy.root)]) == EXIT_ERROR
    assert f"error: solutions/{fixture_exercise}, cell index 4, line" in caplog.text


def test_validate_on_a_course_without_exercises(tmp_path, capsys):
    assert main(["validate", "--root", str(tmp_path)]) == EXIT_OK
    assert "no exercises found" in capsys.readouterr().out


def test_grade_outside_the_exercise_folders_asks_for_as(tmp_path, caplog):
    notebook = tmp_path / "copy.ipynb"
    notebook.write_text("{}")
    assert main(["grade", str(notebook)]) == EXIT_ERROR
    assert "--as" in caplog.text


def test_grade_an_exercise_without_graded_tests(fixture_course, fixture_exercise, caplog):
    notebook = fixture_course.solution_path(fixture_exercise)
    arguments = ["grade", str(notebook), "--as", "Mini-Projects/Unknown.ipynb"]
    assert main([*arguments, "--root", str(fixture_course.root)]) == EXIT_ERROR
    assert "Mini-Projects/Unknown.ipynb has no graded tests" in caplog.text


def test_grade_a_missing_notebook(tmp_path, caplog):
    assert main(["grade", str(tmp_path / "absent.ipynb")]) == EXIT_ERROR
    assert "no notebook at" in caplog.text


def test_python_dash_m_grades_and_exits_non_zero_when_criteria_are_unmet(
    fixture_course, fixture_exercise
):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlcourse.grading",
            "grade",
            str(fixture_course.root / fixture_exercise),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == EXIT_FAILED, completed.stderr
    lines = completed.stdout.splitlines()
    assert sum(line.startswith("[NOT MET] ") for line in lines) == 5
    assert lines[-1] == "Summary: 0/5 criteria met; 2 more TODO(s) to be reviewed (2 not done yet)"
    assert sum(line.startswith("[NOT DONE] ") for line in lines) == 2
