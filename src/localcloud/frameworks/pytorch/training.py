"""What a SageMaker PyTorch training image does when SageMaker starts it with ``train``."""

from __future__ import annotations

import logging

from localcloud.containers.contract import MLPaths
from localcloud.frameworks.training import run_script
from localcloud.frameworks.versions import log_framework

from . import thread_defaults

log = logging.getLogger(__name__)


def train(paths: MLPaths) -> None:
    """Run the learner's training script with the PyTorch container's defaults."""
    log_framework("PyTorch", "torch", "training")
    run_script(paths, extra_env=thread_defaults())
