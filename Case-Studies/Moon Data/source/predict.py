# GENERATED from solutions/Case-Studies/Moon Data/source/predict.py
# by `python -m mlcourse.grading generate`; maintainers edit that file, not this one.
"""Serve the Moon Data classifier: the entry point of the SageMaker PyTorch model.

The endpoint receives a NumPy array of feature rows (``application/x-npy``, what the SDK's
PyTorchPredictor sends) and answers with the predicted class of each row, 0 or 1.
"""

import io

import numpy as np
import torch
from train import model_fn  # noqa: F401  (the serving container calls it to load the model)

NPY = "application/x-npy"


def input_fn(body, content_type):
    """A NumPy request body as a float tensor of feature rows."""
    if content_type != NPY:
        raise ValueError(f"This model reads {NPY} requests, not {content_type}")
    return torch.from_numpy(np.load(io.BytesIO(body))).float()


def predict_fn(features, model):
    """The predicted class (0.0 or 1.0) of each feature row, as a 1-D NumPy array."""
    # TODO: switch the model to evaluation mode (no dropout), compute its probabilities without
    #       tracking gradients, and round them to classes; return a flat NumPy array
    raise NotImplementedError("TODO: switch the model to evaluation mode (no dropout), compute its probabilities without tracking gradients, and round them to classes; return a flat NumPy array")


def output_fn(prediction, accept):
    """The predictions as a NumPy (.npy) body."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(prediction, dtype=np.float32))
    return buffer.getvalue(), NPY
