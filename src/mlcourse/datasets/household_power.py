"""Individual household electric power consumption (Hébrail & Bérard, UCI, CC BY 4.0).

One house in Sceaux, near Paris, measured every minute from 16 December 2006 to 26 November 2010:
2,075,259 rows of seven measurements (below), ``;``-separated, dates as dd/mm/yyyy, ``?`` where
the meter recorded nothing (about 1.25% of the minutes, whole days at a time).

- ``source="full"`` downloads UCI's zip (20,640,916 bytes) into the cache once, with a progress
  bar, and returns the minute table (``?`` read as NaN). No checksum is recorded for it yet, so
  only its size is checked and its SHA-256 is logged.
- ``source="sample"`` returns the shipped ``data/household_power_daily.csv``: the daily means of
  the same real table (1,442 days; NaN for the days the meter recorded nothing), built by
  ``data/scripts/build_household_power_daily.py``. A lesson's "resample to daily means" step
  leaves it unchanged, so the same cells run on both.

Both are DataFrames indexed by time (``Datetime``) with the columns of :data:`COLUMNS`.
:func:`write_minute_sample` writes a tiny synthetic file in the original layout, for tests of the
raw parser.
"""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from mlcourse._files import atomic_path
from mlcourse.datasets._download import RemoteFile, cache_root
from mlcourse.datasets.registry import REMOTE_FILES
from mlcourse.datasets.shipped import shipped_file

logger = logging.getLogger(__name__)

HOUSEHOLD_POWER_ZIP = REMOTE_FILES["household-power"]
"""The original archive. Set ``MLCOURSE_HOUSEHOLD_POWER_URL`` to download it from a mirror."""

MEMBER = "household_power_consumption.txt"
SAMPLE_FILE = "household_power_daily.csv"
INDEX = "Datetime"
COLUMNS = [
    "Global_active_power",  # household's average active power of the minute, kilowatts
    "Global_reactive_power",  # average reactive power, kilowatts
    "Voltage",  # average voltage, volts
    "Global_intensity",  # average current intensity, amperes
    "Sub_metering_1",  # kitchen (dishwasher, oven, microwave), watt-hours of active energy
    "Sub_metering_2",  # laundry room (washing machine, tumble-drier, fridge, light), Wh
    "Sub_metering_3",  # electric water heater and air conditioner, Wh
]
RAW_HEADER = ";".join(["Date", "Time", *COLUMNS])
FULL_ROWS = 2_075_259


def load_household_power(
    source: Literal["full", "sample"] = "full",
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    remote: RemoteFile = HOUSEHOLD_POWER_ZIP,
    progress: bool = True,
) -> pd.DataFrame:
    """The household's measurements: every minute (``"full"``) or daily means (``"sample"``).

    Args:
        source: ``"full"`` downloads the UCI archive; ``"sample"`` reads the shipped daily means.
        cache_dir: where the download is kept (see ``cache_root``).
        remote: the archive to download (tests pass one served on loopback).
        progress: show a progress bar while downloading.
    """
    if source == "full":
        archive = remote.fetch(cache_root(cache_dir) / "household-power", progress=progress)
        expected = FULL_ROWS if remote is HOUSEHOLD_POWER_ZIP else None
        return read_minute_table(archive, expected_rows=expected)
    if source == "sample":
        return read_daily_table(shipped_file(SAMPLE_FILE))
    raise ValueError(f"source must be 'full' or 'sample', not {source!r}")


def read_minute_table(path: str | os.PathLike[str],
                      expected_rows: int | None = None) -> pd.DataFrame:
    """Parse the original minute table, from the ``.txt`` or the ``.zip`` holding it."""
    path = Path(path)
    logger.info("Reading %s (a minute or so for the full table)", path.name)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            if MEMBER not in archive.namelist():
                raise ValueError(f"{path} holds {archive.namelist()}, not {MEMBER}; is it UCI's "
                                 "household_power_consumption.zip?")
            with archive.open(MEMBER) as stream:
                frame = _read_raw(stream, path)
    else:
        frame = _read_raw(path, path)
    if expected_rows is not None and len(frame) != expected_rows:
        raise ValueError(f"{path} has {len(frame)} rows, expected {expected_rows}; delete it "
                         "and run again to download a fresh copy")
    return frame


def _read_raw(source, path: Path) -> pd.DataFrame:
    frame = pd.read_csv(source, sep=";", na_values=["?"], keep_default_na=False,
                        dtype={"Date": str, "Time": str, **dict.fromkeys(COLUMNS, "float64")})
    if list(frame.columns) != ["Date", "Time", *COLUMNS]:
        raise ValueError(f"{path} has columns {list(frame.columns)}, expected Date, Time and "
                         f"{', '.join(COLUMNS)}")
    stamps = pd.to_datetime(frame.pop("Date") + " " + frame.pop("Time"),
                            format="%d/%m/%Y %H:%M:%S")
    frame.index = pd.DatetimeIndex(stamps, name=INDEX)
    return frame


def daily_means(minutes: pd.DataFrame) -> pd.DataFrame:
    """The mean of each day's recorded minutes (NaN for a day with none)."""
    return minutes.resample("D").mean()


def read_daily_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the shipped daily means (``Datetime`` then the seven columns)."""
    frame = pd.read_csv(path, index_col=INDEX, parse_dates=[INDEX])
    if list(frame.columns) != COLUMNS:
        raise ValueError(f"{path} has columns {list(frame.columns)}, expected {COLUMNS}")
    return frame.asfreq("D")


def write_daily_table(daily: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write daily means as the shipped file (dates, six decimals, empty cells for NaN)."""
    path = Path(path)
    with atomic_path(path) as partial:
        daily.to_csv(partial, float_format="%.6f", date_format="%Y-%m-%d")
    return path


def write_minute_sample(path: str | os.PathLike[str], days: int = 3, seed: int = 0,
                        missing: tuple[int, int] | None = (600, 660)) -> Path:
    """A synthetic minute table in the original layout: ``days`` days from 16/12/2006 17:24,
    with a daily cycle, and ``?`` in every column for the minutes ``missing`` (start, stop)."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2006-12-16 17:24:00", periods=days * 1440, freq="min")
    hours = stamps.hour + stamps.minute / 60
    active = np.clip(1.0 + 0.8 * np.sin(2 * np.pi * (hours - 7) / 24)
                     + rng.gamma(1.0, 0.3, stamps.size), 0.08, 11.0)
    values = {
        "Global_active_power": active, "Global_reactive_power": rng.uniform(0, 0.5, stamps.size),
        "Voltage": rng.normal(240.8, 3.2, stamps.size), "Global_intensity": active * 4.2,
        "Sub_metering_1": rng.poisson(1.1, stamps.size),
        "Sub_metering_2": rng.poisson(1.3, stamps.size),
        "Sub_metering_3": rng.choice([0, 1, 17, 18], stamps.size),
    }
    lines = [RAW_HEADER]
    for row, stamp in enumerate(stamps):
        if missing and missing[0] <= row < missing[1]:
            cells = ["?"] * len(COLUMNS)
        else:
            cells = [f"{values[name][row]:.3f}" for name in COLUMNS]  # as the original
        lines.append(f"{stamp.day}/{stamp.month}/{stamp.year};{stamp:%H:%M:%S};"
                     + ";".join(cells))
    path = Path(path)
    with atomic_path(path) as partial:
        partial.write_text("\n".join(lines) + "\n")
    return path
