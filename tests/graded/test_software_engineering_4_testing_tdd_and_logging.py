"""Graded tests of Mini-Projects/Software Engineering/4 - Testing, TDD and Logging.ipynb.

Besides the learner's functions, these criteria grade the learner's *tests*: the functions named
``test_nearest_square*`` in the graded cells are run against a correct implementation (all must
pass) and against broken ones (each must be caught by at least one test).
"""

import io
import logging
import math

import numpy as np
import pandas as pd
import pytest

LEARNER_TEST_PREFIX = "test_nearest_square"


def _correct(num):
    return 0 if num < 0 else math.isqrt(int(num)) ** 2


#: Plausible wrong implementations, each wrong for some input a good test suite checks.
BROKEN = {
    "returns its input": lambda num: num,
    "returns the root, not the square": lambda num: 0 if num < 0 else math.isqrt(num),
    "fails on negative numbers": lambda num: math.isqrt(num) ** 2,
    "skips exact squares (strictly below num)": lambda num: 0 if num <= 0 else
    math.isqrt(num - 1) ** 2,
    "rounds the float square root": lambda num: 0 if num < 0 else round(math.sqrt(num)) ** 2,
}


def _learner_tests(exercise):
    names = sorted(name for name in vars(exercise.module) if name.startswith(LEARNER_TEST_PREFIX))
    assert len(names) >= 4, f"expected at least 4 functions named {LEARNER_TEST_PREFIX}*, " \
                            f"found {names}"
    return names


def _failing_tests(exercise, implementation, names=None):
    """Names of the learner's tests that fail when nearest_square is ``implementation``."""
    namespace = vars(exercise.module)
    saved = namespace.get("nearest_square")
    namespace["nearest_square"] = implementation
    failing = []
    try:
        for name in names or _learner_tests(exercise):
            try:
                namespace[name]()
            except NotImplementedError:
                raise  # an untouched TODO: report it as such
            except Exception:
                failing.append(name)
    finally:
        namespace["nearest_square"] = saved
    return failing


@pytest.mark.rubric("nearest_square returns the largest square <= num, 0 when negative",
                    hint="0 if num < 0 else math.isqrt(num) ** 2")
def test_nearest_square(exercise):
    nearest_square = exercise["nearest_square"]
    cases = {5: 4, 9: 9, 0: 0, -12: 0, 23: 16, 10**12 + 1: 10**12}
    got = {num: nearest_square(num) for num in cases}
    assert got == cases, f"expected {cases}, got {got}"


#: The tests the notebook asks for (the learner may add more named test_nearest_square*).
REQUIRED_TESTS = ["test_nearest_square_of_five", "test_nearest_square_of_a_square_is_itself",
                  "test_nearest_square_of_a_negative_number_is_zero",
                  "test_nearest_square_of_a_large_number"]


@pytest.mark.rubric("Each of your tests passes on a correct nearest_square",
                    hint="Each test asserts nearest_square(x) == expected for a known x.")
@pytest.mark.parametrize("name", REQUIRED_TESTS)
def test_learner_test_passes_on_a_correct_implementation(exercise, name):
    assert name in vars(exercise.module), f"{name} is missing: was it renamed?"
    failing = _failing_tests(exercise, _correct, [name])
    assert not failing, f"{name} fails on a correct implementation"


@pytest.mark.rubric("Your tests catch every broken nearest_square",
                    hint="Check a non-square (5 -> 4), a square (9 -> 9), a negative number "
                    "(-12 -> 0) and a larger non-square (23 -> 16).")
def test_learner_tests_catch_broken_implementations(exercise):
    missed = [bug for bug, broken in BROKEN.items() if not _failing_tests(exercise, broken)]
    assert not missed, f"no test fails for an implementation that {', '.join(missed)}"


@pytest.mark.rubric(
    "Cleans a wine table: snake_case, no missing, no duplicates, quality 0-10, new index",
    hint=("The TODO lists the steps in order: names, missing values, duplicates, the valid quality "
          "range, and a fresh index."),
)
def test_clean_wine_table(exercise):
    raw = pd.DataFrame({"fixed acidity": [7.4, 7.8, 7.8, 11.2, 7.4, 8.1],
                        "pH": [3.51, 3.2, 3.2, np.nan, 3.51, 3.3],
                        "quality": [5, 6, 6, 6, 55, 10]})
    clean = exercise["clean_wine_table"](raw)
    assert list(clean.columns) == ["fixed_acidity", "ph", "quality"], list(clean.columns)
    assert clean["quality"].tolist() == [5, 6, 10], (
        f"expected qualities [5, 6, 10] (one duplicate, one missing pH and quality 55 dropped), "
        f"got {clean['quality'].tolist()}")
    assert list(clean.index) == [0, 1, 2], "renumber the index from 0"
    assert len(raw) == 6 and "pH" in raw.columns, "the input table was changed"


@pytest.mark.rubric(
    "make_logger: one formatted handler, the level respected, no duplicate lines",
    hint=("Get the named logger, set its level, replace any handler it already has by one writing "
          "to the given stream with the module's format, and keep messages from reaching the root "
          "logger."),
)
def test_make_logger(exercise):
    stream = io.StringIO()
    make_logger = exercise["make_logger"]
    make_logger("graded.logger", logging.INFO, stream)
    logger = make_logger("graded.logger", logging.INFO, stream)  # a second call: still one handler
    logger.debug("hidden detail")
    logger.info("kept %d rows", 3)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, f"expected one line (INFO shown once, DEBUG hidden), got {lines}"
    assert lines[0].endswith(" INFO graded.logger: kept 3 rows"), (
        f"expected '<time> INFO graded.logger: kept 3 rows', got {lines[0]!r}")
    assert logger.propagate is False, "set propagate = False"


@pytest.mark.rubric(
    "clean_with_logging logs the rows kept (INFO) and warns when too many are dropped",
    hint=("Log how many rows were kept at INFO; warn only when the dropped share is above the "
          "limit."),
)
def test_clean_with_logging(exercise):
    stream = io.StringIO()
    logger = logging.getLogger("graded.cleaning")
    logger.handlers = [logging.StreamHandler(stream)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    table = pd.DataFrame({"alcohol": [9.5, 9.5, 10.0, 11.0], "quality": [5, 5, 6, 99]})
    clean = exercise["clean_with_logging"](table, logger, max_dropped_share=0.6)
    assert len(clean) == 2, f"expected 2 clean rows, got {len(clean)}"
    assert "kept 2 of 4 rows" in stream.getvalue(), f"logged: {stream.getvalue()!r}"
    assert "WARNING" not in stream.getvalue() and len(stream.getvalue().splitlines()) == 1
    logger.handlers[0].setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    exercise["clean_with_logging"](table, logger, max_dropped_share=0.25)
    warnings = [line for line in stream.getvalue().splitlines() if line.startswith("WARNING")]
    assert warnings, "half the rows were dropped (more than 25%): log a WARNING"
