"""RSI, Momentum, RateOfChange and their percent forms against hand-computed values."""

from datetime import datetime, timedelta

import pytest

from backtesting.engine.indicators import (
    Momentum,
    MomentumPercent,
    MovingAverageType,
    RateOfChange,
    RateOfChangePercent,
    RelativeStrengthIndex,
    SimpleMovingAverage,
    WilderMovingAverage,
)

T0 = datetime(2024, 3, 1)


def feed(indicator, values):
    out = []
    for i, value in enumerate(values):
        ready = indicator.update(T0 + timedelta(days=i), value)
        out.append((indicator.current.value, ready))
    return out


def test_rsi_with_wilder_averages_by_hand():
    rsi = RelativeStrengthIndex(3)
    out = feed(rsi, [10, 11, 10.5, 12, 11, 13])
    # gains 1, 0, 1.5, 0, 2 and losses 0, .5, 0, 1, 0 through Wilder(3):
    # gain averages 1, 1/2, 5/6, 5/9, 28/27; loss averages 0, 1/4, 1/6, 4/9, 8/27
    expected = [100, 100, 100 - 100 / 3, 100 - 100 / 6, 100 - 100 / 2.25, 100 - 100 / 4.5]
    assert [v for v, _ in out] == pytest.approx(expected)
    assert [r for _, r in out] == [False, False, False, True, True, True]
    assert rsi.warm_up_period == 4
    assert isinstance(rsi.average_gain, WilderMovingAverage)
    assert rsi.average_gain.current.value == pytest.approx(28 / 27)
    assert rsi.average_loss.current.value == pytest.approx(8 / 27)


def test_rsi_is_100_when_there_are_only_gains():
    rsi = RelativeStrengthIndex(2)
    assert [v for v, _ in feed(rsi, [1, 2, 3, 4])] == [100, 100, 100, 100]


def test_rsi_with_simple_averages():
    rsi = RelativeStrengthIndex("r", 2, MovingAverageType.SIMPLE)
    out = feed(rsi, [5, 7, 6, 6])
    # gains 2, 0, 0 and losses 0, 1, 0 -> SMA(2): gain 1 then 0, loss .5 then .5
    assert out[2] == (pytest.approx(100 - 100 / 3), True)
    assert out[3] == (pytest.approx(0.0), True)
    assert isinstance(rsi.average_loss, SimpleMovingAverage) and rsi.name == "r"


def test_momentum_compares_with_the_value_period_inputs_ago():
    mom = Momentum(2)
    assert feed(mom, [1, 4, 9, 16]) == [(0, False), (3, False), (8, True), (12, True)]
    assert mom.warm_up_period == 3 and mom.name == "MOM(2)"


def test_rate_of_change_is_a_fraction_and_zero_on_a_zero_base():
    roc = RateOfChange(2)
    assert feed(roc, [2, 4, 8, 16]) == [(0, False), (1, False), (3, True), (3, True)]
    assert feed(RateOfChange(1), [0, 5]) == [(0, False), (0, True)]


def test_percent_forms_multiply_by_100():
    assert [v for v, _ in feed(RateOfChangePercent(2), [2, 4, 8, 16])] == [0, 100, 300, 300]
    momp = MomentumPercent(1)
    assert [v for v, _ in feed(momp, [4, 5])] == [0, 25]
    assert momp.name == "MOMP(1)" and RateOfChangePercent(3).name == "ROCP(3)"
    assert momp.warm_up_period == 2
