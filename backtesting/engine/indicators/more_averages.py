"""The other moving averages MovingAverageType names: LWMA, DEMA, TEMA, TRIMA and Hull (LEAN's)."""

from __future__ import annotations

from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import Indicator, WindowIndicator, parse_args
from backtesting.engine.indicators.moving_averages import (
    ExponentialMovingAverage,
    MovingAverageType,
    SimpleMovingAverage,
    register_moving_average,
)
from backtesting.engine.indicators.rolling_window import RollingWindow

HULL_PERIOD_TOO_SHORT = "The Hull Moving Average period should be greater or equal to 2"


class LinearWeightedMovingAverage(WindowIndicator):
    """Weights ``period, period-1, ..., 1`` from the newest value; 0 until ready."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("LinearWeightedMovingAverage", args, kwargs, ("period",))
        super().__init__(name or f"LWMA({period})", period)
        self._denominator: int = period * (period + 1) // 2

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        if not self.is_ready:
            return 0.0
        size = window.size
        numerator = sum((size - i) * window[i].value for i in range(min(size, window.samples)))
        return float(numerator) / self._denominator


class DoubleExponentialMovingAverage(Indicator):
    """``(v + 1) * EMA - v * EMA(EMA)``, v the volume factor (1 by default)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period, volume_factor) = parse_args(
            "DoubleExponentialMovingAverage",
            args,
            kwargs,
            ("period", "volume_factor"),
            {"volume_factor": 1.0},
        )
        name = name or f"DEMA({period})"
        super().__init__(name)
        self._period: int = period
        self._volume_factor = float(volume_factor)
        self._ema1 = ExponentialMovingAverage(name + "_1", period)
        self._ema2 = ExponentialMovingAverage(name + "_2", period)

    @property
    def is_ready(self) -> bool:
        return self.samples > 2 * (self._period - 1)

    @property
    def warm_up_period(self) -> int:
        return 1 + 2 * (self._period - 1)

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        self._ema1.update(input)
        if not self._ema1.is_ready:
            return self._ema1.current.value
        self._ema2.update(self._ema1.current)
        v = self._volume_factor
        return (v + 1) * self._ema1.current.value - v * self._ema2.current.value

    def reset(self) -> None:
        self._ema1.reset()
        self._ema2.reset()
        super().reset()


class TripleExponentialMovingAverage(Indicator):
    """``3 EMA - 3 EMA(EMA) + EMA(EMA(EMA))``; 0 until the third EMA is ready."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("TripleExponentialMovingAverage", args, kwargs, ("period",))
        name = name or f"TEMA({period})"
        super().__init__(name)
        self._period: int = period
        self._ema1 = ExponentialMovingAverage(name + "_1", period)
        self._ema2 = ExponentialMovingAverage(name + "_2", period)
        self._ema3 = ExponentialMovingAverage(name + "_3", period)

    @property
    def is_ready(self) -> bool:
        return self._ema3.is_ready

    @property
    def warm_up_period(self) -> int:
        return 3 * (self._period - 1) + 1

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        self._ema1.update(input)
        if self._ema1.is_ready:
            self._ema2.update(self._ema1.current)
        if self._ema2.is_ready:
            self._ema3.update(self._ema2.current)
        if not self.is_ready:
            return 0.0
        return (
            3 * self._ema1.current.value - 3 * self._ema2.current.value + self._ema3.current.value
        )

    def reset(self) -> None:
        self._ema1.reset()
        self._ema2.reset()
        self._ema3.reset()
        super().reset()


class TriangularMovingAverage(Indicator):
    """An SMA of an SMA, with LEAN's split of the period between the two."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("TriangularMovingAverage", args, kwargs, ("period",))
        name = name or f"TRIMA({period})"
        super().__init__(name)
        self._period: int = period
        first = period // 2 if period % 2 == 0 else (period + 1) // 2
        second = period // 2 + 1 if period % 2 == 0 else (period + 1) // 2
        self._sma1 = SimpleMovingAverage(name + "_1", first)
        self._sma2 = SimpleMovingAverage(name + "_2", second)

    @property
    def is_ready(self) -> bool:
        return self.samples >= self._period

    @property
    def warm_up_period(self) -> int:
        return self._period

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        self._sma1.update(input)
        self._sma2.update(self._sma1.current)
        return self._sma2.current.value

    def reset(self) -> None:
        self._sma1.reset()
        self._sma2.reset()
        super().reset()


class HullMovingAverage(Indicator):
    """LWMA over sqrt(period) of ``2 LWMA(period / 2) - LWMA(period)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("HullMovingAverage", args, kwargs, ("period",))
        if period < 2:
            raise ValueError(HULL_PERIOD_TOO_SHORT)
        super().__init__(name or f"HMA({period})")
        self._slow = LinearWeightedMovingAverage(period)
        self._fast = LinearWeightedMovingAverage(round(period / 2))  # banker's, as .NET
        k = round(period**0.5)
        self._hull = LinearWeightedMovingAverage(k)
        self._warm_up_period: int = period + k - 1

    @property
    def is_ready(self) -> bool:
        return self._hull.is_ready

    @property
    def warm_up_period(self) -> int:
        return self._warm_up_period

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        self._fast.update(input)
        self._slow.update(input)
        if self._fast.is_ready and self._slow.is_ready:
            value = 2 * self._fast.current.value - self._slow.current.value
            self._hull.update(IndicatorDataPoint(input.end_time, value))
        return self._hull.current.value

    def reset(self) -> None:
        super().reset()
        self._slow.reset()
        self._fast.reset()
        self._hull.reset()


register_moving_average(
    MovingAverageType.LINEAR_WEIGHTED_MOVING_AVERAGE, LinearWeightedMovingAverage
)
register_moving_average(MovingAverageType.DOUBLE_EXPONENTIAL, DoubleExponentialMovingAverage)
register_moving_average(MovingAverageType.TRIPLE_EXPONENTIAL, TripleExponentialMovingAverage)
register_moving_average(MovingAverageType.TRIANGULAR, TriangularMovingAverage)
register_moving_average(MovingAverageType.HULL, HullMovingAverage)
