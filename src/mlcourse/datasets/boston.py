"""The Boston Housing data (Harrison & Rubinfeld, 1978): 506 census tracts, 13 features, MEDV.

scikit-learn removed ``load_boston`` in version 1.2, because of column ``B`` (see below), so the
course ships the data as ``data/boston_housing.csv`` (built by
``data/scripts/build_boston_housing.py`` from mlxtend's BSD-licensed copy, identical to R's
``MASS::Boston``).

Column ``B`` is ``1000 (Bk - 0.63)^2`` where ``Bk`` is the proportion of Black residents of the
town: the original authors encoded an assumption that racial segregation affects house prices,
in a form that cannot even be inverted back to ``Bk``. We keep the data as published so results
compare with the literature, and discuss in the lessons why a feature like this should not be
used to price anyone's home.
"""

from __future__ import annotations

import pandas as pd

from .shipped import shipped_file

FILE_NAME = "boston_housing.csv"
FEATURES = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO",
            "B", "LSTAT"]
TARGET = "MEDV"


def load_boston_housing() -> pd.DataFrame:
    """The 506 x 14 table: the 13 features then ``MEDV`` (median value, in $1000s)."""
    frame = pd.read_csv(shipped_file(FILE_NAME))
    expected = FEATURES + [TARGET]
    if list(frame.columns) != expected:
        raise ValueError(f"{FILE_NAME} has columns {list(frame.columns)}, expected {expected}")
    return frame
