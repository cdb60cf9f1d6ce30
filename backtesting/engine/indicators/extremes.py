"""Maximum and Minimum over a window, with the periods since the extreme (LEAN's semantics).

Ties go to the newest value; the extreme is searched again only when the current one
falls out of the window.
"""

from __future__ import annotations

from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import WindowIndicator, parse_args
from backtesting.engine.indicators.rolling_window import RollingWindow


class Maximum(WindowIndicator):
    """Highest value of the last ``period`` inputs; ``periods_since_maximum`` counts back to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("Maximum", args, kwargs, ("period",))
        super().__init__(name or f"MAX({period})", period)
        self.periods_since_maximum = 0

    @property
    def is_ready(self) -> bool:
        return self.samples >= self.period

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        if self.samples == 1 or input.value >= self.current.value:
            self.periods_since_maximum = 0
            return input.value
        if self.periods_since_maximum >= self.period - 1:
            # The maximum just left the window: find the new one, newest first on ties.
            index = max(range(window.count), key=lambda i: window[i].value)
            self.periods_since_maximum = index
            return float(window[index].value)
        self.periods_since_maximum += 1
        return self.current.value

    def reset(self) -> None:
        self.periods_since_maximum = 0
        super().reset()


class Minimum(WindowIndicator):
    """Lowest value of the last ``period`` inputs; ``periods_since_minimum`` counts back to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("Minimum", args, kwargs, ("period",))
        super().__init__(name or f"MIN({period})", period)
        self.periods_since_minimum = 0

    @property
    def is_ready(self) -> bool:
        return self.samples >= self.period

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        if self.samples == 1 or input.value <= self.current.value:
            self.periods_since_minimum = 0
            return input.value
        if self.periods_since_minimum >= self.period - 1:
            index = min(range(window.count), key=lambda i: window[i].value)
            self.periods_since_minimum = index
            return float(window[index].value)
        self.periods_since_minimum += 1
        return self.current.value

    def reset(self) -> None:
        self.periods_since_minimum = 0
        super().reset()
