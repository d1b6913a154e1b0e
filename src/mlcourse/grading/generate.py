"""Generate exercises from solutions, and detect drift between the two.

Every file under ``solutions/Mini-Projects/`` and ``solutions/Case-Studies/`` has exactly one
generated counterpart at the same relative path outside ``solutions/``:

- notebooks: markers replaced (see :mod:`.markers`), outputs and execution counts cleared,
  metadata reduced to a python3 kernelspec and cell tags, a first markdown cell saying the
  file is generated and from where, and a check cell (tagged ``check``) after each cell with a
  ``### CHECK`` marker;
- Python scripts: markers replaced, and a two-line header comment saying the same;
- any other file (a requirements.txt, a small CSV): copied byte for byte.

The output depends only on the solution files, so the drift check can compare bytes. The whole
tree is built in memory before anything is written: a marker error leaves the exercises untouched.

Learners work in the generated exercises, so the generator never overwrites their work.
``solutions/exercises.sha256`` records the SHA-256 of every file the generator wrote; an exercise
that matches neither that record nor the new output has been edited by hand, and is left alone
unless ``force`` is given, in which case the edited version is first copied under ``backups/``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import nbformat

from .layout import (
    GRADED_TAG,
    MANIFEST_NAME,
    NOTEBOOK_SUFFIX,
    SCRIPT_SUFFIX,
    SOLUTIONS_DIR,
    CourseError,
    CourseLayout,
)
from .markers import Check, Location, SourceKind, Todo, Transformed, to_exercise

logger = logging.getLogger(__name__)

BANNER_CELL_ID = "generated-exercise-banner"
CHECK_TAG = "check"
CHECK_IMPORT = "from mlcourse.grading import check"
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
    ``checks`` are the check cells written into the notebook; ``unchecked_todos`` the graded
    TODOs of cells that have no check cell after them.
    """

    exercise: PurePosixPath
    content: bytes
    graded_todos: tuple[Todo, ...] = ()
    other_todos: tuple[Todo, ...] = ()
    checks: tuple[Check, ...] = ()
    unchecked_todos: tuple[Todo, ...] = ()


@dataclass
class DriftReport:
    """How the exercise tree on disk differs from what the generator would write.

    ``changed`` files are as the generator last wrote them but out of date (safe to rewrite);
    ``edited`` ones differ from both, so somebody (a learner, normally) changed them by hand.
    """

    missing: list[PurePosixPath] = field(default_factory=list)
    changed: list[PurePosixPath] = field(default_factory=list)
    stale: list[PurePosixPath] = field(default_factory=list)
    edited: list[PurePosixPath] = field(default_factory=list)
    manifest_outdated: bool = False

    @property
    def clean(self) -> bool:
        """Nothing differs at all: what CI and maintainers require."""
        return self.in_step and not self.edited

    @property
    def in_step(self) -> bool:
        """The exercises follow their solutions; hand edits (a learner's work) are allowed."""
        return not (self.missing or self.changed or self.stale or self.manifest_outdated)

    def describe(self) -> list[str]:
        """One line per differing file, e.g. ``changed: Mini-Projects/X.ipynb``."""
        groups = (("missing", self.missing), ("changed", self.changed), ("stale", self.stale),
                  ("edited by hand", self.edited))
        lines = [f"{label}: {path}" for label, paths in groups for path in paths]
        if self.manifest_outdated:
            lines.append(f"out of date: {SOLUTIONS_DIR}/{MANIFEST_NAME}")
        return lines


@dataclass
class WriteReport:
    """What :func:`write_exercises` did: the drift it found, and what it backed up or refused."""

    drift: DriftReport
    backed_up: dict[PurePosixPath, Path] = field(default_factory=dict)
    refused: list[PurePosixPath] = field(default_factory=list)


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
    recorded = read_manifest(layout)
    report = DriftReport(manifest_outdated=_manifest_text(tree) != _read_text(layout.manifest))
    for generated in tree:
        target = layout.exercise_path(generated.exercise)
        if not target.is_file():
            report.missing.append(generated.exercise)
            continue
        digest = _sha256(target.read_bytes())
        if digest == _sha256(generated.content):
            continue
        if digest == recorded.get(generated.exercise):
            report.changed.append(generated.exercise)
        else:
            report.edited.append(generated.exercise)
    for exercise in _stale_files(layout, {generated.exercise for generated in tree}):
        digest = _sha256(layout.exercise_path(exercise).read_bytes())
        (report.stale if digest == recorded.get(exercise) else report.edited).append(exercise)
    return report


