"""Dataset loaders: one module per dataset, re-exported here.

Every loader takes ``source="full"`` (the original data, downloaded from its canonical URL with a
checksum, cache and progress bar) or ``source="sample"`` (a small real sample shipped in ``data/``
or a deterministic generator with the original's exact schema and layout).
"""

from mlcourse.datasets.boston import load_boston_housing
from mlcourse.datasets.census import load_census
from mlcourse.datasets.credit_card_fraud import load_credit_card_fraud
from mlcourse.datasets.household_power import load_household_power
from mlcourse.datasets.imdb import (
    ImdbData,
    generate_drifted_reviews,
    load_imdb,
    read_imdb_reviews,
    write_sample_archive,
)
from mlcourse.datasets.plagiarism import load_plagiarism_corpus
from mlcourse.datasets.wine import load_wine_quality

__all__ = [
    "ImdbData",
    "generate_drifted_reviews",
    "load_boston_housing",
    "load_census",
    "load_credit_card_fraud",
    "load_household_power",
    "load_imdb",
    "load_plagiarism_corpus",
    "load_wine_quality",
    "read_imdb_reviews",
    "write_sample_archive",
]
