# GENERATED from solutions/Case-Studies/Moon Data/source/train.py
# by `python -m mlcourse.grading generate`; maintainers edit that file, not this one.
"""Train the Moon Data classifier: the entry point of the SageMaker PyTorch training job.

SageMaker runs ``python train.py --epochs 80 --hidden_dim 10 ...`` with the training data in
``$SM_CHANNEL_TRAIN`` (``train.csv``: the label first, then the two features, no header) and
packs whatever the script saves in ``$SM_MODEL_DIR`` into ``model.tar.gz``.
"""

import argparse
import os

import pandas as pd
import torch
from model import BinaryClassifier
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

MODEL_INFO_FILE = "model_info.pth"
MODEL_FILE = "model.pth"


def model_fn(model_dir):
    """Rebuild the trained model from the files main() saved (used when serving)."""
    with open(os.path.join(model_dir, MODEL_INFO_FILE), "rb") as file:
        info = torch.load(file)
    model = BinaryClassifier(info["input_features"], info["hidden_dim"], info["output_dim"])
    with open(os.path.join(model_dir, MODEL_FILE), "rb") as file:
        model.load_state_dict(torch.load(file))
    return model.eval()


def train_loader(batch_size, data_dir):
    """Batches of (features, labels) from ``train.csv`` in ``data_dir``, shuffled each epoch."""
    frame = pd.read_csv(os.path.join(data_dir, "train.csv"), header=None)
    labels = torch.tensor(frame[0].values, dtype=torch.float32)
    features = torch.tensor(frame.drop(columns=0).values, dtype=torch.float32)
    return DataLoader(TensorDataset(features, labels), batch_size=batch_size, shuffle=True)


def train(model, loader, epochs, optimizer, criterion):
    """Train ``model`` for ``epochs`` passes over ``loader``; return each epoch's mean loss."""
    epoch_losses = []
    for epoch in range(1, epochs + 1):
        # TODO: put the model in training mode; for each batch of the loader, reset the
        #       gradients, compute the model's output for the features (reshaped to one value
        #       per row), the criterion's loss against the labels, back-propagate it and take an
        #       optimizer step; append the mean loss of the epoch's batches to epoch_losses
        raise NotImplementedError("TODO: put the model in training mode; for each batch of the loader, reset the gradients, compute the model's output for the features (reshaped to one value per row), the criterion's loss against the labels, back-propagate it and take an optimizer step; append the mean loss of the epoch's batches to epoch_losses")
        if epoch % 10 == 0 or epoch == epochs:
            print(f"Epoch: {epoch}, Loss: {epoch_losses[-1]:.4f}")
    return epoch_losses


def parse_args(argv=None):
    """The hyperparameters (as the SageMaker estimator passes them) and the container's paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--input_features", type=int, default=2)
    parser.add_argument("--hidden_dim", type=int, default=10)
    parser.add_argument("--output_dim", type=int, default=1)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR"))
    parser.add_argument("--data-dir", default=os.environ.get("SM_CHANNEL_TRAIN"))
    return parser.parse_args(argv)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    loader = train_loader(args.batch_size, args.data_dir)
    model = BinaryClassifier(args.input_features, args.hidden_dim, args.output_dim)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    train(model, loader, args.epochs, optimizer, nn.BCELoss())
    # The architecture, so model_fn can rebuild the model before loading its weights.
    info = {"input_features": args.input_features, "hidden_dim": args.hidden_dim,
            "output_dim": args.output_dim}
    torch.save(info, os.path.join(args.model_dir, MODEL_INFO_FILE))
    torch.save(model.state_dict(), os.path.join(args.model_dir, MODEL_FILE))
    print(f"Saved the model to {args.model_dir}")


if __name__ == "__main__":
    main()
