"""Which algorithm an image URI stands for.

The SDK resolves images with ``sagemaker.image_uris.retrieve(framework, region, version)``, e.g.
``683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1`` or the legacy
``811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1``. The registry account differs by
region, so localcloud looks only at the repository name and the tag.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..containers.registry import ALGORITHM_MODULES

#: ECR repository name -> localcloud algorithm.
REPOSITORY_ALGORITHMS = {
    "sagemaker-xgboost": "xgboost",
    "xgboost": "xgboost",
    "linear-learner": "linear-learner",
    "pca": "pca",
    "kmeans": "kmeans",
    "forecasting-deepar": "forecasting-deepar",
    "pytorch-training": "pytorch",
    "pytorch-inference": "pytorch",
    "sagemaker-pytorch": "pytorch",  # framework 0.4 and 1.0
    "sagemaker-scikit-learn": "sklearn",
}


class UnknownImage(ValueError):
    """An image localcloud cannot run."""


@dataclass(frozen=True)
class Image:
    uri: str
    repository: str
    tag: str
    algorithm: str


def resolve_image(uri: str) -> Image:
    """The algorithm behind an image URI, or :class:`UnknownImage` saying what is supported."""
    path, _, tag = uri.rpartition(":")
    if not path or "/" in tag:  # no tag: ECR's implicit "latest"
        path, tag = uri, "latest"
    repository = path.rsplit("/", 1)[-1]
    algorithm = REPOSITORY_ALGORITHMS.get(repository)
    if algorithm is None or algorithm not in ALGORITHM_MODULES:
        supported = ", ".join(sorted(r for r, a in REPOSITORY_ALGORITHMS.items()
                                     if a in ALGORITHM_MODULES))
        raise UnknownImage(f"localcloud cannot run image {uri!r}: it runs the SageMaker images "
                           f"{supported} (resolve them with sagemaker.image_uris.retrieve)")
    return Image(uri=uri, repository=repository, tag=tag, algorithm=algorithm)
