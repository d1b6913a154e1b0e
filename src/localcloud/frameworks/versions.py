"""Which framework release a container stands for, and which library really runs it.

Image tags name the framework release: ``pytorch-training:2.1-cpu-py310``,
``sagemaker-pytorch:1.0-cpu-py3``, ``sagemaker-scikit-learn:1.2-1-cpu-py3``. localcloud runs
every release with the library the course installs (one pinned torch, one scikit-learn), and
says so in the container's log, so a difference in behaviour is never a mystery.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os

from localcloud.containers.registry import IMAGE_ENV

log = logging.getLogger(__name__)


def framework_version(image_uri: str | None) -> str:
    """``...:1.2-1-cpu-py3`` -> ``1.2-1``; ``""`` when the tag names no version."""
    tag = (image_uri or "").rpartition(":")[2]
    for marker in ("-cpu", "-gpu"):
        if marker in tag:
            return tag.split(marker, 1)[0]
    return tag if tag and tag != "latest" else ""


def log_framework(framework: str, package: str, role: str) -> None:
    """Log the release the image names and the library version that runs it."""
    release = framework_version(os.environ.get(IMAGE_ENV)) or "(unversioned)"
    try:
        installed = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        installed = "not installed"
    log.info("SageMaker %s %s %s container, run by localcloud with %s %s", framework, release,
             role, package, installed)
