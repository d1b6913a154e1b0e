"""Graded tests of Mini-Projects/Software Engineering/7 - Packaging and Publishing.ipynb.

The build, the index, the upload and the install run in the notebook (and, outside it, in
tests/packaging/test_publish_package.py); these criteria check the two version helpers.
"""

import pytest

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]

[project]
name = "demo"
version = "0.1.0"
dependencies = []

[tool.other]
version = "9.9.9"
"""


@pytest.mark.rubric(
    "bump_version increases one part and resets the parts after it",
    hint="Split the version into its three numbers, add one to the part named, and reset the "
    "parts after it to zero.",
)
def test_bump_version(exercise):
    bump = exercise["bump_version"]
    cases = {("1.4.2", "patch"): "1.4.3", ("1.4.2", "minor"): "1.5.0",
             ("1.4.2", "major"): "2.0.0", ("0.1.9", "patch"): "0.1.10"}
    got = {case: bump(*case) for case in cases}
    assert got == cases, f"expected {cases}, got {got}"


@pytest.mark.rubric(
    "bump_version refuses malformed versions and unknown parts",
    hint="Check both inputs before any arithmetic: the whole version must be three numbers "
    "separated by dots, and the part one of VERSION_PARTS; raise ValueError otherwise.",
)
def test_bump_version_rejects_bad_input(exercise):
    bump = exercise["bump_version"]
    for version, part in [("1.4", "patch"), ("1.4.x", "patch"), ("v1.4.2", "minor"),
                          ("1.4.2", "micro")]:
        with pytest.raises(ValueError):
            bump(version, part)


@pytest.mark.rubric(
    "set_version rewrites the [project] version only",
    hint="Find the [project] table (up to the next '[' line), re.subn its version line once.",
)
def test_set_version(exercise):
    updated = exercise["set_version"](PYPROJECT, "0.2.0")
    expected = PYPROJECT.replace('version = "0.1.0"', 'version = "0.2.0"')
    assert updated == expected, f"expected only [project]'s version to change, got:\n{updated}"
    with pytest.raises(ValueError):
        exercise["set_version"]('[project]\nname = "demo"\n\n[tool.x]\nversion = "1.0.0"\n',
                                "0.2.0")
