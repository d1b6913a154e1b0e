"""Solution markers: turn the text of a solution cell or script into its exercise version.

A solution file marks the learner's part like this (code cells and scripts)::

    # TODO: keep the `size` most frequent words
    ### BEGIN SOLUTION
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    ### END SOLUTION

and the exercise gets, at the indentation of ``### BEGIN SOLUTION``::

    # TODO: keep the `size` most frequent words
    raise NotImplementedError("TODO: keep the `size` most frequent words")

In a markdown cell the region holds a written answer; it becomes ``**Answer:** _TODO: ..._``,
taking the text of an optional ``**TODO:** ...`` line above the region.

Content for the exercise only (starter code, a planted bug, a hint) sits between
``### BEGIN EXERCISE ONLY`` and ``### END EXERCISE ONLY``. In code it is commented out, because it
must not run in the solution; the generator removes one ``#`` from each line. In markdown it is
kept as written.

After the graded TODOs of a code cell, ``### CHECK <key> [<key> ...]`` (a line of its own, outside
any region) asks for a check cell after it in the exercise: ``check("<key>", ...)`` runs the
graded tests whose names start with ``test_<key>`` (see :mod:`.inline`). The line itself is removed.

Regions never nest and never span cells. Anything that looks like a marker but is not spelled
exactly is an error too, so a typo can never leak a solution into an exercise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum

from .layout import CourseError

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_EXERCISE_ONLY = "### BEGIN EXERCISE ONLY"
END_EXERCISE_ONLY = "### END EXERCISE ONLY"

DEFAULT_MARKDOWN_TODO = "write your answer here."

# Lines such as "## BEGIN SOLUTION" or "### End Solution": close enough to be meant as markers.
_MARKER_LOOKALIKE = re.compile(r"^#+\s*(BEGIN|END)\s+(SOLUTION|EXERCISE)\b", re.IGNORECASE)
CHECK_PREFIX = "### CHECK"
_CHECK = re.compile(r"^### CHECK(?P<keys>( [A-Za-z0-9_]+)+)$")
# "## CHECK x", "### check x", "###CHECK": meant as a check marker, but not spelled as one.
_CHECK_LOOKALIKES = (re.compile(r"^#{2,}\s*CHECK\b"), re.compile(r"^###\s*check\b", re.I))
_CODE_TODO = re.compile(r"^#\s*TODO:\s*(?P<text>.*\S)")
_MARKDOWN_TODO = re.compile(r"^(?:\*\*TODO:\*\*|TODO:)\s*(?P<text>.*\S)")


class SourceKind(Enum):
    """What a piece of marked text is: code runs, markdown is read."""

    CODE = "code"
    MARKDOWN = "markdown"


class RegionKind(Enum):
    """The two kinds of marked region."""

    SOLUTION = "SOLUTION"
    EXERCISE_ONLY = "EXERCISE ONLY"


@dataclass(frozen=True)
class Marker:
    """One marker line: which region it opens or closes."""

    region: RegionKind
    begins: bool


_MARKERS = {
    BEGIN_SOLUTION: Marker(RegionKind.SOLUTION, begins=True),
    END_SOLUTION: Marker(RegionKind.SOLUTION, begins=False),
    BEGIN_EXERCISE_ONLY: Marker(RegionKind.EXERCISE_ONLY, begins=True),
    END_EXERCISE_ONLY: Marker(RegionKind.EXERCISE_ONLY, begins=False),
}


@dataclass(frozen=True)
class Location:
    """Where a piece of marked text comes from, for error messages and TODO records.

    ``cell`` is the 0-based index of the notebook cell, or None for a script.
    """

    path: str
    cell: int | None = None

    def describe(self, line: int | None = None) -> str:
        """Return e.g. ``solutions/X.ipynb, cell index 4, line 2``."""
        parts = [self.path]
        if self.cell is not None:
            parts.append(f"cell index {self.cell}")
        if line is not None:
            parts.append(f"line {line}")
        return ", ".join(parts)


class MarkerError(CourseError, ValueError):
    """Markers that are unbalanced, nested, misspelt or missing their TODO line."""

    def __init__(self, location: Location, line: int, problem: str) -> None:
        super().__init__(f"{location.describe(line)}: {problem}")
        self.location = location
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class Todo:
    """A TODO the generator replaced by a stub, with its position in the solution."""

    location: Location
    line: int
    text: str

    @property
    def message(self) -> str:
        """The stub's NotImplementedError message, which graded tests surface on the exercise."""
        return f"TODO: {self.text}"


