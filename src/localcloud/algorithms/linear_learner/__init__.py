"""SageMaker's built-in Linear Learner, re-implemented with numpy.

Regressors, binary classifiers and multiclass classifiers, trained by mini-batch SGD on several
models in parallel, with the real algorithm's hyperparameters, channels, input formats, log lines,
metrics, artifact layout and inference formats:

- :func:`train` — the training container (``python -m localcloud.containers train
  linear-learner``); see :mod:`.training`;
- :class:`Handler` — the model server's handler (``... serve linear-learner``); see
  :mod:`.inference`;
- :data:`METRIC_DEFINITIONS` — the ``MetricDefinitions`` SageMaker attaches to its jobs; see
  :mod:`.metric_names`.

The three names are imported on first use (PEP 562): the service reads only
:mod:`.metric_names`, and importing this package must not load numpy and protobuf for it.
"""

from __future__ import annotations

from localcloud.algorithms import lazy_exports

__all__ = ["METRIC_DEFINITIONS", "Handler", "train"]

__getattr__ = lazy_exports(
    __name__, {"METRIC_DEFINITIONS": "metric_names", "Handler": "inference", "train": "training"})
