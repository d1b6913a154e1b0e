"""US census data by county (American Community Survey 2015 estimates), for population
segmentation.

One row per county (and per Puerto Rico municipio): 3,220 rows, 37 columns. Counts (``TotalPop``,
``Men``, ``Women``, ``Citizen``, ``Employed``), incomes in dollars with their margins of error,
and percentages in groups that each sum to about 100: ethnicity (``Hispanic`` .. ``Pacific``,
the rest is other or mixed), occupation (``Professional`` .. ``Production``), commute
(``Drive`` .. ``WorkAtHome``) and employer (``PrivateWork`` .. ``FamilyWork``). Two rows have a
missing value.

- ``source="full"`` downloads ``Census_Data_for_SageMaker.csv`` from AWS's public bucket
  ``aws-ml-blog-sagemaker-census-segmentation`` (613,237 bytes) into the cache and checks its
  size and MD5 (the object's S3 ETag, the only checksum AWS publishes for it).
- ``source="sample"`` writes a deterministic synthetic file with the same columns and layout,
  into the same cache, and reads it with the same reader. Its counties are drawn from a handful
  of county types (farming, suburban, urban, Black Belt, border, reservation, Appalachian, Puerto
  Rico ...) with realistic ranges, so that, as on the real data, a few principal components
  explain most of the variance and the counties form distinct clusters. Its figures are not the
  real data's.
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

CENSUS_CSV = REMOTE_FILES["census"]
"""The original file, checked against AWS's MD5. ``MLCOURSE_CENSUS_URL`` points at a mirror."""

ID_COLUMNS = ["CensusId", "State", "County"]
ETHNICITY = ["Hispanic", "White", "Black", "Native", "Asian", "Pacific"]
OCCUPATION = ["Professional", "Service", "Office", "Construction", "Production"]
COMMUTE = ["Drive", "Carpool", "Transit", "Walk", "OtherTransp", "WorkAtHome"]
EMPLOYER = ["PrivateWork", "PublicWork", "SelfEmployed", "FamilyWork"]
COLUMNS = [
    *ID_COLUMNS, "TotalPop", "Men", "Women", *ETHNICITY, "Citizen", "Income", "IncomeErr",
    "IncomePerCap", "IncomePerCapErr", "Poverty", "ChildPoverty", *OCCUPATION, *COMMUTE,
    "MeanCommute", "Employed", *EMPLOYER, "Unemployment",
]
"""The 37 columns of the original file, in order."""

FULL_ROWS = 3220
SAMPLE_GENERATOR_VERSION = 1
"""Part of the sample's cache key; bump it whenever the generated values change."""

# Counties (and Puerto Rico's municipios) per state, as in the original table: 3,220 in all.
COUNTIES_PER_STATE = {
    "Alabama": 67, "Alaska": 29, "Arizona": 15, "Arkansas": 75, "California": 58,
    "Colorado": 64, "Connecticut": 8, "Delaware": 3, "District of Columbia": 1, "Florida": 67,
    "Georgia": 159, "Hawaii": 5, "Idaho": 44, "Illinois": 102, "Indiana": 92, "Iowa": 99,
    "Kansas": 105, "Kentucky": 120, "Louisiana": 64, "Maine": 16, "Maryland": 24,
    "Massachusetts": 14, "Michigan": 83, "Minnesota": 87, "Mississippi": 82, "Missouri": 115,
    "Montana": 56, "Nebraska": 93, "Nevada": 17, "New Hampshire": 10, "New Jersey": 21,
    "New Mexico": 33, "New York": 62, "North Carolina": 100, "North Dakota": 53, "Ohio": 88,
    "Oklahoma": 77, "Oregon": 36, "Pennsylvania": 67, "Rhode Island": 5, "South Carolina": 46,
    "South Dakota": 66, "Tennessee": 95, "Texas": 254, "Utah": 29, "Vermont": 14,
    "Virginia": 133, "Washington": 39, "West Virginia": 55, "Wisconsin": 72, "Wyoming": 23,
    "Puerto Rico": 78,
}

