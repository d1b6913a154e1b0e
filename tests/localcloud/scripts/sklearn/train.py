"""Test script: a scikit-learn classifier on a headerless CSV (label first).

Imports ``greeting``, which only its requirements.txt provides (a wheel shipped beside it), to
prove the requirements reach the script; ``model_fn`` is what the container serves it with.
"""

import argparse
import os

import greeting
import joblib
import pandas as pd
from record import record_environment
from sklearn.linear_model import LogisticRegression


def model_fn(model_dir):
    """Load the model saved by the training run (the container has no default)."""
    return joblib.load(os.path.join(model_dir, "model.joblib"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-C", "--C", type=float, default=1.0)  # the toolkit passes -C 0.5
    parser.add_argument("--output-data-dir", type=str, default=os.environ["SM_OUTPUT_DATA_DIR"])
    parser.add_argument("--model-dir", type=str, default=os.environ["SM_MODEL_DIR"])
    parser.add_argument("--train", type=str, default=os.environ["SM_CHANNEL_TRAIN"])
    args = parser.parse_args()
    print(greeting.hello("training job"))
    record_environment(args.model_dir)
    frame = pd.read_csv(os.path.join(args.train, "train.csv"), header=None)
    model = LogisticRegression(C=args.C).fit(frame.drop(columns=0), frame[0])
    print(f"training accuracy: {model.score(frame.drop(columns=0), frame[0]):.3f}")
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
