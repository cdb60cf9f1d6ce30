"""Variance and StandardDeviation over a window: population estimators, as LEAN computes them.

LEAN returns 0 for the first input and then the population variance of the last
``min(period, samples)`` inputs. LEAN sums in 28-digit decimals, which is exact for
prices; running float sums are not (a flat window would show a tiny positive
deviation), so the variance is computed from the window with compensated sums instead.
"""

from __future__ import annotations

import math
from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import WindowIndicator, parse_args
from backtesting.engine.indicators.rolling_window import RollingWindow


class Variance(WindowIndicator):
    """Population variance of the last ``period`` inputs (LEAN's Variance)."""

    _prefix = "VAR"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args(type(self).__name__, args, kwargs, ("period",))
        super().__init__(name or f"{self._prefix}({period})", period)

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        if self.samples < 2:
            return 0.0
        values = [point.value for point in window]
        mean = math.fsum(values) / len(values)
        return math.fsum((value - mean) ** 2 for value in values) / len(values)


class StandardDeviation(Variance):
    """Population standard deviation of the last ``period`` inputs (LEAN's StandardDeviation)."""

    _prefix = "STD"

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        return math.sqrt(super()._compute_window_value(window, input))