# County types of the sample: population (median), the percentage groups' means, and median
# household income, poverty, unemployment and mean commute (minutes).
_PROFILES = {
    "farming": dict(pop=9_000, eth=[4, 91, 1.5, 1, 0.5, 0.05], occ=[30, 17, 21, 16, 16],
                    com=[80, 10, 0.3, 3.5, 1.2, 5], emp=[70, 18, 11, 0.8], income=48_000,
                    poverty=13, unemployment=4.5, commute=20),
    "small town": dict(pop=30_000, eth=[5, 86, 5, 0.6, 0.9, 0.05], occ=[31, 18, 24, 11, 16],
                       com=[82, 10, 0.5, 2.5, 1.2, 4], emp=[77, 16, 6.5, 0.2], income=46_000,
                       poverty=16, unemployment=7, commute=22),
    "suburban": dict(pop=180_000, eth=[9, 78, 6, 0.3, 4.5, 0.05], occ=[42, 15, 25, 9, 9],
                     com=[82, 8, 2.5, 1.5, 1, 5], emp=[81, 13, 5.5, 0.1], income=74_000,
                     poverty=8, unemployment=5.5, commute=30),
    "urban core": dict(pop=900_000, eth=[22, 50, 17, 0.3, 8, 0.1], occ=[40, 19, 24, 7, 10],
                       com=[68, 9, 12, 4, 2, 5], emp=[80, 14, 5.8, 0.1], income=60_000,
                       poverty=17, unemployment=8.5, commute=28),
    "black belt": dict(pop=15_000, eth=[2, 45, 51, 0.3, 0.3, 0.02], occ=[26, 20, 22, 12, 20],
                       com=[84, 11, 0.4, 1.5, 1, 2.5], emp=[72, 21, 6.5, 0.2], income=32_000,
                       poverty=29, unemployment=12, commute=25),
    "border": dict(pop=40_000, eth=[78, 19, 0.8, 0.4, 0.6, 0.05], occ=[24, 22, 22, 17, 15],
                   com=[78, 13, 0.6, 2, 2, 4], emp=[73, 19, 7.7, 0.3], income=36_000,
                   poverty=27, unemployment=8.5, commute=21),
    "reservation": dict(pop=8_000, eth=[4, 26, 0.4, 67, 0.3, 0.1], occ=[29, 25, 21, 13, 12],
                        com=[72, 14, 1, 6, 3, 4], emp=[55, 38, 6.5, 0.5], income=34_000,
                        poverty=35, unemployment=16, commute=22),
    "appalachian": dict(pop=20_000, eth=[1.5, 95, 1.5, 0.2, 0.3, 0.02], occ=[27, 18, 23, 13, 19],
                        com=[85, 10, 0.2, 1.5, 0.8, 2.5], emp=[76, 17, 6.8, 0.2], income=33_000,
                        poverty=25, unemployment=10.5, commute=27),
    "puerto rico": dict(pop=40_000, eth=[99, 0.6, 0.1, 0.05, 0.05, 0.0], occ=[26, 22, 26, 11, 15],
                        com=[85, 9, 1, 2, 1, 2], emp=[68, 27, 5, 0.1], income=19_000,
                        poverty=48, unemployment=20, commute=28),
}
# How often each type occurs outside Puerto Rico, and where the regional ones are likelier.
_TYPE_WEIGHTS = {"farming": 0.27, "small town": 0.27, "suburban": 0.13, "urban core": 0.04,
                 "black belt": 0.08, "border": 0.06, "reservation": 0.02, "appalachian": 0.13}
_REGIONAL = {
    "black belt": {"Alabama", "Georgia", "Mississippi", "Louisiana", "South Carolina",
                   "North Carolina", "Arkansas", "Virginia", "Tennessee"},
    "border": {"Texas", "New Mexico", "California", "Arizona", "Colorado", "Florida"},
    "reservation": {"South Dakota", "Arizona", "New Mexico", "Montana", "North Dakota",
                    "Alaska", "Oklahoma"},
    "appalachian": {"Kentucky", "West Virginia", "Tennessee", "Virginia", "Ohio",
                    "Pennsylvania", "North Carolina"},
}
_NAME_STEMS = ["Oak", "Cedar", "Pine", "Maple", "Willow", "Elm", "Ash", "Birch", "Clear",
               "Green", "Red", "Stone", "Iron", "Silver", "Gold", "Fair", "Spring", "Lake",
               "River", "Prairie", "Hill", "Glen", "Brook", "Wolf", "Bear", "Eagle", "Fox",
               "Deer", "Mill", "North", "South", "East", "West", "Rock", "Sand"]
_NAME_ENDINGS = ["field", "wood", "ford", "dale", "ton", "ville", "land", "view", "mont",
                 "burg", "haven", "port", "ridge", "water", "wick", "crest"]


