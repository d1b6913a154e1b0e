"""Which SageMaker XGBoost image a container emulates, read from the image URI.

``sagemaker.image_uris.retrieve("xgboost", region, version)`` resolves to one of two families:

- ``<account>.dkr.ecr.<region>.amazonaws.com/xgboost:1`` (also ``:latest``): the original,
  closed-source image built on XGBoost 0.72, still used by older courses
  (https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost-72.html);
- ``<account>.dkr.ecr.<region>.amazonaws.com/sagemaker-xgboost:<tag>`` with tags such as
  ``0.90-1-cpu-py3``, ``1.0-1-cpu-py3``, ``1.2-2``, ``1.3-1``, ``1.5-1``, ``1.7-1``, ``3.0-5``:
  the open-source container (https://github.com/aws/sagemaker-xgboost-container).

localcloud trains every release with the installed xgboost library, but reproduces what a
learner can observe differing between releases: how the model file is written, what the log
looks like, how early stopping behaves and how the endpoint encodes its answer.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: The model artifact every release writes into model.tar.gz, and its endpoint looks for.
MODEL_FILE = "xgboost-model"
#: Tags of the legacy ``xgboost`` repository; both point at the XGBoost 0.72 image.
LEGACY_TAGS = frozenset({"1", "latest"})
#: Used when the image URI is missing or names no version we recognise.
DEFAULT_TAG = "1.7-1"

_OPEN_SOURCE_TAG = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)-(?P<build>\d+)")


@dataclass(frozen=True)
class Release:
    """One SageMaker XGBoost image release and the behaviours that depend on it."""

    tag: str
    version: tuple[int, int, int]
    legacy: bool = False

    @property
    def pickles_model(self) -> bool:
        """Releases before 1.3-1 pickle the Booster; later ones use ``Booster.save_model``.

        (https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost-how-to-use.html#InputOutput-XGBoost)
        """
        return self.version < (1, 3, 0)

    @property
    def uses_callback_api(self) -> bool:
        """1.3-1 and later build early stopping from ``xgb.callback.EarlyStopping``.

        That container keeps only the trees up to the best iteration (``save_best``) and stops
        early only when ``eval_metric`` (or a tuning objective) names the metric to watch.
        Earlier releases pass ``early_stopping_rounds`` to ``xgb.train``, which watches the
        last metric of the last evaluation set and keeps every tree.
        """
        return self.version >= (1, 3, 0)

    @property
    def encodes_by_accept(self) -> bool:
        """Since 1.2-2 the endpoint encodes predictions in the requested Accept type.

        Earlier images answered comma-separated text/csv whatever the Accept header said
        (aws/sagemaker-xgboost-container pull requests #269-#271).
        """
        return self.version >= (1, 2, 2)

    @property
    def describes_early_stopping(self) -> bool:
        """Only the 0.72 image prints "Will train until ..." and "Stopping. Best iteration"."""
        return self.legacy


LEGACY_RELEASE = Release(tag="0.72", version=(0, 72, 0), legacy=True)


def release_from_image(image_uri: str | None) -> Release:
    """The release an image URI names, or the default release when it names none."""
    if not image_uri:
        log.debug("No image URI given; emulating SageMaker XGBoost %s", DEFAULT_TAG)
        return _open_source_release(DEFAULT_TAG)
    repository, _, tag = image_uri.rpartition("/")[2].partition(":")
    if repository == "xgboost" and (tag in LEGACY_TAGS or tag.startswith("0.72")):
        return LEGACY_RELEASE
    if _OPEN_SOURCE_TAG.match(tag):
        return _open_source_release(tag)
    log.warning("Image %s names no SageMaker XGBoost version localcloud knows; emulating %s",
                image_uri, DEFAULT_TAG)
    return _open_source_release(DEFAULT_TAG)


def _open_source_release(tag: str) -> Release:
    match = _OPEN_SOURCE_TAG.match(tag)
    version = (int(match["major"]), int(match["minor"]), int(match["build"]))
    return Release(tag=match.group(0), version=version)
