"""Test script written for the legacy PyTorch 1.0 container: it imports sagemaker_containers and
six, loads a state dict in model_fn, reads text/plain bodies as bytes and answers with a
(body, content_type) pair from output_fn."""

import os

import numpy as np
import sagemaker_containers  # noqa: F401  (old scripts import it; the container must have it)
import torch
from six import BytesIO  # noqa: F401
from torch import nn


def model_fn(model_dir):
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    scripted = torch.jit.load(os.path.join(model_dir, "model.pt"))
    model.load_state_dict(scripted.state_dict())
    return model


def input_fn(serialized_input_data, content_type):
    if content_type == "text/plain":
        rows = serialized_input_data.decode("utf-8").strip().splitlines()
        return torch.tensor([[float(value) for value in row.split()] for row in rows])
    raise ValueError(f"Requested unsupported ContentType in content_type: {content_type}")


def predict_fn(input_data, model):
    model.eval()
    with torch.no_grad():
        return model(input_data).numpy().reshape(-1)


def output_fn(prediction_output, accept):
    return " ".join(str(int(np.round(value))) for value in prediction_output), "text/plain"
