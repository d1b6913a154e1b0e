"""The search space, the Grid/Random/Bayesian strategies and the early-stopping median rule."""

from __future__ import annotations

import itertools
import math
import statistics

import pytest

from localcloud.aws.errors import AWSError
from localcloud.sagemaker.tuning_search import (
    BAYESIAN,
    GRID,
    RANDOM,
    GridSearch,
    SearchSpace,
    create_strategy,
    running_averages,
    stops_early,
    training_job_budget,
)


def continuous(name: str, low: str, high: str, scaling: str | None = None) -> dict:
    spec = {"Name": name, "MinValue": low, "MaxValue": high}
    return {**spec, "ScalingType": scaling} if scaling else spec


def space(*, integer=(), continuous_ranges=(), categorical=()) -> SearchSpace:
    return SearchSpace.from_request({"IntegerParameterRanges": list(integer),
                                     "ContinuousParameterRanges": list(continuous_ranges),
                                     "CategoricalParameterRanges": list(categorical)})


def refused(ranges: dict) -> str:
    with pytest.raises(AWSError) as raised:
        SearchSpace.from_request(ranges)
    assert raised.value.code == "ValidationException"
    return raised.value.message


def draw(strategy_name: str, search_space: SearchSpace, count: int, seed: int = 3) -> list[dict]:
    """``count`` candidates in a row, each reported as failed (results do not matter here)."""
    strategy = create_strategy(strategy_name, search_space, minimize=True, seed=seed,
                               max_jobs=count)
    candidates = [strategy.suggest() for _ in range(count)]
    for candidate in candidates:
        strategy.report(candidate, None)
    return [candidate.hyperparameters for candidate in candidates]


# -- the search space ---------------------------------------------------------------------------

def test_ranges_keep_their_kind_order_and_scaling():
    parsed = space(integer=[{"Name": "max_depth", "MinValue": "2", "MaxValue": "9"}],
                   continuous_ranges=[continuous("eta", "0.01", "0.5", "Logarithmic")],
                   categorical=[{"Name": "booster", "Values": ["gbtree", "dart"]}])
    assert parsed.names == ["max_depth", "eta", "booster"]
    depth, eta, booster = parsed.ranges
    assert (depth.integer, depth.low, depth.high, depth.scaling) == (True, 2, 9, "Linear")
    assert (eta.integer, eta.scaling) == (False, "Logarithmic")
    assert booster.values == ("gbtree", "dart")
    assert not parsed.is_categorical() and parsed.grid_size() == 2


@pytest.mark.parametrize(("ranges", "message"), [
    ({}, "at least one"),
    ({"ContinuousParameterRanges": [continuous("eta", "0", "1", "Logarithmic")]},
     "Logarithmic scaling, which works only for ranges whose values are greater than 0"),
    ({"IntegerParameterRanges": [{"Name": "n", "MinValue": "-3", "MaxValue": "5",
                                  "ScalingType": "Logarithmic"}]}, "its MinValue is -3"),
    ({"IntegerParameterRanges": [{"Name": "n", "MinValue": "1", "MaxValue": "5",
                                  "ScalingType": "ReverseLogarithmic"}]},
     "supported only for continuous hyperparameter ranges"),
    ({"ContinuousParameterRanges": [continuous("p", "0.5", "1.0", "ReverseLogarithmic")]},
     "entirely within 0 <= x < 1.0"),
    ({"ContinuousParameterRanges": [continuous("eta", "0.5", "0.1")]},
     "must be less than or equal to its MaxValue"),
    ({"ContinuousParameterRanges": [continuous("eta", "abc", "0.1")]},
     "The MinValue 'abc' of hyperparameter eta is not a number"),
    ({"ContinuousParameterRanges": [continuous("eta", "0.1", "nan")]}, "is not a number"),
    ({"IntegerParameterRanges": [{"Name": "n", "MinValue": "1.5", "MaxValue": "5"}]},
     "is not an integer"),
    ({"IntegerParameterRanges": [{"Name": "eta", "MinValue": "1", "MaxValue": "5"}],
      "ContinuousParameterRanges": [continuous("eta", "0.1", "0.5")]},
     "appear in more than one parameter range"),
])
def test_invalid_ranges_are_refused_with_a_reason(ranges, message):
    assert message in refused(ranges)


