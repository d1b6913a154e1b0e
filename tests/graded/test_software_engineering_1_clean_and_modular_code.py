"""Graded tests of Mini-Projects/Software Engineering/1 - Clean and Modular Code.ipynb.

Each test is one rubric criterion, checked on a tiny table built here (no download).
"""

import pandas as pd
import pytest


def _wines():
    return pd.DataFrame({"alcohol": [9.0, 10.0, 11.0, 12.0], "pH": [3.5, 3.4, 3.3, 3.2],
                         "quality": [4, 5, 6, 7]})


@pytest.mark.rubric(
    "Renames every column with one rule: lower case, spaces as underscores",
    hint=("rename accepts a function applied to every column name: trim it, lower-case it, and turn"
          " the spaces inside it into underscores."),
)
def test_snake_case_columns(exercise):
    frame = pd.DataFrame([[1, 2, 3]], columns=["fixed acidity", "pH", "Total Sulfur Dioxide"])
    renamed = exercise["snake_case_columns"](frame)
    expected = ["fixed_acidity", "ph", "total_sulfur_dioxide"]
    assert list(renamed.columns) == expected, f"expected {expected}, got {list(renamed.columns)}"
    assert renamed.values.tolist() == [[1, 2, 3]], "the values must not change"
    assert list(frame.columns)[0] == "fixed acidity", "return a copy; do not rename the input"


@pytest.mark.rubric(
    "Labels a column high (at or above its median) or low, in a copy",
    hint=("Work on a copy, so the caller's table is unchanged; compare the column with its own "
          "median to choose between the two labels (a tie counts as high)."),
)
def test_label_by_median(exercise):
    frame = pd.DataFrame({"alcohol": [9.0, 10.0, 10.0, 12.0], "quality": [4, 5, 6, 7]})
    labelled = exercise["label_by_median"](frame, "alcohol")
    expected = ["low", "high", "high", "high"]  # the median is 10: ties count as high
    assert list(labelled["alcohol"]) == expected, f"expected {expected}, got " \
                                                  f"{list(labelled['alcohol'])}"
    assert frame["alcohol"].tolist() == [9.0, 10.0, 10.0, 12.0], "the input frame was changed"


@pytest.mark.rubric(
    "Averages quality for the high and the low wines of a column",
    hint=("Reuse the labelling function, then group by the labelled column and average the quality "
          "in each group."),
)
def test_mean_quality_by_level(exercise):
    means = exercise["mean_quality_by_level"](_wines(), "alcohol")
    assert dict(means) == {"high": 6.5, "low": 4.5}, f"expected high 6.5, low 4.5, got {means}"


@pytest.mark.rubric(
    "Builds the contrast table for every feature, sorted by high - low",
    hint=("Build one row per feature from the previous function's result, compute high minus low, "
          "and order the rows by that difference, largest first."),
)
def test_quality_contrast(exercise):
    table = exercise["quality_contrast"](_wines())
    assert list(table.index) == ["alcohol", "pH"], (
        f"expected rows alcohol then pH (quality excluded, largest difference first), got "
        f"{list(table.index)}")
    assert {"high", "low", "difference"} <= set(table.columns), f"columns: {list(table.columns)}"
    assert table.loc["alcohol", "difference"] == pytest.approx(2.0)
    assert table.loc["pH", "difference"] == pytest.approx(-2.0)
    only_ph = exercise["quality_contrast"](_wines(), ["pH"])
    assert list(only_ph.index) == ["pH"], "features= must limit the rows"
