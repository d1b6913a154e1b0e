"""Graded tests of Mini-Projects/IMDB Sentiment Analysis - XGBoost (Hyperparameter Tuning).ipynb.

Each test is one rubric criterion. The learner's functions get small, hand-made stand-ins for
what SageMaker returns (training job summaries of a tuning job, CloudWatch log messages), so
the tests need no cloud.
"""

import pytest

OBJECTIVE = "FinalHyperParameterTuningJobObjectiveMetric"


def summary(name, value=None, status="Completed"):
    """A training job summary as ListTrainingJobsForHyperParameterTuningJob returns it."""
    job = {"TrainingJobName": name, "TrainingJobStatus": status, "TunedHyperParameters": {}}
    if value is not None:
        job[OBJECTIVE] = {"MetricName": "validation:auc", "Value": value}
    return job


SUMMARIES = [summary("job-1", 0.91), summary("job-2", 0.95), summary("job-3", 0.89)]


@pytest.mark.rubric(
    "Picks the best training job in the objective's direction",
    hint=("The objective type says whether the best job has the largest or the smallest final "
          "objective value; read the value from each summary's objective entry."),
)
def test_best_training_job_follows_the_objective_type(exercise):
    best_training_job = exercise["best_training_job"]
    highest = best_training_job(SUMMARIES, "Maximize")
    assert highest is not None and highest["TrainingJobName"] == "job-2", (
        f"for Maximize the best is job-2 (0.95), got {highest}")
    lowest = best_training_job(SUMMARIES, "Minimize")
    assert lowest is not None and lowest["TrainingJobName"] == "job-3", (
        f"for Minimize the best is job-3 (0.89), got {lowest}")


@pytest.mark.rubric(
    "Skips training jobs without a final objective value (failed jobs)",
    hint="Keep only the summaries with an OBJECTIVE_KEY entry; return None if none is left.",
)
def test_best_training_job_skips_failed_jobs(exercise):
    best_training_job = exercise["best_training_job"]
    failed = summary("job-0", status="Failed")
    best = best_training_job([failed, *SUMMARIES], "Minimize")
    assert best is not None and best["TrainingJobName"] == "job-3", (
        f"a failed job has no objective value and cannot be the best; got {best}")
    nothing = best_training_job([failed, summary("job-4", status="Failed")], "Maximize")
    assert nothing is None, f"when every job failed there is no best job; got {nothing}"


LOG = [
    "[0]#011train-auc:0.81#011validation-auc:0.79",
    "[3]#011train-error:0.21#011validation-error:0.25",
    "Traceback (most recent call last):",
    "ValueError: could not convert string to float: 'label'",
    "[2024-01-01 10:00:00 ERROR container] the job failed",
    "An Exception was raised while loading",
    "[2024-01-01 10:00:01 INFO container] done",
    "[4]\ttrain-error:0.20\tvalidation-error:0.24",
]


@pytest.mark.rubric(
    "Finds the lines of a log that report an error",
    hint=("Compare in lower case, and look for each of the three words the TODO names anywhere in "
          "the message."),
)
def test_error_lines_finds_the_errors(exercise):
    found = list(exercise["error_lines"](LOG))
    for expected in (LOG[2], LOG[3], LOG[4], LOG[5]):
        assert expected in found, f"{expected!r} reports an error but was not kept; got {found}"
    assert found == [line for line in LOG if line in found], "keep the messages in their order"


@pytest.mark.rubric(
    "Ignores metric and information lines, such as '[3]#011train-error:0.21'",
    hint=("A metric line can contain one of the words; the pattern defined above the function "
          "recognises those lines, so test it first."),
)
def test_error_lines_ignore_metric_lines(exercise):
    found = list(exercise["error_lines"](LOG))
    for ignored in (LOG[0], LOG[1], LOG[6], LOG[7]):
        assert ignored not in found, f"{ignored!r} reports no error but was kept"


@pytest.mark.rubric(
    "Computes the accuracy of predicted probabilities against labels",
    hint=("Turn each probability into a predicted class (above one half means positive), compare "
          "with the labels as booleans, and average the matches."),
)
def test_accuracy(exercise):
    accuracy = exercise["accuracy"]
    value = accuracy([1, 0, 1, 0], [0.9, 0.2, 0.4, 0.6])
    assert value == pytest.approx(0.5), f"2 of 4 reviews are right, got {value}"
    assert accuracy([1, 0], [0.7, 0.1]) == pytest.approx(1.0), "both reviews are right"
