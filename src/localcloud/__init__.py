"""localcloud: a SageMaker-compatible cloud on 127.0.0.1 that really trains and serves models.

    from localcloud import LocalCloud
    with LocalCloud() as cloud:
        cloud.env   # AWS_ENDPOINT_URL and friends for the unchanged SDK
"""

from .service import LocalCloud, LocalCloudError

__all__ = ["LocalCloud", "LocalCloudError"]
