"""Probability distributions: a general base class, the Gaussian and the binomial."""

from importlib.metadata import PackageNotFoundError, version

from .binomial import Binomial
from .gaussian import Gaussian
from .general import Distribution

__all__ = ["Binomial", "Distribution", "Gaussian"]

try:
    # The version is written once, in pyproject.toml; the installed metadata carries it here.
    __version__ = version("course-distributions")
except PackageNotFoundError:  # imported from a source folder, not installed
    __version__ = "0+unknown"
