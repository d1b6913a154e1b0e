"""Tests of the credit-card fraud loader: the generated sample, and the download path over loopback
HTTP with a fixture archive."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from mlcourse._files import sha256_file
from mlcourse.datasets import load_credit_card_fraud
from mlcourse.datasets._download import ChecksumError, RemoteFile
from mlcourse.datasets.credit_card_fraud import (
    COLUMNS,
    CREDIT_CARD_FRAUD_ZIP,
    FRAUD_RATE,
    generate_transactions,
    read_credit_card_archive,
    write_sample_archive,
)

SMALL = 5000


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Path:
    """A generated ``creditcardfraud.zip`` used as the 'original' in download tests."""
    return write_sample_archive(tmp_path_factory.mktemp("fraud") / "creditcardfraud.zip", SMALL)


def test_sample_has_the_original_schema_and_fraud_rate():
    table = generate_transactions(60_000, seed=4)
    assert list(table.columns) == COLUMNS
    assert table["Class"].sum() == round(60_000 * FRAUD_RATE)  # 104 frauds, 0.17%
    assert table["Time"].is_monotonic_increasing
    assert table["Time"].min() >= 0 and table["Time"].max() <= 172_792
    assert (table["Amount"] >= 0).all()
    # Principal components: centred, with decreasing spread from V1 to V28.
    genuine = table[table["Class"] == 0]
    spreads = genuine[[f"V{number}" for number in range(1, 29)]].std()
    assert spreads.iloc[0] > 1.5 and spreads.iloc[-1] < 0.5
    assert genuine["V14"].mean() == pytest.approx(0, abs=0.05)
    # Frauds lean the way the real ones do.
    frauds = table[table["Class"] == 1]
    assert frauds["V14"].mean() < -1.0 and frauds["V4"].mean() > 1.0


def test_sample_archive_is_byte_identical_for_the_same_seed(tmp_path, small_archive):
    again = write_sample_archive(tmp_path / "again.zip", SMALL)
    other = write_sample_archive(tmp_path / "other.zip", SMALL, seed=1)
    assert sha256_file(again) == sha256_file(small_archive)
    assert sha256_file(other) != sha256_file(small_archive)


def test_sample_archive_is_laid_out_like_the_original(small_archive):
    with zipfile.ZipFile(small_archive) as bundle:
        assert bundle.namelist() == ["creditcard.csv"]
        lines = bundle.read("creditcard.csv").decode().splitlines()
    assert lines[0] == ",".join(f'"{column}"' for column in COLUMNS)
    first = lines[1].split(",")
    assert len(first) == 31 and first[0].isdigit() and first[-1] in ('"0"', '"1"')
    assert len(lines) == SMALL + 1


def test_a_linear_model_finds_some_frauds_but_not_all():
    table = generate_transactions(120_000, seed=0)
    features, labels = table.drop(columns="Class").to_numpy(), table["Class"].to_numpy()
    train_x, test_x, train_y, test_y = train_test_split(features, labels, test_size=0.5,
                                                        stratify=labels, random_state=0)
    scaler = StandardScaler().fit(train_x)
    model = LogisticRegression(max_iter=500).fit(scaler.transform(train_x), train_y)
    predicted = model.predict(scaler.transform(test_x))
    caught = np.sum((predicted == 1) & (test_y == 1))
    recall, precision = caught / test_y.sum(), caught / max(predicted.sum(), 1)
    # As with the real data: well better than chance, well short of perfect.
    assert 0.4 < recall < 0.9
    assert 0.4 < precision < 0.99
    assert np.mean(predicted == test_y) > 1 - FRAUD_RATE


def test_load_sample_is_deterministic_and_cached(cache_dir):
    first = load_credit_card_fraud("sample", n_rows=SMALL, cache_dir=cache_dir, progress=False)
    archives = list((cache_dir / "credit-card-fraud").glob("sample-*/creditcardfraud.zip"))
    assert len(archives) == 1
    written = archives[0].stat().st_mtime_ns
    again = load_credit_card_fraud("sample", n_rows=SMALL, cache_dir=cache_dir, progress=False)
    pd.testing.assert_frame_equal(first, again)
    assert archives[0].stat().st_mtime_ns == written  # read from the cache, not regenerated
    assert first["Class"].dtype == np.int64 and first["Time"].dtype == np.int64


def test_full_source_over_loopback_http_reads_the_archive_once(
    http_server, cache_dir, small_archive
):
    http_server.files["topher/creditcardfraud.zip"] = small_archive.read_bytes()
    remote = RemoteFile(url=http_server.url("topher/creditcardfraud.zip"),
                        sha256=sha256_file(small_archive), size=small_archive.stat().st_size)

    full = load_credit_card_fraud("full", cache_dir=cache_dir, remote=remote, progress=False)
    again = load_credit_card_fraud("full", cache_dir=cache_dir, remote=remote, progress=False)

    sample = load_credit_card_fraud("sample", n_rows=SMALL, cache_dir=cache_dir, progress=False)
    pd.testing.assert_frame_equal(full, sample)
    pd.testing.assert_frame_equal(again, full)
    assert http_server.requests == ["topher/creditcardfraud.zip"]  # the cache served the rest
    assert (cache_dir / "credit-card-fraud" / "creditcardfraud.zip").is_file()


def test_full_source_follows_the_mirror_environment_variable(
    http_server, cache_dir, small_archive, monkeypatch
):
    http_server.files["mirror/fraud.zip"] = small_archive.read_bytes()
    monkeypatch.setenv("MLCOURSE_FRAUD_URL", http_server.url("mirror/fraud.zip"))
    # The real size belongs to the real file; this mirror serves the generated one.
    remote = dataclasses.replace(CREDIT_CARD_FRAUD_ZIP, size=small_archive.stat().st_size)

    table = load_credit_card_fraud("full", cache_dir=cache_dir, remote=remote, progress=False)

    assert len(table) == SMALL
    assert http_server.requests == ["mirror/fraud.zip"]
    assert (cache_dir / "credit-card-fraud" / "creditcardfraud.zip").is_file()


def test_download_of_the_wrong_size_fails_clearly_and_caches_nothing(
    http_server, cache_dir, small_archive
):
    http_server.files["creditcardfraud.zip"] = small_archive.read_bytes()
    url = http_server.url("creditcardfraud.zip")
    # The canonical entry records the original's size (69,155,632 bytes), not the fixture's.
    remote = dataclasses.replace(CREDIT_CARD_FRAUD_ZIP, url=url, url_env=None)

    with pytest.raises(ChecksumError, match="69155632 bytes") as raised:
        load_credit_card_fraud("full", cache_dir=cache_dir, remote=remote, progress=False)

    assert url in str(raised.value)
    fraud_cache = cache_dir / "credit-card-fraud"
    assert not fraud_cache.exists() or list(fraud_cache.iterdir()) == []


def _zip_holding(path: Path, name: str, text: str) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr(name, text)
    return path


def test_reading_rejects_archives_that_are_not_the_original(tmp_path):
    not_a_zip = tmp_path / "creditcardfraud.zip"
    not_a_zip.write_text("<html>Access denied</html>")
    with pytest.raises(ValueError, match="not a zip archive"):
        read_credit_card_archive(not_a_zip)
    with pytest.raises(ValueError, match="holds no creditcard.csv"):
        read_credit_card_archive(_zip_holding(tmp_path / "a.zip", "other.csv", "a,b\n1,2\n"))
    with pytest.raises(ValueError, match="expected Time, V1..V28, Amount, Class"):
        read_credit_card_archive(_zip_holding(tmp_path / "b.zip", "creditcard.csv", "a,b\n1,2\n"))
    header = ",".join(COLUMNS)
    bad_label = "0," + ",".join(["0.5"] * 29) + ",2\n"
    with pytest.raises(ValueError, match="Class must be 0 or 1, found 2"):
        read_credit_card_archive(_zip_holding(tmp_path / "c.zip", "data/creditcard.csv",
                                              f"{header}\n{bad_label}"))


def test_load_rejects_bad_arguments(cache_dir):
    with pytest.raises(ValueError, match="source"):
        load_credit_card_fraud("tiny", cache_dir=cache_dir)
    with pytest.raises(ValueError, match="n_rows"):
        load_credit_card_fraud("full", n_rows=100, cache_dir=cache_dir)
    with pytest.raises(ValueError, match="at least 2"):
        load_credit_card_fraud("sample", n_rows=1, cache_dir=cache_dir)