def load_census(
    source: Literal["full", "sample"] = "full",
    *,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Return the county table with its original 37 columns (missing values kept as NaN).

    Args:
        source: ``"full"`` downloads AWS's file (3,220 counties); ``"sample"`` generates a file
            with the same layout offline.
        seed: seed of the sample generator.
        cache_dir: where downloads and samples are kept (see ``cache_root``).
        progress: show a progress bar while downloading.
    """
    if source == "full":
        path = CENSUS_CSV.fetch(_cache_folder(cache_dir), progress=progress)
        return read_census_csv(path, expected_rows=FULL_ROWS)
    if source == "sample":
        path = write_sample_csv(_sample_path(cache_dir, seed), seed=seed)
        return read_census_csv(path, expected_rows=FULL_ROWS)
    raise ValueError(f"source must be 'full' or 'sample', not {source!r}")


def read_census_csv(path: str | os.PathLike[str],
                    expected_rows: int | None = None) -> pd.DataFrame:
    """Parse a census file; a wrong layout is an error saying what differs."""
    return check_table_layout(pd.read_csv(path), path, COLUMNS, expected_rows,
                              "Census_Data_for_SageMaker.csv")


def generate_census_sample(seed: int = 0) -> pd.DataFrame:
    """A synthetic county table with the original's columns, ranges and two missing values."""
    rng = np.random.default_rng(seed)
    rows = [_county(rng, state, number, name)
            for state, number, name in _county_names(rng)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    # The original has one county without income figures and one without child poverty.
    frame.loc[frame.index[rng.integers(0, len(frame))], ["Income", "IncomeErr"]] = np.nan
    frame.loc[frame.index[rng.integers(0, len(frame))], "ChildPoverty"] = np.nan
    return frame


def write_sample_csv(path: str | os.PathLike[str], seed: int = 0) -> Path:
    """Write the sample in the original's format unless it exists."""
    path = Path(path)
    if path.is_file():
        return path
    logger.info("Generating the census sample at %s", path)
    frame = generate_census_sample(seed)
    with atomic_path(path) as partial:
        frame.to_csv(partial, index=False)
    return path


def _county_names(rng: np.random.Generator):
    """(state, FIPS-like CensusId, county name) for every row, states in alphabetical order."""
    for state_number, (state, count) in enumerate(sorted(COUNTIES_PER_STATE.items()), start=1):
        names = rng.permutation([stem + ending for stem in _NAME_STEMS
                                 for ending in _NAME_ENDINGS])[:count]
        for county_number, name in enumerate(names, start=1):
            yield state, state_number * 1000 + 2 * county_number - 1, str(name)


def _county_type(rng: np.random.Generator, state: str) -> str:
    if state == "Puerto Rico":
        return "puerto rico"
    weights = np.array([weight * (6 if state in _REGIONAL.get(kind, {state}) else 0.15)
                        if kind in _REGIONAL else weight
                        for kind, weight in _TYPE_WEIGHTS.items()])
    return str(rng.choice(list(_TYPE_WEIGHTS), p=weights / weights.sum()))


def _county(rng: np.random.Generator, state: str, census_id: int, name: str) -> list:
    profile = _PROFILES[_county_type(rng, state)]
    population = int(np.clip(rng.lognormal(np.log(profile["pop"]), 0.7), 85, 10_000_000))
    men = int(population * np.clip(rng.normal(0.495, 0.012), 0.45, 0.56))
    income = _around(rng, profile["income"], 0.15, 19_000, 125_000)
    per_capita = _around(rng, income * 0.52, 0.12, 8_000, 65_000)
    poverty = _around(rng, profile["poverty"], 0.2, 2, 55, decimals=1)
    employed = int(population * np.clip(rng.normal(0.45, 0.04), 0.25, 0.6))
    error_scale = 1 / np.sqrt(population / 5_000)
    return [
        census_id, state, name, population, men, population - men,
        *_shares(rng, profile["eth"] + [max(0.5, 100 - sum(profile["eth"]))], 500)[:-1],
        int(population * np.clip(rng.normal(0.73, 0.04), 0.5, 0.85)),
        income, round(income * np.clip(0.08 * error_scale, 0.01, 0.3)),
        per_capita, round(per_capita * np.clip(0.07 * error_scale, 0.01, 0.3)),
        poverty, round(float(np.clip(poverty * rng.normal(1.35, 0.1), 0, 75)), 1),
        *_shares(rng, profile["occ"], 300), *_shares(rng, profile["com"], 250),
        _around(rng, profile["commute"], 0.15, 5, 45, decimals=1), employed,
        *_shares(rng, profile["emp"], 400),
        _around(rng, profile["unemployment"], 0.25, 0, 30, decimals=1),
    ]


def _shares(rng: np.random.Generator, means: list[float], concentration: float) -> list[float]:
    """Percentages around ``means`` that sum to 100 (to rounding), one decimal."""
    alpha = np.maximum(np.asarray(means, dtype=float) / 100 * concentration, 0.02)
    return [round(float(share), 1) for share in 100 * rng.dirichlet(alpha)]


def _around(rng: np.random.Generator, median: float, spread: float, low: float, high: float,
            decimals: int = 0) -> float:
    value = float(np.clip(rng.lognormal(np.log(median), spread), low, high))
    return round(value, decimals) if decimals else round(value)


def _sample_path(cache_dir: str | os.PathLike[str] | None, seed: int) -> Path:
    name = f"census-sample-v{SAMPLE_GENERATOR_VERSION}-s{seed}.csv"
    return _cache_folder(cache_dir) / name


def _cache_folder(cache_dir: str | os.PathLike[str] | None) -> Path:
    return cache_root(cache_dir) / "census"