def test_training_job_budget_follows_each_strategys_rules():
    categorical = space(categorical=[{"Name": "a", "Values": ["1", "2", "3"]},
                                     {"Name": "b", "Values": ["x", "y"]}])
    assert training_job_budget(GRID, categorical, None) == 6
    assert training_job_budget(GRID, categorical, 6) == 6
    assert training_job_budget(RANDOM, categorical, 4) == 4
    assert training_job_budget(BAYESIAN, categorical, 9) == 9
    numeric = space(continuous_ranges=[continuous("eta", "0.1", "0.5")])
    failures = {
        "distinct categorical combinations (6)": (GRID, categorical, 5),
        "Only categorical parameters are supported": (GRID, numeric, None),
        "MaxNumberOfTrainingJobs is required for the Bayesian strategy": (BAYESIAN, numeric,
                                                                          None),
        "Hyperband is not one of them": ("Hyperband", numeric, 3),
    }
    for message, arguments in failures.items():
        with pytest.raises(AWSError) as raised:
            training_job_budget(*arguments)
        assert message in raised.value.message


# -- Grid -------------------------------------------------------------------------------------

def test_grid_covers_every_combination_once_in_order_then_stops():
    grid_space = space(categorical=[{"Name": "depth", "Values": ["2", "4", "6"]},
                                    {"Name": "booster", "Values": ["gbtree", "dart"]}])
    strategy = GridSearch(grid_space)
    candidates = []
    while (candidate := strategy.suggest()) is not None:
        candidates.append(candidate)
        strategy.report(candidate, 1.0)
    expected = [{"depth": d, "booster": b}
                for d, b in itertools.product(["2", "4", "6"], ["gbtree", "dart"])]
    assert [c.hyperparameters for c in candidates] == expected
    assert [c.number for c in candidates] == list(range(6)) == list(range(grid_space.grid_size()))
    assert strategy.suggest() is None  # stays exhausted


def test_grid_is_what_create_strategy_gives_for_grid():
    grid_space = space(categorical=[{"Name": "depth", "Values": ["3"]}])
    assert isinstance(create_strategy(GRID, grid_space, True, None, 1), GridSearch)


# -- Random -----------------------------------------------------------------------------------

def test_random_values_are_strings_within_their_ranges():
    drawn = draw(RANDOM, space(
        integer=[{"Name": "depth", "MinValue": "2", "MaxValue": "5"}],
        continuous_ranges=[continuous("eta", "0.1", "0.3")],
        categorical=[{"Name": "booster", "Values": ["gbtree", "dart"]}]), 200)
    assert all(isinstance(value, str) for values in drawn for value in values.values())
    depths = [int(values["depth"]) for values in drawn]  # Integer ranges produce integers
    assert set(depths) == {2, 3, 4, 5}
    etas = [float(values["eta"]) for values in drawn]
    assert all(0.1 <= eta <= 0.3 for eta in etas) and "." in drawn[0]["eta"]
    assert {values["booster"] for values in drawn} == {"gbtree", "dart"}


@pytest.mark.parametrize(("scaling", "expected_median"), [
    ("Linear", 0.5),  # uniform on [0.0001, 1]: half the values above 0.5
    ("Auto", 0.5),  # localcloud's Auto is linear
    ("Logarithmic", 0.01),  # log-uniform: the median is the geometric mean
])
def test_random_search_samples_on_the_scaling_it_is_given(scaling, expected_median):
    drawn = draw(RANDOM, space(continuous_ranges=[continuous("lr", "0.0001", "1", scaling)]),
                 400)
    values = [float(values["lr"]) for values in drawn]
    assert all(0.0001 <= value <= 1 for value in values)
    median = statistics.median(values)
    assert expected_median / 2 < median < expected_median * 2


def test_reverse_logarithmic_crowds_values_towards_one():
    drawn = draw(RANDOM, space(continuous_ranges=[
        continuous("momentum", "0", "0.9999", "ReverseLogarithmic")]), 400)
    values = [float(values["momentum"]) for values in drawn]
    assert all(0 <= value <= 0.9999 for value in values)
    # 1 - value is log-uniform on [0.0001, 1]: its median is about 0.01.
    assert 0.98 < statistics.median(values) < 0.995


def test_integer_logarithmic_ranges_favour_small_values():
    drawn = draw(RANDOM, space(integer=[{"Name": "trees", "MinValue": "1", "MaxValue": "1000",
                                         "ScalingType": "Logarithmic"}]), 400)
    values = [int(values["trees"]) for values in drawn]
    assert all(1 <= value <= 1000 for value in values)
    assert 15 < statistics.median(values) < 70  # about sqrt(1000), not 500


