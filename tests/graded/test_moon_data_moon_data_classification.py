"""Graded tests of Case-Studies/Moon Data/Moon Data Classification.ipynb.

The model, the training loop and the serving function live in the case study's scripts; the
tests import them and run them on tiny tensors built here, with no SageMaker involved.
"""

import numpy as np
import pytest
import torch
from torch import nn

MODEL_SCRIPT = "source/model.py"
TRAIN_SCRIPT = "source/train.py"
PREDICT_SCRIPT = "source/predict.py"


def _classifier(exercise, hidden_dim=10):
    torch.manual_seed(0)
    return exercise.script(MODEL_SCRIPT).BinaryClassifier(2, hidden_dim, 1)


@pytest.mark.rubric(
    "BinaryClassifier has two linear layers: features -> hidden_dim -> output_dim",
    hint="Two torch.nn linear layers (features to hidden units, hidden units to outputs), a "
    "dropout layer and a sigmoid, stored as the attributes the TODO names.",
)
def test_classifier_layers(exercise):
    model = _classifier(exercise, hidden_dim=7)
    linear = [module for module in model.modules() if isinstance(module, nn.Linear)]
    shapes = [(layer.in_features, layer.out_features) for layer in linear]
    assert shapes == [(2, 7), (7, 1)], f"expected linear layers 2->7 and 7->1, got {shapes}"
    assert any(isinstance(module, nn.Dropout) for module in model.modules()), "no dropout layer"


@pytest.mark.rubric(
    "forward returns one probability per row, from ReLU hidden units and a sigmoid",
    hint="Apply the first layer, a ReLU, the dropout, the second layer and the sigmoid, in "
    "that order.",
)
def test_forward_gives_probabilities(exercise):
    # Layers built here, so this criterion does not depend on the __init__ TODO.
    cls = exercise.script(MODEL_SCRIPT).BinaryClassifier
    model = cls.__new__(cls)
    nn.Module.__init__(model)
    torch.manual_seed(0)
    model.fc1, model.fc2 = nn.Linear(2, 10), nn.Linear(10, 1)
    model.drop, model.sig = nn.Dropout(p=0.2), nn.Sigmoid()
    model.eval()
    batch = torch.tensor([[0.0, 0.0], [1.0, -1.0], [2.0, 0.5], [-1.5, 1.0], [0.3, 0.3]])
    with torch.no_grad():
        output = model(batch)
    assert tuple(output.shape) == (5, 1), f"expected shape (5, 1), got {tuple(output.shape)}"
    assert torch.all((output > 0) & (output < 1)), f"outputs must be probabilities: {output}"
    with torch.no_grad():  # ReLU: the hidden layer is the positive part of fc1's output
        hidden = torch.relu(model.fc1(batch))
        expected = torch.sigmoid(model.fc2(hidden))
    assert torch.allclose(output, expected, atol=1e-6), "forward must be fc1, ReLU, fc2, sigmoid"


def _logistic_model():
    """A model built here, so the training-loop criteria do not depend on the model TODOs."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())


def _separable_loader(batch_size=8):
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(64, 2, generator=generator)
    labels = (features[:, 0] + features[:, 1] > 0).float()
    dataset = torch.utils.data.TensorDataset(features, labels)
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)


@pytest.mark.rubric(
    "The training loop lowers the loss: one optimizer step per batch, mean loss per epoch",
    hint="Per batch: clear the gradients, compute the loss of the flattened output, "
    "back-propagate, step the optimizer; after each epoch record the mean batch loss.",
)
def test_training_loop_learns(exercise):
    train = exercise.script(TRAIN_SCRIPT).train
    model = _logistic_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    loader = _separable_loader()
    losses = train(model, loader, 15, optimizer, nn.BCELoss())
    assert len(losses) == 15, f"expected one loss per epoch (15), got {len(losses)}"
    assert all(isinstance(loss, float) for loss in losses), "losses must be Python floats"
    assert losses[-1] < 0.6 * losses[0], f"the loss did not fall: {losses[0]:.3f} -> " \
                                         f"{losses[-1]:.3f}"


@pytest.mark.rubric(
    "The training loop takes exactly one optimizer step per batch",
    hint="Step the optimizer once for every batch the loader yields, after back-propagating.",
)
def test_training_loop_steps_once_per_batch(exercise):
    train = exercise.script(TRAIN_SCRIPT).train
    model = _logistic_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    steps = []
    original_step = optimizer.step
    optimizer.step = lambda *args, **kwargs: (steps.append(1), original_step(*args, **kwargs))
    train(model, _separable_loader(batch_size=16), 2, optimizer, nn.BCELoss())
    assert len(steps) == 8, f"64 rows in batches of 16 for 2 epochs are 8 steps, got {len(steps)}"


class _FixedProbabilities(nn.Module):
    """A model that answers given probabilities, dropping half its output unless in eval()."""

    def __init__(self, probabilities):
        super().__init__()
        self.probabilities = torch.tensor(probabilities).reshape(-1, 1)
        self.drop = nn.Dropout(p=0.5)

    def forward(self, x):
        return self.drop(self.probabilities)


@pytest.mark.rubric(
    "predict_fn returns the rounded class of each row as a flat NumPy array, in eval mode",
    hint="Switch the model to evaluation mode, run it without gradient tracking, round the "
    "probabilities and flatten them into a NumPy array.",
)
def test_predict_fn_rounds_probabilities(exercise):
    predict_fn = exercise.script(PREDICT_SCRIPT).predict_fn
    torch.manual_seed(0)
    model = _FixedProbabilities([0.1, 0.8, 0.45, 0.97] * 4)
    predictions = predict_fn(torch.zeros(16, 2), model)
    assert isinstance(predictions, np.ndarray), f"expected a NumPy array, got {type(predictions)}"
    assert predictions.shape == (16,), f"expected a flat array of 16, got {predictions.shape}"
    assert predictions.tolist() == [0.0, 1.0, 0.0, 1.0] * 4, (
        "expected the rounded probabilities (dropout off in eval mode), got "
        f"{predictions.tolist()}")


@pytest.mark.rubric(
    "evaluate computes accuracy, precision and recall with class 1 as positive",
    hint="Count true positives, false positives and false negatives; precision divides the "
    "true positives by all predicted positives, recall by all actual positives.",
)
def test_evaluate_scores(exercise):
    scores = exercise["evaluate"]([1, 1, 0, 0, 1], [1.0, 0.0, 1.0, 0.0, 1.0])
    expected = {"accuracy": 0.6, "precision": 2 / 3, "recall": 2 / 3}
    assert set(scores) == set(expected), f"expected the keys {sorted(expected)}, got {scores}"
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value), f"{name}: expected {value:.3f}, got " \
                                                     f"{scores[name]}"


@pytest.mark.rubric(
    "evaluate scores precision and recall 0.0 when nothing is predicted or present positive",
    hint="Check each denominator before dividing: 0.0 when it is 0.",
)
def test_evaluate_handles_no_positives(exercise):
    scores = exercise["evaluate"]([0, 0, 0], [0, 0, 0])
    assert scores["precision"] == 0.0 and scores["recall"] == 0.0, scores
    assert scores["accuracy"] == pytest.approx(1.0), scores
