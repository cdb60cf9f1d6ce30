"""SMA, EMA, Wilder and Sum against hand-computed values, including LEAN's warm-up rules."""

from datetime import datetime, timedelta

import pytest

from backtesting.engine.data.bars import IndicatorDataPoint, TradeBar
from backtesting.engine.indicators import (
    ExponentialMovingAverage,
    MovingAverageType,
    SimpleMovingAverage,
    Sum,
    WilderMovingAverage,
    as_indicator,
)

T0 = datetime(2024, 1, 2, 9, 31)


def feed(indicator, values):
    """Update with one value a minute; return (value, is_ready) after each update."""
    out = []
    for i, value in enumerate(values):
        ready = indicator.update(T0 + timedelta(minutes=i), value)
        out.append((indicator.current.value, ready))
    return out


def test_sum_keeps_the_last_period_values():
    assert [v for v, _ in feed(Sum(3), [1, 2, 3, 4, 10])] == [1, 3, 6, 9, 17]


def test_sma_averages_what_it_has_until_ready_then_the_last_period():
    sma = SimpleMovingAverage(3)
    assert feed(sma, [2, 4, 6, 8, 13]) == [
        (2.0, False),
        (3.0, False),
        (4.0, True),
        (6.0, True),
        (9.0, True),
    ]
    assert sma.name == "SMA(3)" and sma.warm_up_period == 3 and sma.samples == 5


def test_ema_is_zero_until_period_samples_then_seeded_with_the_sma():
    ema = ExponentialMovingAverage(3)  # k = 0.5
    assert feed(ema, [1, 2, 3, 10, 4]) == [
        (0.0, False),
        (0.0, False),
        (2.0, True),  # SMA(1, 2, 3)
        (6.0, True),  # 0.5 * 10 + 0.5 * 2
        (5.0, True),  # 0.5 * 4 + 0.5 * 6
    ]
    assert ema.name == "EMA(3)" and ema.warm_up_period == 3


def test_ema_with_a_smoothing_factor():
    ema = ExponentialMovingAverage(2, 0.25)
    values = [v for v, _ in feed(ema, [4, 8, 12])]
    assert values == [0.0, 6.0, pytest.approx(0.25 * 12 + 0.75 * 6)]
    assert ema.name == "EMA(2,0.25)"
    assert ExponentialMovingAverage.smoothing_factor_default(9) == pytest.approx(0.2)


def test_wilder_smooths_from_the_period_th_input_off_the_running_sma():
    wilder = WilderMovingAverage(3)
    values = feed(wilder, [3, 6, 9, 12])
    # LEAN: inputs 1..2 give the running SMA; input 3 smooths SMA(3, 6) with k = 1/3.
    assert values[0] == (3.0, False)
    assert values[1] == (4.5, False)
    assert values[2][0] == pytest.approx(9 / 3 + 4.5 * 2 / 3) and values[2][1] is True
    assert values[3][0] == pytest.approx(12 / 3 + values[2][0] * 2 / 3)


def test_named_constructor_and_reset():
    sma = SimpleMovingAverage("slow", 2)
    feed(sma, [1, 2, 3])
    assert sma.name == "slow" and sma.is_ready
    sma.reset()
    assert (sma.samples, sma.is_ready, sma.current.value) == (0, False, 0.0)
    assert feed(sma, [5]) == [(5.0, False)]


def test_update_accepts_points_and_bars_and_stamps_the_input_end_time():
    sma = SimpleMovingAverage(2)
    sma.update(IndicatorDataPoint(T0, 10.0))
    bar = TradeBar(T0, "SPY", 1, 2, 0.5, 20.0, 100, timedelta(minutes=1))
    sma.update(bar)
    assert sma.current.value == 15.0
    assert sma.current.time == bar.end_time == sma.current.end_time


def test_older_input_is_ignored_and_equal_time_is_accepted():
    sma = SimpleMovingAverage(5)
    sma.update(T0, 1)
    sma.update(T0 - timedelta(minutes=1), 100)
    sma.update(T0, 3)
    assert sma.samples == 2 and sma.current.value == 2.0


def test_moving_average_type_builds_the_right_average():
    assert isinstance(as_indicator(MovingAverageType.SIMPLE, 3), SimpleMovingAverage)
    ema = MovingAverageType.EXPONENTIAL.as_indicator("x", 4)
    assert isinstance(ema, ExponentialMovingAverage) and ema.name == "x" and ema.period == 4
    assert isinstance(as_indicator(MovingAverageType.WILDERS, 3), WilderMovingAverage)
    assert MovingAverageType.WILDERS == 2  # LEAN's ordinal
    assert MovingAverageType.Exponential is MovingAverageType.EXPONENTIAL
    assert MovingAverageType.Wilders.csharp_name == "Wilders"
    assert [kind.name for kind in MovingAverageType][:3] == ["SIMPLE", "EXPONENTIAL", "WILDERS"]
