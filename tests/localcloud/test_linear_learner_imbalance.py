"""Linear Learner on imbalanced classes, driven by the unchanged SDK (the fraud case study's needs).

Binary classifiers are trained on the same rare-positive data (train, validation and test
channels uploaded with ``record_set``), as the Payment Fraud Detection lesson trains them:

- ``default``: weights 1 and the default ``accuracy`` criterion;
- ``target_recall``: ``binary_classifier_model_selection_criteria="precision_at_target_recall"``
  with ``target_recall=0.9``: its threshold is calibrated on the validation channel, stored in
  the model, and used by the endpoint's ``predicted_label``;
- ``balanced``: the same with ``positive_example_weight_mult="balanced"`` (the lesson's third
  model);
- ``weights_only``: balanced weights and the ``loss_function`` criterion, which keeps the 0.5
  threshold, so only the weights differ from an unweighted model.

Every threshold criterion calibrates its threshold on the validation data ("a sample of the
validation set is used to calibrate the classification threshold", How linear learner works):
an ``accuracy`` threshold therefore largely undoes what balanced weights do to the scores, and
the weights show in the labels with a target criterion or with ``loss_function``.

The jobs run in parallel (``fit(wait=False)``) to keep the suite fast. Figures are checked
against floors: the data are random, and only the direction and size of the effects matter.
"""

from __future__ import annotations

import numpy as np
import pytest
import sagemaker
from sagemaker import LinearLearner
from support import INSTANCE_TYPE

pytestmark = pytest.mark.usefixtures("aws_env")

FEATURES = 8
TARGET_RECALL = 0.9
#: Metric lines Linear Learner writes for the test channel of a binary classifier.
TEST_METRICS = ("test:objective_loss", "test:binary_classification_accuracy",
                "test:binary_f_beta", "test:precision", "test:recall")
MODELS = {
    "default": {},
    "target_recall": {"binary_classifier_model_selection_criteria": "precision_at_target_recall",
                      "target_recall": TARGET_RECALL},
    "balanced": {"binary_classifier_model_selection_criteria": "precision_at_target_recall",
                 "target_recall": TARGET_RECALL, "positive_example_weight_mult": "balanced"},
    "weights_only": {"binary_classifier_model_selection_criteria": "loss_function",
                     "positive_example_weight_mult": "balanced"},
}


def rare_positive_data(count: int, seed: int = 3):
    """About 3% positives whose log-odds are linear in 4 of 8 features, plus label noise."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(count, FEATURES)).astype(np.float32)
    logit = features[:, :4] @ np.array([1.8, -1.5, 1.2, 0.9]) - 5.0
    labels = (rng.random(count) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float32)
    return features, labels


@pytest.fixture(scope="module")
def data():
    features, labels = rare_positive_data(22_000)
    edges = (10_000, 16_000)
    return {name: (part_features, part_labels) for name, part_features, part_labels in zip(
        ("train", "validation", "test"), np.split(features, edges), np.split(labels, edges),
        strict=True)}


@pytest.fixture(scope="module")
def estimators(session, data):
    """The three models, trained in parallel on the same uploaded channels."""
    def estimator(**hyperparameters) -> LinearLearner:
        return LinearLearner(
            role=sagemaker.get_execution_role(), instance_count=1, instance_type=INSTANCE_TYPE,
            predictor_type="binary_classifier", epochs=5, mini_batch_size=500,
            sagemaker_session=session,
            data_location=f"s3://{session.default_bucket()}/ll-imbalance", **hyperparameters)

    uploader = estimator()
    channels = [uploader.record_set(features, labels, channel=channel)
                for channel, (features, labels) in data.items()]
    trained = {name: estimator(**hyperparameters) for name, hyperparameters in MODELS.items()}
    for model in trained.values():
        model.fit(channels, logs=False, wait=False)
    for model in trained.values():
        model.latest_training_job.wait(logs=False)
    return trained


def final_metrics(estimator: LinearLearner) -> dict[str, float]:
    description = estimator.latest_training_job.describe()
    assert description["TrainingJobStatus"] == "Completed", description.get("FailureReason")
    return {metric["MetricName"]: metric["Value"]
            for metric in description["FinalMetricDataList"]}


def test_the_test_channel_is_scored_with_the_binary_metrics(estimators):
    for name, estimator in estimators.items():
        metrics = final_metrics(estimator)
        missing = [metric for metric in TEST_METRICS if metric not in metrics]
        assert not missing, f"{name} lacks {missing}"
        assert 0.0 <= metrics["test:recall"] <= 1.0


def test_balanced_models_find_more_positives_than_the_default(estimators, data):
    default, balanced, weights_only = (final_metrics(estimators[name])
                                       for name in ("default", "balanced", "weights_only"))
    # The default model maximises accuracy (beating "never positive"), which on rare positives
    # means missing many of them.
    assert default["test:binary_classification_accuracy"] > 1.0 - data["test"][1].mean()
    assert default["test:recall"] < 0.6
    assert balanced["test:recall"] > default["test:recall"] + 0.2
    # Weighted training alone (threshold 0.5) flags far more positives, at a cost in precision.
    assert weights_only["test:recall"] > default["test:recall"] + 0.2
    assert weights_only["test:precision"] < default["test:precision"]


def test_target_recall_threshold_is_found_on_validation_data(estimators):
    metrics = final_metrics(estimators["target_recall"])
    # On the calibration (validation) data the target holds by construction.
    assert metrics["validation:recall"] >= TARGET_RECALL
    assert metrics["test:recall"] >= 0.85
    # Recall is bought with false alarms: precision falls well below the default model's.
    assert 0.05 < metrics["test:precision"] < final_metrics(estimators["default"])["test:precision"]


def test_the_endpoint_labels_with_the_calibrated_threshold(estimators, data, no_leaks):
    features, labels = data["test"]
    predictor = estimators["target_recall"].deploy(initial_instance_count=1,
                                                   instance_type=INSTANCE_TYPE)
    try:
        answers = predictor.predict(features)
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()
    scores = np.array([record.label["score"].float32_tensor.values[0] for record in answers])
    predicted = np.array([record.label["predicted_label"].float32_tensor.values[0]
                          for record in answers])
    positives = labels == 1
    recall = float(np.mean(predicted[positives] == 1))
    precision = float(np.mean(labels[predicted == 1] == 1))
    assert recall >= 0.85, f"held-out recall {recall:.3f} (precision {precision:.3f})"
    assert precision > labels.mean()  # better than flagging at random
    # The threshold is the calibrated one, well below 0.5: many flagged scores are under it.
    assert np.any((predicted == 1) & (scores < 0.5))
    flagged_scores, unflagged_scores = scores[predicted == 1], scores[predicted == 0]
    assert flagged_scores.min() >= unflagged_scores.max()
