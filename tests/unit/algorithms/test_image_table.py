"""The one table of images: both the control plane and the container launcher read it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from localcloud.containers import registry
from localcloud.sagemaker.images import UnknownImage, resolve_image

SAGEMAKER_PACKAGE = Path(registry.__file__).parents[1] / "sagemaker"


@pytest.mark.parametrize("family", registry.IMAGES, ids=lambda family: family.name)
def test_every_row_names_a_module_with_train_and_handler(family):
    module = family.load()
    assert callable(module.train) and callable(module.Handler)
    assert family.kind in (registry.ALGORITHM, registry.FRAMEWORK)
    if family.metric_module:
        definitions = family.metric_definitions()
        assert all({"Name", "Regex"} <= set(item) for item in definitions)


@pytest.mark.parametrize("family", registry.IMAGES, ids=lambda family: family.name)
def test_each_repository_resolves_to_its_row(family):
    for repository in family.repositories:
        image = resolve_image(f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{repository}:1")
        assert (image.algorithm, image.kind, image.tag) == (family.name, family.kind, "1")


def test_repositories_are_unique_across_rows():
    repositories = [repository for family in registry.IMAGES for repository in family.repositories]
    assert len(repositories) == len(set(repositories))


def test_unknown_images_list_what_localcloud_runs():
    with pytest.raises(UnknownImage, match="cannot run image .*my-image:1.*linear-learner"):
        resolve_image("123.dkr.ecr.us-east-1.amazonaws.com/my-image:1")
    with pytest.raises(ValueError, match="Unknown algorithm 'nope'; localcloud implements"):
        registry.load_algorithm("nope")
    assert registry.metric_definitions("nope") == []


def test_the_control_plane_imports_no_algorithm_package():
    """sagemaker/ reads the table; importing an algorithm there would load its libraries."""
    offenders = []
    for path in SAGEMAKER_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                target = node.module or ""
                resolved = importlib.util.resolve_name("." * node.level + target,
                                                       "localcloud.sagemaker") \
                    if node.level else target
                if resolved.startswith(("localcloud.algorithms", "localcloud.frameworks")):
                    offenders.append(f"{path.name}: {resolved}")
            elif isinstance(node, ast.Import):
                offenders += [f"{path.name}: {alias.name}" for alias in node.names
                              if alias.name.startswith(("localcloud.algorithms",
                                                        "localcloud.frameworks"))]
    assert offenders == []
