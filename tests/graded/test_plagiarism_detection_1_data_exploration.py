"""Graded tests of Case-Studies/Plagiarism Detection/1 - Data Exploration.ipynb."""

import pandas as pd
import pytest


@pytest.mark.rubric(
    "category_counts counts the files of each category",
    hint="pandas counts the values of a column for you; convert each count to a plain int.",
)
def test_category_counts(exercise):
    corpus = pd.DataFrame({"File": ["a", "b", "c", "d"],
                           "Category": ["non", "cut", "non", "orig"]})
    counts = exercise["category_counts"](corpus)
    assert counts == {"non": 2, "cut": 1, "orig": 1}, f"expected non 2, cut 1, orig 1: {counts}"
    assert all(isinstance(value, int) for value in counts.values()), "counts must be ints"
