"""CSV text to a table of numbers, with errors that say which line and column to fix.

SageMaker's built-ins read CSV without a header, numbers only. Training files hold the label in the
first column unless the channel's ContentType says ``text/csv;label_size=0`` (unsupervised
algorithms such as PCA and k-means); inference requests hold features only. pandas' C parser
reads the file; only when it fails does the slower :func:`describe_problem` look for the first
line or cell a learner has to fix (a header row, a word, a ragged row). A short text of plain
decimal numbers (a real-time request of a few rows) skips pandas, whose set-up costs about a
millisecond of CPU per call where the numbers take microseconds.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from localcloud.containers.errors import ClientError
from localcloud.containers.media_types import media_parameters

#: Delimiters the sniffer chooses from (XGBoost reads any of them; the others read commas).
SNIFFED_DELIMITERS = ",;\t| "
#: Texts up to this length may take the fast path (:func:`_plain_table`).
SHORT_TEXT_CHARS = 8192
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
#: The characters of comma-separated plain numbers: for them the sniffer can only say ",".
_PLAIN_CHARACTERS = frozenset("0123456789+-.eE,\r\n")


def read_csv_table(source: Path | str, name: str, hint: str, *, delimiter: str | None = ",",
                   allow_empty_cells: bool = True) -> np.ndarray:
    """A float32 table of a CSV file (a path) or text; ``(0, 0)`` when it holds no rows.

    ``delimiter=None`` guesses it from the first line. Blank lines are skipped; an empty cell is
    NaN (a missing value) when ``allow_empty_cells``, else an error. Errors name ``name``, the
    line and the column, and end with ``hint`` (what a valid file looks like).
    """
    text = source if isinstance(source, str) else None
    if text is not None and len(text) <= SHORT_TEXT_CHARS:
        table = _plain_table(text, delimiter)
        if table is not None:
            return table
    if delimiter is None:
        delimiter = sniff_delimiter(_first_line(source))
    try:
        frame = pd.read_csv(io.StringIO(text) if text is not None else source, header=None,
                            sep=delimiter, dtype=np.float32, skip_blank_lines=True, engine="c")
    except pd.errors.EmptyDataError:
        return np.empty((0, 0), dtype=np.float32)
    except (pd.errors.ParserError, ValueError):
        raise _problem(source, name, delimiter, hint) from None
    table = frame.to_numpy()
    if not allow_empty_cells and np.isnan(table).any():
        # NaN comes from an empty cell or a literal "nan"; only the first is a CSV error.
        problem = describe_problem(_text_of(source), delimiter, allow_empty_cells=False)
        if problem:
            raise ClientError(f"{name}: {problem}; {hint}")
    return table


def _plain_table(text: str, delimiter: str | None) -> np.ndarray | None:
    """The table of ``text`` when it is rows of plain decimal numbers, as pandas would read it;
    None for anything else (empty cells, ``nan``, spaces, a header, ragged rows...): pandas and
    the error messages handle those."""
    if delimiter is None:
        if not _PLAIN_CHARACTERS.issuperset(text):
            return None
        delimiter = ","
    rows = [line.split(delimiter) for line in text.splitlines() if line.strip()]
    if not rows or any(len(row) != len(rows[0]) for row in rows):
        return None
    cells = [cell for row in rows for cell in row]
    if not all(_PLAIN_NUMBER.match(cell) for cell in cells):
        return None
    return np.array(cells, dtype=np.float64).astype(np.float32).reshape(len(rows), -1)


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a CSV file, guessed from its first line as the XGBoost container does."""
    try:
        delimiter = csv.Sniffer().sniff(first_line[:512], delimiters=SNIFFED_DELIMITERS).delimiter
    except csv.Error:
        return ","
    return "," if delimiter.isalnum() else delimiter


def label_size(content_type: str | None, allowed: tuple[int, ...] = (0, 1)) -> int:
    """How many label columns ``text/csv;label_size=N`` declares (1 when it says nothing)."""
    text = media_parameters(content_type).get("label_size", "1")
    if not text.isdigit() or int(text) not in allowed:
        choices = " or ".join(str(size) for size in allowed)
        raise ClientError(f"{content_type} is not an accepted csv ContentType: optional "
                          f"parameter label_size must be {choices}")
    return int(text)


def describe_problem(text: str, delimiter: str = ",", *, allow_empty_cells: bool = True) -> str:
    """What is wrong with CSV text, said the way a learner can fix it ("" if nothing is)."""
    width = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split(delimiter)
        for column, cell in enumerate(cells, start=1):
            if not _is_number(cell, allow_empty_cells):
                return _bad_cell(number, column, cell, cells, line)
        if width is not None and len(cells) != width:
            return f"line {number} has {len(cells)} values, earlier lines have {width}"
        width = len(cells)
    return ""


def _bad_cell(number: int, column: int, cell: str, cells: list[str], line: str) -> str:
    if number == 1 and not any(_is_number(text, False) for text in cells):
        return f"line 1 looks like a header row ({line[:80]!r}); CSV data has no header"
    shown = repr(cell.strip()) if cell.strip() else "an empty value"
    return (f"line {number}, column {column}: {shown} is not a number "
            f"(encode text columns as numbers first)")


def _is_number(cell: str, allow_empty: bool) -> bool:
    if not cell.strip():
        return allow_empty
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _problem(source: Path | str, name: str, delimiter: str, hint: str) -> ClientError:
    problem = describe_problem(_text_of(source), delimiter) or "could not be read as CSV"
    return ClientError(f"{name}: {problem}; {hint}")


def _text_of(source: Path | str) -> str:
    if isinstance(source, str):
        return source
    return source.read_text(encoding="utf-8", errors="replace")


def _first_line(source: Path | str) -> str:
    if isinstance(source, str):
        return source.split("\n", 1)[0]
    with source.open(encoding="utf-8", errors="replace") as handle:
        return handle.readline()
