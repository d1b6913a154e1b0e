"""The one table every benchmark prints its figures in (``bench/run.py`` gathers them).

A benchmark module that wants its figures in the table defines ``rows(runs: int) -> list[Row]``;
``bench/run.py`` imports it and calls it. Each row says what was measured, the figure, and what
it is compared with in the same run (the ratio keeps the figure meaningful on any machine).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Row(NamedTuple):
    """One line of the benchmark table."""

    benchmark: str  # the group: "notebooks", "cycle", "endpoints", ...
    figure: str  # what was measured, e.g. a notebook's path or "InvokeEndpoint p50 (XGBoost)"
    value: str  # the figure with its unit, e.g. "41.2 s"
    baseline: str  # what it is compared with in the same run, and the ratio ("" if nothing)
    runs: int  # how many runs the figure summarises


HEADER = Row("benchmark", "figure", "value", "vs baseline (same run)", "runs")


def format_table(rows: Iterable[Row]) -> str:
    """``rows`` as a plain-text table, columns padded to their widest cell."""
    lines = [tuple(str(cell) for cell in row) for row in [HEADER, *rows]]
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADER))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)
