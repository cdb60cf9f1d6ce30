"""CompositeIndicator and IndicatorExtensions: indicators built from other indicators.

A composite recomputes once both of its parts produced a new value since its last
update (a constant part never has to), which is what makes ``BollingerBands`` and
``IndicatorExtensions.over(a, b)`` line up values of the same input.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import (
    MIN_TIME,
    IndicatorBase,
    IndicatorResult,
    IndicatorStatus,
    WindowIndicator,
    decimal_text,
)
from backtesting.engine.indicators.basic import ConstantIndicator
from backtesting.engine.indicators.moving_averages import ExponentialMovingAverage, Sum
from backtesting.engine.indicators.rolling_window import RollingWindow

Composer = Callable[[IndicatorBase, IndicatorBase], "IndicatorResult | float"]


class CompositeIndicator(IndicatorBase):
    """``composer(left, right)`` evaluated whenever both sides have a new value."""

    def __init__(self, *args: Any) -> None:
        # LEAN: CompositeIndicator(name, left, right, composer) or (left, right, composer).
        if len(args) == 4:
            name, left, right, composer = args
        elif len(args) == 3:
            name, (left, right, composer) = None, args
        else:
            raise TypeError("CompositeIndicator(name?, left, right, composer)")
        super().__init__(name)
        self.left: IndicatorBase = left
        self.right: IndicatorBase = right
        self._composer: Composer = composer
        if self.name is None:
            self.name = f"COMPOSE({left.name},{right.name})"
        self._wire()

    @property
    def is_ready(self) -> bool:
        return self.left.is_ready and self.right.is_ready

    def reset(self) -> None:
        self.left.reset()
        self.right.reset()
        super().reset()

    def _validate_and_compute_next_value(self, input: IndicatorDataPoint) -> IndicatorResult:
        result = self._composer(self.left, self.right)
        return result if isinstance(result, IndicatorResult) else IndicatorResult(result)

    def _wire(self) -> None:
        left_constant = isinstance(self.left, ConstantIndicator)
        right_constant = isinstance(self.right, ConstantIndicator)
        fresh: dict[str, IndicatorDataPoint | None] = {"left": None, "right": None}

        def fire(updated: IndicatorDataPoint) -> None:
            self._process(IndicatorDataPoint(self._max_time(updated), 0.0))
            fresh["left"] = fresh["right"] = None

        def on_left(sender: Any, updated: IndicatorDataPoint) -> None:
            fresh["left"] = updated
            if fresh["right"] is not None or right_constant:
                fire(updated)

        def on_right(sender: Any, updated: IndicatorDataPoint) -> None:
            fresh["right"] = updated
            if fresh["left"] is not None or left_constant:
                fire(updated)

        self.left.updated += on_left
        self.right.updated += on_right

    def _max_time(self, updated: IndicatorDataPoint) -> Any:
        times = [t for t in (updated.time, self.right.current.time, self.left.current.time) if t]
        return max(times) if times else MIN_TIME


def _over(left: IndicatorBase, right: IndicatorBase) -> IndicatorResult:
    if right.current.value == 0:
        return IndicatorResult(0.0, IndicatorStatus.MATH_ERROR)
    return IndicatorResult(left.current.value / right.current.value)


def _constant(value: float) -> ConstantIndicator:
    return ConstantIndicator(decimal_text(value), value)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _binary(
    left: IndicatorBase, right: Any, name: str | None, composer: Composer
) -> CompositeIndicator:
    if _is_number(right):
        right = _constant(right)
    return CompositeIndicator(name, left, right, composer)


class IndicatorExtensions:
    """LEAN's ``IndicatorExtensions`` as Python calls them: ``IndicatorExtensions.of(b, a)``."""

    @staticmethod
    def of(second: Any, first: IndicatorBase, wait_for_first_to_ready: bool = True) -> Any:
        """Feed ``first``'s every new value to ``second`` (once ``first`` is ready); return ``second``."""

        def forward(sender: Any, point: IndicatorDataPoint) -> None:
            if not wait_for_first_to_ready or first.is_ready:
                second.update(point)

        first.updated += forward
        return second

    @staticmethod
    def plus(left: IndicatorBase, right: Any, name: str | None = None) -> CompositeIndicator:
        """``left + right`` (an indicator or a constant)."""
        return _binary(left, right, name, lambda a, b: a.current.value + b.current.value)

    @staticmethod
    def minus(left: IndicatorBase, right: Any, name: str | None = None) -> CompositeIndicator:
        """``left - right`` (an indicator or a constant)."""
        return _binary(left, right, name, lambda a, b: a.current.value - b.current.value)

    @staticmethod
    def times(left: IndicatorBase, right: Any, name: str | None = None) -> CompositeIndicator:
        """``left * right`` (an indicator or a constant)."""
        return _binary(left, right, name, lambda a, b: a.current.value * b.current.value)

    @staticmethod
    def over(left: IndicatorBase, right: Any, name: str | None = None) -> CompositeIndicator:
        """``left / right``; a zero denominator leaves the value unchanged (math error)."""
        return _binary(left, right, name, _over)

    @staticmethod
    def sma(left: IndicatorBase, period: int, wait_for_first_to_ready: bool = True) -> Any:
        """A simple moving average of ``left``'s values."""
        from backtesting.engine.indicators.moving_averages import SimpleMovingAverage

        sma = SimpleMovingAverage(f"SMA{period}_Of_{left.name}", period)
        return IndicatorExtensions.of(sma, left, wait_for_first_to_ready)

    @staticmethod
    def ema(
        left: IndicatorBase,
        period: int,
        smoothing_factor: float | None = None,
        wait_for_first_to_ready: bool = True,
    ) -> Any:
        """An exponential moving average of ``left``'s values."""
        k = (
            ExponentialMovingAverage.smoothing_factor_default(period)
            if smoothing_factor is None
            else smoothing_factor
        )
        ema = ExponentialMovingAverage(f"EMA{period}_Of_{left.name}", period, k)
        return IndicatorExtensions.of(ema, left, wait_for_first_to_ready)

    @staticmethod
    def max(left: IndicatorBase, period: int, wait_for_first_to_ready: bool = True) -> Any:
        """The maximum of ``left``'s last ``period`` values."""
        from backtesting.engine.indicators.extremes import Maximum

        maximum = Maximum(f"MAX{period}_Of_{left.name}", period)
        return IndicatorExtensions.of(maximum, left, wait_for_first_to_ready)

    @staticmethod
    def min(left: IndicatorBase, period: int, wait_for_first_to_ready: bool = True) -> Any:
        """The minimum of ``left``'s last ``period`` values."""
        from backtesting.engine.indicators.extremes import Minimum

        minimum = Minimum(f"MIN{period}_Of_{left.name}", period)
        return IndicatorExtensions.of(minimum, left, wait_for_first_to_ready)

    @staticmethod
    def weighted_by(value: IndicatorBase, weight: IndicatorBase, period: int) -> CompositeIndicator:
        """Sum(value * weight) / Sum(weight) over ``period`` paired updates."""
        x, y = _WindowIdentity(period), _WindowIdentity(period)
        numerator, denominator = Sum("Sum_xy", period), Sum("Sum_y", period)

        def on_value(sender: Any, point: IndicatorDataPoint) -> None:
            x.update(point)
            if x.samples == y.samples:
                numerator.update(point.time, point.value * y.current.value)

        def on_weight(sender: Any, point: IndicatorDataPoint) -> None:
            y.update(point)
            if x.samples == y.samples:
                numerator.update(point.time, point.value * x.current.value)
            denominator.update(point)

        value.updated += on_value
        weight.updated += on_weight
        return _ResetComposite(numerator, denominator, _over, (x, y))


class _WindowIdentity(WindowIndicator):
    """Repeats its input; ready after ``period`` samples (LEAN's WindowIdentity)."""

    def __init__(self, period: int) -> None:
        super().__init__(f"WIN-ID{period}", period)

    @property
    def is_ready(self) -> bool:
        return self.samples >= self.period

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        return input.value


class _ResetComposite(CompositeIndicator):
    def __init__(
        self,
        left: IndicatorBase,
        right: IndicatorBase,
        composer: Composer,
        extra: tuple[IndicatorBase, ...],
    ) -> None:
        super().__init__(left, right, composer)
        self._extra = extra

    def reset(self) -> None:
        super().reset()
        for indicator in self._extra:
            indicator.reset()
