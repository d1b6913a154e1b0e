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

from mlcourse.text.lite import bow_encoding, build_vocabulary, simple_words, strip_html, to_csv_row
from mlcourse.text.preprocess import (
    STOP_WORDS,
    bow_encode,
    bow_encode_batch,
    preprocess_reviews,
    review_to_words,
    stem,
)

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
