"""SageMaker's built-in Linear Learner, re-implemented with numpy.

Regressors, binary classifiers and multiclass classifiers, trained by mini-batch SGD on several
models in parallel, with the real algorithm's hyperparameters, channels, input formats, log lines,
metrics, artifact layout and inference formats:

- :func:`train` — the training container (``python -m localcloud.containers train
  linear-learner``); see :mod:`.training`;
- :class:`Handler` — the model server's handler (``... serve linear-learner``); see
  :mod:`.inference`;
- :data:`METRIC_DEFINITIONS` — the ``MetricDefinitions`` SageMaker attaches to its jobs; see
  :mod:`.metrics`.
"""

from .inference import Handler
from .metrics import METRIC_DEFINITIONS
from .training import train

__all__ = ["METRIC_DEFINITIONS", "Handler", "train"]
