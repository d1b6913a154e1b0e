"""Which Python module implements each algorithm a container can run.

An algorithm module provides ``train(paths: MLPaths) -> None`` and a ``Handler`` class
(an :class:`~localcloud.containers.serving.InferenceHandler`). Its ``metric_names`` module
provides ``METRIC_DEFINITIONS`` and imports only the standard library: the service reads the
definitions of every training and tuning job, and must not load xgboost or numpy to do so.
"""

from __future__ import annotations

import importlib
from types import ModuleType

ALGORITHM_MODULES = {
    "xgboost": "localcloud.algorithms.xgboost",
    "linear-learner": "localcloud.algorithms.linear_learner",
    # Framework containers run the learner's script (script mode).
    "pytorch": "localcloud.frameworks.pytorch",
    "sklearn": "localcloud.frameworks.sklearn",
}
#: Algorithm name -> the dependency-free module holding its ``METRIC_DEFINITIONS``.
METRIC_MODULES = {
    "xgboost": "localcloud.algorithms.xgboost.metric_names",
    "linear-learner": "localcloud.algorithms.linear_learner.metric_names",
}

#: The image URI a container was started from (algorithms read their version from its tag).
IMAGE_ENV = "LOCALCLOUD_IMAGE"


def load_algorithm(name: str) -> ModuleType:
    """Import the module implementing ``name``; a clear error when there is none."""
    try:
        module_name = ALGORITHM_MODULES[name]
    except KeyError:
        known = ", ".join(sorted(ALGORITHM_MODULES))
        raise ValueError(f"Unknown algorithm {name!r}; localcloud implements: {known}") from None
    return importlib.import_module(module_name)


def metric_definitions(name: str) -> list[dict]:
    """The metrics an algorithm logs, as ``[{"Name": ..., "Regex": ...}]`` (empty if unknown).

    Jobs of images localcloud does not implement have no built-in definitions; an algorithm
    whose metric module fails to import is a bug and raises.
    """
    module_name = METRIC_MODULES.get(name)
    if module_name is None:
        return []
    return list(importlib.import_module(module_name).METRIC_DEFINITIONS)
