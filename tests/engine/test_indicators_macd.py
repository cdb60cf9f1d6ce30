"""MACD with LEAN's seeding: the signal starts only when fast and slow are ready."""

from datetime import datetime, timedelta

import pytest

from backtesting.engine.indicators import (
    MovingAverageConvergenceDivergence,
    MovingAverageType,
    SimpleMovingAverage,
)

T0 = datetime(2024, 1, 2)


def test_macd_line_signal_and_histogram_by_hand():
    macd = MovingAverageConvergenceDivergence(2, 3, 2)
    ready = [macd.update(T0 + timedelta(days=i), v) for i, v in enumerate([1, 2, 4, 8])]
    # fast EMA(2): 0, 1.5, 4*2/3 + 1.5/3; slow EMA(3): 0, 0, 7/3, 8/2 + (7/3)/2
    fast3 = 4 * 2 / 3 + 1.5 / 3
    fast4 = 8 * 2 / 3 + fast3 / 3
    slow3, slow4 = 7 / 3, 8 / 2 + 7 / 6
    # the signal sees macd only from input 3 on: EMA(2) = 0 then SMA of two macd values
    signal = ((fast3 - slow3) + (fast4 - slow4)) / 2
    assert ready == [False, False, False, True]
    assert macd.warm_up_period == 4
    assert macd.fast.current.value == pytest.approx(fast4)
    assert macd.slow.current.value == pytest.approx(slow4)
    assert macd.current.value == pytest.approx(fast4 - slow4)
    assert macd.signal.current.value == pytest.approx(signal)
    assert macd.histogram.current.value == pytest.approx(fast4 - slow4 - signal)
    assert macd.signal.samples == 2 and macd.histogram.samples == 1


def test_macd_line_is_fast_minus_zero_while_slow_warms_up():
    macd = MovingAverageConvergenceDivergence(2, 3, 2)
    macd.update(T0, 1)
    macd.update(T0 + timedelta(days=1), 2)
    assert macd.current.value == 1.5  # fast is the SMA(1, 2), slow still outputs 0
    assert macd.signal.samples == 0


def test_macd_with_simple_averages_and_name():
    macd = MovingAverageConvergenceDivergence("m", 1, 2, 1, MovingAverageType.SIMPLE)
    assert isinstance(macd.fast, SimpleMovingAverage) and macd.name == "m"
    for i, v in enumerate([10, 20]):
        macd.update(T0 + timedelta(days=i), v)
    assert macd.current.value == 20 - 15 and macd.is_ready


def test_fast_period_must_be_below_slow():
    with pytest.raises(ValueError):
        MovingAverageConvergenceDivergence(5, 5, 3)


def test_reset_resets_all_parts():
    macd = MovingAverageConvergenceDivergence(2, 3, 2)
    for i in range(6):
        macd.update(T0 + timedelta(days=i), i + 1)
    macd.reset()
    assert not macd.is_ready and macd.samples == 0
    assert macd.fast.samples == macd.slow.samples == macd.signal.samples == 0
