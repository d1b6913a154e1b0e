"""SageMaker's built-in PCA (``pca:1``), with numpy and scikit-learn.

- :func:`train` reads the ``train`` channel (RecordIO-protobuf or ``text/csv;label_size=0``),
  computes the principal components in ``regular`` (exact, from the covariance accumulated over
  mini-batches) or ``randomized`` mode and writes ``model_algo-1`` with the real algorithm's
  arrays ``s``, ``v`` and ``mean``; see :mod:`.training`;
- :class:`Handler` projects examples onto the components and answers
  ``{"projections": [{"projection": [...]}]}``; see :mod:`.serving`;
- :data:`METRIC_DEFINITIONS`: progress and throughput only (AWS defines no objective metric
  for PCA, so it cannot be tuned).

The names are imported on first use (PEP 562), so the service can read the metric definitions
without loading numpy.
"""

from __future__ import annotations

from localcloud.algorithms import lazy_exports

__all__ = ["METRIC_DEFINITIONS", "Handler", "train"]

__getattr__ = lazy_exports(
    __name__, {"METRIC_DEFINITIONS": "metric_names", "Handler": "serving", "train": "training"})
