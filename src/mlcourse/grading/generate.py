"""Generate exercises from solutions, and detect drift between the two.

Every file under ``solutions/Mini-Projects/`` and ``solutions/Case-Studies/`` has exactly one
generated counterpart at the same relative path outside ``solutions/``:

- notebooks: markers replaced (see :mod:`.markers`), outputs and execution counts cleared,
  metadata reduced to a python3 kernelspec and cell tags, and a first markdown cell saying the
  file is generated and from where;
- Python scripts: markers replaced, and a two-line header comment saying the same;
- any other file (a requirements.txt, a small CSV): copied byte for byte.

The output depends only on the solution files, so the drift check can compare bytes. The whole
tree is built in memory before anything is written: a marker error leaves the exercises untouched.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from .layout import (
    GRADED_TAG,
    NOTEBOOK_SUFFIX,
    SCRIPT_SUFFIX,
    SOLUTIONS_DIR,
    CourseError,
    CourseLayout,
)
from .markers import Location, SourceKind, Todo, to_exercise

logger = logging.getLogger(__name__)

BANNER_CELL_ID = "generated-exercise-banner"
SCRIPT_BANNER_PREFIX = "# GENERATED from "
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
NBFORMAT_MINOR = 5  # the minor version that gives every cell an id

_BANNER_SOURCE = re.compile(r"generated from `(?P<source>[^`]+)`")
_VALID_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_SOURCE_KINDS = {"code": SourceKind.CODE, "markdown": SourceKind.MARKDOWN}


class SolutionFileError(CourseError, ValueError):
    """A solution file the generator cannot read (not a notebook, not UTF-8, ...)."""


@dataclass(frozen=True)
class GeneratedFile:
    """One exercise file as the generator would write it.

    ``graded_todos`` are the TODOs graded tests must cover: those in cells tagged ``graded`` and
    in scripts. ``other_todos`` are in cells the tests cannot reach (cloud calls, written answers).
    """

    exercise: PurePosixPath
    content: bytes
    graded_todos: tuple[Todo, ...] = ()
    other_todos: tuple[Todo, ...] = ()


@dataclass
class DriftReport:
    """How the exercise tree on disk differs from what the generator would write."""

    missing: list[PurePosixPath] = field(default_factory=list)
    changed: list[PurePosixPath] = field(default_factory=list)
    stale: list[PurePosixPath] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.changed or self.stale)

    def describe(self) -> list[str]:
        """One line per differing file, e.g. ``changed: Mini-Projects/X.ipynb``."""
        groups = (("missing", self.missing), ("changed", self.changed), ("stale", self.stale))
        return [f"{label}: {path}" for label, paths in groups for path in paths]


def build_exercise_tree(layout: CourseLayout) -> list[GeneratedFile]:
    """Return every exercise file generated from ``layout``'s solutions, sorted by path."""
    return [generate_file(layout, exercise) for exercise in layout.solution_files()]


def generate_file(layout: CourseLayout, exercise: PurePosixPath) -> GeneratedFile:
    """Generate the exercise counterpart of ``solutions/<exercise>``."""
    source = layout.solution_path(exercise)
    if exercise.suffix == NOTEBOOK_SUFFIX:
        return _generate_notebook(source, exercise)
    if exercise.suffix == SCRIPT_SUFFIX:
        return _generate_script(source, exercise)
    return GeneratedFile(exercise, source.read_bytes())


def check_drift(layout: CourseLayout, tree: list[GeneratedFile] | None = None) -> DriftReport:
    """Compare the exercise tree on disk with the generator's output, without writing."""
    tree = build_exercise_tree(layout) if tree is None else tree
    report = DriftReport()
    for generated in tree:
        target = layout.exercise_path(generated.exercise)
        if not target.is_file():
            report.missing.append(generated.exercise)
        elif target.read_bytes() != generated.content:
            report.changed.append(generated.exercise)
    report.stale = _stale_files(layout, {generated.exercise for generated in tree})
    return report


def write_exercises(layout: CourseLayout) -> DriftReport:
    """Bring the exercise tree up to date; return what had to change."""
    tree = build_exercise_tree(layout)
    report = check_drift(layout, tree)
    to_write = set(report.missing) | set(report.changed)
    for generated in tree:
        if generated.exercise in to_write:
            target = layout.exercise_path(generated.exercise)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(generated.content)
            logger.info("wrote %s", generated.exercise)
    for exercise in report.stale:
        layout.exercise_path(exercise).unlink()
        logger.info("removed %s (its solution no longer exists)", exercise)
    return report


def generated_from(path: Path) -> PurePosixPath | None:
    """The solution named by the generator's banner in ``path``; None when it has no banner."""
    try:
        if path.suffix == NOTEBOOK_SUFFIX:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells") or [{}]
            if cells[0].get("id") == BANNER_CELL_ID:
                match = _BANNER_SOURCE.search("".join(cells[0].get("source", "")))
                return PurePosixPath(match.group("source")) if match else None
        elif path.suffix == SCRIPT_SUFFIX:
            for line in path.read_text(encoding="utf-8").splitlines()[:2]:
                if line.startswith(SCRIPT_BANNER_PREFIX):
                    return PurePosixPath(line.removeprefix(SCRIPT_BANNER_PREFIX).strip())
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        pass  # unreadable files are somebody's, not the generator's
    return None


