"""Graded tests of Case-Studies/Plagiarism Detection/2 - Feature Engineering.ipynb.

Each test calls one of the learner's functions on a tiny table or pair of texts built here.
"""

import pandas as pd
import pytest


def _corpus():
    return pd.DataFrame({
        "File": ["g0pA_taska.txt", "g0pB_taska.txt", "g0pC_taska.txt", "g0pD_taska.txt",
                 "orig_taska.txt"],
        "Task": ["a"] * 5,
        "Category": ["non", "heavy", "light", "cut", "orig"],
        "Text": ["x"] * 5,
    })


@pytest.mark.rubric(
    "numerical_dataframe numbers the categories and adds the Class column",
    hint="Map each category name through CATEGORY_NUMBERS on a copy of the table; the class "
    "is 0 for own-words answers, -1 for sources and 1 for every kind of copy.",
)
def test_numerical_dataframe(exercise):
    corpus = _corpus()
    table = exercise["numerical_dataframe"](corpus)
    assert table["Category"].tolist() == [0, 1, 2, 3, -1], table["Category"].tolist()
    assert table["Class"].tolist() == [0, 1, 1, 1, -1], table["Class"].tolist()
    assert corpus["Category"].tolist()[0] == "non", "the input table must not be changed"


@pytest.mark.rubric(
    "assign_datatype keeps the sources apart and splits the answers stratified by category",
    hint="Mark the sources first, then split only the answers' row labels, passing their "
    "categories as the stratify argument of the split.",
)
def test_assign_datatype(exercise):
    table = pd.DataFrame({"Category": [0] * 10 + [3] * 10 + [-1, -1],
                          "Text": ["x"] * 22})
    split = exercise["assign_datatype"](table, 0.2, 1)
    assert (split.loc[split["Category"] == -1, "Datatype"] == "orig").all(), "sources: orig"
    answers = split[split["Category"] != -1]
    assert set(answers["Datatype"]) == {"train", "test"}, set(answers["Datatype"])
    test_counts = answers[answers["Datatype"] == "test"]["Category"].value_counts().to_dict()
    assert test_counts == {0: 2, 3: 2}, f"20% of each category in test, got {test_counts}"
    assert "Datatype" not in table.columns, "the input table must not be changed"


@pytest.mark.rubric(
    "containment is the share of the answer's n-grams found in the source",
    hint="Fit one word n-gram vectorizer on both texts; the shared n-grams are the "
    "element-wise minimum of the two count rows, divided by the answer's total count.",
)
def test_containment(exercise):
    containment = exercise["containment"]
    source = "the cat sat on the mat today"
    assert containment("the cat sat on the mat", source, 1) == pytest.approx(1.0)
    # 2-grams of the answer: "the cat", "cat sat", "sat in", "in the", "the hat": 2 of 5 shared.
    assert containment("the cat sat in the hat", source, 2) == pytest.approx(2 / 5)
    assert containment("completely different words here", source, 3) == pytest.approx(0.0)


@pytest.mark.rubric(
    "containment counts repeated n-grams no more often than the source has them",
    hint="Take the element-wise minimum of the two count rows before summing.",
)
def test_containment_counts_repeats_once_per_source_occurrence(exercise):
    value = exercise["containment"]("spam spam spam eggs", "spam eggs ham", 1)
    assert value == pytest.approx(2 / 4), f"spam once and eggs once of 4 words: got {value}"


@pytest.mark.rubric(
    "lcs_norm_word is the longest common word subsequence over the answer's length",
    hint="Fill the table row by row: equal words extend the diagonal neighbour's length by one, "
    "otherwise take the larger of the cell above and the cell to the left.",
)
def test_lcs_norm_word(exercise):
    lcs = exercise["lcs_norm_word"]
    assert lcs("A B C D E", "A X C Y E") == pytest.approx(3 / 5)
    assert lcs("the quick brown fox", "the quick brown fox jumps") == pytest.approx(1.0)
    assert lcs("one two three", "three two one") == pytest.approx(1 / 3)
    assert lcs("Words, with punctuation!", "words with punctuation") == pytest.approx(1.0)


@pytest.mark.rubric(
    "select_features keeps each column not too correlated with the columns kept before it",
    hint="Compare absolute correlations: a column is kept only if it is close enough to none of "
    "the columns kept so far; the first column is always kept.",
)
def test_select_features(exercise):
    features = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 4, 6, 8, 11],
                             "c": [5, 1, 4, 2, 3], "d": [1.1, 2, 3.2, 3.9, 5]})
    assert exercise["select_features"](features, 0.9) == ["a", "c"]
    assert exercise["select_features"](features, 1.0) == ["a", "b", "c", "d"]
