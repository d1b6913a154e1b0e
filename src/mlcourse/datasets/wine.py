"""Wine Quality, red (Cortez et al., 2009, UCI): 1,599 Portuguese "Vinho Verde" red wines.

Eleven physicochemical measurements per wine and a ``quality`` score (0-10, median of at least
three tasters). The original file is ``;``-separated with quoted column names, which is exactly
what the clean-code lesson teaches learners to tidy up.

- ``source="full"`` downloads ``winequality-red.csv`` from the UCI repository into the cache.
  No checksum of it is recorded in the course's reference facts yet, so the download is not
  hash-verified (its SHA-256 is logged, to be recorded in ``WINE_RED_CSV``); the parsed table is
  checked instead: 1,599 rows and the 12 columns below.
- ``source="sample"`` writes a deterministic synthetic file with the same columns, separator,
  quoting and value ranges, in which quality rises with alcohol and sulphates and falls with
  volatile acidity as in the real data, into the same cache, and reads it with the same reader.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from mlcourse._files import atomic_path
from mlcourse.datasets._download import cache_root
from mlcourse.datasets._layout import check_table_layout
from mlcourse.datasets.registry import REMOTE_FILES

logger = logging.getLogger(__name__)

WINE_RED_CSV = REMOTE_FILES["wine-quality"]
"""The original file. Set ``MLCOURSE_WINE_URL`` to download the same file from a mirror."""

COLUMNS = [
    "fixed acidity", "volatile acidity", "citric acid", "residual sugar", "chlorides",
    "free sulfur dioxide", "total sulfur dioxide", "density", "pH", "sulphates", "alcohol",
    "quality",
]
"""The columns of the original file, in order (names as published, with spaces)."""

FULL_ROWS = 1599
SEPARATOR = ";"
SAMPLE_GENERATOR_VERSION = 1
"""Part of the sample's cache key; bump it whenever the generated values change."""

# Per column: mean, standard deviation, lowest, highest value and decimals, close to the real
# table's, so the sample looks and summarises like it.
_MARGINALS = {
    "fixed acidity": (8.3, 1.7, 4.6, 15.9, 1),
    "volatile acidity": (0.53, 0.18, 0.12, 1.58, 3),
    "citric acid": (0.27, 0.19, 0.0, 1.0, 2),
    "residual sugar": (2.5, 1.4, 0.9, 15.5, 1),
    "chlorides": (0.087, 0.047, 0.012, 0.611, 3),
    "free sulfur dioxide": (15.9, 10.5, 1.0, 72.0, 0),
    "sulphates": (0.66, 0.17, 0.33, 2.0, 2),
    "alcohol": (10.4, 1.07, 8.4, 14.9, 1),
}


def load_wine_quality(
    source: Literal["full", "sample"] = "full",
    *,
    n_rows: int | None = None,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Return the red-wine table with its original column names (``quality`` last).

    Args:
        source: ``"full"`` downloads the UCI file (1,599 rows); ``"sample"`` generates a file
            with the same layout offline.
        n_rows: rows of the sample (default 1,599); ``"full"`` ignores it.
        seed: seed of the sample generator.
        cache_dir: where downloads and samples are kept (see ``cache_root``).
        progress: show a progress bar while downloading.
    """
    if source == "full":
        path = WINE_RED_CSV.fetch(_cache_folder(cache_dir), progress=progress)
        return read_wine_csv(path, expected_rows=FULL_ROWS)
    if source == "sample":
        rows = FULL_ROWS if n_rows is None else n_rows
        path = write_sample_csv(_sample_path(cache_dir, rows, seed), rows, seed=seed)
        return read_wine_csv(path, expected_rows=rows)
    raise ValueError(f"source must be 'full' or 'sample', not {source!r}")


def read_wine_csv(path: str | os.PathLike[str], expected_rows: int | None = None) -> pd.DataFrame:
    """Parse a ``;``-separated wine file; a wrong layout is an error saying what differs."""
    return check_table_layout(pd.read_csv(path, sep=SEPARATOR), path, COLUMNS, expected_rows,
                              "the red-wine file of the UCI Wine Quality data set")


def generate_wine_sample(n_rows: int = FULL_ROWS, seed: int = 0) -> pd.DataFrame:
    """A synthetic table with the original columns, ranges and main relations to quality."""
    if n_rows < 1:
        raise ValueError(f"n_rows must be at least 1, not {n_rows}")
    rng = np.random.default_rng(seed)
    columns = {name: _draw(rng, n_rows, *spec) for name, spec in _MARGINALS.items()}
    fixed, alcohol = _standardised(columns["fixed acidity"]), _standardised(columns["alcohol"])
    columns["total sulfur dioxide"] = np.clip(
        np.round(columns["free sulfur dioxide"] * 2.0 + rng.gamma(2.0, 8.0, n_rows)), 6, 289)
    columns["density"] = np.round(np.clip(
        0.9967 + 0.0012 * fixed - 0.0009 * alcohol + rng.normal(0, 0.0008, n_rows),
        0.990, 1.004), 5)
    columns["pH"] = np.round(np.clip(3.31 - 0.11 * fixed + rng.normal(0, 0.09, n_rows),
                                     2.74, 4.01), 2)
    score = (0.42 * alcohol - 0.30 * _standardised(columns["volatile acidity"])
             + 0.18 * _standardised(columns["sulphates"]) + rng.normal(0, 0.62, n_rows))
    columns["quality"] = np.clip(np.round(5.64 + 0.81 * score), 3, 8).astype(int)
    return pd.DataFrame({name: columns[name] for name in COLUMNS})


def write_sample_csv(path: str | os.PathLike[str], n_rows: int = FULL_ROWS,
                     seed: int = 0) -> Path:
    """Write the sample in the original's format (quoted header, ``;``) unless it exists."""
    path = Path(path)
    if path.is_file():
        return path
    logger.info("Generating a %d-row wine sample at %s", n_rows, path)
    frame = generate_wine_sample(n_rows, seed)
    with atomic_path(path) as partial:
        header = SEPARATOR.join(f'"{name}"' for name in COLUMNS)
        body = frame.to_csv(sep=SEPARATOR, header=False, index=False)
        partial.write_text(f"{header}\n{body}")
    return path


def _sample_path(cache_dir: str | os.PathLike[str] | None, n_rows: int, seed: int) -> Path:
    name = f"winequality-red-sample-v{SAMPLE_GENERATOR_VERSION}-n{n_rows}-s{seed}.csv"
    return _cache_folder(cache_dir) / name


def _cache_folder(cache_dir: str | os.PathLike[str] | None) -> Path:
    return cache_root(cache_dir) / "wine-quality"


def _draw(rng: np.random.Generator, n_rows: int, mean: float, stdev: float, low: float,
          high: float, decimals: int) -> np.ndarray:
    """Right-skewed values (as the real measurements are) with the given mean and spread."""
    sigma = np.sqrt(np.log1p((stdev / mean) ** 2))
    values = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n_rows)
    return np.round(np.clip(values, low, high), decimals)


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / (spread if spread else 1.0)