def test_a_random_seed_makes_the_search_repeatable():
    search_space = space(continuous_ranges=[continuous("eta", "0.01", "0.5")])
    assert draw(RANDOM, search_space, 5, seed=7) == draw(RANDOM, search_space, 5, seed=7)
    assert draw(RANDOM, search_space, 5, seed=7) != draw(RANDOM, search_space, 5, seed=8)


# -- Bayesian ---------------------------------------------------------------------------------

def toy_objective(values: dict) -> float:
    """A bowl with its minimum at x = 0.7, y = 30."""
    return (float(values["x"]) - 0.7) ** 2 + ((int(values["y"]) - 30) / 100) ** 2


def optimise(strategy_name: str, trials: int, seed: int) -> list[float]:
    search_space = space(integer=[{"Name": "y", "MinValue": "0", "MaxValue": "100"}],
                         continuous_ranges=[continuous("x", "0", "1")])
    strategy = create_strategy(strategy_name, search_space, minimize=True, seed=seed,
                               max_jobs=trials)
    results = []
    for _ in range(trials):
        candidate = strategy.suggest()
        results.append(toy_objective(candidate.hyperparameters))
        strategy.report(candidate, results[-1])
    return results


def test_bayesian_search_learns_from_results():
    results = optimise(BAYESIAN, 40, seed=2)
    exploring, exploiting = results[:10], results[-10:]  # 10 random start-up trials
    assert statistics.median(exploiting) < statistics.median(exploring) / 2
    assert min(results) < 0.005


def test_bayesian_search_beats_random_search_on_average():
    seeds = range(5)
    bayesian = [min(optimise(BAYESIAN, 30, seed)) for seed in seeds]
    random = [min(optimise(RANDOM, 30, seed)) for seed in seeds]
    assert statistics.fmean(bayesian) < statistics.fmean(random)


def test_bayesian_search_goes_on_after_failed_jobs():
    search_space = space(continuous_ranges=[continuous("x", "0", "1")])
    strategy = create_strategy(BAYESIAN, search_space, minimize=False, seed=0, max_jobs=6)
    for outcome in (None, math.nan, None, 0.5, 0.7, None):
        candidate = strategy.suggest()
        strategy.report(candidate, outcome)
    assert 0 <= float(strategy.suggest().hyperparameters["x"]) <= 1


def test_parallel_bayesian_candidates_differ():
    search_space = space(continuous_ranges=[continuous("x", "0", "1")])
    strategy = create_strategy(BAYESIAN, search_space, minimize=True, seed=0, max_jobs=4)
    first = [strategy.suggest() for _ in range(2)]
    for candidate in first:
        strategy.report(candidate, toy_objective({**candidate.hyperparameters, "y": "30"}))
    pending = [strategy.suggest().hyperparameters["x"] for _ in range(2)]  # asked together
    assert pending[0] != pending[1]


# -- early stopping ---------------------------------------------------------------------------

EARLIER_JOBS = [[10.0, 8.0, 6.0], [12.0, 9.0, 7.0], [14.0, 10.0, 8.0]]
# Running averages at epoch 1: 9.0, 10.5, 12.0 -> median 10.5.


def test_running_averages():
    assert running_averages([10.0, 8.0, 6.0]) == [10.0, 9.0, 8.0]
    assert running_averages([]) == []


@pytest.mark.parametrize(("current", "minimize", "stopped"), [
    ([11.0, 11.0], True, True),  # epoch 1: 11 > median 10.5 is worse while minimising
    ([11.0, 10.0], True, False),
    ([13.0], True, True),  # epoch 0: the median of 10, 12 and 14 is 12
    ([13.0, 11.0], False, False),  # maximising: 13 > 12, then 11 > 10.5
    ([11.0], False, True),  # maximising: 11 < 12 is worse
    ([], True, False),
])
def test_median_rule(current, minimize, stopped):
    assert stops_early(current, EARLIER_JOBS, minimize) is stopped


def test_median_rule_needs_enough_earlier_jobs_at_that_epoch():
    assert not stops_early([20.0], EARLIER_JOBS[:2], minimize=True)
    assert stops_early([20.0], EARLIER_JOBS[:2], minimize=True, min_jobs=2)
    # Epoch 3 is beyond every earlier job: nothing to compare with.
    assert not stops_early([1.0, 1.0, 1.0, 99.0], EARLIER_JOBS, minimize=True)


def test_median_rule_judges_epochs_that_went_by_between_looks():
    history = [20.0, 5.0, 4.0]  # bad at epoch 0 only
    assert stops_early(history, EARLIER_JOBS, minimize=True)
    assert not stops_early(history, EARLIER_JOBS, minimize=True, from_epoch=1)
