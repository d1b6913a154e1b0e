"""The SageMaker PyTorch containers (``pytorch-training``, ``pytorch-inference`` and the legacy
``sagemaker-pytorch`` of framework 0.4/1.0) in script mode, run with the installed torch.

- :func:`train` runs the learner's training script (:mod:`localcloud.frameworks.training`);
- :class:`Handler` serves a model with the learner's handlers and the PyTorch defaults
  (:mod:`.serving`).

Intra-op threads: torch starts one thread per core. On this course's 2-core machines a training
or serving container shares the cores with the service, the notebook kernel and often a second
job, and then two threads run many times slower than one. bench/torch_threads.py measured, two
threads against one: a small LSTM 2.95x slower (idle machine) and 2.03x (one core busy), the
Moon Data MLP 2.16x and 6.41x. The containers therefore set ``OMP_NUM_THREADS`` to
:data:`DEFAULT_INTRA_OP_THREADS` unless the job's or model's ``Environment`` sets it;
``torch.set_num_threads`` in a script wins over both.
"""

from __future__ import annotations

from localcloud.algorithms import lazy_exports

#: Intra-op threads of PyTorch training and serving containers (see the module docstring).
DEFAULT_INTRA_OP_THREADS = 1

__all__ = ["DEFAULT_INTRA_OP_THREADS", "Handler", "thread_defaults", "train"]


def thread_defaults() -> dict[str, str]:
    """The thread settings a PyTorch container starts with, unless the learner sets them."""
    threads = str(DEFAULT_INTRA_OP_THREADS)
    return {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}


__getattr__ = lazy_exports(__name__, {"Handler": "serving", "train": "training"})
