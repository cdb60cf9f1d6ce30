"""Momentum, RateOfChange and their percent forms, compared with the value ``period`` inputs ago.

All are ready after ``period + 1`` inputs; before that they compare with the first input.
"""

from __future__ import annotations

from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import WindowIndicator, parse_args
from backtesting.engine.indicators.rolling_window import RollingWindow


def _reference(window: RollingWindow) -> IndicatorDataPoint:
    """The input ``period`` steps back, or the first input while warming up."""
    if window.samples <= window.size:
        oldest: IndicatorDataPoint = window[window.count - 1]
        return oldest
    removed: IndicatorDataPoint = window.most_recently_removed
    return removed


class Momentum(WindowIndicator):
    """``value - value period inputs ago`` (LEAN's Momentum)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("Momentum", args, kwargs, ("period",))
        super().__init__(name or f"MOM({period})", period)

    @property
    def is_ready(self) -> bool:
        return self.samples > self.period

    @property
    def warm_up_period(self) -> int:
        return self.period + 1

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        return input.value - _reference(window).value


class RateOfChange(WindowIndicator):
    """``(value - old) / old`` as a fraction; 0 when ``old`` is 0 (LEAN's RateOfChange)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args(type(self).__name__, args, kwargs, ("period",))
        super().__init__(name or f"{self._prefix}({period})", period)

    _prefix = "ROC"

    @property
    def is_ready(self) -> bool:
        return self.samples > self.period

    @property
    def warm_up_period(self) -> int:
        return self.period + 1

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        denominator = _reference(window).value
        if denominator == 0:
            return 0.0
        return (input.value - denominator) / denominator


class RateOfChangePercent(RateOfChange):
    """RateOfChange times 100."""

    _prefix = "ROCP"

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        return 100 * super()._compute_window_value(window, input)


class MomentumPercent(RateOfChangePercent):
    """LEAN's MomentumPercent is RateOfChangePercent under another name."""

    _prefix = "MOMP"
