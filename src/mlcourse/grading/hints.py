"""Hints that guide without giving the answer.

A rubric hint is shown to a learner whose attempt failed. It should point at the idea (which
function, which order, which edge case), not hand over the code: a hint that quotes the solution
turns the exercise into copying. The check is mechanical: a hint gives the answer away when it
contains a run of ``RUN_TOKENS`` code tokens, or a whole line of at least ``LINE_TOKENS`` tokens,
that appears in the solution but nowhere in the generated exercise (so quoting the exercise's own
starter code or names is fine).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from .layout import NOTEBOOK_SUFFIX

#: Tokens in a row a hint may share with the solution-only code. Six catches a quoted expression
#: such as ``np.mean((probabilities > 0.5) == labels)`` while allowing a name or a short call.
RUN_TOKENS = 6
#: A whole solution line this long (``self.price = new_price``) is an answer even when short.
LINE_TOKENS = 5

# Words, numbers and single punctuation characters; both kinds of quotes count as one token so
# that a hint writing ' where the solution writes " is still recognised.
_TOKEN = re.compile(r"\w+|[^\w\s]")


def code_tokens(text: str) -> list[str]:
    return [token if token != "'" else '"' for token in _TOKEN.findall(text)]


def token_runs(tokens: list[str], size: int = RUN_TOKENS) -> set[tuple[str, ...]]:
    return {tuple(tokens[start:start + size]) for start in range(len(tokens) - size + 1)}


def solution_only_runs(solution_files: Iterable[tuple[str, bytes]],
                       exercise_files: Iterable[tuple[str, bytes]]) -> set[tuple[str, ...]]:
    """Token runs and whole lines of the solutions' code that the exercises do not contain."""
    solutions, exercises = list(solution_files), list(exercise_files)
    return (_runs(solutions) - _runs(exercises)) | (_lines(solutions) - _lines(exercises))


def gives_away(hint: str, secret_runs: set[tuple[str, ...]]) -> str | None:
    """The part of ``hint`` that quotes solution-only code, or None when it only guides."""
    tokens = code_tokens(hint)
    for size in sorted({len(run) for run in secret_runs}, reverse=True):
        for start in range(len(tokens) - size + 1):
            run = tuple(tokens[start:start + size])
            if run in secret_runs:
                return " ".join(run)
    return None


def _lines(files: list[tuple[str, bytes]]) -> set[tuple[str, ...]]:
    lines: set[tuple[str, ...]] = set()
    for name, content in files:
        for code in _code_of(name, content):
            for line in code.splitlines():
                tokens = tuple(code_tokens(line.split("#", 1)[0]))
                if len(tokens) >= LINE_TOKENS:
                    lines.add(tokens)
    return lines


def _runs(files: list[tuple[str, bytes]]) -> set[tuple[str, ...]]:
    runs: set[tuple[str, ...]] = set()
    for name, content in files:
        for code in _code_of(name, content):
            runs |= token_runs(code_tokens(code))
    return runs


def _code_of(name: str, content: bytes) -> list[str]:
    """The code of a file: a notebook's code cells, or the whole text of a script."""
    text = content.decode("utf-8", errors="replace")
    if not name.endswith(NOTEBOOK_SUFFIX):
        return [text]
    cells = json.loads(text).get("cells", [])
    return ["".join(cell.get("source", "")) for cell in cells if cell.get("cell_type") == "code"]
