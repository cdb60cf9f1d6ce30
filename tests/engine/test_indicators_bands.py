"""Variance, StandardDeviation (population, as LEAN) and BollingerBands by hand."""

import math
from datetime import datetime, timedelta

import pytest

from backtesting.engine.indicators import (
    BollingerBands,
    ExponentialMovingAverage,
    MovingAverageType,
    StandardDeviation,
    Variance,
)

T0 = datetime(2024, 3, 1)


def feed(indicator, values, start=0):
    out = []
    for i, value in enumerate(values, start):
        ready = indicator.update(T0 + timedelta(days=i), value)
        out.append((indicator.current.value, ready))
    return out


def test_variance_is_the_population_variance_of_the_window():
    out = feed(Variance(3), [1, 2, 4, 7])
    assert [v for v, _ in out] == pytest.approx([0, 0.25, 14 / 9, 38 / 9])
    assert [r for _, r in out] == [False, False, True, True]


def test_standard_deviation_is_the_square_root():
    std = StandardDeviation(3)
    values = [v for v, _ in feed(std, [1, 2, 4, 7])]
    assert values == pytest.approx([0, 0.5, math.sqrt(14 / 9), math.sqrt(38 / 9)])
    assert std.name == "STD(3)" and std.warm_up_period == 3


def test_flat_window_has_exactly_zero_deviation():
    std = StandardDeviation(3)
    feed(std, [100.1, 100.2, 100.3, 100.3, 100.3, 100.3])
    assert std.current.value == 0.0


def test_bollinger_bands_by_hand():
    bb = BollingerBands(3, 2)
    out = feed(bb, [1, 2, 3])
    std = math.sqrt(2 / 3)
    assert [r for _, r in out] == [False, False, True]
    assert bb.current.value == 3  # the band indicator's own value is the price
    assert bb.middle_band.current.value == pytest.approx(2)
    assert bb.standard_deviation.current.value == pytest.approx(std)
    assert bb.upper_band.current.value == pytest.approx(2 + 2 * std)
    assert bb.lower_band.current.value == pytest.approx(2 - 2 * std)
    assert bb.band_width.current.value == pytest.approx(4 * std / 2 * 100)
    assert bb.percent_b.current.value == pytest.approx((3 - (2 - 2 * std)) / (4 * std))
    assert bb.price.current.value == 3
    assert bb.name == "BB(3,2)" and bb.upper_band.name == "BB(3,2)_UpperBand"
    assert bb.warm_up_period == 3


def test_bands_stop_updating_their_value_when_the_deviation_is_zero():
    bb = BollingerBands(2, 1.5)
    events = []
    bb.updated += lambda sender, point: events.append(point.value)
    feed(bb, [4, 5, 5, 5])
    # input 3: window (5, 5) -> std 0 -> math error, no new value; input 4 likewise
    assert events == [4, 5]
    assert bb.samples == 4 and bb.is_ready
    assert bb.upper_band.current.value == bb.lower_band.current.value == 5
    assert bb.name == "BB(2,1.5)"


def test_bollinger_bands_with_an_exponential_middle_band():
    bb = BollingerBands("bb", 2, 1, MovingAverageType.EXPONENTIAL)
    feed(bb, [2, 4])
    assert isinstance(bb.middle_band, ExponentialMovingAverage)
    assert bb.middle_band.current.value == 3 and bb.upper_band.current.value == 4
