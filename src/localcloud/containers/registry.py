"""The one table of what localcloud's containers run: built-in algorithms and frameworks.

Each row of :data:`IMAGES` says, for one image family:

- ``name``: what the platform passes to ``python -m localcloud.containers train|serve NAME``;
- ``kind``: :data:`ALGORITHM` (a SageMaker built-in: the image holds the model code) or
  :data:`FRAMEWORK` (script mode: the image runs the learner's own script);
- ``repositories``: the ECR repository names ``sagemaker.image_uris.retrieve`` resolves to
  (the account and region part of the URI differ by region, so only the repository counts);
- ``module``: the package providing ``train(paths: MLPaths) -> None`` and a ``Handler`` class
  (an :class:`~localcloud.containers.serving.InferenceHandler`);
- ``metric_module``: a module holding ``METRIC_DEFINITIONS`` (the ``MetricDefinitions`` SageMaker
  attaches to the image's training jobs), or None when the job brings its own;
- ``preload``: libraries the family's warm parent imports besides ``module``'s ``train`` and
  ``Handler`` (:mod:`localcloud.containers.forkserver`): for script mode, those the learner's
  inference code imports, never the learner's code itself.

Both sides read this table and nothing else: the control plane
(:mod:`localcloud.sagemaker.images`) to accept an image URI and read its metric definitions, the
container launcher (:mod:`localcloud.containers.__main__`) to import the module it runs. Module
names are strings, imported on use, so the service never loads an algorithm's libraries: a
``metric_module`` must import only the standard library.

How to add a built-in algorithm (e.g. ``forecasting-deepar``)
    1. Write ``localcloud/algorithms/<name>/`` with ``train`` and ``Handler`` (exported lazily
       with :func:`localcloud.algorithms.lazy_exports`) and a dependency-free ``metric_names``
       module. Read inputs with :mod:`localcloud.algorithms.inputs` and hyperparameters with
       :mod:`localcloud.algorithms.hyperparameters`.
    2. Add one :class:`ImageFamily` row below with ``kind=ALGORITHM``.
    3. Add the algorithm to the shared check suite's list (``tests/unit/algorithms/checks.py``),
       which then trains, serves, transforms and fails it the way SageMaker would.

How to add a framework (e.g. PyTorch or scikit-learn script mode)
    1. Write ``localcloud/frameworks/<name>/`` with ``train`` (the training toolkit: run the
       user's entry point with the ``SM_*`` environment) and ``Handler`` (the inference toolkit:
       ``model_fn``/``input_fn``/``predict_fn``/``output_fn``).
    2. Add one row with ``kind=FRAMEWORK``, its training and inference repositories (e.g.
       ``pytorch-training`` and ``pytorch-inference``) and ``metric_module=None``: script-mode
       jobs bring their own ``MetricDefinitions``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

ALGORITHM = "algorithm"
FRAMEWORK = "framework"

#: The image URI a container was started from (algorithms read their version from its tag).
IMAGE_ENV = "LOCALCLOUD_IMAGE"


@dataclass(frozen=True)
class ImageFamily:
    """One row of the table: the images of one built-in algorithm or framework."""

    name: str
    kind: str
    repositories: tuple[str, ...]
    module: str
    metric_module: str | None = None
    preload: tuple[str, ...] = ()

    def load(self) -> ModuleType:
        """Import the module providing ``train`` and ``Handler``."""
        return importlib.import_module(self.module)

    def metric_definitions(self) -> list[dict]:
        """The metrics the image logs, as ``[{"Name": ..., "Regex": ...}]``."""
        if self.metric_module is None:
            return []
        return list(importlib.import_module(self.metric_module).METRIC_DEFINITIONS)


def _algorithm(name: str, package: str, *repositories: str,
               preload: tuple[str, ...] = ()) -> ImageFamily:
    """A built-in under ``localcloud.algorithms.<package>`` with its ``metric_names`` module."""
    module = f"localcloud.algorithms.{package}"
    return ImageFamily(name, ALGORITHM, repositories, module, f"{module}.metric_names", preload)


def _framework(name: str, package: str, *repositories: str,
               preload: tuple[str, ...] = ()) -> ImageFamily:
    """Script mode under ``localcloud.frameworks.<package>`` (jobs bring their own metrics)."""
    return ImageFamily(name, FRAMEWORK, repositories, f"localcloud.frameworks.{package}",
                       preload=preload)


#: Every image localcloud runs.
IMAGES: tuple[ImageFamily, ...] = (
    _algorithm("xgboost", "xgboost", "sagemaker-xgboost", "xgboost"),
    _algorithm("linear-learner", "linear_learner", "linear-learner"),
    _algorithm("pca", "pca", "pca"),
    _algorithm("kmeans", "kmeans", "kmeans"),
    _algorithm("forecasting-deepar", "deepar", "forecasting-deepar",
               preload=("torch", "lightning.pytorch", "gluonts.torch")),
    # sagemaker-pytorch holds the legacy framework 0.4 and 1.0 images (training and serving).
    _framework("pytorch", "pytorch", "pytorch-training", "pytorch-inference",
               "sagemaker-pytorch", preload=("torch", "numpy")),
    _framework("sklearn", "sklearn", "sagemaker-scikit-learn",
               preload=("sklearn", "joblib", "numpy", "pandas")),
)

_BY_NAME = {family.name: family for family in IMAGES}
_BY_REPOSITORY = {repository: family for family in IMAGES for repository in family.repositories}


def family_named(name: str) -> ImageFamily:
    """The row called ``name``; a clear error naming the known ones when there is none."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise ValueError(f"Unknown algorithm {name!r}; localcloud implements: {known}") from None


def family_of_repository(repository: str) -> ImageFamily | None:
    """The row whose images live in the ECR repository ``repository`` (None if none)."""
    return _BY_REPOSITORY.get(repository)


def known_repositories() -> list[str]:
    """Every ECR repository localcloud runs, sorted (for error messages)."""
    return sorted(_BY_REPOSITORY)


def load_algorithm(name: str) -> ModuleType:
    """Import the module implementing ``name`` (an algorithm or a framework)."""
    return family_named(name).load()


def metric_definitions(name: str) -> list[dict]:
    """The metrics a built-in logs, as ``[{"Name": ..., "Regex": ...}]`` (empty if unknown).

    Jobs of images localcloud does not implement have no built-in definitions; an algorithm
    whose metric module fails to import is a bug and raises.
    """
    family = _BY_NAME.get(name)
    return family.metric_definitions() if family else []