def write_exercises(layout: CourseLayout, force: bool = False) -> WriteReport:
    """Bring the exercise tree up to date; return what had to change.

    Files edited by hand are refused (left as they are) unless ``force``, which first copies
    each of them to ``backups/<date-time>/<its path>``.
    """
    tree = build_exercise_tree(layout)
    drift = check_drift(layout, tree)
    result = WriteReport(drift)
    if force:
        result.backed_up = _back_up(layout, drift.edited)
    else:
        result.refused = list(drift.edited)
    to_write = set(drift.missing) | set(drift.changed) | set(result.backed_up)
    expected = {generated.exercise for generated in tree}
    for generated in tree:
        if generated.exercise in to_write:
            target = layout.exercise_path(generated.exercise)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(generated.content)
            logger.info("wrote %s", generated.exercise)
    for exercise in drift.stale + [path for path in result.backed_up if path not in expected]:
        layout.exercise_path(exercise).unlink()
        logger.info("removed %s (its solution no longer exists)", exercise)
    if drift.manifest_outdated:
        layout.manifest.write_text(_manifest_text(tree), encoding="utf-8")
        logger.info("wrote %s/%s", SOLUTIONS_DIR, MANIFEST_NAME)
    return result


def read_manifest(layout: CourseLayout) -> dict[PurePosixPath, str]:
    """The digests the generator recorded, by exercise path (empty when there is none)."""
    recorded = {}
    for line in _read_text(layout.manifest).splitlines():
        digest, _, path = line.partition("  ")
        if path:
            recorded[PurePosixPath(path)] = digest
    return recorded


def _manifest_text(tree: list[GeneratedFile]) -> str:
    return "".join(f"{_sha256(item.content)}  {item.exercise}\n" for item in tree)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _back_up(layout: CourseLayout, exercises: list[PurePosixPath]) -> dict[PurePosixPath, Path]:
    """Copy each file to ``backups/<date-time>/<its path>``; return where each copy went."""
    if not exercises:
        return {}
    folder = layout.backups / datetime.now().strftime("%Y-%m-%d_%H%M%S")
    copies = {}
    for exercise in exercises:
        copy = folder / exercise
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(layout.exercise_path(exercise), copy)
        copies[exercise] = copy
        logger.info("kept your version of %s as %s", exercise, copy.relative_to(layout.root))
    return copies


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
    checks: list[Check] = []
    unchecked: list[Todo] = []
    used_ids = {BANNER_CELL_ID}
    for index, cell in enumerate(solution.cells):
        new_cell, transformed = _exercise_cell(cell, Location(label, index), used_ids)
        cells.append(new_cell)
        cells.extend(_check_cell(check, used_ids) for check in transformed.checks)
        checks.extend(transformed.checks)
        is_graded = cell.cell_type == "code" and GRADED_TAG in new_cell.metadata.get("tags", [])
        (graded if is_graded else other).extend(transformed.todos)
        if is_graded and not transformed.checks:
            unchecked.extend(transformed.todos)
    notebook = nbformat.v4.new_notebook(
        cells=cells,
        metadata={"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}},
    )
    notebook.nbformat_minor = NBFORMAT_MINOR
    text = nbformat.writes(notebook, version=4)
    return GeneratedFile(exercise, (text.rstrip("\n") + "\n").encode("utf-8"), tuple(graded),
                         tuple(other), tuple(checks), tuple(unchecked))


def _banner_cell(exercise: PurePosixPath) -> nbformat.NotebookNode:
    text = (
        f"_This exercise is generated from `{_solution_label(exercise)}` by "
        "`python -m mlcourse.grading generate`; maintainers edit the solution, not this file._\n"
        "\n"
        "After a graded TODO, run the `check(...)` cell below it: it runs that part's graded "
        "tests on your current code and prints MET or NOT MET. "
        f"When you have done the TODOs, grade your work from the repository root with "
        f'`make grade NB="{exercise}"`.'
    )
    return nbformat.v4.new_markdown_cell(text, id=BANNER_CELL_ID)


def _check_cell(check: Check, used_ids: set[str]) -> nbformat.NotebookNode:
    """The cell after a graded TODO that runs its graded tests (see :mod:`.inline`)."""
    cell_id = f"check-{check.location.cell}"
    while cell_id in used_ids:
        cell_id += "-"
    used_ids.add(cell_id)
    cell = nbformat.v4.new_code_cell(f"{CHECK_IMPORT}\n\n{check.call}", id=cell_id)
    cell.metadata = {"tags": [CHECK_TAG]}
    return cell


def _exercise_cell(
    cell: nbformat.NotebookNode, location: Location, used_ids: set[str]
) -> tuple[nbformat.NotebookNode, Transformed]:
    """Return the exercise version of one solution cell, and its TODOs and check markers."""
    kind = _SOURCE_KINDS.get(cell.cell_type)
    transformed = Transformed(cell.source, ())
    if kind is not None:
        transformed = to_exercise(cell.source, kind, location)
    new_cell = nbformat.from_dict(
        {
            "cell_type": cell.cell_type,
            "id": _stable_cell_id(cell, location, used_ids),
            "metadata": _normalised_metadata(cell.metadata),
            "source": transformed.text,
        }
    )
    if cell.cell_type == "code":
        new_cell.outputs = []
        new_cell.execution_count = None
    elif "attachments" in cell:
        new_cell.attachments = cell.attachments
    return new_cell, transformed


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
