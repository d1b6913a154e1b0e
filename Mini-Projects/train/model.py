# GENERATED from solutions/Mini-Projects/train/model.py
# by `python -m mlcourse.grading generate`; maintainers edit that file, not this one.
"""The project's sentiment model: an LSTM that reads a review as a sequence of word indices.

Training (``train/``) and serving (``serve/``) both need this file, and SageMaker packs each
source folder on its own, so each folder carries the same copy (the course's tests check that the
two stay identical). The model's files are written and read here too, by :func:`save_model` and
:func:`load_model`, so that training and serving agree on them.

A batch is a tensor of shape ``(n, 1 + pad)``: in each row, the review's length (how many of the
following values are words) and then its word indices, padded with 0.
"""

import json
import os

import torch
from torch import nn

MODEL_INFO_FILE = "model_info.json"
MODEL_FILE = "model.pth"
WORD_DICT_FILE = "word_dict.json"


class LSTMClassifier(nn.Module):
    """Embedding -> LSTM -> one linear unit -> sigmoid: the probability that a review is positive.

    ``word_dict`` (word -> index) is attached by :func:`load_model`, for the serving code to turn
    raw text into indices the same way training did.
    """

    def __init__(self, embedding_dim, hidden_dim, vocab_size):
        super().__init__()
        self.settings = {"embedding_dim": embedding_dim, "hidden_dim": hidden_dim,
                         "vocab_size": vocab_size}
        # padding_idx=0: the padding's embedding stays zero and is never trained.
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, batch_first=True)
        self.dense = nn.Linear(hidden_dim, 1)
        self.sig = nn.Sigmoid()
        self.word_dict = None

    def forward(self, x):
        """The probability of each row of ``x`` (lengths first, then padded indices)."""
        x = x.long()
        # A review with no known word still gets one step (of padding); none is longer than
        # the padded width.
        lengths = x[:, 0].clamp(min=1, max=x.shape[1] - 1)
        # Reading stops at the batch's longest review: the padding after it changes nothing
        # and would cost time (most reviews are far shorter than 500 words).
        reviews = x[:, 1:1 + int(lengths.max())]
        outputs, _ = self.lstm(self.embedding(reviews))
        # The LSTM's output after each review's last word sums up the review; what it computes
        # over the padding that follows is ignored.
        last = outputs[torch.arange(len(lengths)), lengths - 1]
        return self.sig(self.dense(last)).squeeze(-1)


def save_model(model, word_dict, model_dir):
    """Write the architecture, the weights and the word dictionary into ``model_dir``."""
    with open(os.path.join(model_dir, MODEL_INFO_FILE), "w") as file:
        json.dump(model.settings, file)
    torch.save(model.state_dict(), os.path.join(model_dir, MODEL_FILE))
    with open(os.path.join(model_dir, WORD_DICT_FILE), "w") as file:
        json.dump(word_dict, file)


def load_model(model_dir):
    """Rebuild the model :func:`save_model` wrote, with its ``word_dict``, in evaluation mode."""
    with open(os.path.join(model_dir, MODEL_INFO_FILE)) as file:
        model = LSTMClassifier(**json.load(file))
    state = torch.load(os.path.join(model_dir, MODEL_FILE), map_location="cpu")
    model.load_state_dict(state)
    with open(os.path.join(model_dir, WORD_DICT_FILE)) as file:
        model.word_dict = json.load(file)
    return model.eval()
