"""SageMaker's built-in k-means (``kmeans:1``): web-scale k-means with numpy and scikit-learn.

- :func:`train` reads ``train`` (and the optional ``test``) channel, RecordIO-protobuf or
  ``text/csv;label_size=0``, runs mini-batch k-means with extra centers and reduces them to ``k``
  with Lloyd's algorithm, logs ``#test_score`` lines and writes ``model_algo-1`` (one k ×
  feature_dim array of centroids); see :mod:`.training`;
- :class:`Handler` answers each example's ``closest_cluster`` and ``distance_to_cluster``; see
  :mod:`.serving`;
- :data:`METRIC_DEFINITIONS`: ``test:msd``, ``test:ssd`` (the tuning metrics) and the progress
  metrics; see :mod:`.metric_names`.

The names are imported on first use (PEP 562), so the service reads the metric definitions without
loading numpy.
"""

from __future__ import annotations

from localcloud.algorithms import lazy_exports

__all__ = ["METRIC_DEFINITIONS", "Handler", "train"]

__getattr__ = lazy_exports(
    __name__, {"METRIC_DEFINITIONS": "metric_names", "Handler": "serving", "train": "training"})
