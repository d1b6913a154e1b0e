"""localcloud: a SageMaker-compatible cloud on 127.0.0.1 that really trains and serves models.

    from localcloud import LocalCloud
    with LocalCloud() as cloud:
        cloud.env   # AWS_ENDPOINT_URL and friends for the unchanged SDK

``LocalCloud`` is imported on first use: containers and the kit's start-up hook import
``localcloud.*`` subpackages in every process they start and need none of the service code.
"""

from __future__ import annotations

__all__ = ["LocalCloud", "LocalCloudError"]


def __getattr__(name: str):
    if name in __all__:
        from . import service

        return getattr(service, name)
    raise AttributeError(f"module 'localcloud' has no attribute {name!r}")
