"""The base class every distribution shares: its parameters and the data it was fitted on."""

from __future__ import annotations


class Distribution:
    """A distribution with a mean, a standard deviation and optional data.

    Parameters
    ----------
    mean : float
        Mean of the distribution.
    stdev : float
        Standard deviation of the distribution.
    """

    def __init__(self, mean: float = 0.0, stdev: float = 1.0) -> None:
        self.mean = mean
        self.stdev = stdev
        self.data: list[float] = []

    def read_data_file(self, file_name: str) -> list[float]:
        """Read one number per line (blank lines skipped) into ``self.data`` and return it."""
        with open(file_name) as stream:
            self.data = [float(line) for line in stream if line.strip()]
        return self.data
