"""Tests for mlcourse.datasets.census: the sample generator and both sources of the loader."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest

from mlcourse.datasets import census, load_census
from mlcourse.datasets._download import ChecksumError
from mlcourse.datasets.census import (
    COLUMNS,
    COMMUTE,
    EMPLOYER,
    ETHNICITY,
    FULL_ROWS,
    OCCUPATION,
    read_census_csv,
    write_sample_csv,
)

MIRROR_ENV = "MLCOURSE_CENSUS_URL"


@pytest.fixture(scope="module")
def sample():
    return census.generate_census_sample(seed=0)


def test_sample_has_the_original_schema_and_two_incomplete_rows(sample):
    assert list(sample.columns) == COLUMNS and len(sample) == FULL_ROWS
    assert sample.isna().any(axis=1).sum() == 2 and len(sample.dropna()) == FULL_ROWS - 2
    assert sample["CensusId"].is_unique
    assert not sample.duplicated(["State", "County"]).any()
    assert (sample["Men"] + sample["Women"] == sample["TotalPop"]).all()
    assert (sample["State"] == "Puerto Rico").sum() == 78


@pytest.mark.parametrize("group", [OCCUPATION, COMMUTE, EMPLOYER])
def test_percentage_groups_sum_to_100(sample, group):
    assert np.allclose(sample[group].sum(axis=1), 100, atol=0.6)


def test_values_lie_in_realistic_ranges(sample):
    assert sample[ETHNICITY].sum(axis=1).between(90, 100.5).all()
    assert sample["Income"].dropna().between(19_000, 125_000).all()
    assert sample["TotalPop"].between(85, 10_000_000).all()
    assert sample["Unemployment"].between(0, 30).all()


def test_sample_keeps_the_case_studys_findings(sample):
    """A few principal components explain most of the (min-max scaled) variance."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import MinMaxScaler

    features = MinMaxScaler().fit_transform(sample.dropna().drop(columns=census.ID_COLUMNS))
    explained = np.cumsum(PCA(7).fit(features).explained_variance_ratio_)
    assert explained[1] > 0.4 and explained[6] > 0.72


def test_sample_is_deterministic(sample):
    assert sample.equals(census.generate_census_sample(seed=0))
    assert not sample.equals(census.generate_census_sample(seed=1))


def test_sample_source_is_cached(cache_dir):
    frame = load_census("sample", cache_dir=cache_dir)
    (written,) = (cache_dir / "census").glob("*.csv")
    assert written.read_text().splitlines()[0] == ",".join(COLUMNS)
    assert load_census("sample", cache_dir=cache_dir).equals(frame)


@pytest.fixture
def mirrored(http_server, tmp_path, monkeypatch):
    """The sample served as the original file on loopback; returns its bytes."""
    data = write_sample_csv(tmp_path / "Census_Data_for_SageMaker.csv").read_bytes()
    http_server.files["census.csv"] = data
    monkeypatch.setenv(MIRROR_ENV, http_server.url("census.csv"))
    monkeypatch.setattr(census, "CENSUS_CSV", dataclasses.replace(census.CENSUS_CSV,
                                                                  size=len(data)))
    return data


def test_full_source_downloads_once_and_checks_the_md5(http_server, cache_dir, mirrored,
                                                       monkeypatch):
    monkeypatch.setattr(census, "CENSUS_CSV", dataclasses.replace(
        census.CENSUS_CSV, md5=hashlib.md5(mirrored).hexdigest()))
    frame = load_census("full", cache_dir=cache_dir, progress=False)
    again = load_census("full", cache_dir=cache_dir, progress=False)
    assert frame.shape == (FULL_ROWS, len(COLUMNS)) and again.equals(frame)
    assert http_server.requests == ["census.csv"]


def test_a_download_with_the_wrong_md5_is_deleted(cache_dir, mirrored):
    with pytest.raises(ChecksumError, match="MD5 .* expected 066d37f43f7762f1eb409b1660fe9763"):
        load_census("full", cache_dir=cache_dir, progress=False)
    assert not list((cache_dir / "census").glob("*.csv"))


def test_the_original_files_facts_are_recorded():
    assert census.CENSUS_CSV.size == 613_237
    assert census.CENSUS_CSV.url.endswith("/Census_Data_for_SageMaker.csv")


def test_a_file_with_the_wrong_layout_is_refused(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="is it Census_Data_for_SageMaker.csv"):
        read_census_csv(wrong)
    with pytest.raises(ValueError, match="'full' or 'sample'"):
        load_census("half", cache_dir=tmp_path)
