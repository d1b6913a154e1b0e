"""A learner's first hour, played end to end.

1. The learner works in an exercise, runs a tutorial and saves it, then runs the README's
   commands (grading, the tests, the maintainers' generator by mistake, clean-up, localcloud's
   commands): their edit survives every one, and none of them fails because of their work.
2. The learner runs the deploy cell of the Deploy tutorial twice: the clean-up deletes both
   endpoints and the final check, by the lesson's prefix, finds nothing left.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "notebooks"))
from harness import execute  # noqa: E402 (the notebook harness lives beside its tests)

REPO = Path(__file__).resolve().parents[1]
EXERCISE = "Mini-Projects/IMDB Sentiment Analysis - XGBoost (Batch Transform).ipynb"
TUTORIAL = "Tutorials/Boston Housing - XGBoost (Deploy) - High Level.ipynb"
MY_WORK = "# my attempt, which no command may overwrite\n"


@pytest.fixture(scope="module")
def learners_clone(tmp_path_factory) -> Path:
    """A copy of the committed course, sharing this checkout's installed .venv."""
    clone = tmp_path_factory.mktemp("clone") / "course"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, clone / name)
    (clone / ".venv").symlink_to(REPO / ".venv")
    return clone


def run(clone: Path, *command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a README command in the clone, as the learner types it (no strict mode)."""
    environ = {key: value for key, value in os.environ.items() if key != "MLCOURSE_STRICT"}
    environ.update(env or {})
    return subprocess.run(list(command), cwd=clone, env=environ, capture_output=True, text=True,
                          timeout=600)


def make(clone: Path, *arguments: str, **options) -> subprocess.CompletedProcess:
    # `-o` keeps make from reinstalling into the shared .venv.
    return run(clone, "make", "-o", ".venv/.installed", *arguments, **options)


def edit_exercise(clone: Path) -> str:
    path = clone / EXERCISE
    notebook = nbformat.read(path, as_version=4)
    first_todo = next(cell for cell in notebook.cells if "NotImplementedError" in cell.source)
    first_todo.source = MY_WORK + first_todo.source
    first_todo.execution_count = 3
    first_todo.outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    nbformat.write(notebook, path)
    return path.read_text()


def save_a_run_tutorial(clone: Path) -> None:
    path = clone / TUTORIAL
    notebook = nbformat.read(path, as_version=4)
    for count, cell in enumerate(cell for cell in notebook.cells if cell.cell_type == "code"):
        cell.execution_count = count + 1
    nbformat.write(notebook, path)


def test_a_learners_work_survives_every_readme_command(learners_clone, tmp_path):
    clone = learners_clone
    my_exercise = edit_exercise(clone)
    save_a_run_tutorial(clone)
    state = tmp_path / "state"
    localcloud = [".venv/bin/localcloud", "--state-dir", str(state)]

    graded = make(clone, "grade", f"NB={EXERCISE}")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "make: ***" not in graded.stderr
    assert "criteria met" in graded.stdout or "not met" in graded.stdout.lower(), graded.stdout

    tests = make(clone, "test", "PYTEST_ARGS=-p no:cacheprovider -q -rs "
                 "tests/grading/test_grading_course.py::test_exercises_do_not_drift_from_solutions "
                 "tests/test_lint.py tests/notebooks/test_notebooks.py::test_structure")
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert "your edited exercises are kept" in tests.stdout
    assert "was run and saved" in tests.stdout
    strict = make(clone, "check", "PYTEST_ARGS=-p no:cacheprovider -q "
                  "tests/grading/test_grading_course.py::test_exercises_do_not_drift_from_solutions")
    assert strict.returncode != 0, "maintainers' strict check must notice the edit"

    regenerate = make(clone, "exercises")
    assert "not overwritten, because they were edited" in regenerate.stdout
    generate = run(clone, ".venv/bin/python", "-m", "mlcourse.grading", "generate")
    assert generate.returncode == 1 and EXERCISE in generate.stdout

    for command in (["make", "-o", ".venv/.installed", "help"],
                    ["make", "-o", ".venv/.installed", "clean"],
                    [*localcloud, "start", "--port", "0"], [*localcloud, "status"],
                    [*localcloud, "env"], [*localcloud, "reset"], [*localcloud, "stop"],
                    ["make", "-o", ".venv/.installed", "stop", f"LAB_STATE={state}"]):
        result = run(clone, *command)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    assert (clone / EXERCISE).read_text() == my_exercise

    forced = run(clone, ".venv/bin/python", "-m", "mlcourse.grading", "generate", "--force")
    assert forced.returncode == 0
    backups = list((clone / "backups").rglob("*.ipynb"))
    assert [backup.read_text() for backup in backups] == [my_exercise]


def deploy_twice(tmp_dir: Path) -> Path:
    """The Deploy tutorial with its deploy cell run a second time, as a learner might."""
    notebook = nbformat.read(REPO / TUTORIAL, as_version=4)
    index = next(i for i, cell in enumerate(notebook.cells) if "xgb.deploy(" in cell.source)
    again = nbformat.v4.new_code_cell(notebook.cells[index].source)
    notebook.cells.insert(index + 1, again)
    path = tmp_dir / "Deploy twice.ipynb"
    nbformat.write(notebook, path)
    return path


def printed(executed: Path, prefix: str) -> list[str]:
    """The Python list a cell printed after ``prefix`` (e.g. ``Left by this lesson:``)."""
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith(prefix):
                    return json.loads(line.removeprefix(prefix).strip().replace("'", '"'))
    raise AssertionError(f"no line starting with {prefix!r}")


def test_deploying_twice_leaves_nothing_after_teardown(cloud, no_leaks):
    build = REPO / "build" / "learner"
    build.mkdir(parents=True, exist_ok=True)
    notebook = deploy_twice(build).relative_to(REPO)
    result = execute(notebook, cloud.environ(), parameters={"NUM_ROUND": 30})
    assert result.returncode == 0, result.log[-4000:]
    earlier = printed(result.output, "Also deleted, from earlier runs:")
    assert any(item.startswith("endpoint ") for item in earlier), earlier
    assert printed(result.output, "Left by this lesson:") == []


def test_a_missing_python_says_what_to_install(tmp_path):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, tmp_path / name)
    result = run(tmp_path, "make", "setup", "PYTHON=python3.99")
    assert result.returncode == 2
    assert "'python3.99' was not found. The course needs Python 3.11" in result.stdout
    assert "make setup PYTHON=python3.12" in result.stdout
    assert not (tmp_path / ".venv").exists()
