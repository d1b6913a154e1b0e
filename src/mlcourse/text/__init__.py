"""Review text helpers: cleaning, stemming, vocabularies and bag-of-words encoding.

Two flavours share one cleaning step (:func:`simple_words`: no HTML, lowercase, alphanumeric
words):

- training (:mod:`mlcourse.text.preprocess`): :func:`review_to_words` also drops stop words and
  Porter-stems; :func:`preprocess_reviews` caches the result; :func:`bow_encode_batch` builds the
  feature matrix and :func:`bow_encode` one row;
- serving without dependencies (:mod:`mlcourse.text.lite`, standard library only, meant to be
  copied into a Lambda function): :func:`simple_words`, a plain-dict vocabulary from
  :func:`build_vocabulary`, :func:`bow_encoding` and :func:`to_csv_row`.

Typical use::

    train_words = preprocess_reviews(train_X, cache_file="cache/train_words.json")
    vocabulary = build_vocabulary(train_words, 5000)
    features = bow_encode_batch(train_words, vocabulary)
"""

from __future__ import annotations

from mlcourse.text.lite import bow_encoding, build_vocabulary, simple_words, strip_html, to_csv_row

# Type checkers take any TYPE_CHECKING as true; defining it here spares importing typing (most of
# what is left of this package's import time).
TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers and editors; at run time these load on first use
    from typing import Any

    from mlcourse.text.preprocess import (
        STOP_WORDS,
        bow_encode,
        bow_encode_batch,
        preprocess_reviews,
        review_to_words,
        stem,
    )

# The training helpers need nltk, scikit-learn and scipy (about a second to import). A Lambda
# function importing mlcourse.text.lite runs this file too, so they are imported only when one
# of these names is first used (PEP 562).
_PREPROCESS_NAMES = frozenset(
    {"STOP_WORDS", "bow_encode", "bow_encode_batch", "preprocess_reviews", "review_to_words",
     "stem"}
)


def __getattr__(name: str) -> Any:
    """Load the training helpers on first use of one of their names."""
    if name not in _PREPROCESS_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from mlcourse.text import preprocess

    value = getattr(preprocess, name)
    globals()[name] = value  # later lookups no longer reach __getattr__
    return value


def __dir__() -> list[str]:
    """Let ``dir()`` and tab completion list the lazy names too."""
    return sorted(set(globals()) | _PREPROCESS_NAMES)


__all__ = [
    "STOP_WORDS",
    "bow_encode",
    "bow_encode_batch",
    "bow_encoding",
    "build_vocabulary",
    "preprocess_reviews",
    "review_to_words",
    "simple_words",
    "stem",
    "strip_html",
    "to_csv_row",
]
