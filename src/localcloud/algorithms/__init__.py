"""SageMaker built-in algorithms re-implemented with real libraries (xgboost, scikit-learn, ...).

Each subpackage follows the container contract in :mod:`localcloud.containers`: ``train(paths)``
reads the channels and hyperparameters SageMaker would hand the real image and writes the same
artifacts; ``Handler`` serves them with the real algorithm's request and response formats.
Its ``metric_names`` module holds the ``METRIC_DEFINITIONS`` and imports only the standard
library, because the service reads them without running the algorithm.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` (PEP 562) importing each public name from its submodule on use.

    ``exports`` maps a public name to the submodule (relative to ``package``) that defines it,
    so ``import localcloud.algorithms.xgboost`` costs nothing until ``train`` or ``Handler`` is
    touched.
    """

    def __getattr__(name: str) -> object:  # noqa: N807 (the name PEP 562 looks up)
        if name in exports:
            return getattr(importlib.import_module(f".{exports[name]}", package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
