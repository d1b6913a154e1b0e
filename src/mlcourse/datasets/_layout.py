"""One check that a downloaded table has the layout its loader expects."""

from __future__ import annotations

import os

import pandas as pd


def check_table_layout(frame: pd.DataFrame, path: str | os.PathLike[str], columns: list[str],
                       expected_rows: int | None, what: str) -> pd.DataFrame:
    """Return ``frame`` if it has ``columns`` (and ``expected_rows``); else say what differs.

    ``what`` names the file the learner should have (e.g. "Census_Data_for_SageMaker.csv").
    """
    if list(frame.columns) != columns:
        raise ValueError(f"{path} has columns {list(frame.columns)}, expected {columns}; is it "
                         f"{what}?")
    if expected_rows is not None and len(frame) != expected_rows:
        raise ValueError(f"{path} has {len(frame)} rows, expected {expected_rows}; delete it "
                         "and run again to download a fresh copy")
    return frame
