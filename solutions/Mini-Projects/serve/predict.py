"""Serve the sentiment LSTM to a web app: raw review text in, 1 (positive) or 0 (negative) out.

The entry point of the project's ``PyTorchModel``. The request body is the review itself
(``text/plain``), exactly as a web page sends it, so the endpoint does all the preprocessing
with ``utils.py`` and the word dictionary saved with the model.
"""

import numpy as np
import torch
from model import load_model
from utils import convert_and_pad, review_to_words

TEXT = "text/plain"


def model_fn(model_dir):
    """The trained model, with its ``word_dict``."""
    return load_model(model_dir)


def input_fn(body, content_type):
    """The review as a string."""
    if content_type != TEXT:
        raise ValueError(f"This model reads the review as {TEXT}, not {content_type}")
    return body.decode("utf-8") if isinstance(body, bytes) else body


def predict_fn(review, model):
    """The sentiment of one raw review: 1 (positive) or 0 (negative), as an int."""
    if model.word_dict is None:
        raise ValueError("The model was loaded without its word dictionary (word_dict.json)")
    # TODO: turn the review into words and then into padded indices with the word dictionary
    #       (utils.py); build one input row, its length followed by the indices, as a tensor;
    #       run the model on it in evaluation mode without tracking gradients, and return the
    #       rounded probability as an int
    ### BEGIN SOLUTION
    indices, length = convert_and_pad(model.word_dict, review_to_words(review))
    row = torch.from_numpy(np.array([[length, *indices]], dtype=np.int64))
    model.eval()
    with torch.no_grad():
        probability = model(row).item()
    return int(round(probability))
    ### END SOLUTION


def output_fn(prediction, accept):
    """The answer as text: ``1`` or ``0``."""
    return str(prediction), TEXT
