"""Plumbing indicators: Identity, Delay, ConstantIndicator, FunctionalIndicator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import (
    ANY,
    MIN_TIME,
    POINT,
    Indicator,
    IndicatorBase,
    WindowIndicator,
    parse_args,
)
from backtesting.engine.indicators.rolling_window import RollingWindow


class Identity(Indicator):
    """Repeats its input; ready after one sample. Used to pipe values into composites."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)

    @property
    def is_ready(self) -> bool:
        return self.samples > 0

    @property
    def warm_up_period(self) -> int:
        return 1

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        return input.value


class Delay(WindowIndicator):
    """The input from ``period`` updates ago; ready after ``period + 1`` inputs.

    Until then it repeats the first input, as LEAN does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("Delay", args, kwargs, ("period",))
        super().__init__(name or f"DELAY({period})", period)

    @property
    def is_ready(self) -> bool:
        return self.samples > self.period

    @property
    def warm_up_period(self) -> int:
        return 1 + self.period

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        if not self.is_ready:
            return float(window[window.count - 1].value)
        return float(window.most_recently_removed.value)


class ConstantIndicator(IndicatorBase):
    """Always ``value`` and always ready; a composite never waits for it."""

    _input = ANY

    def __init__(self, name: str, value: float) -> None:
        super().__init__(name)
        self._value = float(value)
        self._set_current(IndicatorDataPoint(MIN_TIME, self._value))

    @property
    def is_ready(self) -> bool:
        return True

    def _compute_next_value(self, input: Any) -> float:
        return self._value

    def reset(self) -> None:
        super().reset()
        self._set_current(IndicatorDataPoint(MIN_TIME, self._value))


class FunctionalIndicator(IndicatorBase):
    """An indicator from functions: ``compute_next_value(input)``, ``is_ready(indicator)``."""

    def __init__(
        self,
        name: str,
        compute_next_value: Callable[[Any], float],
        is_ready: Callable[[IndicatorBase], bool],
        reset: Callable[[], None] | None = None,
        input_kind: str = POINT,
    ) -> None:
        super().__init__(name)
        self._input = input_kind
        self._compute = compute_next_value
        self._is_ready = is_ready
        self._reset = reset

    @property
    def is_ready(self) -> bool:
        return bool(self._is_ready(self))

    def _compute_next_value(self, input: Any) -> float:
        return float(self._compute(input))

    def reset(self) -> None:
        if self._reset is not None:
            self._reset()
        super().reset()
