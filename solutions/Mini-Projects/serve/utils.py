"""Turn a raw review into the model's input: the preprocessing of the notebook, for the endpoint.

The serving container has neither the course's ``mlcourse`` package nor the notebook, so the
two steps live here: :func:`review_to_words` gives the same words as ``mlcourse.text``'s
``review_to_words`` that prepared the training data (the notebook checks it), and
:func:`convert_and_pad` is the one function both the notebook and the endpoint use to turn words
into indices.
"""

import re

from nltk.stem.porter import PorterStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

PAD_LENGTH = 500
PADDING = 0   # the index that fills a review up to PAD_LENGTH
UNKNOWN = 1   # the index of every word missing from the word dictionary

_HTML_TAG = re.compile(r"<[^>]*>")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
_STEMMER = PorterStemmer()


def review_to_words(review):
    """Lowercase stemmed words of a review, without HTML tags, punctuation or stop words."""
    text = _HTML_TAG.sub(" ", review).lower()
    words = _NOT_ALPHANUMERIC.sub(" ", text).split()
    return [_STEMMER.stem(word) for word in words if word not in ENGLISH_STOP_WORDS]


def convert_and_pad(word_dict, words, pad=PAD_LENGTH):
    """Encode ``words`` as exactly ``pad`` indices; return them and how many are words.

    Each word becomes its index in ``word_dict``, or UNKNOWN; the list is cut after ``pad``
    words or filled up with PADDING, and the length counts the words kept.
    """
    # TODO: return (indices, length): the first `pad` words as their word_dict index (UNKNOWN
    #       for a word the dictionary lacks), followed by PADDING up to `pad` values in all, and
    #       the number of words kept
    ### BEGIN SOLUTION
    kept = [word_dict.get(word, UNKNOWN) for word in words[:pad]]
    return kept + [PADDING] * (pad - len(kept)), len(kept)
    ### END SOLUTION
