"""PythonIndicator: user-written indicators get LEAN's protocol (current, samples, updated)."""

from collections import deque
from datetime import datetime, timedelta

from backtesting.engine.data.bars import IndicatorDataPoint, TradeBar
from backtesting.engine.indicators import (
    IndicatorExtensions,
    PythonIndicator,
    SimpleMovingAverage,
)

T0 = datetime(2024, 3, 1, 10)


class CustomSimpleMovingAverage(PythonIndicator):
    """The custom SMA from LEAN's CustomIndicatorAlgorithm."""

    def __init__(self, name, period):
        super().__init__()
        self.name = name
        self.value = 0
        self._queue = deque(maxlen=period)

    def update(self, input):
        self._queue.appendleft(input.value)
        count = len(self._queue)
        self.value = sum(self._queue) / count
        return count == self._queue.maxlen


class WithWarmUp(CustomSimpleMovingAverage):
    def __init__(self, name, period):
        super().__init__(name, period)
        self.warm_up_period = period


class NoSuperInit(PythonIndicator):
    def __init__(self):
        self.name = "raw"
        self.value = 0

    def update(self, input):
        self.value = input.value * 2
        return True


def test_custom_indicator_matches_the_built_in_and_fires_updated():
    custom, sma = CustomSimpleMovingAverage("custom", 3), SimpleMovingAverage(3)
    seen = []
    custom.updated += lambda sender, point: seen.append(point.value)
    for i, price in enumerate([1, 2, 3, 4]):
        time = T0 + timedelta(minutes=i)
        assert custom.update(time, price) == sma.update(time, price)
        assert custom.current.value == sma.current.value == custom.value
    assert seen == [1, 1.5, 2, 3]
    assert custom.samples == 4 and custom.is_ready and custom.name == "custom"
    assert custom.current.time == T0 + timedelta(minutes=3)
    assert custom.warm_up_period == 0 and WithWarmUp("w", 5).warm_up_period == 5


def test_custom_indicator_receives_bars_and_points():
    custom = CustomSimpleMovingAverage("c", 2)
    custom.update(TradeBar(T0, "SPY", 1, 1, 1, 10, 1, timedelta(minutes=1)))
    custom.update(IndicatorDataPoint(T0 + timedelta(minutes=1), 20))
    assert custom.current.value == 15 and custom.is_ready


def test_custom_indicators_chain_with_extensions():
    custom = CustomSimpleMovingAverage("c", 1)
    sma_of_custom = IndicatorExtensions.sma(custom, 2)
    for i, price in enumerate([2, 4]):
        custom.update(T0 + timedelta(minutes=i), price)
    assert sma_of_custom.current.value == 3 and sma_of_custom.name == "SMA2_Of_c"


def test_subclass_that_skips_super_init_still_works():
    raw = NoSuperInit()
    seen = []
    raw.updated += lambda sender, point: seen.append(point.value)
    assert raw.update(T0, 4) is True
    assert raw.current.value == 8 and raw.samples == 1 and seen == [8] and raw.name == "raw"
