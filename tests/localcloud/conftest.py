"""Shared data for the localcloud conformance tests: Boston Housing split and uploaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from mlcourse.datasets.boston import load_boston_housing


@dataclass
class BostonSplits:
    train: pd.DataFrame  # label (MEDV) first, as SageMaker XGBoost wants CSV
    validation: pd.DataFrame
    test_features: pd.DataFrame
    test_labels: pd.Series


@pytest.fixture(scope="session")
def boston() -> BostonSplits:
    frame = load_boston_housing()
    labelled = pd.concat([frame["MEDV"], frame.drop(columns="MEDV")], axis=1)
    rest, test = train_test_split(labelled, test_size=0.2, random_state=7)
    train, validation = train_test_split(rest, test_size=0.25, random_state=7)
    return BostonSplits(train, validation, test.drop(columns="MEDV"), test["MEDV"])


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """No header, no index: the layout SageMaker's built-in algorithms read."""
    frame.to_csv(path, header=False, index=False)
    return path


@pytest.fixture(scope="session")
def write_csv():
    """``write_csv(frame, path)`` writes a headerless, index-free CSV and returns the path."""
    return _write_csv
