"""TrueRange and AverageTrueRange: indicators of bars, not of closes.

The true range of the first bar is ``high - low``; later bars also reach back to the
previous close. ATR smooths the true ranges with Wilder's average by default and is
ready after ``period`` bars.
"""

from __future__ import annotations

from typing import Any

from backtesting.engine.indicators.base import BarIndicator, IndicatorBase, parse_args
from backtesting.engine.indicators.composite import IndicatorExtensions
from backtesting.engine.indicators.moving_averages import MovingAverageType, as_indicator


class TrueRange(BarIndicator):
    """max(high - low, |previous close - high|, |previous close - low|)."""

    def __init__(self, name: str = "TR") -> None:
        super().__init__(name)
        self._previous_bar: Any = None

    @property
    def is_ready(self) -> bool:
        return self.samples > 1

    @property
    def warm_up_period(self) -> int:
        return 2

    def _compute_next_value(self, input: Any) -> float:
        greatest = input.high - input.low
        if self.is_ready:
            previous_close = self._previous_bar.close
            greatest = max(
                greatest, abs(previous_close - input.high), abs(previous_close - input.low)
            )
        self._previous_bar = input
        return float(greatest)

    def reset(self) -> None:
        self._previous_bar = None
        super().reset()


class AverageTrueRange(BarIndicator):
    """ATR(period[, moving_average_type]) with ``.true_range``; takes TradeBar or QuoteBar."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period, ma_type) = parse_args(
            "AverageTrueRange",
            args,
            kwargs,
            ("period", "moving_average_type"),
            {"moving_average_type": MovingAverageType.WILDERS},
        )
        name = name or f"ATR({period})"
        super().__init__(name)
        ma_type = MovingAverageType(ma_type)
        self._warm_up_period: int = period
        self.true_range = TrueRange(name)
        self._smoother: IndicatorBase = IndicatorExtensions.of(
            as_indicator(ma_type, f"{name}_{ma_type.csharp_name}", period),
            self.true_range,
            False,
        )

    @property
    def warm_up_period(self) -> int:
        return self._warm_up_period

    @property
    def is_ready(self) -> bool:
        return self._smoother.is_ready

    def _compute_next_value(self, input: Any) -> float:
        self.true_range._process(input)
        return self._smoother.current.value

    def reset(self) -> None:
        self._smoother.reset()
        self.true_range.reset()
        super().reset()
