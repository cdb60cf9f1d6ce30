"""Sample moments as MathNet computes them for LEAN (n - 1 estimators, bias-corrected)."""

import math

import numpy as np
import pytest

from backtesting.engine.statistics import mathnet

VALUES = [0.01, -0.02, 0.015, 0.003, -0.007, 0.021]
OTHER = [0.012, -0.018, 0.011, 0.002, -0.009, 0.02]


def test_mean_and_sample_variance_match_the_textbook():
    assert mathnet.mean(VALUES) == pytest.approx(np.mean(VALUES), abs=1e-18)
    assert mathnet.variance(VALUES) == pytest.approx(np.var(VALUES, ddof=1), rel=1e-12)
    assert mathnet.standard_deviation(VALUES) == pytest.approx(np.std(VALUES, ddof=1), rel=1e-12)


def test_covariance_is_the_sample_covariance():
    assert mathnet.covariance(VALUES, OTHER) == pytest.approx(
        np.cov(VALUES, OTHER)[0, 1], rel=1e-12
    )


def test_covariance_needs_series_of_equal_length():
    with pytest.raises(ValueError):
        mathnet.covariance([1.0, 2.0], [1.0])


def test_skewness_is_the_adjusted_fisher_pearson_coefficient():
    x = np.array(VALUES)
    n = len(x)
    d = x - x.mean()
    g1 = (d**3).mean() / (d**2).mean() ** 1.5
    expected = math.sqrt(n * (n - 1)) / (n - 2) * g1
    assert mathnet.skewness(VALUES) == pytest.approx(expected, rel=1e-10)


def test_kurtosis_is_the_bias_corrected_excess_kurtosis():
    x = np.array(VALUES)
    n = len(x)
    d = x - x.mean()
    g2 = (d**4).mean() / (d**2).mean() ** 2 - 3
    expected = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)
    assert mathnet.kurtosis(VALUES) == pytest.approx(expected, rel=1e-10)


def test_too_few_values_give_nan_like_mathnet():
    assert math.isnan(mathnet.variance([1.0]))
    assert math.isnan(mathnet.covariance([1.0], [2.0]))
    assert math.isnan(mathnet.skewness([1.0, 2.0]))
    assert math.isnan(mathnet.kurtosis([1.0, 2.0, 3.0]))
    assert math.isnan(mathnet.mean([]))


def test_constant_series_has_zero_variance_and_undefined_shape():
    assert mathnet.variance([0.0, 0.0, 0.0, 0.0]) == 0.0
    assert math.isnan(mathnet.skewness([0.0, 0.0, 0.0, 0.0]))


def test_normal_cdf():
    assert mathnet.normal_cdf(0.0) == 0.5
    assert mathnet.normal_cdf(1.959963984540054) == pytest.approx(0.975, abs=1e-12)
