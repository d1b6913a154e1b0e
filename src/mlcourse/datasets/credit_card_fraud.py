"""Credit-card fraud (Dal Pozzolo et al., 2015; ULB Machine Learning Group): the full table or a
generated offline sample with the same schema.

The original holds 284,807 card transactions made by European cardholders over two days in
September 2013, of which 492 (0.17%) are frauds. For confidentiality the published columns are
``Time`` (seconds since the first transaction), ``V1`` ... ``V28`` (principal components of the
undisclosed original features), ``Amount`` and ``Class`` (1 = fraud).

Both sources go through the same steps, so the offline sample exercises the real code path:

1. get ``creditcardfraud.zip``: ``source="full"`` downloads the original (69 MB, size-checked,
   cached, with a progress bar); ``source="sample"`` writes a deterministic synthetic zip of the
   same layout into the cache;
2. read ``creditcard.csv`` from the zip (no extraction: the CSV is 150 MB) and check its columns.

The sample keeps the original's positive rate, and frauds lean the way they do in the real data
(``V14``, ``V12``, ``V17``, ``V10`` low; ``V4``, ``V11`` high) by a random amount, with heavy
tails among the genuine transactions and some frauds that look entirely ordinary: a linear model
finds many frauds but neither all of them nor only them, as on the real data. No value in the
sample comes from the real data.
"""

from __future__ import annotations

import csv
import logging
import os
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from mlcourse._files import atomic_path
from mlcourse.datasets._download import RemoteFile, cache_root, cached_sample
from mlcourse.datasets.registry import REMOTE_FILES

logger = logging.getLogger(__name__)

CREDIT_CARD_FRAUD_ZIP = REMOTE_FILES["credit-card-fraud"]
"""The original archive. Set ``MLCOURSE_FRAUD_URL`` to download the same file from a mirror."""

CSV_NAME = "creditcard.csv"
COMPONENTS = [f"V{number}" for number in range(1, 29)]
COLUMNS = ["Time", *COMPONENTS, "Amount", "Class"]
"""The columns of ``creditcard.csv``, in order."""

FULL_ROWS = 284_807
FULL_FRAUDS = 492
FRAUD_RATE = FULL_FRAUDS / FULL_ROWS
DEFAULT_SAMPLE_ROWS = 100_000
"""Rows of the default sample (173 frauds)."""
SAMPLE_GENERATOR_VERSION = 1
"""Part of the sample's cache key; bump it whenever the generated values change."""

_SECONDS = 172_792  # the original's last Time value: two days
# Standard deviations of V1..V28 in the original (principal components: decreasing variance).
_COMPONENT_STDS = np.array([
    1.96, 1.65, 1.52, 1.42, 1.38, 1.33, 1.24, 1.19, 1.10, 1.09, 1.02, 1.00, 0.995, 0.959,
    0.915, 0.876, 0.849, 0.838, 0.814, 0.771, 0.735, 0.726, 0.624, 0.606, 0.521, 0.482, 0.404,
    0.330])
# How far a typical fraud sits from the genuine transactions, in standard deviations per
# component, with the signs the real frauds show.
_FRAUD_LEAN = {"V1": -1.8, "V2": 1.5, "V3": -3.3, "V4": 3.0, "V7": -2.7, "V9": -1.8,
               "V10": -3.75, "V11": 3.3, "V12": -4.5, "V14": -5.25, "V16": -3.3, "V17": -5.25,
               "V18": -1.5}
_TAIL_DEGREES_OF_FREEDOM = 4.0  # Student-t components: outliers among genuine transactions
_HIDDEN_FRAUD_SHARE = 0.2  # frauds that barely lean at all: no model finds them
_ZIP_DATE = (2019, 1, 31, 0, 0, 0)  # fixed, so that generated archives are reproducible


def load_credit_card_fraud(
    source: Literal["full", "sample"] = "full",
    *,
    n_rows: int | None = None,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    remote: RemoteFile = CREDIT_CARD_FRAUD_ZIP,
    progress: bool = True,
) -> pd.DataFrame:
    """Return the transactions table: ``Time, V1..V28, Amount, Class`` (``Class`` 1 = fraud).

    Args:
        source: ``"full"`` for the original 284,807 transactions (downloaded once, then read
            from the cache), or ``"sample"`` for generated transactions with the same schema
            and fraud rate.
        n_rows: rows of the sample (default :data:`DEFAULT_SAMPLE_ROWS`); only for
            ``"sample"``.
        seed: seed of the sample generator; the same seed and size give the same table.
        cache_dir: cache directory (default: see ``cache_root``).
        remote: where ``"full"`` downloads from (tests point it at a loopback server).
        progress: show a progress bar while downloading.

    Example::

        transactions = load_credit_card_fraud("sample", n_rows=50_000)
        transactions["Class"].mean()   # about 0.0017
    """
    fraud_cache = cache_root(cache_dir) / "credit-card-fraud"
    if source == "full":
        if n_rows is not None:
            raise ValueError("n_rows applies to source='sample' only; 'full' has 284,807 rows")
        archive = remote.fetch(fraud_cache, progress=progress)
    elif source == "sample":
        archive = cached_sample(fraud_cache, CREDIT_CARD_FRAUD_ZIP.filename,
                                version=SAMPLE_GENERATOR_VERSION,
                                size=n_rows or DEFAULT_SAMPLE_ROWS, seed=seed,
                                write=write_sample_archive)
    else:
        raise ValueError(f"source must be 'full' or 'sample', got {source!r}")
    transactions = read_credit_card_archive(archive)
    logger.info("Loaded %d transactions (%d frauds, %s) from %s", len(transactions),
                int(transactions["Class"].sum()), source, archive)
    return transactions


