"""Graded tests of Mini-Projects/Software Engineering/6 - Object-Oriented Programming.ipynb.

Some methods are checked one at a time, called on a simple stand-in object
(``Binomial.pdf(SimpleNamespace(p=..., n=...), k)``), so that a TODO left in one method (such as
``calculate_mean``, which ``Binomial()`` calls) does not fail the criteria of the others.
"""

import math
from types import SimpleNamespace

import pytest


@pytest.mark.rubric("Shirt.discount returns the discounted price, leaving the price alone",
                    hint=("The discount is a fraction of the price: return the price that is left, "
                          "without changing the stored price."))
def test_shirt_discount(exercise):
    shirt = exercise["Shirt"]("red", "S", "short-sleeve", 20)
    assert shirt.discount(0.25) == pytest.approx(15), "20 with 25% off is 15"
    assert shirt.price == 20, "discount must not change the shirt's price"


@pytest.mark.rubric("Pants.change_price stores the new price",
                    hint="self.price = new_price")
def test_pants_change_price(exercise):
    pants = exercise["Pants"]("blue", 32, 34, 30)
    pants.change_price(45)
    assert pants.price == 45, f"expected price 45 after change_price(45), got {pants.price}"


@pytest.mark.rubric("Pants.discount returns the discounted price",
                    hint=("Same rule as for shirts: return the reduced price, leave the stored one "
                          "alone."))
def test_pants_discount(exercise):
    pants = exercise["Pants"]("blue", 32, 34, 30)
    assert pants.discount(0.1) == pytest.approx(27), "30 with 10% off is 27"
    assert pants.price == 30, "discount must not change the price"


@pytest.mark.rubric("SalesPerson.sell_pants records each sale",
                    hint="The sales person keeps a list of the pants sold: add to it.")
def test_sell_pants(exercise):
    seller = exercise["SalesPerson"]("Amy", "Gonzalez", 1, 40000)
    pants = [exercise["Pants"]("red", 35, 36, 15.12), exercise["Pants"]("tan", 28, 30, 8.12)]
    for item in pants:
        seller.sell_pants(item)
    assert seller.pants_sold == pants, "pants_sold must list the Pants objects sold, in order"


@pytest.mark.rubric("SalesPerson.calculate_sales totals the prices of the pants sold",
                    hint="Add up the prices of everything in the list of pants sold.")
def test_calculate_sales(exercise):
    seller = SimpleNamespace(pants_sold=[SimpleNamespace(price=15.12), SimpleNamespace(price=8.5)])
    total = exercise["SalesPerson"].calculate_sales(seller)
    assert total == pytest.approx(23.62), f"expected 23.62, got {total}"


@pytest.mark.rubric("SalesPerson.calculate_commission applies the percentage to the sales",
                    hint=("The commission is a share of the total sales, which another method "
                          "already computes."))
def test_calculate_commission(exercise):
    seller = SimpleNamespace(calculate_sales=lambda: 200.0,
                             pants_sold=[SimpleNamespace(price=200.0)])
    commission = exercise["SalesPerson"].calculate_commission(seller, 0.08)
    assert commission == pytest.approx(16), f"8% of 200 is 16, got {commission}"


@pytest.mark.rubric("Gaussian.calculate_mean fits and stores the mean of the data",
                    hint="Average the data, store the result on the object, and return it.")
def test_gaussian_mean(exercise):
    gaussian = exercise["Gaussian"]()
    gaussian.data = [1.0, 3.0, 5.0, 7.0]
    assert gaussian.calculate_mean() == pytest.approx(4)
    assert gaussian.mean == pytest.approx(4), "store the mean in self.mean"


@pytest.mark.rubric("Gaussian.calculate_stdev: sample (n - 1) and population (n)",
                    hint=("The variance divides by n for a population and by n - 1 for a sample; "
                          "the standard deviation is its square root, stored on the object."))
def test_gaussian_stdev(exercise):
    gaussian = exercise["Gaussian"]()
    gaussian.data = [1.0, 3.0, 5.0, 7.0]
    assert gaussian.calculate_stdev() == pytest.approx(math.sqrt(20 / 3)), "sample: n - 1"
    assert gaussian.stdev == pytest.approx(math.sqrt(20 / 3)), "store it in self.stdev"
    assert gaussian.calculate_stdev(sample=False) == pytest.approx(math.sqrt(5)), "population: n"


