"""TrueRange and AverageTrueRange take bars and reach back to the previous close."""

from datetime import datetime, timedelta

import pytest

from backtesting.engine.data.bars import Bar, IndicatorDataPoint, QuoteBar, TradeBar
from backtesting.engine.indicators import (
    AverageTrueRange,
    MovingAverageType,
    SimpleMovingAverage,
    TrueRange,
)

T0 = datetime(2024, 3, 1, 9, 30)
BARS = [(10, 8, 9), (11, 9, 10.5), (13, 10, 12), (12, 9, 9.5), (9, 6, 7)]


def bars():
    return [
        TradeBar(T0 + timedelta(minutes=i), "SPY", hi, hi, lo, c, 100, timedelta(minutes=1))
        for i, (hi, lo, c) in enumerate(BARS)
    ]


def test_true_range_uses_the_previous_close():
    tr = TrueRange()
    values = []
    for bar in bars():
        tr.update(bar)
        values.append(tr.current.value)
    assert values == [2, 2, 3, 3, 3.5]
    assert tr.is_ready and tr.warm_up_period == 2


def test_atr_smooths_with_wilder_and_is_ready_after_period_bars():
    atr = AverageTrueRange(3)
    out = [(atr.update(bar), atr.current.value) for bar in bars()]
    # Wilder(3) of 2, 2, 3, 3, 3.5
    third = 3 / 3 + 2 * 2 / 3
    fourth = 3 / 3 + third * 2 / 3
    fifth = 3.5 / 3 + fourth * 2 / 3
    assert [r for r, _ in out] == [False, False, True, True, True]
    assert [v for _, v in out] == pytest.approx([2, 2, third, fourth, fifth])
    assert atr.true_range.current.value == 3.5
    assert atr.warm_up_period == 3 and atr.name == "ATR(3)"


def test_atr_with_simple_average_and_quote_bars():
    atr = AverageTrueRange("a", 2, MovingAverageType.SIMPLE)
    quote = QuoteBar(T0, "EURUSD", Bar(1, 1.2, 0.9, 1.1), 0, Bar(1, 1.4, 1.1, 1.3), 0)
    atr.update(quote)
    assert atr.current.value == pytest.approx(1.3 - 1.0)  # mid high - mid low
    assert isinstance(atr._smoother, SimpleMovingAverage)


def test_bar_indicators_refuse_single_values():
    atr = AverageTrueRange(3)
    with pytest.raises(TypeError, match="update\\(TradeBar\\)"):
        atr.update(T0, 5.0)
    with pytest.raises(TypeError):
        atr.update(IndicatorDataPoint(T0, 5.0))
