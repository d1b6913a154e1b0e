"""Graded tests of Mini-Projects/Software Engineering/5 - Code Review.ipynb.

The written review is read by a person; these criteria check the secret scanner and the fixed
version of the code under review.
"""

import pytest

DIFF = """\
--- a/settings.py
+++ b/settings.py
@@ -1,2 +1,5 @@
 NAME = "wine"
-password = "old-password-1234"
+password = "new-password-5678"
+aws_key_id = AKIAABCDEFGHIJKLMNOP
+TOKEN_LENGTH = 32
+db_token: str = "tok_0123456789abcdef"
"""


@pytest.mark.rubric(
    "Finds secrets on added lines only, with their line numbers",
    hint=("Number the diff lines from 1; only lines the diff adds count (not the file header line);"
          " search the added text with each secret pattern."),
)
def test_find_secrets(exercise):
    found = exercise["find_secrets"](DIFF)
    expected = [(6, 'password = "new-password-5678"'), (7, "aws_key_id = AKIAABCDEFGHIJKLMNOP"),
                (9, 'db_token: str = "tok_0123456789abcdef"')]
    assert [tuple(item) for item in found] == expected, (
        f"expected {expected} (removed lines, the +++ header and TOKEN_LENGTH = 32 are not "
        f"secrets), got {found}")
    assert exercise["find_secrets"](" context only\n") == [], "no added line, no secret"


@pytest.mark.rubric(
    "precision_recall counts a score at the threshold as positive",
    hint=("Build two boolean arrays, predicted positive and actually positive, and count where they"
          " agree."),
)
def test_precision_recall(exercise):
    precision, recall = exercise["precision_recall"]([1, 0, 1, 1, 0, 0],
                                                     [0.9, 0.7, 0.5, 0.2, 0.1, 0.5])
    # Predicted positive: 0.9, 0.7, 0.5, 0.5 -> 2 true of 4; 2 of the 3 positives found.
    assert (precision, recall) == pytest.approx((0.5, 2 / 3)), (
        f"expected precision 0.5 and recall 0.667 (scores of 0.5 are positive), got "
        f"{(precision, recall)}")


@pytest.mark.rubric(
    "precision_recall returns 0.0 instead of dividing by zero",
    hint=("When nothing is predicted (or nothing is positive), the ratio has no denominator: return"
          " 0.0 for it instead of dividing."),
)
def test_precision_recall_zero_denominators(exercise):
    precision_recall = exercise["precision_recall"]
    assert tuple(precision_recall([1, 0], [0.1, 0.2], threshold=0.5)) == (0.0, 0.0), \
        "nothing predicted positive: precision 0.0 (and recall 0.0)"
    assert tuple(precision_recall([0, 0], [0.9, 0.2])) == (0.0, 0.0), \
        "no positive labels: recall 0.0 (and precision 0.0)"


@pytest.mark.rubric(
    "precision_recall keeps no state between calls and returns two floats",
    hint="No mutable default argument, no global list: compute and return (precision, recall).",
)
def test_precision_recall_is_stateless(exercise):
    precision_recall = exercise["precision_recall"]
    first = precision_recall([1, 1, 0], [0.8, 0.3, 0.6])
    second = precision_recall([1, 1, 0], [0.8, 0.3, 0.6])
    assert tuple(first) == tuple(second) == pytest.approx((0.5, 0.5)), (first, second)
    assert len(first) == 2 and all(isinstance(value, float) for value in first), \
        f"return a (precision, recall) pair of floats, got {first!r}"
