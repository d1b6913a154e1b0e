"""The SageMaker scikit-learn container (``sagemaker-scikit-learn``) in script mode, run with the
installed scikit-learn. One image trains and serves:

- :func:`train` runs the learner's training script (:mod:`localcloud.frameworks.training`);
- :class:`Handler` serves the model with the learner's handlers and the scikit-learn defaults
  (:mod:`.serving`).
"""

from __future__ import annotations

from localcloud.algorithms import lazy_exports

__all__ = ["Handler", "train"]

__getattr__ = lazy_exports(__name__, {"Handler": "serving", "train": "training"})
