"""Test script that fails the way a learner's script does: a traceback, then exit code 1."""

import os


def load_features(folder):
    raise ValueError(f"no column named 'label' in {sorted(os.listdir(folder))}")


if __name__ == "__main__":
    print("starting to train")
    load_features(os.environ["SM_CHANNEL_TRAIN"])
