"""Benchmark: PyTorch training with 1 and 2 intra-op threads on this machine.

    .venv/bin/python bench/torch_threads.py [--repeats 3]

Measures, in one run, two workloads a course script trains:

1. ``lstm``: a small sentiment LSTM (embedding 32, hidden 100, batch 50, reviews of 200 tokens),
   as the sentiment project trains it;
2. ``moons``: the Moon Data MLP (2 -> 10 -> 1, full-batch and mini-batch epochs on 600 points).

Each workload runs in a fresh subprocess with ``OMP_NUM_THREADS`` set to 1 or 2, first on an
idle machine and then while a busy-loop process holds one core (as when another job, the
notebook kernel or a test runner is busy). Prints seconds and the ratio of 2 threads to 1 thread
(above 1 means one thread is faster). localcloud's framework containers default to the faster
setting (``localcloud.frameworks.pytorch.DEFAULT_INTRA_OP_THREADS``). Not run as a test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys

WORKLOAD = r"""
import sys, time
import torch
from torch import nn

torch.manual_seed(0)
kind = sys.argv[1]
if kind == "lstm":
    class Sentiment(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(5000, 32, padding_idx=0)
            self.lstm = nn.LSTM(32, 100)
            self.dense = nn.Linear(100, 1)

        def forward(self, x):
            embeds = self.embedding(x.t())
            out, _ = self.lstm(embeds)
            return torch.sigmoid(self.dense(out[-1]).squeeze())

    model = Sentiment()
    x = torch.randint(1, 5000, (250, 200))
    y = torch.randint(0, 2, (250,)).float()
    batches = [(x[i:i + 50], y[i:i + 50]) for i in range(0, 250, 50)]
    epochs = 2
else:
    model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1), nn.Sigmoid())
    x = torch.randn(600, 2)
    y = (x[:, 0] > 0).float()
    batches = [(x[i:i + 64], y[i:i + 64]) for i in range(0, 600, 64)]
    epochs = 80
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
loss_fn = nn.BCELoss()
started = time.perf_counter()
for _ in range(epochs):
    for features, labels in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(features).reshape(-1), labels)
        loss.backward()
        optimizer.step()
print(time.perf_counter() - started)
"""


def burn(stop) -> None:
    """Keep one core busy until ``stop`` is set."""
    while not stop.is_set():
        sum(range(10_000))


def seconds(kind: str, threads: int) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    result = subprocess.run([sys.executable, "-c", WORKLOAD, kind], env=env, check=True,
                            capture_output=True, text=True)
    return float(result.stdout.strip().splitlines()[-1])


def measure(kind: str, threads: int, repeats: int) -> float:
    return statistics.median(seconds(kind, threads) for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; median of {args.repeats} runs per cell")
    for load in ("idle", "one core busy"):
        stop = multiprocessing.Event()
        burner = multiprocessing.Process(target=burn, args=(stop,)) if load != "idle" else None
        if burner:
            burner.start()
        try:
            for kind in ("lstm", "moons"):
                one, two = measure(kind, 1, args.repeats), measure(kind, 2, args.repeats)
                print(f"{load:>14} {kind:>5}: 1 thread {one:6.2f} s, 2 threads {two:6.2f} s, "
                      f"2-thread/1-thread ratio {two / one:5.2f}")
        finally:
            if burner:
                stop.set()
                burner.join()


if __name__ == "__main__":
    main()
