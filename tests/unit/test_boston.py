"""The shipped Boston Housing table is the published one."""

from __future__ import annotations

import pytest

from mlcourse.datasets import load_boston_housing
from mlcourse.datasets.boston import FEATURES, TARGET
from mlcourse.datasets.shipped import DATA_DIR_ENV, shipped_data_dir


def test_shape_columns_and_known_values():
    frame = load_boston_housing()
    assert frame.shape == (506, 14)
    assert list(frame.columns) == FEATURES + [TARGET]
    first = frame.iloc[0]
    assert first["CRIM"] == pytest.approx(0.00632) and first[TARGET] == pytest.approx(24.0)
    assert frame[TARGET].mean() == pytest.approx(22.5328, abs=1e-4)
    assert frame[TARGET].max() == 50  # the survey censored values at 50
    assert frame["CHAS"].isin([0, 1]).all()
    assert not frame.isna().any().any()


def test_data_dir_can_be_pointed_elsewhere(tmp_path, monkeypatch):
    (tmp_path / "README.md").write_text("data")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert shipped_data_dir() == tmp_path
    with pytest.raises(FileNotFoundError, match="boston_housing.csv is missing"):
        load_boston_housing()
