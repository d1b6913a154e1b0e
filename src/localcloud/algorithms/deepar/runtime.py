"""How the DeepAR containers set up torch, GluonTS and Lightning before loading them.

Call :func:`prepare` before the first import of GluonTS: the libraries print tips, progress bars
and deprecation notes (several per batch) that would bury the algorithm's own log lines, which
learners read and SageMaker parses for metrics.
"""

from __future__ import annotations

import logging
import os
import warnings

from localcloud.frameworks.pytorch import thread_defaults

#: Warnings of the pinned GluonTS, Lightning and torch that say nothing to a learner.
_NOISE = (
    r"Using `json`-module for json-handling",
    r"Using a non-tuple sequence for multidimensional indexing",
    r"`isinstance\(treespec, LeafSpec\)` is deprecated",
    r"You defined a `validation_step` but have no `val_dataloader`",
)


def prepare() -> None:
    """Quiet the libraries and set torch's intra-op threads: the PyTorch containers' default
    (one: on a 2-core machine shared with the service and the notebook, one thread trains an
    LSTM many times faster than two, bench/torch_threads.py) unless the job's Environment sets
    OMP_NUM_THREADS."""
    # Read, not set: a container's environment is its own, but tests train in their process.
    threads = os.environ.get("OMP_NUM_THREADS") or thread_defaults()["OMP_NUM_THREADS"]
    for message in _NOISE:
        warnings.filterwarnings("ignore", message=message)
    import lightning.pytorch  # noqa: F401 (sets up its loggers on import; quieted below)
    import torch
    from gluonts.env import env

    torch.set_num_threads(int(threads))
    env._push(use_tqdm=False)  # GluonTS's switch for its progress bars (as on SageMaker)
    for name in ("lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
