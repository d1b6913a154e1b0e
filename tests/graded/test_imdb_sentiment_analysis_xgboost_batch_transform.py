"""Graded tests of Mini-Projects/IMDB Sentiment Analysis - XGBoost (Batch Transform).ipynb.

Each test is one rubric criterion: it calls one of the learner's text-processing functions on a
tiny input built here, so criteria pass or fail independently of each other and of SageMaker.
"""

import numpy as np
import pytest


@pytest.mark.rubric(
    "Cleans a review into stemmed words without HTML, case, punctuation or stop words",
    hint=("Work in the order the TODO gives: tags first (each becomes a space, so words on either "
          "side stay apart), then case, then the split on anything that is not a letter or digit; "
          "the two regular expressions above the function do the matching. Stop words are dropped "
          "before stemming."),
)
def test_review_to_words_cleans_and_stems(exercise):
    review = "This movie was <br />wonderfully ACTED, and the plot is great!"
    words = exercise["review_to_words"](review)
    expected = ["movi", "wonder", "act", "plot", "great"]
    assert words == expected, f"expected {expected}, got {words}"
    # IMDB's line breaks often sit between two words: removing the tag would glue them.
    glued = exercise["review_to_words"]("Great<br /><br />acting")
    assert glued == ["great", "act"], (
        f"an HTML tag between two words must become a space, expected ['great', 'act'], "
        f"got {glued}")


@pytest.mark.rubric(
    "Keeps the most frequent words in the vocabulary, numbered from 0",
    hint="Count with a Counter over every word of every list; sort by (-count, word) and keep "
    "the first `size`.",
)
def test_vocabulary_keeps_most_frequent_words(exercise):
    word_lists = [["good", "plot", "good"], ["good", "bad", "plot"], ["dull"]]
    vocabulary = exercise["build_vocabulary"](word_lists, 2)
    assert vocabulary == {"good": 0, "plot": 1}, (
        f"expected {{'good': 0, 'plot': 1}} (good 3 times, plot twice), got {vocabulary}")
    everything = exercise["build_vocabulary"](word_lists, 10)
    assert len(everything) == 4, f"with size 10 all 4 distinct words fit, got {everything}"


@pytest.mark.rubric(
    "Breaks ties between equally frequent words alphabetically",
    hint="Sort on two things at once: the count, largest first, then the word itself.",
)
def test_vocabulary_breaks_ties_alphabetically(exercise):
    vocabulary = exercise["build_vocabulary"]([["pear", "apple", "fig"], ["fig", "pear"]], 2)
    assert vocabulary == {"fig": 0, "pear": 1}, (
        f"fig and pear occur twice (fig first alphabetically), apple once; got {vocabulary}")


@pytest.mark.rubric(
    "Encodes reviews as a matrix of vocabulary word counts, ignoring unknown words",
    hint=("Start from a matrix of zeros with one row per review and one column per vocabulary word;"
          " the vocabulary gives each word's column. Words it does not know are skipped."),
)
def test_bag_of_words_counts_vocabulary_words(exercise):
    vocabulary = {"good": 0, "plot": 1, "cast": 2}
    counts = exercise["bag_of_words"]([["good", "plot", "good", "unknown"], []], vocabulary)
    counts = np.asarray(counts)
    assert counts.shape == (2, 3), f"expected one row per review and 3 columns, got {counts.shape}"
    expected = [[2, 1, 0], [0, 0, 0]]
    assert counts.tolist() == expected, f"expected {expected}, got {counts.tolist()}"


def _read_rows(path):
    """The CSV file as rows of numbers; a header or any text fails with a clear message."""
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            rows.append([float(value) for value in line.split(",")])
        except ValueError:
            pytest.fail(f"line {number} of the CSV is not all numbers: {line!r} "
                        "(no header row, no index column)")
    return rows


@pytest.mark.rubric(
    "Writes CSV for XGBoost: label first, no header, no index; no label column without labels",
    hint=("numpy can stack the labels in front of the features as a first column and write whole "
          "integers separated by commas, with no header and no index."),
)
def test_write_csv_puts_the_label_first(exercise, tmp_path):
    features = np.array([[0, 2], [3, 0]], dtype=np.uint16)
    exercise["write_csv"](tmp_path / "train.csv", features, [1, 0])
    rows = _read_rows(tmp_path / "train.csv")
    assert rows == [[1, 0, 2], [0, 3, 0]], f"expected rows label,features; got {rows}"
    exercise["write_csv"](tmp_path / "test.csv", features)
    rows = _read_rows(tmp_path / "test.csv")
    assert rows == [[0, 2], [3, 0]], f"without labels the rows are the features only; got {rows}"


@pytest.mark.rubric(
    "Computes the accuracy of predicted probabilities against labels",
    hint=("Turn each probability into a predicted class with the threshold, compare with the labels"
          " as booleans, and average the matches."),
)
def test_accuracy_thresholds_probabilities(exercise):
    accuracy = exercise["accuracy"]
    half = accuracy([1, 0, 1, 0], [0.9, 0.2, 0.4, 0.6])
    assert half == pytest.approx(0.5), f"2 of 4 reviews are right, got {half}"
    strict = accuracy([1, 0, 1, 0], [0.9, 0.2, 0.4, 0.6], threshold=0.3)
    assert strict == pytest.approx(0.75), f"with threshold 0.3, 3 of 4 are right, got {strict}"
    assert isinstance(half, float), f"return a float, got {type(half).__name__}"
