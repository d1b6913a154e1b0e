# GENERATED from solutions/Case-Studies/Plagiarism Detection/source/train.py
# by `python -m mlcourse.grading generate`; maintainers edit that file, not this one.
"""Train the plagiarism classifier: the entry point of the SageMaker scikit-learn job.

SageMaker runs ``python train.py`` with ``train.csv`` (the class first, then the features, no
header) in ``$SM_CHANNEL_TRAIN`` and packs what the script saves in ``$SM_MODEL_DIR`` into
``model.tar.gz``. The serving container calls ``model_fn`` to load it again.
"""

import argparse
import os

import joblib
import pandas as pd

MODEL_FILE = "model.joblib"


def model_fn(model_dir):
    """Load the classifier main() saved in ``model_dir``."""
    # TODO: load and return the model saved as MODEL_FILE in model_dir (joblib.load)
    raise NotImplementedError("TODO: load and return the model saved as MODEL_FILE in model_dir (joblib.load)")


def build_model(seed):
    """The (unfitted) classifier of your choice, seeded with ``seed`` when it is random."""
    # TODO: return a scikit-learn classifier, e.g. LogisticRegression, a support vector
    #       machine or a small random forest (random_state=seed)
    raise NotImplementedError("TODO: return a scikit-learn classifier, e.g. LogisticRegression, a support vector machine or a small random forest (random_state=seed)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR"))
    parser.add_argument("--data-dir", default=os.environ.get("SM_CHANNEL_TRAIN"))
    args = parser.parse_args()
    frame = pd.read_csv(os.path.join(args.data_dir, "train.csv"), header=None)
    labels, features = frame[0], frame.drop(columns=0)
    model = build_model(args.seed).fit(features.values, labels.values)
    print(f"Training accuracy: {model.score(features.values, labels.values):.3f}")
    joblib.dump(model, os.path.join(args.model_dir, MODEL_FILE))


if __name__ == "__main__":
    main()
