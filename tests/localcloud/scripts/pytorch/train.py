"""Test script: logistic regression in PyTorch on a headerless CSV (label first).

Saves a TorchScript ``model.pt``, which the PyTorch container's default handlers serve, and
records its environment (record.py) for the conformance tests.
"""

import argparse
import glob
import os

import pandas as pd
import torch
from record import record_environment
from torch import nn


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--label-name", type=str, default="label")
    parser.add_argument("--model-dir", type=str, default=os.environ["SM_MODEL_DIR"])
    parser.add_argument("--train", type=str, default=os.environ["SM_CHANNEL_TRAIN"])
    return parser.parse_args()


def main():
    args = parse_args()
    record_environment(args.model_dir)
    frame = pd.concat(pd.read_csv(path, header=None)
                      for path in glob.glob(os.path.join(args.train, "*.csv")))
    labels = torch.tensor(frame[0].values, dtype=torch.float32)
    features = torch.tensor(frame.drop(columns=0).values, dtype=torch.float32)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(features.shape[1], 1), nn.Sigmoid())
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        optimizer.zero_grad()
        loss = nn.functional.binary_cross_entropy(model(features).squeeze(1), labels)
        loss.backward()
        optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")
    torch.jit.script(model).save(os.path.join(args.model_dir, "model.pt"))


if __name__ == "__main__":
    main()
