"""Which built-in algorithm or framework an image URI stands for.

The SDK resolves images with ``sagemaker.image_uris.retrieve(framework, region, version)``, e.g.
``683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1`` or the legacy
``811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1``. The registry account differs by
region, so localcloud looks only at the repository name and the tag, and looks the repository up
in the one table of images (:mod:`localcloud.containers.registry`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..containers.registry import family_of_repository, known_repositories


class UnknownImage(ValueError):
    """An image localcloud cannot run."""


@dataclass(frozen=True)
class Image:
    uri: str
    repository: str
    tag: str
    #: The table row's name: what the container launcher runs.
    algorithm: str
    #: ``"algorithm"`` (a built-in) or ``"framework"`` (script mode).
    kind: str


def resolve_image(uri: str) -> Image:
    """The algorithm behind an image URI, or :class:`UnknownImage` saying what is supported."""
    path, _, tag = uri.rpartition(":")
    if not path or "/" in tag:  # no tag: ECR's implicit "latest"
        path, tag = uri, "latest"
    repository = path.rsplit("/", 1)[-1]
    family = family_of_repository(repository)
    if family is None:
        supported = ", ".join(known_repositories())
        raise UnknownImage(f"localcloud cannot run image {uri!r}: it runs the SageMaker images "
                           f"{supported} (resolve them with sagemaker.image_uris.retrieve)")
    return Image(uri=uri, repository=repository, tag=tag, algorithm=family.name,
                 kind=family.kind)
