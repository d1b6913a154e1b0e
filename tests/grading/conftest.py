"""Shared fixtures of the grader's self-tests: the fixture course and small notebooks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from mlcourse.grading.layout import CourseLayout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "grading"


@pytest.fixture(scope="session")
def fixture_course() -> CourseLayout:
    """The committed fixture course (read-only: copy it with ``course_copy`` to change it)."""
    return CourseLayout(FIXTURES / "course")


@pytest.fixture(scope="session")
def fixture_exercise() -> PurePosixPath:
    return PurePosixPath("Case-Studies/Review Scoring/Word Counts.ipynb")


@pytest.fixture
def course_copy(tmp_path: Path, fixture_course: CourseLayout) -> CourseLayout:
    """A private copy of the fixture course that a test may change."""
    destination = tmp_path / "course"
    shutil.copytree(fixture_course.root, destination)
    return CourseLayout(destination)


@pytest.fixture
def write_notebook(tmp_path: Path) -> Callable[..., Path]:
    """Write a minimal notebook from ``(cell_type, source, tags)`` triples; return its path."""

    def write(cells: list[tuple[str, str, list[str]]], name: str = "notebook.ipynb") -> Path:
        notebook = {
            "cells": [
                {
                    "cell_type": cell_type,
                    "metadata": {"tags": tags},
                    "source": source,
                    **({"outputs": [], "execution_count": None} if cell_type == "code" else {}),
                }
                for cell_type, source, tags in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 4,
        }
        path = tmp_path / name
        path.write_text(json.dumps(notebook), encoding="utf-8")
        return path

    return write