def read_credit_card_archive(archive: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ``creditcard.csv`` from a ``creditcardfraud.zip`` and check its columns.

    Raises:
        ValueError: the file is not a zip, holds no ``creditcard.csv``, or the CSV's columns or
            labels are not the original's.
    """
    archive = Path(archive)
    if not zipfile.is_zipfile(archive):
        raise ValueError(f"{archive} is not a zip archive; delete it and load the data again")
    with zipfile.ZipFile(archive) as bundle:
        member = _csv_member(bundle, archive)
        with bundle.open(member) as stream:
            transactions = pd.read_csv(stream)
    _check_table(transactions, f"{archive}:{member}")
    return transactions


def generate_transactions(n_rows: int = DEFAULT_SAMPLE_ROWS, seed: int = 0) -> pd.DataFrame:
    """Generate ``n_rows`` transactions with the original's columns, order and fraud rate.

    Rows are sorted by ``Time`` as in the original; frauds are spread over the two days.
    """
    if n_rows < 2:
        raise ValueError(f"n_rows must be at least 2 (some genuine, some fraud), got {n_rows}")
    rng = np.random.default_rng(seed)
    frauds = min(n_rows - 1, max(1, round(n_rows * FRAUD_RATE)))
    labels = np.zeros(n_rows, dtype=np.int64)
    labels[rng.choice(n_rows, frauds, replace=False)] = 1
    components = _components(rng, labels)
    # Six decimals are plenty for a sample and keep its CSV quick to write and read.
    table = pd.DataFrame(np.round(components, 6), columns=COMPONENTS)
    table.insert(0, "Time", _transaction_times(rng, n_rows))
    table["Amount"] = np.round(np.exp(rng.normal(3.0, 1.4, n_rows)), 2)
    table["Class"] = labels
    return table


def write_sample_archive(
    path: str | os.PathLike[str], n_rows: int = DEFAULT_SAMPLE_ROWS, seed: int = 0
) -> Path:
    """Write a synthetic ``creditcardfraud.zip`` holding ``creditcard.csv``, atomically.

    The CSV is written like the original (quoted header and ``Class`` values, ``Time`` as
    whole seconds); the archive is byte-identical for the same ``n_rows`` and ``seed``.
    """
    table = generate_transactions(n_rows, seed)
    # As in the original: whole-second Time, and Class written as a quoted string.
    as_published = table.astype({"Time": np.int64, "Class": str})
    text = as_published.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    entry = zipfile.ZipInfo(CSV_NAME, date_time=_ZIP_DATE)
    path = Path(path)
    with atomic_path(path) as partial, zipfile.ZipFile(partial, "w") as bundle:
        # Level 1: fast, as the sample is written during the learner's first run.
        bundle.writestr(entry, text, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    logger.info("Wrote synthetic credit-card archive %s (%d rows, seed %d)", path, n_rows, seed)
    return path


def _components(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """V1..V28: heavy-tailed genuine transactions; frauds shifted along the fraud direction."""
    degrees = _TAIL_DEGREES_OF_FREEDOM
    unit_spread = rng.standard_t(degrees, size=(labels.size, len(COMPONENTS)))
    components = unit_spread / np.sqrt(degrees / (degrees - 2)) * _COMPONENT_STDS
    fraud_rows = np.flatnonzero(labels)
    strength = rng.uniform(0.35, 1.3, fraud_rows.size)
    hidden = rng.random(fraud_rows.size) < _HIDDEN_FRAUD_SHARE
    strength[hidden] = rng.uniform(0.0, 0.25, int(hidden.sum()))
    lean = np.array([_FRAUD_LEAN.get(name, 0.0) for name in COMPONENTS]) * _COMPONENT_STDS
    components[fraud_rows] += strength[:, None] * lean
    return components


def _transaction_times(rng: np.random.Generator, n_rows: int) -> np.ndarray:
    """Whole seconds over two days, sorted, busier by day than by night."""
    accepted = np.empty(0)
    while accepted.size < n_rows:
        candidates = rng.uniform(0, _SECONDS, 2 * n_rows)
        # Activity peaks in the afternoon and bottoms out around 4 am (Time 0 is midnight).
        activity = 0.55 - 0.45 * np.cos(2 * np.pi * (candidates / 86_400 - 4 / 24))
        accepted = np.r_[accepted, candidates[rng.random(candidates.size) < activity]]
    return np.sort(np.floor(accepted[:n_rows]))


def _csv_member(bundle: zipfile.ZipFile, archive: Path) -> str:
    for name in bundle.namelist():
        if Path(name).name == CSV_NAME and not name.startswith("__MACOSX"):
            return name
    raise ValueError(f"{archive} holds no {CSV_NAME} (it holds {bundle.namelist()[:5]}); "
                     "delete it and load the data again")


def _check_table(transactions: pd.DataFrame, where: str) -> None:
    columns = list(transactions.columns)
    if columns != COLUMNS:
        raise ValueError(f"{where} has columns {columns[:4]}... ({len(columns)} in all); "
                         f"expected Time, V1..V28, Amount, Class (31)")
    labels = transactions["Class"]
    if not labels.isin([0, 1]).all():
        unexpected = labels[~labels.isin([0, 1])].iloc[0]
        raise ValueError(f"{where}: Class must be 0 or 1, found {unexpected}")
