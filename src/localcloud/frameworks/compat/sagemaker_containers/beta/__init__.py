"""``sagemaker_containers.beta``: home of the ``framework`` names older scripts import."""

from . import framework

__all__ = ["framework"]
