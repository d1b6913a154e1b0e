"""Tests for mlcourse.datasets.wine: the sample generator and both sources of the loader."""

from __future__ import annotations

import logging

import pytest

from mlcourse.datasets import load_wine_quality
from mlcourse.datasets.wine import (
    COLUMNS,
    FULL_ROWS,
    WINE_RED_CSV,
    generate_wine_sample,
    read_wine_csv,
    write_sample_csv,
)

MIRROR_ENV = "MLCOURSE_WINE_URL"


@pytest.fixture
def full_file(tmp_path):
    """A file laid out like the UCI original (1,599 rows, quoted header, ``;``)."""
    return write_sample_csv(tmp_path / "winequality-red.csv", FULL_ROWS, seed=7).read_bytes()


def test_sample_has_the_original_layout_and_values_in_range(cache_dir):
    frame = load_wine_quality("sample", cache_dir=cache_dir)

    assert list(frame.columns) == COLUMNS
    assert len(frame) == FULL_ROWS
    assert frame["quality"].between(3, 8).all()
    assert frame["density"].between(0.99, 1.004).all()
    assert (frame["total sulfur dioxide"] >= frame["free sulfur dioxide"]).all()
    assert not frame.isna().any().any()


def test_sample_file_is_quoted_and_semicolon_separated(cache_dir):
    load_wine_quality("sample", n_rows=20, cache_dir=cache_dir)
    (written,) = (cache_dir / "wine-quality").glob("*.csv")
    header, first_row = written.read_text().splitlines()[:2]

    assert header == ";".join(f'"{name}"' for name in COLUMNS)
    assert len(first_row.split(";")) == len(COLUMNS)


def test_sample_is_deterministic_and_keeps_the_relations_the_lesson_shows():
    frame = generate_wine_sample(FULL_ROWS, seed=0)

    assert frame.equals(generate_wine_sample(FULL_ROWS, seed=0))
    assert not frame.equals(generate_wine_sample(FULL_ROWS, seed=1))
    correlations = frame.corr()["quality"]
    assert correlations["alcohol"] > 0.3
    assert correlations["volatile acidity"] < -0.2
    assert correlations["sulphates"] > 0.1


def test_full_source_downloads_once_and_logs_the_unrecorded_checksum(
    http_server, cache_dir, full_file, monkeypatch, caplog
):
    http_server.files["wine/winequality-red.csv"] = full_file
    monkeypatch.setenv(MIRROR_ENV, http_server.url("wine/winequality-red.csv"))

    with caplog.at_level(logging.WARNING):
        frame = load_wine_quality("full", cache_dir=cache_dir, progress=False)
    again = load_wine_quality("full", cache_dir=cache_dir, progress=False)

    assert WINE_RED_CSV.sha256 is None  # nothing recorded: the hash is reported, not checked
    assert "No checksum is recorded" in caplog.text
    assert frame.shape == (FULL_ROWS, len(COLUMNS))
    assert again.equals(frame)
    assert http_server.requests == ["wine/winequality-red.csv"]
    assert (cache_dir / "wine-quality" / "winequality-red.csv").read_bytes() == full_file


def test_a_file_with_the_wrong_layout_is_refused_with_what_differs(tmp_path):
    wrong_rows = write_sample_csv(tmp_path / "short.csv", 10)
    comma_separated = tmp_path / "comma.csv"
    comma_separated.write_text(",".join(COLUMNS) + "\n" + ",".join(["1"] * len(COLUMNS)) + "\n")

    with pytest.raises(ValueError, match="has 10 rows, expected 1599"):
        read_wine_csv(wrong_rows, expected_rows=FULL_ROWS)
    with pytest.raises(ValueError, match="expected .*is it the red-wine file"):
        read_wine_csv(comma_separated)


def test_unknown_source_is_an_error(cache_dir):
    with pytest.raises(ValueError, match="'full' or 'sample'"):
        load_wine_quality("half", cache_dir=cache_dir)
