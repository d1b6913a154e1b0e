"""The binomial distribution: the number of successes in ``size`` independent trials."""

from __future__ import annotations

import math

from .general import Distribution


class Binomial(Distribution):
    """A binomial distribution with success probability ``prob`` and ``size`` trials.

    Parameters
    ----------
    prob : float
        Probability of success of one trial.
    size : int
        Number of trials.
    """

    def __init__(self, prob: float = 0.5, size: int = 20) -> None:
        self.p = prob
        self.n = size
        super().__init__(self.calculate_mean(), self.calculate_stdev())

    def calculate_mean(self) -> float:
        """Set and return the mean, n p."""
        self.mean = self.n * self.p
        return self.mean

    def calculate_stdev(self) -> float:
        """Set and return the standard deviation, sqrt(n p (1 - p))."""
        self.stdev = math.sqrt(self.n * self.p * (1 - self.p))
        return self.stdev

    def read_data_file(self, file_name: str) -> list[float]:
        """Read 0/1 outcomes, then fit p and n to them (and so the mean and stdev)."""
        data = super().read_data_file(file_name)
        self.n = len(data)
        self.p = sum(data) / self.n
        self.calculate_mean()
        self.calculate_stdev()
        return data

    def pdf(self, k: int) -> float:
        """Probability of exactly ``k`` successes."""
        return math.comb(self.n, k) * self.p**k * (1 - self.p) ** (self.n - k)

    def plot_histogram_pdf(self):
        """Bar chart of the probability of each number of successes; return the axes."""
        import matplotlib.pyplot as plt  # optional dependency: the `plot` extra

        ks = list(range(self.n + 1))
        _, axes = plt.subplots()
        axes.bar(ks, [self.pdf(k) for k in ks])
        axes.set(title=f"Binomial: {self!r}", xlabel="successes", ylabel="probability")
        return axes

    def __add__(self, other: Binomial) -> Binomial:
        """The sum of two binomial variables with the same p: n adds up."""
        if self.p != other.p:
            raise ValueError(f"p must be equal to add binomials, not {self.p} and {other.p}")
        return Binomial(self.p, self.n + other.n)

    def __repr__(self) -> str:
        return f"mean {self.mean}, standard deviation {self.stdev}, p {self.p}, n {self.n}"
