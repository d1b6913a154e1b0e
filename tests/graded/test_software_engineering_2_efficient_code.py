"""Graded tests of Mini-Projects/Software Engineering/2 - Efficient Code.ipynb.

Correctness on small arrays built here, and speed as a ratio against the notebook's own loop
version measured in the same test (best of several runs), never as an absolute time.
"""

import timeit

import numpy as np
import pytest

MIN_SPEEDUP = 5  # the fast versions are typically 30-100x faster; 5x rules out a loop


def _best_time(function, *args, repeats=3):
    return min(timeit.repeat(lambda: function(*args), number=1, repeat=repeats))


def _books(n_recent, n_coding, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.permutation(10 * (n_recent + n_coding)) + 1_000_000
    recent = ids[:n_recent]
    coding = np.concatenate([recent[: n_recent // 3], ids[n_recent : n_recent + n_coding]])
    return recent, rng.permutation(coding)


def _check_common_books(function):
    recent, coding = np.array([5, 3, 9, 1, 7]), np.array([7, 2, 3, 8, 10, 5])
    common = np.asarray(function(recent, coding))
    assert common.tolist() == [3, 5, 7], f"expected the sorted common IDs [3, 5, 7], got {common}"
    empty = np.asarray(function(np.array([1, 2]), np.array([3, 4])))
    assert len(empty) == 0, f"no IDs in common must give an empty array, got {empty}"


@pytest.mark.rubric("Finds the common books with np.intersect1d",
                    hint=("numpy has a set operation on arrays that returns the sorted values "
                          "present in both."))
def test_common_books_numpy(exercise):
    _check_common_books(exercise["common_books_numpy"])


@pytest.mark.rubric("Finds the common books with a set intersection, sorted",
                    hint=("Python sets intersect with one operator; convert the arrays once, and "
                          "return a sorted numpy array."))
def test_common_books_set(exercise):
    _check_common_books(exercise["common_books_set"])


@pytest.mark.rubric(
    f"The set version is at least {MIN_SPEEDUP}x faster than the loop on the same data",
    hint="Build each set once; no `in` on a list, no loop over the IDs in Python.",
)
def test_common_books_set_is_faster_than_the_loop(exercise):
    recent, coding = _books(1500, 2000)
    fast = exercise["common_books_set"]
    assert np.array_equal(fast(recent, coding), exercise["common_books_loop"](recent, coding))
    ratio = _best_time(exercise["common_books_loop"], recent, coding) / _best_time(
        fast, recent, coding)
    assert ratio >= MIN_SPEEDUP, f"only {ratio:.1f}x faster than the loop"


@pytest.mark.rubric("Totals the gifts under the threshold, tax included",
                    hint=("Select the costs below the threshold with a boolean mask, add them up, "
                          "then apply the tax once to the total."))
def test_total_under_threshold(exercise):
    total = exercise["total_under_threshold"](np.array([10.0, 30.0, 24.99, 25.0]))
    assert total == pytest.approx((10.0 + 24.99) * 1.08), (
        f"expected (10 + 24.99) * 1.08 = {(10 + 24.99) * 1.08:.4f} (25.0 is not under 25), "
        f"got {total}")
    other = exercise["total_under_threshold"](np.array([1.0, 2.0, 3.0]), threshold=3.0,
                                              tax_rate=0.5)
    assert other == pytest.approx(4.5), f"threshold=3, tax_rate=0.5 must give 4.5, got {other}"


@pytest.mark.rubric(
    f"The vectorised total is at least {MIN_SPEEDUP}x faster than the loop",
    hint="A boolean mask and .sum(): no Python `for` over the costs.",
)
def test_total_is_vectorised(exercise):
    costs = np.round(np.random.default_rng(1).gamma(2.0, 15.0, 200_000), 2)
    fast = exercise["total_under_threshold"]
    loop = exercise["total_under_threshold_loop"]
    assert fast(costs) == pytest.approx(loop(costs))
    ratio = _best_time(loop, costs) / _best_time(fast, costs)
    assert ratio >= MIN_SPEEDUP, f"only {ratio:.1f}x faster than the loop: is it vectorised?"
