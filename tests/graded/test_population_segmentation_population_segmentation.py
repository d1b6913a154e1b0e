"""Graded tests of Case-Studies/Population Segmentation/Population Segmentation.ipynb.

Each test is one rubric criterion: it calls one of the learner's functions on a tiny table or
array built here, so criteria pass or fail independently of each other and of SageMaker.
"""

import numpy as np
import pandas as pd
import pytest


def county_table():
    return pd.DataFrame({
        "CensusId": [1001, 1003, 2001],
        "State": ["Alabama", "Alabama", "Alaska"],
        "County": ["Autauga", "Baldwin", "Aleutians"],
        "TotalPop": [55221, 195121, 3304],
        "Income": [51281.0, np.nan, 61518.0],
    })


@pytest.mark.rubric(
    "Drops incomplete counties, names rows State-County and drops the identifying columns",
    hint=("Three steps on a copy: keep the complete rows, build the index by joining each row's "
          "state and county with a hyphen, then remove the identifying columns."),
)
def test_clean_counties(exercise):
    table = county_table()
    clean = exercise["clean_counties"](table)
    assert list(clean.index) == ["Alabama-Autauga", "Alaska-Aleutians"], (
        f"expected the two complete counties named State-County, got {list(clean.index)}")
    assert list(clean.columns) == ["TotalPop", "Income"], (
        f"expected only the measurement columns, got {list(clean.columns)}")
    assert clean.loc["Alaska-Aleutians", "TotalPop"] == 3304
    assert len(table) == 3 and "State" in table, "the input table must stay unchanged"


@pytest.mark.rubric(
    "Computes the share of variance the largest components explain from ascending s",
    hint=("A component's variance is its singular value squared. s is ascending, so the largest "
          "ones sit at its end; divide their total by the total of all of them."),
)
def test_explained_variance(exercise):
    explained_variance = exercise["explained_variance"]
    s = np.array([1.0, 2.0, 3.0])  # ascending: variances 1, 4, 9 of 14
    assert explained_variance(s, 1) == pytest.approx(9 / 14), (
        "the largest component is the LAST singular value: 9 of 14")
    assert explained_variance(s, 2) == pytest.approx(13 / 14)
    assert explained_variance(s, 3) == pytest.approx(1.0)


@pytest.mark.rubric(
    "Lists the features weighing most in a component, by absolute weight, with their signs",
    hint=("Component 1 is the last column of v (v is ascending). Rank its weights by size "
          "ignoring the sign, but return the signed weights, labelled by feature name."),
)
def test_top_features(exercise):
    v = np.array([[0.1, 0.9],
                  [0.5, -0.7],
                  [-0.8, 0.2]])  # columns ascending: the last one is component 1
    top = exercise["top_features"](v, ["Income", "Poverty", "Walk"], 1, 2)
    assert list(top.index) == ["Income", "Poverty"], (
        f"component 1 is the last column; its largest |weights| are Income, Poverty; got "
        f"{list(top.index)}")
    assert top.tolist() == pytest.approx([0.9, -0.7]), "keep the weights' signs"
    second = exercise["top_features"](v, ["Income", "Poverty", "Walk"], 2, 1)
    assert second.to_dict() == pytest.approx({"Walk": -0.8})


@pytest.mark.rubric(
    "Finds the features whose cluster mean differs most from the overall mean",
    hint=("Average the cluster's rows and all rows separately, subtract, and rank the differences "
          "by size ignoring the sign; keep the signs in what you return."),
)
def test_distinguishing_features(exercise):
    scaled = pd.DataFrame({"Income": [0.9, 0.8, 0.1, 0.2], "Poverty": [0.1, 0.2, 0.8, 0.9],
                           "Walk": [0.5, 0.4, 0.5, 0.6]},
                          index=["a", "b", "c", "d"])
    clusters = np.array([0, 0, 1, 1])
    found = exercise["distinguishing_features"](scaled, clusters, 1, 2)
    assert sorted(found.index) == ["Income", "Poverty"], (
        f"cluster 1 is poor: Income and Poverty set it apart; got {list(found.index)}")
    assert found["Poverty"] == pytest.approx(0.35) and found["Income"] == pytest.approx(-0.35)
    walk = exercise["distinguishing_features"](scaled, pd.Series(clusters, index=scaled.index),
                                               0, 3)
    assert list(walk.index)[-1] == "Walk" and walk["Walk"] == pytest.approx(-0.05)
