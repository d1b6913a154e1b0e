"""What the SageMaker scikit-learn image does when SageMaker starts it with ``train``."""

from __future__ import annotations

from localcloud.containers.contract import MLPaths
from localcloud.frameworks.training import run_script
from localcloud.frameworks.versions import log_framework


def train(paths: MLPaths) -> None:
    """Run the learner's training script, exactly as the container's ``training.py`` does."""
    log_framework("scikit-learn", "scikit-learn", "training")
    run_script(paths)
