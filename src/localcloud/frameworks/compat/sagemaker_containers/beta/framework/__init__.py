"""``sagemaker_containers.beta.framework``: ``content_types``, ``encoders``, ``env``, ``worker``."""

from sagemaker_containers import content_types, encoders, env, worker
from sagemaker_containers.env import training_env

__all__ = ["content_types", "encoders", "env", "training_env", "worker"]
