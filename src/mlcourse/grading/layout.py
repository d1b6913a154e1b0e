"""Where exercises, solutions and graded tests live, and how they map onto each other.

The course root holds::

    solutions/Mini-Projects/<Name>.ipynb            the single source of each exercise
    solutions/Case-Studies/<Study>/<Name>.ipynb     (with scripts, e.g. <Study>/source/train.py)
    Mini-Projects/..., Case-Studies/...             generated mirrors of solutions/
    tests/graded/test_<slug>.py                     graded tests of one exercise notebook

An exercise is named by its path relative to the root of the exercise tree, e.g.
``Case-Studies/Plagiarism Detection/2_Feature_Engineering.ipynb``; the same relative path under
``solutions/`` is its solution. Its graded tests are ``tests/graded/test_<slug>.py``, where the
slug is the path below ``Mini-Projects/`` or ``Case-Studies/`` without the suffix, lower-cased,
with every run of other characters turned into one underscore:
``plagiarism_detection_2_feature_engineering``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

EXERCISE_ROOTS = ("Mini-Projects", "Case-Studies")
SOLUTIONS_DIR = "solutions"
GRADED_TESTS_DIR = PurePosixPath("tests/graded")
NOTEBOOK_SUFFIX = ".ipynb"
SCRIPT_SUFFIX = ".py"
TEST_MODULE_PREFIX = "test_"
# Code cells with this tag hold what graded tests call: the functions and the imports they need.
GRADED_TAG = "graded"
#: Under ``solutions/``: the SHA-256 of every file the generator writes (``sha256sum`` format),
#: committed with the exercises. It tells a learner's edit from a file the generator wrote.
MANIFEST_NAME = "exercises.sha256"
#: Where ``generate --force`` keeps the versions it replaces (one dated folder per run).
BACKUPS_DIR = "backups"


class CourseError(Exception):
    """Base of the errors that mean course files or command arguments are wrong, not the code.

    The command line reports them in one line instead of a traceback.
    """


class UnknownExerciseError(CourseError, LookupError):
    """A path that cannot be matched to an exercise of the course."""


def slug(exercise: PurePosixPath) -> str:
    """Return the graded-test slug of an exercise path such as ``Mini-Projects/X (Y).ipynb``."""
    inner = PurePosixPath(*exercise.parts[1:]).with_suffix("")
    ascii_text = unicodedata.normalize("NFKD", str(inner)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


#: Folders a run of a notebook leaves beside it (local copies of data and results; gitignored).
RUN_OUTPUT_DIRS = frozenset({"__pycache__", "work"})


def _is_ignored(relative: PurePosixPath) -> bool:
    """Editor and interpreter droppings (checkpoints, caches, dot-files) and the ``work/``
    folders notebooks write their local files to are never part of an exercise."""
    return any(part.startswith(".") or part in RUN_OUTPUT_DIRS for part in relative.parts)


@dataclass(frozen=True)
class CourseLayout:
    """The directories of one course tree (the repository, or a fixture course in the tests)."""

    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / SOLUTIONS_DIR

    @property
    def graded_tests(self) -> Path:
        return self.root / GRADED_TESTS_DIR

    @property
    def manifest(self) -> Path:
        return self.solutions / MANIFEST_NAME

    @property
    def backups(self) -> Path:
        return self.root / BACKUPS_DIR

    def solution_path(self, exercise: PurePosixPath) -> Path:
        return self.solutions / exercise

    def exercise_path(self, exercise: PurePosixPath) -> Path:
        return self.root / exercise

    def solution_files(self) -> list[PurePosixPath]:
        """Every file under ``solutions/<exercise root>/``, as sorted exercise-relative paths."""
        return sorted(self._files_under(self.solutions))

    def solution_notebooks(self) -> list[PurePosixPath]:
        """The exercises: every solution notebook."""
        return [path for path in self.solution_files() if path.suffix == NOTEBOOK_SUFFIX]

    def exercise_files(self) -> list[PurePosixPath]:
        """Every file currently under the exercise roots (generated or not)."""
        return sorted(self._files_under(self.root))

    def graded_test_module(self, exercise: PurePosixPath) -> Path:
        """The graded tests of an exercise notebook (which may not exist)."""
        return self.graded_tests / f"{TEST_MODULE_PREFIX}{slug(exercise)}{SCRIPT_SUFFIX}"

    def graded_test_modules(self) -> list[Path]:
        if not self.graded_tests.is_dir():
            return []
        return sorted(self.graded_tests.glob(f"{TEST_MODULE_PREFIX}*{SCRIPT_SUFFIX}"))

    def exercises_by_slug(self) -> dict[str, PurePosixPath]:
        """Every exercise notebook keyed by its slug, from one scan of ``solutions/``."""
        by_slug: dict[str, PurePosixPath] = {}
        for exercise in self.solution_notebooks():
            # Should two notebooks share a slug, the first in sorted order keeps it.
            by_slug.setdefault(slug(exercise), exercise)
        return by_slug

    def exercise_for_test_module(
        self, module: Path, by_slug: Mapping[str, PurePosixPath] | None = None
    ) -> PurePosixPath:
        """Invert the naming rule: the exercise whose graded tests are ``module``.

        Pass ``by_slug`` (from :meth:`exercises_by_slug`) when looking up many modules, so that
        ``solutions/`` is scanned once rather than once per module.
        """
        if by_slug is None:
            by_slug = self.exercises_by_slug()
        exercise = by_slug.get(module.stem.removeprefix(TEST_MODULE_PREFIX))
        if exercise is None:
            raise UnknownExerciseError(
                f"{module.name} matches no solution notebook under {self.solutions} "
                f"(graded tests are named test_<slug>.py after their exercise)"
            )
        return exercise

    def _files_under(self, base: Path) -> Iterator[PurePosixPath]:
        for root_name in EXERCISE_ROOTS:
            for path in (base / root_name).rglob("*"):
                relative = PurePosixPath(path.relative_to(base).as_posix())
                if path.is_file() and not _is_ignored(relative):
                    yield relative


def locate_exercise(path: Path) -> tuple[CourseLayout, PurePosixPath]:
    """Find the course and exercise a notebook belongs to from where it sits.

    ``<root>/Case-Studies/S/N.ipynb`` and ``<root>/solutions/Case-Studies/S/N.ipynb`` both name
    exercise ``Case-Studies/S/N.ipynb`` of the course at ``<root>``.
    """
    absolute = path.resolve()
    for ancestor in absolute.parents:
        if ancestor.name in EXERCISE_ROOTS:
            base = ancestor.parent
            exercise = PurePosixPath(absolute.relative_to(base).as_posix())
            root = base.parent if base.name == SOLUTIONS_DIR else base
            return CourseLayout(root), exercise
    raise UnknownExerciseError(
        f"{path} is not inside a Mini-Projects/ or Case-Studies/ folder, so its exercise is "
        f"unknown; name it with --as (e.g. --as 'Mini-Projects/<notebook>.ipynb')"
    )


def parse_exercise_name(name: str) -> PurePosixPath:
    """Accept ``Mini-Projects/X.ipynb`` or ``solutions/Mini-Projects/X.ipynb``."""
    exercise = PurePosixPath(name)
    if exercise.parts and exercise.parts[0] == SOLUTIONS_DIR:
        exercise = PurePosixPath(*exercise.parts[1:])
    if not exercise.parts or exercise.parts[0] not in EXERCISE_ROOTS:
        raise UnknownExerciseError(
            f"{name!r} is not an exercise path; expected one starting with "
            f"{' or '.join(root + '/' for root in EXERCISE_ROOTS)}"
        )
    return exercise
