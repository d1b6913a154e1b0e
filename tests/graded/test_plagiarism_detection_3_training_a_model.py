"""Graded tests of Case-Studies/Plagiarism Detection/3 - Training a Model.ipynb.

The TODOs are in source/train.py; the tests import it and run its functions on tiny data.
"""

import joblib
import numpy as np
import pytest

TRAIN_SCRIPT = "source/train.py"


def _features():
    rng = np.random.default_rng(0)
    labels = np.array([0, 1] * 20)
    features = rng.uniform(0, 0.3, (40, 3)) + labels[:, None] * 0.6
    return features, labels


@pytest.mark.rubric(
    "build_model returns a scikit-learn classifier that learns the features",
    hint="Return a new, unfitted scikit-learn classifier (a logistic regression or a small "
    "random forest seeded with seed work well).",
)
def test_build_model_learns(exercise):
    model = exercise.script(TRAIN_SCRIPT).build_model(1)
    assert hasattr(model, "fit") and hasattr(model, "predict"), f"not a classifier: {model!r}"
    features, labels = _features()
    accuracy = np.mean(model.fit(features, labels).predict(features) == labels)
    assert accuracy >= 0.9, f"the classifier fits easily separable data badly: {accuracy:.2f}"


@pytest.mark.rubric(
    "model_fn loads the model that main() saved",
    hint="Load the file named MODEL_FILE inside model_dir with the library main() saved it "
    "with.",
)
def test_model_fn_loads_the_saved_model(exercise, tmp_path):
    from sklearn.linear_model import LogisticRegression

    script = exercise.script(TRAIN_SCRIPT)
    features, labels = _features()
    saved = LogisticRegression().fit(features, labels)
    joblib.dump(saved, tmp_path / script.MODEL_FILE)
    loaded = script.model_fn(str(tmp_path))
    assert isinstance(loaded, LogisticRegression), f"expected the saved model, got {loaded!r}"
    assert (loaded.predict(features) == saved.predict(features)).all()