@pytest.mark.rubric("Gaussian.read_data_file fits the distribution to a file of numbers",
                    hint="The given method calls calculate_mean and calculate_stdev.")
def test_gaussian_reads_a_file(exercise, tmp_path):
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("1\n3\n\n5\n7\n")
    gaussian = exercise["Gaussian"]()
    gaussian.read_data_file(numbers)
    assert (gaussian.mean, gaussian.stdev) == pytest.approx((4, math.sqrt(20 / 3)))


@pytest.mark.rubric("Gaussian.pdf computes the normal density",
                    hint=("Use the normal density formula with this distribution's mean and "
                          "standard deviation."))
def test_gaussian_pdf(exercise):
    gaussian = exercise["Gaussian"](25, 2)
    assert gaussian.pdf(25) == pytest.approx(0.19947, abs=1e-5)
    assert gaussian.pdf(27) == pytest.approx(0.12099, abs=1e-5)


@pytest.mark.rubric("Gaussian + Gaussian adds means and variances, in a new Gaussian",
                    hint=("The sum of two independent normals has the summed means, and its "
                          "variance (not its standard deviation) is the sum of the variances."))
def test_gaussian_add(exercise):
    total = exercise["Gaussian"](25, 3) + exercise["Gaussian"](30, 4)
    assert isinstance(total, exercise["Gaussian"]), "return a Gaussian"
    assert (total.mean, total.stdev) == pytest.approx((55, 5))


@pytest.mark.rubric("Gaussian's repr reads 'mean 25, standard deviation 3'",
                    hint="Return the exact text the TODO shows, with the two stored values.")
def test_gaussian_repr(exercise):
    text = repr(exercise["Gaussian"](25, 3))
    assert text == "mean 25, standard deviation 3", f"got {text!r}"


@pytest.mark.rubric("Binomial.calculate_mean is n p, stored",
                    hint=("The mean of a binomial is the number of trials times the probability; "
                          "store it and return it."))
def test_binomial_mean(exercise):
    stand_in = SimpleNamespace(p=0.4, n=25)
    assert exercise["Binomial"].calculate_mean(stand_in) == pytest.approx(10)
    assert stand_in.mean == pytest.approx(10), "store it in self.mean"


@pytest.mark.rubric("Binomial.calculate_stdev is sqrt(n p (1 - p)), stored",
                    hint="The variance of a binomial is n p (1 - p); store its square root.")
def test_binomial_stdev(exercise):
    stand_in = SimpleNamespace(p=0.4, n=25)
    assert exercise["Binomial"].calculate_stdev(stand_in) == pytest.approx(math.sqrt(6))
    assert stand_in.stdev == pytest.approx(math.sqrt(6)), "store it in self.stdev"


@pytest.mark.rubric("Binomial.pdf gives the probability of k successes",
                    hint=("The probability of k successes counts the ways to choose them (math "
                          "has a function for it) times the chances of k successes and n - k "
                          "failures."))
def test_binomial_pdf(exercise):
    pdf = exercise["Binomial"].pdf
    coin = SimpleNamespace(p=0.5, n=20)
    assert pdf(coin, 10) == pytest.approx(0.176197, abs=1e-6)
    assert sum(pdf(coin, k) for k in range(21)) == pytest.approx(1)
    assert pdf(SimpleNamespace(p=0.4, n=25), 5) == pytest.approx(0.019891, abs=1e-6)


@pytest.mark.rubric("Binomial + Binomial adds trials when p is equal, refuses otherwise",
                    hint=("Two binomials add only when their probabilities are equal (raise "
                          "otherwise); the trials then add up."))
def test_binomial_add(exercise):
    add = exercise["Binomial"].__add__
    total = add(SimpleNamespace(p=0.4, n=20), SimpleNamespace(p=0.4, n=60))
    assert isinstance(total, exercise["Binomial"]), "return a Binomial"
    assert (total.p, total.n) == (0.4, 80)
    assert total.mean == pytest.approx(32), "the new Binomial's mean is n p = 32"
    with pytest.raises(ValueError):
        add(SimpleNamespace(p=0.4, n=20), SimpleNamespace(p=0.5, n=20))