@dataclass(frozen=True)
class Check:
    """A ``### CHECK`` marker: the exercise gets a check cell with these keys after the cell."""

    location: Location
    line: int
    keys: tuple[str, ...]

    def selects(self, test: str) -> bool:
        return selects_test(self.keys, test)

    @property
    def call(self) -> str:
        """The check cell's call, e.g. ``check("vocabulary")``."""
        return f"check({', '.join(json.dumps(key) for key in self.keys)})"


def selects_test(keys: tuple[str, ...] | list[str], test: str) -> bool:
    """Whether a check with ``keys`` runs ``test``: its name starts with ``test_<key>``."""
    return any(test.startswith(f"test_{key}") for key in keys)


@dataclass(frozen=True)
class Transformed:
    """The exercise version of a text, the TODOs replaced in it and its check markers."""

    text: str
    todos: tuple[Todo, ...]
    checks: tuple[Check, ...] = ()


def to_exercise(text: str, kind: SourceKind, location: Location) -> Transformed:
    """Return the exercise version of ``text`` (a cell's source or a whole script).

    Raises MarkerError, naming ``location`` and the line, when the markers are malformed.
    Line endings are preserved, so the result is byte-stable for a given input.
    """
    return _Transformer(text.splitlines(keepends=True), kind, location).run()


def _parse_marker(line: str, location: Location, number: int) -> Marker | None:
    """Return the marker on ``line``, None for ordinary lines; reject marker look-alikes."""
    stripped = line.strip()
    marker = _MARKERS.get(stripped)
    if marker is None and _MARKER_LOOKALIKE.match(stripped):
        expected = ", ".join(repr(spelling) for spelling in _MARKERS)
        raise MarkerError(location, number, f"malformed marker {stripped!r}; use one of {expected}")
    return marker


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _line_ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


