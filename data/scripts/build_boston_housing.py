"""Rebuild data/boston_housing.csv from the copy mlxtend ships (BSD-3-Clause).

mlxtend's ``boston_housing.csv`` holds the 506 records of Harrison & Rubinfeld (1978) as
full-precision floats without a header; its values are identical to R's ``MASS::Boston``.
This script adds the standard column names and writes each value in its shortest exact form.

    pip install -e '.[data]'
    python data/scripts/build_boston_housing.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from mlxtend.data import boston_housing_data

COLUMNS = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO",
           "B", "LSTAT", "MEDV"]
TARGET = Path(__file__).resolve().parents[1] / "boston_housing.csv"


def shortest(value: float) -> str:
    """``24.0`` -> ``24``, ``0.00632000000000001`` -> ``0.00632`` (the source has <= 6 places)."""
    rounded = round(float(value), 6)
    return str(int(rounded)) if rounded.is_integer() else repr(rounded)


def main() -> None:
    features, prices = boston_housing_data()
    with TARGET.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row, price in zip(features, prices, strict=True):
            writer.writerow([shortest(v) for v in row] + [shortest(price)])
    print(f"Wrote {len(prices)} rows to {TARGET}")


if __name__ == "__main__":
    main()
