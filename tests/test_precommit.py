"""The maintainers' git hooks (.pre-commit-config.yaml) in a real commit, offline.

A scratch repository gets the project's hook configuration and .venv; committing a tutorial
saved with outputs is stopped and the notebook stripped, keeping what the course relies on (cell
ids, tags, golden outputs); a learner's exercise is committed as it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)
OUTPUT = nbformat.v4.new_output("stream", name="stdout", text="trained\n")


def notebook_with_outputs() -> nbformat.NotebookNode:
    """A run and saved notebook: outputs, counts and editor metadata everywhere."""
    cells = [
        nbformat.v4.new_code_cell("N = 1", id="parameters", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print('trained')", id="train", execution_count=2,
                                  outputs=[OUTPUT],
                                  metadata={"ExecuteTime": {"end_time": "2026"}, "scrolled": True}),
        nbformat.v4.new_code_cell("print('trained')", id="golden", execution_count=3,
                                  outputs=[OUTPUT],
                                  metadata={"tags": ["nbval-check-output", "keep_output"]}),
    ]
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})


def git(repository: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *arguments], cwd=repository, capture_output=True, text=True,
                          check=check, env=os.environ | {"PRE_COMMIT_HOME": str(
                              repository.parent / "pre-commit-home")})


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository with the project's hooks installed and its .venv linked in."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repository = tmp_path / "course"
    repository.mkdir()
    git(repository, "init", "-q")
    git(repository, "config", "user.email", "maintainer@example.com")
    git(repository, "config", "user.name", "Maintainer")
    shutil.copy(REPO / ".pre-commit-config.yaml", repository)
    (repository / ".venv").symlink_to(VENV, target_is_directory=True)
    (repository / ".gitignore").write_text(".venv\n")
    subprocess.run([VENV / "bin" / "pre-commit", "install"], cwd=repository, check=True,
                   capture_output=True, env=os.environ | {"PRE_COMMIT_HOME": str(
                       tmp_path / "pre-commit-home")})
    return repository


def test_a_commit_strips_a_tutorials_outputs_and_leaves_a_learners_notebook_alone(repository):
    tutorial = repository / "Tutorials" / "Lesson.ipynb"
    exercise = repository / "Mini-Projects" / "Mine.ipynb"
    for notebook in (tutorial, exercise):
        notebook.parent.mkdir()
        nbformat.write(notebook_with_outputs(), notebook)
    learners_work = exercise.read_text()
    git(repository, "add", "-A")

    refused = git(repository, "commit", "-q", "-m", "lesson", check=False)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "files were modified by this hook" in refused.stdout + refused.stderr

    stripped = nbformat.read(tutorial, as_version=4)
    parameters, train, golden = stripped.cells
    assert [cell.id for cell in stripped.cells] == ["parameters", "train", "golden"]
    assert train.outputs == [] and train.execution_count is None and train.metadata == {}
    assert golden.outputs[0].text == "trained\n"
    assert golden.metadata.tags == ["nbval-check-output", "keep_output"]
    assert parameters.metadata.tags == ["parameters"]
    assert exercise.read_text() == learners_work

    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "lesson")
    assert git(repository, "show", "HEAD:Tutorials/Lesson.ipynb").stdout == tutorial.read_text()
    assert git(repository, "show", "HEAD:Mini-Projects/Mine.ipynb").stdout == learners_work