class _Transformer:
    """A single pass over the lines: copy, drop (solution) or uncomment (exercise-only)."""

    def __init__(self, lines: list[str], kind: SourceKind, location: Location) -> None:
        self.lines = lines
        self.kind = kind
        self.location = location
        self.output: list[str] = []
        self.todos: list[Todo] = []
        self.open_region: RegionKind | None = None
        self.open_line = 0
        self.open_todo: Todo | None = None
        self.checks: list[Check] = []

    def run(self) -> Transformed:
        for index, line in enumerate(self.lines):
            number = index + 1
            if self._is_check(line, number):
                continue
            marker = _parse_marker(line, self.location, number)
            if marker is None:
                self._content_line(line, number)
            elif marker.begins:
                self._begin(marker.region, index)
            else:
                self._end(marker.region, line, number)
        if self.open_region is not None:
            raise MarkerError(
                self.location,
                self.open_line,
                f"### BEGIN {self.open_region.value} is never closed by ### END "
                f"{self.open_region.value} in the same cell",
            )
        text = "".join(self.output)
        if self.checks:  # the marker ended the cell: so does the line before it
            text = text.rstrip() + _line_ending(self.lines[-1])
        return Transformed(text, tuple(self.todos), tuple(self.checks))

    def _is_check(self, line: str, number: int) -> bool:
        """Record a ``### CHECK`` line (True), or reject a misplaced or misspelt one."""
        stripped = line.strip()
        match = _CHECK.match(line.rstrip("\r\n"))
        if match is None:
            if any(lookalike.match(stripped) for lookalike in _CHECK_LOOKALIKES):
                raise MarkerError(self.location, number, f"malformed check marker {stripped!r}; "
                                  f"write '{CHECK_PREFIX} <test name part> ...' unindented")
            return False
        if self.kind is not SourceKind.CODE or self.location.cell is None:
            raise MarkerError(self.location, number,
                              f"{CHECK_PREFIX} belongs in a notebook's code cell")
        if self.open_region is not None:
            raise MarkerError(self.location, number, f"{CHECK_PREFIX} inside the "
                              f"{self.open_region.value} region opened at line {self.open_line}")
        self.checks.append(Check(self.location, number, tuple(match.group("keys").split())))
        return True

    def _content_line(self, line: str, number: int) -> None:
        if self.open_region is RegionKind.SOLUTION:
            return  # the learner writes this part
        if self.open_region is RegionKind.EXERCISE_ONLY and self.kind is SourceKind.CODE:
            line = self._uncomment(line, number)
        self.output.append(line)

    def _begin(self, region: RegionKind, index: int) -> None:
        number = index + 1
        if self.open_region is not None:
            raise MarkerError(
                self.location,
                number,
                f"### BEGIN {region.value} inside the {self.open_region.value} region opened "
                f"at line {self.open_line}; regions must not nest",
            )
        self.open_region = region
        self.open_line = number
        if region is RegionKind.SOLUTION:
            self.open_todo = Todo(self.location, number, self._todo_above(index))
            self.todos.append(self.open_todo)

    def _end(self, region: RegionKind, line: str, number: int) -> None:
        if self.open_region is not region:
            opened = (
                f"the open region is {self.open_region.value}"
                if self.open_region
                else "no region is open"
            )
            raise MarkerError(
                self.location, number, f"### END {region.value} without a matching BEGIN ({opened})"
            )
        if region is RegionKind.SOLUTION:
            begin_line = self.lines[self.open_line - 1]
            self.output.append(self._stub(_indentation(begin_line)) + _line_ending(line))
        elif self.output and not _line_ending(line):
            # The marker ended the text: so does the exercise-only content, without a newline.
            self.output[-1] = self.output[-1].rstrip("\r\n")
        self.open_region = None

    def _stub(self, indent: str) -> str:
        message = self.open_todo.message
        if self.kind is SourceKind.MARKDOWN:
            return f"{indent}**Answer:** _{message}_"
        # json.dumps writes a valid double-quoted Python string literal for any text.
        return f"{indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})"

    def _todo_above(self, begin_index: int) -> str:
        """Return the TODO text that introduces the region starting at ``begin_index``."""
        if self.kind is SourceKind.MARKDOWN:
            return self._markdown_todo_above(begin_index)
        continuation: list[str] = []
        for line in reversed(self.lines[:begin_index]):
            stripped = line.strip()
            todo = _CODE_TODO.match(stripped)
            if todo:
                return " ".join([todo.group("text"), *reversed(continuation)])
            if not stripped.startswith("#") or stripped in _MARKERS:
                break
            continuation.append(stripped.lstrip("#").strip())
        raise MarkerError(
            self.location,
            begin_index + 1,
            "### BEGIN SOLUTION must follow a '# TODO: ...' comment saying what to do",
        )

    def _markdown_todo_above(self, begin_index: int) -> str:
        """A markdown answer may be introduced by '**TODO:** ...'; blank lines may separate them."""
        for line in reversed(self.lines[:begin_index]):
            stripped = line.strip()
            if stripped:
                todo = _MARKDOWN_TODO.match(stripped)
                return todo.group("text") if todo else DEFAULT_MARKDOWN_TODO
        return DEFAULT_MARKDOWN_TODO

    def _uncomment(self, line: str, number: int) -> str:
        """Remove one '#' (and one space after it) from an exercise-only code line."""
        stripped = line.strip()
        if not stripped:
            return line
        if not stripped.startswith("#"):
            raise MarkerError(
                self.location,
                number,
                "exercise-only code must be commented out in the solution (it must not run "
                "there); the generator uncomments it",
            )
        indent = _indentation(line)
        body = line[len(indent) + 1 :]
        if body.startswith(" "):
            body = body[1:]
        return indent + body
