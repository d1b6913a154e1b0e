"""Which Python module implements each algorithm a container can run.

An algorithm module provides ``train(paths: MLPaths) -> None`` and a ``Handler`` class
(an :class:`~localcloud.containers.serving.InferenceHandler`).
"""

from __future__ import annotations

import importlib
from types import ModuleType

ALGORITHM_MODULES = {
    "xgboost": "localcloud.algorithms.xgboost",
    "linear-learner": "localcloud.algorithms.linear_learner",
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
    """The metrics an algorithm logs, as ``[{"Name": ..., "Regex": ...}]`` (empty if unknown)."""
    try:
        return list(getattr(load_algorithm(name), "METRIC_DEFINITIONS", []))
    except (ValueError, ImportError):
        return []
