"""The SageMaker built-in XGBoost algorithm, trained and served with the xgboost library.

A container started from any XGBoost image URI the SageMaker SDK resolves
(``sagemaker.image_uris.retrieve("xgboost", region, version)``, including the legacy
``xgboost:1`` image) runs this module:

- :func:`train` reads the ``train``/``validation`` channels (text/csv or text/libsvm), validates
  the hyperparameters, prints ``[n]<TAB>train-rmse:...<TAB>validation-rmse:...`` each round and
  writes ``xgboost-model``;
- :class:`Handler` serves that model over the SageMaker inference contract;
- :data:`METRIC_DEFINITIONS` lists the ``train:<metric>``/``validation:<metric>`` regexes a
  training or tuning job uses to read metrics from the CloudWatch log.

Which release is emulated (model file format, log style, response encoding) comes from the image
URI in ``$LOCALCLOUD_IMAGE``; see :mod:`.releases`.

The three names are imported on first use (PEP 562): the service reads only
:mod:`.metric_names`, and importing this package must not load xgboost for it.
"""

from __future__ import annotations

from localcloud.algorithms import lazy_exports

__all__ = ["METRIC_DEFINITIONS", "Handler", "train"]

__getattr__ = lazy_exports(
    __name__, {"METRIC_DEFINITIONS": "metric_names", "Handler": "serving", "train": "training"})
