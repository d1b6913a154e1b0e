"""Graded tests of Mini-Projects/IMDB Sentiment Analysis - XGBoost (Updating a Model).ipynb.

Each test is one rubric criterion and calls one of the learner's functions on a tiny input:
packing request bodies under the payload limit, and the three measures used to find the cause
of the drift (coverage, missing frequent words, the changed meaning of known words).
"""

import math

import numpy as np
import pytest

ROWS = np.array([[1, 2], [3, 4], [5, 6]])


@pytest.mark.rubric(
    "Packs rows into CSV bodies that stay under the size limit, keeping every row in order",
    hint="Join each row with ',' and the lines with '\\n'; before adding a line, check whether "
    "len(line) plus a newline would take the current body over max_bytes, and if so start a "
    "new body.",
)
def test_csv_payloads_split_under_the_limit(exercise):
    csv_payloads = exercise["csv_payloads"]
    bodies = csv_payloads(ROWS, max_bytes=7)
    assert bodies == ["1,2\n3,4", "5,6"], (
        f"with max_bytes=7, '1,2\\n3,4' (7 bytes) fits and '5,6' needs a second body; got {bodies}")
    single = csv_payloads(ROWS, max_bytes=1000)
    assert single == ["1,2\n3,4\n5,6"], f"everything fits in one body of 1000 bytes; got {single}"


@pytest.mark.rubric(
    "Refuses a row too long for any request",
    hint=("Check each row's own size against the limit before trying to fit it into a body: a row "
          "that cannot fit in any body is an error, not a new body."),
)
def test_csv_payloads_refuse_an_oversized_row(exercise):
    with pytest.raises(ValueError):
        exercise["csv_payloads"](np.array([[100, 200, 300]]), max_bytes=5)


@pytest.mark.rubric(
    "Measures the share of written words that the vocabulary knows",
    hint=("Count the words (repeats included) that the vocabulary holds and divide by the number of"
          " all words; with no words at all the coverage is zero."),
)
def test_vocabulary_coverage(exercise):
    coverage = exercise["vocabulary_coverage"]
    share = coverage([["good", "plot", "good"], ["unknown"]], {"good": 0})
    assert share == pytest.approx(0.5), f"'good' is 2 of the 4 words written, got {share}"
    empty = coverage([[], []], {"good": 0})
    assert empty == pytest.approx(0.0), f"no words at all must give 0.0, got {empty}"


@pytest.mark.rubric(
    "Lists the most frequent words missing from the vocabulary, with their counts",
    hint=("Count only the words the vocabulary does not hold, over every review, then order them as"
          " the vocabulary was built: most frequent first, ties alphabetically."),
)
def test_new_frequent_words(exercise):
    new_frequent_words = exercise["new_frequent_words"]
    word_lists = [["season", "good", "season", "reboot"], ["reboot", "season", "cringe"]]
    top = new_frequent_words(word_lists, {"good": 0}, 2)
    assert list(top) == [("season", 3), ("reboot", 2)], (
        f"expected [('season', 3), ('reboot', 2)] ('good' is known), got {top}")
    tied = new_frequent_words([["mid", "cameo"]], {}, 5)
    assert list(tied) == [("cameo", 1), ("mid", 1)], (
        f"equally frequent words come in alphabetical order, got {tied}")


@pytest.mark.rubric(
    "Computes the share of positive reviews among those containing a word",
    hint="Keep the labels of the reviews whose list contains the word; their mean is the share; "
    "float('nan') when no review contains it.",
)
def test_positive_share(exercise):
    positive_share = exercise["positive_share"]
    word_lists = [["sick", "plot"], ["sick"], ["plot"]]
    labels = [1, 0, 1]
    sick = positive_share(word_lists, labels, "sick")
    assert sick == pytest.approx(0.5), f"'sick' is in one positive and one negative review: {sick}"
    plot = positive_share(word_lists, labels, "plot")
    assert plot == pytest.approx(1.0), f"'plot' is in two positive reviews, got {plot}"
    absent = positive_share(word_lists, labels, "absent")
    assert math.isnan(absent), f"a word in no review has no share: expected nan, got {absent}"
