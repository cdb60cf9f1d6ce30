"""Sample moments computed the way LEAN's MathNet.Numerics calls compute them.

LEAN's statistics are printed to three decimals and compared as strings, so the estimator
matters (sample, n - 1, bias-corrected skewness and excess kurtosis) and so, near rounding
boundaries, does the order of floating-point operations. These are the streaming
formulas of MathNet's ``StreamingStatistics`` and ``RunningStatistics`` over plain Python
floats; the series are one value per day, so speed is not a concern.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def mean(values: Sequence[float]) -> float:
    """LINQ ``Average()``: a left-to-right sum divided by the count (NaN when empty)."""
    if not values:
        return math.nan
    total = 0.0
    for value in values:
        total += value
    return total / len(values)


def variance(values: Sequence[float]) -> float:
    """Unbiased sample variance (n - 1); NaN for fewer than two values."""
    result = 0.0
    total = 0.0
    count = 0
    for value in values:
        count += 1
        total += value
        if count > 1:
            diff = count * value - total
            result += diff * diff / (count * (count - 1))
    return result / (count - 1) if count > 1 else math.nan


def standard_deviation(values: Sequence[float]) -> float:
    """Square root of :func:`variance`."""
    return math.sqrt(variance(values))


def covariance(first: Sequence[float], second: Sequence[float]) -> float:
    """Unbiased sample covariance; the two series must have the same length."""
    if len(first) != len(second):
        raise ValueError("all vectors must have the same dimensionality")
    count = 0
    mean1 = 0.0
    mean2 = 0.0
    comoment = 0.0
    for a, b in zip(first, second, strict=True):
        count += 1
        previous_mean2 = mean2
        mean1 += (a - mean1) / count
        mean2 += (b - mean2) / count
        comoment += (a - mean1) * (b - previous_mean2)
    return comoment / (count - 1) if count > 1 else math.nan


def _central_moments(values: Sequence[float]) -> tuple[int, float, float, float]:
    """Running sums of squared, cubed and fourth-power deviations (``RunningStatistics``)."""
    n = 0
    m1 = m2 = m3 = m4 = 0.0
    for value in values:
        n += 1
        d = value - m1
        s = d / n
        s2 = s * s
        t = d * s * (n - 1)
        m1 += s
        m4 += t * s2 * (n * n - 3 * n + 3) + 6 * s2 * m2 - 4 * s * m3
        m3 += t * s * (n - 2) - 3 * s * m2
        m2 += t
    return n, m2, m3, m4


def skewness(values: Sequence[float]) -> float:
    """Bias-corrected sample skewness; NaN for fewer than three values."""
    n, m2, m3, _ = _central_moments(values)
    if n < 3:
        return math.nan
    try:
        return (n * math.sqrt(n - 1) / (n - 2)) * (m3 / math.pow(m2, 1.5))
    except ZeroDivisionError:
        return math.nan


def kurtosis(values: Sequence[float]) -> float:
    """Bias-corrected sample excess kurtosis; NaN for fewer than four values."""
    n, m2, _, m4 = _central_moments(values)
    if n < 4:
        return math.nan
    try:
        return (n * n - 1.0) / ((n - 2) * (n - 3)) * (n * m4 / (m2 * m2) - 3 + 6.0 / (n + 1))
    except ZeroDivisionError:
        return math.nan


def normal_cdf(x: float) -> float:
    """Standard normal cumulative distribution, 0.5 erfc(-x / sqrt 2)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))
