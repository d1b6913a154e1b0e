"""Train the sentiment LSTM: the entry point of the project's SageMaker PyTorch training job.

SageMaker runs ``python train.py --epochs 4 --hidden_dim 64 ...`` with the training channel in
``$SM_CHANNEL_TRAINING``: ``train.csv`` (no header; per row the label, the review's length and its
500 padded word indices) and ``word_dict.json``. Whatever the script saves in ``$SM_MODEL_DIR``
becomes ``model.tar.gz``.
"""

import argparse
import json
import os
import time

import pandas as pd
import torch
from model import WORD_DICT_FILE, LSTMClassifier, load_model, save_model
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def model_fn(model_dir):
    """Load the trained model (the serving container calls this when the estimator deploys)."""
    return load_model(model_dir)


def train_loader(batch_size, data_dir, seed=1):
    """Batches of (reviews, labels) from ``train.csv``, in a new random order each epoch.

    Each review row keeps its length in front of the word indices, as the model reads it. The
    batches group reviews of similar length (see :class:`SimilarLengthBatches`).
    """
    frame = pd.read_csv(os.path.join(data_dir, "train.csv"), header=None)
    labels = torch.tensor(frame[0].values, dtype=torch.float32)
    reviews = torch.tensor(frame.drop(columns=0).values, dtype=torch.int64)
    batches = SimilarLengthBatches(reviews[:, 0], batch_size, seed)
    return DataLoader(TensorDataset(reviews, labels), batch_sampler=batches)


class SimilarLengthBatches:
    """Shuffled batches of reviews of similar length.

    The model reads each batch up to its longest review, so a batch of short reviews with one
    long one costs as much as a batch of long ones. Each epoch the reviews are shuffled, cut
    into pools of 50 batches, each pool sorted by length and cut into batches, and the batches
    shuffled: an epoch on a CPU takes a fraction of the time, and every batch is still random.
    """

    POOL_BATCHES = 50

    def __init__(self, lengths, batch_size, seed):
        self.lengths = lengths
        self.batch_size = batch_size
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self):
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        order = torch.randperm(len(self.lengths), generator=self.generator)
        batches = []
        for pool in order.split(self.batch_size * self.POOL_BATCHES):
            by_length = pool[torch.argsort(self.lengths[pool])]
            batches.extend(by_length.split(self.batch_size))
        for index in torch.randperm(len(batches), generator=self.generator).tolist():
            yield batches[index].tolist()


def train(model, loader, epochs, optimizer, loss_fn):
    """Train ``model`` for ``epochs`` passes over ``loader``; return each epoch's mean loss."""
    epoch_losses = []
    for epoch in range(1, epochs + 1):
        started = time.monotonic()
        # TODO: put the model in training mode; for each batch of (reviews, labels) from the
        #       loader, reset the gradients, compute the model's output and the loss_fn loss
        #       against the labels, back-propagate it and take an optimizer step; append the
        #       mean loss of the epoch's batches (a Python float) to epoch_losses
        ### BEGIN SOLUTION
        model.train()
        total_loss = 0.0
        for reviews, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(reviews), labels)
            loss.backward()
            optimizer.step()
            total_loss += loss.item()
        epoch_losses.append(total_loss / len(loader))
        ### END SOLUTION
        print(f"Epoch: {epoch}, BCELoss: {epoch_losses[-1]:.4f} "
              f"({time.monotonic() - started:.0f} s)", flush=True)
    return epoch_losses


def parse_args(argv=None):
    """The hyperparameters (as the SageMaker estimator passes them) and the container's paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--embedding_dim", type=int, default=32)
    parser.add_argument("--hidden_dim", type=int, default=64)
    parser.add_argument("--vocab_size", type=int, default=5000)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR"))
    parser.add_argument("--data-dir", default=os.environ.get("SM_CHANNEL_TRAINING"))
    return parser.parse_args(argv)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    loader = train_loader(args.batch_size, args.data_dir, args.seed)
    with open(os.path.join(args.data_dir, WORD_DICT_FILE)) as file:
        word_dict = json.load(file)
    model = LSTMClassifier(args.embedding_dim, args.hidden_dim, args.vocab_size)
    print(f"{len(loader.dataset)} reviews, {len(word_dict)} words; {model}", flush=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    train(model, loader, args.epochs, optimizer, nn.BCELoss())
    save_model(model, word_dict, args.model_dir)
    print(f"Saved the model and its word dictionary to {args.model_dir}")


if __name__ == "__main__":
    main()
