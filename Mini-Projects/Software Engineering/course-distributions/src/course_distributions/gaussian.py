# GENERATED from solutions/Mini-Projects/Software Engineering/course-distributions/src/course_distributions/gaussian.py
# by `python -m mlcourse.grading generate`; maintainers edit that file, not this one.
"""The Gaussian (normal) distribution."""

from __future__ import annotations

import math

from .general import Distribution


class Gaussian(Distribution):
    """A normal distribution (parameters as :class:`Distribution`): fit, density, sum, plot."""

    def calculate_mean(self) -> float:
        """Set and return the mean of ``self.data``."""
        self.mean = sum(self.data) / len(self.data)
        return self.mean

    def calculate_stdev(self, sample: bool = True) -> float:
        """Set and return the standard deviation of ``self.data`` (n - 1 for a sample)."""
        mean = self.calculate_mean()
        divisor = len(self.data) - 1 if sample else len(self.data)
        self.stdev = math.sqrt(sum((x - mean) ** 2 for x in self.data) / divisor)
        return self.stdev

    def read_data_file(self, file_name: str, sample: bool = True) -> list[float]:
        """Read the data, then fit the mean and standard deviation to it."""
        data = super().read_data_file(file_name)
        self.calculate_stdev(sample)
        return data

    def pdf(self, x: float) -> float:
        """Probability density at ``x``."""
        z = (x - self.mean) / self.stdev
        return math.exp(-0.5 * z * z) / (self.stdev * math.sqrt(2 * math.pi))

    def plot_histogram_pdf(self, n_points: int = 50):
        """Plot the data's normalised histogram and the density over its range; return the axes."""
        import matplotlib.pyplot as plt  # optional dependency: the `plot` extra

        low, high = min(self.data), max(self.data)
        xs = [low + (high - low) * i / (n_points - 1) for i in range(n_points)]
        _, axes = plt.subplots()
        axes.hist(self.data, bins=20, density=True, alpha=0.5, label="data")
        axes.plot(xs, [self.pdf(x) for x in xs], label="Gaussian pdf")
        axes.set(title=f"Gaussian fit: {self!r}", xlabel="value", ylabel="density")
        axes.legend()
        return axes

    def __add__(self, other: Gaussian) -> Gaussian:
        """The distribution of the sum of two independent Gaussian variables."""
        return Gaussian(self.mean + other.mean, math.sqrt(self.stdev**2 + other.stdev**2))

    def __repr__(self) -> str:
        return f"mean {self.mean}, standard deviation {self.stdev}"
