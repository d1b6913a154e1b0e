"""Dependency-free review cleaning, vocabulary and bag-of-words encoding.

This module imports the Python standard library only, so it can be copied as a single file into
an AWS Lambda deployment package (whose runtime has no numpy, scikit-learn or nltk) and turn a
review posted by a web page into the CSV row a SageMaker endpoint expects::

    words = simple_words(review)
    body = to_csv_row(bow_encoding(words, vocabulary))

A model served that way must have been trained on features built with the same functions, so the
vocabulary here is a plain ``dict`` (word -> column) that serialises to JSON as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

# Any HTML tag, e.g. the "<br />" line breaks IMDB reviews are full of.
_HTML_TAG = re.compile(r"<[^>]*>")
# Runs of characters that are not letters or digits in any script (underscore counts as
# punctuation here). Unicode-aware on purpose: "café" and "фильм" stay whole words.
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def strip_html(text: str) -> str:
    """Replace every HTML tag by a space (so words on either side stay apart)."""
    return _HTML_TAG.sub(" ", text)


def simple_words(review: str) -> list[str]:
    """Split a review into lowercase alphanumeric words, dropping HTML tags and punctuation.

    >>> simple_words("Great<br />fun -- 10/10!")
    ['great', 'fun', '10', '10']
    """
    text = strip_html(review).lower()
    return _NOT_ALPHANUMERIC.sub(" ", text).split()


def build_vocabulary(
    word_lists: Iterable[Iterable[str]], size: int, *, first_index: int = 0
) -> dict[str, int]:
    """Map the ``size`` most frequent words to consecutive column indices.

    Words are ranked by how often they occur over all lists; ties are broken alphabetically so the
    same data always gives the same vocabulary. The most frequent word gets ``first_index``
    (use e.g. 2 to reserve 0 for padding and 1 for out-of-vocabulary words in a sequence model).
    """
    if size < 0:
        raise ValueError(f"vocabulary size must be >= 0, got {size}")
    counts: Counter[str] = Counter()
    for words in word_lists:
        counts.update(words)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:size]
    return {word: first_index + rank for rank, (word, _) in enumerate(ranked)}


def bow_encoding(words: Iterable[str], vocabulary: Mapping[str, int]) -> list[int]:
    """Count the vocabulary words of one review: a list as long as the vocabulary.

    Words outside the vocabulary are ignored. Columns are the vocabulary's indices, which must be
    ``0 .. len(vocabulary) - 1`` (as :func:`build_vocabulary` gives by default).
    """
    counts = [0] * len(vocabulary)
    for word in words:
        column = vocabulary.get(word)
        if column is not None:
            counts[column] += 1
    return counts


def to_csv_row(values: Sequence[int | float]) -> str:
    """Format one feature vector as the ``text/csv`` body of an InvokeEndpoint request."""
    return ",".join(str(value) for value in values)
