"""MovingAverageConvergenceDivergence with LEAN's signal timing.

The MACD line is ``fast - slow`` from the first input (the EMAs output 0 while
warming up); the signal average is fed only once both fast and slow are ready, and
the histogram (``macd - signal``) only once the signal is ready. The MACD is ready when
its signal is, after ``slow + signal - 1`` inputs with EMAs.
"""

from __future__ import annotations

from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import Indicator, parse_args
from backtesting.engine.indicators.basic import Identity
from backtesting.engine.indicators.moving_averages import MovingAverageType, as_indicator

FAST_NOT_BELOW_SLOW = "MovingAverageConvergenceDivergence: fastPeriod must be less than slowPeriod"


class MovingAverageConvergenceDivergence(Indicator):
    """MACD(fast, slow, signal[, type]) with ``.fast``, ``.slow``, ``.signal``, ``.histogram``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (fast_period, slow_period, signal_period, ma_type) = parse_args(
            "MovingAverageConvergenceDivergence",
            args,
            kwargs,
            ("fast_period", "slow_period", "signal_period", "type"),
            {"type": MovingAverageType.EXPONENTIAL},
        )
        name = name or f"MACD({fast_period},{slow_period},{signal_period})"
        if fast_period >= slow_period:
            raise ValueError(FAST_NOT_BELOW_SLOW)
        super().__init__(name)
        self.fast = as_indicator(ma_type, name + "_Fast", fast_period)
        self.slow = as_indicator(ma_type, name + "_Slow", slow_period)
        self.signal = as_indicator(ma_type, name + "_Signal", signal_period)
        self.histogram = Identity(name + "_Histogram")
        self._warm_up_period: int = slow_period + signal_period - 1

    @property
    def warm_up_period(self) -> int:
        return self._warm_up_period

    @property
    def is_ready(self) -> bool:
        return self.signal.is_ready

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        fast_ready = self.fast.update(input)
        slow_ready = self.slow.update(input)
        macd = self.fast.current.value - self.slow.current.value
        if fast_ready and slow_ready:
            if self.signal.update(input.end_time, macd):
                self.histogram.update(input.end_time, macd - self.signal.current.value)
        return macd

    def reset(self) -> None:
        self.fast.reset()
        self.slow.reset()
        self.signal.reset()
        self.histogram.reset()
        super().reset()
