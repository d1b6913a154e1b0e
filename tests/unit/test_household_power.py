"""Tests for mlcourse.datasets.household_power: the raw parser, the download, the shipped sample."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from mlcourse.datasets import load_household_power
from mlcourse.datasets.household_power import (
    COLUMNS,
    HOUSEHOLD_POWER_ZIP,
    INDEX,
    MEMBER,
    RAW_HEADER,
    daily_means,
    read_minute_table,
    write_minute_sample,
)


@pytest.fixture
def minute_file(tmp_path):
    """Two synthetic days in UCI's layout, with an hour of ``?`` rows."""
    return write_minute_sample(tmp_path / MEMBER, days=2, missing=(600, 660))


def zipped(path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, MEMBER)
    return buffer.getvalue()


def test_the_raw_parser_reads_dates_day_first_and_question_marks_as_missing(minute_file):
    first_lines = minute_file.read_text().splitlines()[:2]
    assert first_lines[0] == RAW_HEADER
    assert first_lines[1].startswith("16/12/2006;17:24:00;")
    frame = read_minute_table(minute_file)
    assert list(frame.columns) == COLUMNS and frame.index.name == INDEX
    assert frame.index[0] == pd.Timestamp("2006-12-16 17:24:00")
    assert frame.index.is_monotonic_increasing and len(frame) == 2 * 1440
    assert frame.isna().all(axis=1).sum() == 60  # the "?" rows, every column
    assert frame.dtypes.eq("float64").all()


def test_daily_means_average_the_recorded_minutes(minute_file):
    minutes = read_minute_table(minute_file)
    daily = daily_means(minutes)
    first_day = minutes.loc["2006-12-16"]
    assert daily.index[0] == pd.Timestamp("2006-12-16")
    assert np.isclose(daily.iloc[0]["Voltage"], first_day["Voltage"].mean())


def test_full_source_downloads_the_zip_once_and_parses_it(http_server, cache_dir, minute_file):
    archive = zipped(minute_file)
    http_server.files["uci/household_power_consumption.zip"] = archive
    remote = dataclasses.replace(HOUSEHOLD_POWER_ZIP,
                                 url=http_server.url("uci/household_power_consumption.zip"),
                                 sha256=hashlib.sha256(archive).hexdigest(),
                                 size=len(archive), url_env=None)
    frame = load_household_power("full", cache_dir=cache_dir, remote=remote, progress=False)
    again = load_household_power("full", cache_dir=cache_dir, remote=remote, progress=False)
    assert frame.equals(read_minute_table(minute_file))
    assert again.equals(frame)
    assert http_server.requests == ["uci/household_power_consumption.zip"]


def test_a_zip_without_the_table_is_refused(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    with pytest.raises(ValueError, match="not household_power_consumption.txt"):
        read_minute_table(path)


def test_the_shipped_sample_is_the_real_daily_series():
    daily = load_household_power("sample")
    assert list(daily.columns) == COLUMNS and daily.index.freqstr == "D"
    assert daily.index[0] == pd.Timestamp("2006-12-16")
    assert daily.index[-1] == pd.Timestamp("2010-11-26")
    assert len(daily) == 1442
    # Days with no record at all stay missing for the lesson to clean (9 in the real data).
    assert daily.isna().all(axis=1).sum() == 9
    # The house's real figures: about 1.1 kW on average, with winters above summers.
    power = daily["Global_active_power"]
    assert 1.0 < power.mean() < 1.2
    assert power["2008-01"].mean() > 1.4 * power["2008-07"].mean()
    assert daily["Voltage"].dropna().between(230, 250).all()


def test_unknown_sources_are_refused():
    with pytest.raises(ValueError, match="'full' or 'sample'"):
        load_household_power("tiny")
