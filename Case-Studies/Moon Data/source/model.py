# GENERATED from solutions/Case-Studies/Moon Data/source/model.py
# by `python -m mlcourse.grading generate`; maintainers edit that file, not this one.
"""The Moon Data classifier: a small feed-forward network for two features and one class."""

import torch
from torch import nn


class BinaryClassifier(nn.Module):
    """Two fully connected layers with a ReLU between them and a sigmoid at the end.

    Input: a batch of shape (n, input_features). Output: shape (n, output_dim), each value the
    probability of class 1.
    """

    def __init__(self, input_features, hidden_dim, output_dim):
        super().__init__()
        # TODO: define the layers forward() uses: self.fc1, a linear layer from input_features
        #       to hidden_dim; self.fc2, a linear layer from hidden_dim to output_dim;
        #       self.drop, a dropout layer with p=0.2; self.sig, a sigmoid
        raise NotImplementedError("TODO: define the layers forward() uses: self.fc1, a linear layer from input_features to hidden_dim; self.fc2, a linear layer from hidden_dim to output_dim; self.drop, a dropout layer with p=0.2; self.sig, a sigmoid")

    def forward(self, x):
        """Class-1 probabilities of a batch of feature rows."""
        # TODO: fc1, then ReLU, then dropout, then fc2, then the sigmoid
        raise NotImplementedError("TODO: fc1, then ReLU, then dropout, then fc2, then the sigmoid")
