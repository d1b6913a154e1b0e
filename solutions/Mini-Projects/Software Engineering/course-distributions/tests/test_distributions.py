"""Tests of the package, run with `pytest tests` from the package folder."""

import math

import pytest
from course_distributions import Binomial, Gaussian


def test_gaussian_fits_mean_and_sample_stdev(tmp_path):
    data_file = tmp_path / "numbers.txt"
    data_file.write_text("1\n3\n\n5\n7\n")
    gaussian = Gaussian()
    gaussian.read_data_file(str(data_file))
    assert gaussian.mean == 4
    assert gaussian.stdev == pytest.approx(math.sqrt(20 / 3))


def test_gaussian_pdf_sum_and_repr():
    assert Gaussian(0, 1).pdf(0) == pytest.approx(1 / math.sqrt(2 * math.pi))
    total = Gaussian(10, 3) + Gaussian(5, 4)
    assert (total.mean, total.stdev) == (15, 5)
    assert repr(total) == "mean 15, standard deviation 5.0"


def test_binomial_statistics_pdf_and_sum():
    coin = Binomial(0.5, 20)
    assert (coin.mean, coin.stdev) == (10, pytest.approx(math.sqrt(5)))
    assert coin.pdf(10) == pytest.approx(0.1762, abs=1e-4)
    assert sum(coin.pdf(k) for k in range(21)) == pytest.approx(1)
    assert (coin + Binomial(0.5, 5)).n == 25
    with pytest.raises(ValueError, match="p must be equal"):
        coin + Binomial(0.4, 5)


def test_binomial_fits_p_and_n_to_outcomes(tmp_path):
    data_file = tmp_path / "outcomes.txt"
    data_file.write_text("1\n0\n1\n1\n")
    coin = Binomial()
    coin.read_data_file(str(data_file))
    assert (coin.p, coin.n, coin.mean) == (0.75, 4, 3)
