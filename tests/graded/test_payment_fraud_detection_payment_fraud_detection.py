"""Graded tests of Case-Studies/Payment Fraud Detection/Payment Fraud Detection.ipynb.

Each test is one rubric criterion: it calls one of the learner's functions on a small input built
here, so criteria pass or fail independently of each other and of SageMaker.
"""

import numpy as np
import pytest

LABELS = np.array([1, 0, 0, 1, 0, 0, 0, 1, 0, 0])
PREDICTED = np.array([1, 1, 0, 0, 0, 0, 0, 1, 0, 1])  # TP 2, FP 2, TN 5, FN 1


@pytest.mark.rubric(
    "Counts the transactions and the frauds, and the share of frauds",
    hint="Compare the labels with 1 and add up the matches (as a Python int); the share is that "
    "count divided by the number of labels.",
)
def test_class_balance_counts_frauds(exercise):
    balance = exercise["class_balance"]([0, 0, 1, 0, 0, 0, 0, 1])
    expected = {"transactions": 8, "frauds": 2, "fraud_share": 0.25}
    assert balance == pytest.approx(expected), f"expected {expected}, got {balance}"
    assert isinstance(balance["frauds"], int), "frauds should be an int, not a numpy number"


@pytest.mark.rubric(
    "Counts true and false positives and negatives",
    hint="With actual = labels == 1 and flagged = predicted == 1: TP = actual & flagged, "
    "FP = ~actual & flagged, TN = ~actual & ~flagged, FN = actual & ~flagged (np.sum each).",
)
def test_confusion_counts(exercise):
    counts = exercise["confusion_counts"](LABELS, PREDICTED)
    expected = {"TP": 2, "FP": 2, "TN": 5, "FN": 1}
    assert counts == expected, f"expected {expected}, got {counts}"


@pytest.mark.rubric(
    "Computes recall, precision and accuracy from the confusion counts",
    hint="recall = TP / (TP + FN), precision = TP / (TP + FP), accuracy = (TP + TN) / all.",
)
def test_classification_metrics(exercise):
    metrics = exercise["classification_metrics"](LABELS, PREDICTED)
    expected = {"recall": 2 / 3, "precision": 0.5, "accuracy": 0.7}
    assert set(metrics) == set(expected), f"expected the keys {sorted(expected)}, got {metrics}"
    assert metrics == pytest.approx(expected), f"expected {expected}, got {metrics}"


@pytest.mark.rubric(
    "Reports precision 0 for a detector that flags nothing, without dividing by zero",
    hint="Return 0.0 when TP + FP is 0 (and recall 0.0 when TP + FN is 0).",
)
def test_metrics_of_a_detector_that_never_flags(exercise):
    metrics = exercise["classification_metrics"](LABELS, np.zeros_like(LABELS))
    expected = {"recall": 0.0, "precision": 0.0, "accuracy": 0.7}
    assert metrics == pytest.approx(expected), f"expected {expected}, got {metrics}"


@pytest.mark.rubric(
    "Splits with stratification: both parts keep the fraud share",
    hint="scikit-learn's train_test_split has a `stratify` argument: give it the labels, and "
    "pass test_size and random_state on.",
)
def test_stratified_split_keeps_the_fraud_share(exercise):
    labels = np.zeros(1000, dtype=int)
    labels[::50] = 1  # 20 frauds, 2%
    features = np.arange(2000, dtype=float).reshape(1000, 2)
    parts = exercise["stratified_split"](features, labels, 0.3, 0)
    assert len(parts) == 4, "return four parts, like train_test_split"
    features_a, features_b, labels_a, labels_b = parts
    assert (len(features_a), len(features_b)) == (700, 300), (
        f"expected 700 and 300 rows, got {len(features_a)} and {len(features_b)}")
    assert (labels_a.sum(), labels_b.sum()) == (14, 6), (
        f"a stratified split puts 14 frauds in the 700 rows and 6 in the 300, got "
        f"{labels_a.sum()} and {labels_b.sum()}")
    again = exercise["stratified_split"](features, labels, 0.3, 0)
    assert np.array_equal(again[1], features_b), "the same random_state must give the same split"
    # Row i holds the features (2i, 2i + 1) and is a fraud when i is a multiple of 50.
    rows_b = (features_b[:, 0] // 2).astype(int)
    assert np.array_equal(labels_b, (rows_b % 50 == 0).astype(int)), (
        "each row must keep its own label: split features and labels in one call")


def _answer_records(pairs):
    """Linear Learner answer records (protobuf), as the SDK's RecordDeserializer returns them."""
    record_pb2 = pytest.importorskip("sagemaker.amazon.record_pb2")
    records = []
    for score, label in pairs:
        record = record_pb2.Record()
        record.label["score"].float32_tensor.values.extend([score])
        record.label["predicted_label"].float32_tensor.values.extend([label])
        records.append(record)
    return records


@pytest.mark.rubric(
    "Reads the predicted labels out of the endpoint's answer records",
    hint="Every record's label map holds a predicted_label tensor whose float32 values hold one "
    "number; collect it from each record and convert the result to ints.",
)
def test_predicted_labels_from_records(exercise):
    # A calibrated threshold below 0.5: the label, not the score, says what the model decided.
    records = _answer_records([(0.91, 1.0), (0.02, 0.0), (0.31, 1.0), (0.12, 0.0)])
    labels = exercise["predicted_labels"](records)
    assert list(np.asarray(labels)) == [1, 0, 1, 0], (
        f"expected [1, 0, 1, 0] (read predicted_label, not the score), got {labels}")
    assert np.asarray(labels).dtype.kind == "i", "return an array of ints"


@pytest.mark.rubric(
    "Sets the three improved models' selection criteria, targets and class weights",
    hint='"recall": precision_at_target_recall with target_recall 0.9; "balanced": the same '
    'plus positive_example_weight_mult="balanced"; "precision": recall_at_target_precision, '
    "target_precision 0.9, balanced.",
)
def test_improved_model_settings(exercise):
    settings = exercise["improved_models"]()
    criterion = "binary_classifier_model_selection_criteria"
    assert set(settings) == {"recall", "balanced", "precision"}, (
        f"expected the models recall, balanced and precision, got {sorted(settings)}")
    assert settings["recall"] == {criterion: "precision_at_target_recall",
                                  "target_recall": 0.9}, f"recall: got {settings['recall']}"
    assert settings["balanced"] == {**settings["recall"],
                                    "positive_example_weight_mult": "balanced"}, (
        f"balanced: the recall settings plus balanced weights, got {settings['balanced']}")
    assert settings["precision"] == {criterion: "recall_at_target_precision",
                                     "target_precision": 0.9,
                                     "positive_example_weight_mult": "balanced"}, (
        f"precision: got {settings['precision']}")
