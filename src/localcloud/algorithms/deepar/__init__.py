"""SageMaker's built-in DeepAR forecasting algorithm, re-implemented with GluonTS's PyTorch DeepAR.

DeepAR (Salinas et al., 2017) is an autoregressive recurrent network trained on many related
time series at once; it forecasts a probability distribution, from which it draws sample paths
and reports their mean and quantiles. The real algorithm's channels, JSON Lines input format,
hyperparameters, log lines, metrics and inference formats are kept:

- :func:`train` — the training container (``python -m localcloud.containers train
  forecasting-deepar``); see :mod:`.training`;
- :class:`Handler` — the model server's handler; see :mod:`.inference`;
- :data:`METRIC_DEFINITIONS` — the ``MetricDefinitions`` of its jobs; see :mod:`.metric_names`.

The names are imported on first use (PEP 562): the service reads only :mod:`.metric_names`, and
importing this package must not load torch.
"""

from __future__ import annotations

from localcloud.algorithms import lazy_exports

__all__ = ["METRIC_DEFINITIONS", "Handler", "train"]

__getattr__ = lazy_exports(
    __name__, {"METRIC_DEFINITIONS": "metric_names", "Handler": "inference", "train": "training"})