def _stale_files(layout: CourseLayout, expected: set[PurePosixPath]) -> list[PurePosixPath]:
    """Generated files whose solution is gone (a solution was renamed or deleted).

    A learner's duplicate of a live exercise also carries the banner, but it names a solution
    that still exists, so it is left alone.
    """
    stale = []
    for exercise in layout.exercise_files():
        if exercise in expected:
            continue
        solution = generated_from(layout.exercise_path(exercise))
        if solution is not None and not (layout.root / solution).is_file():
            stale.append(exercise)
    return stale


def _solution_label(exercise: PurePosixPath) -> str:
    return f"{SOLUTIONS_DIR}/{exercise}"


def _generate_script(source: Path, exercise: PurePosixPath) -> GeneratedFile:
    label = _solution_label(exercise)
    try:
        text = source.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise SolutionFileError(f"{label}: not UTF-8 text ({error})") from error
    transformed = to_exercise(text, SourceKind.CODE, Location(label))
    lines = transformed.text.splitlines(keepends=True)
    # A shebang must stay on the first line to keep working.
    keep = 1 if lines and lines[0].startswith("#!") else 0
    banner = [
        f"{SCRIPT_BANNER_PREFIX}{label}\n",
        "# by `python -m mlcourse.grading generate`; maintainers edit that file, not this one.\n",
    ]
    content = "".join(lines[:keep] + banner + lines[keep:])
    return GeneratedFile(exercise, content.encode("utf-8"), graded_todos=transformed.todos)


def _generate_notebook(source: Path, exercise: PurePosixPath) -> GeneratedFile:
    label = _solution_label(exercise)
    try:
        solution = nbformat.reads(source.read_text(encoding="utf-8"), as_version=4)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SolutionFileError(f"{label}: not a readable notebook ({error})") from error
    cells = [_banner_cell(exercise)]
    graded: list[Todo] = []
    other: list[Todo] = []
    used_ids = {BANNER_CELL_ID}
    for index, cell in enumerate(solution.cells):
        new_cell, todos = _exercise_cell(cell, Location(label, index), used_ids)
        cells.append(new_cell)
        is_graded = cell.cell_type == "code" and GRADED_TAG in new_cell.metadata.get("tags", [])
        (graded if is_graded else other).extend(todos)
    notebook = nbformat.v4.new_notebook(
        cells=cells,
        metadata={"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}},
    )
    notebook.nbformat_minor = NBFORMAT_MINOR
    text = nbformat.writes(notebook, version=4)
    return GeneratedFile(
        exercise, (text.rstrip("\n") + "\n").encode("utf-8"), tuple(graded), tuple(other)
    )


def _banner_cell(exercise: PurePosixPath) -> nbformat.NotebookNode:
    text = (
        f"_This exercise is generated from `{_solution_label(exercise)}` by "
        "`python -m mlcourse.grading generate`; maintainers edit the solution, not this file._\n"
        "\n"
        f"When you have done the TODOs, grade your work from the repository root with "
        f'`make grade NB="{exercise}"`.'
    )
    return nbformat.v4.new_markdown_cell(text, id=BANNER_CELL_ID)


def _exercise_cell(
    cell: nbformat.NotebookNode, location: Location, used_ids: set[str]
) -> tuple[nbformat.NotebookNode, tuple[Todo, ...]]:
    """Return the exercise version of one solution cell and the TODOs replaced in it."""
    kind = _SOURCE_KINDS.get(cell.cell_type)
    source, todos = cell.source, ()
    if kind is not None:
        transformed = to_exercise(cell.source, kind, location)
        source, todos = transformed.text, transformed.todos
    new_cell = nbformat.from_dict(
        {
            "cell_type": cell.cell_type,
            "id": _stable_cell_id(cell, location, used_ids),
            "metadata": _normalised_metadata(cell.metadata),
            "source": source,
        }
    )
    if cell.cell_type == "code":
        new_cell.outputs = []
        new_cell.execution_count = None
    elif "attachments" in cell:
        new_cell.attachments = cell.attachments
    return new_cell, todos


def _stable_cell_id(cell: nbformat.NotebookNode, location: Location, used_ids: set[str]) -> str:
    """Keep the solution's cell id; derive one from the position when it is missing or reused."""
    cell_id = cell.get("id", "")
    if not _VALID_CELL_ID.match(cell_id) or cell_id in used_ids:
        cell_id = f"cell-{location.cell}"
        while cell_id in used_ids:
            cell_id += "-"
    used_ids.add(cell_id)
    return cell_id


def _normalised_metadata(metadata: dict) -> dict:
    """Cell tags are all the exercise needs (graded, parameters); the rest is editor state."""
    tags = list(dict.fromkeys(metadata.get("tags", [])))
    return {"tags": tags} if tags else {}
