"""Review preprocessing for training: stop words, stemming, bag-of-words matrices and a cache.

Everything works offline: the stop words are scikit-learn's built-in English list and nltk's
Porter stemmer is pure code, so no ``nltk.download(...)`` is needed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from mlcourse._files import atomic_path
from mlcourse.text.lite import bow_encoding, simple_words

if TYPE_CHECKING:
    from nltk.stem.porter import PorterStemmer

logger = logging.getLogger(__name__)

STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS)
"""Words too common to tell reviews apart (scikit-learn's list; note it includes "not")."""

PREPROCESSING_VERSION = 1
"""Stored in cache files; bump it whenever :func:`review_to_words` changes its output."""


@cache
def _stemmer() -> PorterStemmer:
    """The shared Porter stemmer, built on the first :func:`stem` call.

    Importing nltk takes most of a second, which code that only builds bag-of-words matrices
    (or only imports this module) should not pay.
    """
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    """Porter-stem one word; memoised, since a corpus repeats the same words endlessly."""
    return _stemmer().stem(word)


def review_to_words(review: str) -> list[str]:
    """Turn a raw review into stemmed words: no HTML, lowercase, alphanumeric, no stop words.

    >>> review_to_words("This movie was <br />wonderfully ACTED!")
    ['movi', 'wonder', 'act']
    """
    return [stem(word) for word in simple_words(review) if word not in STOP_WORDS]


def bow_encode(words: Iterable[str], vocabulary: Mapping[str, int]) -> np.ndarray:
    """Bag-of-words counts of one review as a 1-D integer array of ``len(vocabulary)``."""
    return np.asarray(bow_encoding(words, vocabulary), dtype=np.int32)


def bow_encode_batch(
    word_lists: Iterable[Iterable[str]], vocabulary: Mapping[str, int], *, dense: bool = False
) -> scipy.sparse.csr_matrix | np.ndarray:
    """Bag-of-words counts of many reviews, one row each, one column per vocabulary word.

    Returns a sparse CSR matrix (xgboost and scikit-learn take it directly, and 25,000 reviews
    by 5,000 words would be half a gigabyte dense), or a dense array with ``dense=True`` (e.g. to
    build a pandas DataFrame and write CSV for SageMaker). Vocabulary indices must be
    ``0 .. len(vocabulary) - 1``.
    """
    if not vocabulary:  # CountVectorizer refuses an empty vocabulary; no words, no columns
        matrix = scipy.sparse.csr_matrix((len(list(word_lists)), 0), dtype=np.int32)
        return matrix.toarray() if dense else matrix
    # The reviews are already word lists, so the analyzer passes them through unchanged (no
    # lowercasing or tokenising); words outside the fixed vocabulary are not counted.
    vectorizer = CountVectorizer(
        analyzer=lambda words: words, vocabulary=vocabulary, dtype=np.int32
    )
    matrix = vectorizer.transform(word_lists)
    return matrix.toarray() if dense else matrix


def preprocess_reviews(
    reviews: Sequence[str], cache_file: str | os.PathLike[str] | None = None
) -> list[list[str]]:
    """Apply :func:`review_to_words` to every review, reusing ``cache_file`` when it matches.

    Stemming the full IMDB set takes a while, so with ``cache_file`` the result is stored as JSON
    together with a fingerprint of the input reviews and :data:`PREPROCESSING_VERSION`. A later
    call with the same reviews reads it back; different reviews (or a newer version) recompute
    and overwrite it. The file is written atomically.
    """
    if cache_file is None:
        return [review_to_words(review) for review in reviews]
    # Hashing every review costs time too, so the fingerprint is only made for a cache.
    path, fingerprint = Path(cache_file), _fingerprint(reviews)
    word_lists = _read_cache(path, fingerprint)
    if word_lists is None:
        word_lists = preprocess_reviews(reviews)
        _write_cache(path, fingerprint, word_lists)
    return word_lists


def _fingerprint(reviews: Sequence[str]) -> str:
    """Digest identifying the exact list of reviews and the preprocessing version."""
    digest = hashlib.sha256(f"v{PREPROCESSING_VERSION}\n".encode())
    for review in reviews:
        encoded = review.encode("utf-8")
        # Length prefixes keep ["ab", "c"] and ["a", "bc"] apart.
        digest.update(f"{len(encoded)}:".encode())
        digest.update(encoded)
    return digest.hexdigest()


def _read_cache(path: Path, fingerprint: str) -> list[list[str]] | None:
    """Return the cached word lists, or None when the file is absent, unreadable or stale."""
    try:
        with open(path, encoding="utf-8") as stream:
            cached = json.load(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.warning("Ignoring unreadable preprocessing cache %s: %s", path, error)
        return None
    if not isinstance(cached, dict) or cached.get("fingerprint") != fingerprint:
        logger.info("Preprocessing cache %s is for other reviews; recomputing", path)
        return None
    logger.info("Read preprocessed reviews from %s", path)
    return cached["words"]


def _write_cache(path: Path, fingerprint: str, word_lists: list[list[str]]) -> None:
    with atomic_path(path) as partial, open(partial, "w", encoding="utf-8") as stream:
        json.dump({"fingerprint": fingerprint, "words": word_lists}, stream)
    logger.info("Wrote preprocessed reviews to %s", path)
