"""RelativeStrengthIndex with Wilder's averages by default (LEAN's RelativeStrengthIndex).

The first input only sets the reference price (the RSI reads 100 then, as in LEAN);
each later input feeds the gain and the loss averages, so the RSI is ready after
``period + 1`` inputs.
"""

from __future__ import annotations

from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import Indicator, parse_args
from backtesting.engine.indicators.moving_averages import MovingAverageType, as_indicator


class RelativeStrengthIndex(Indicator):
    """RSI(period[, moving_average_type]) with ``.average_gain`` and ``.average_loss``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period, ma_type) = parse_args(
            "RelativeStrengthIndex",
            args,
            kwargs,
            ("period", "moving_average_type"),
            {"moving_average_type": MovingAverageType.WILDERS},
        )
        name = name or f"RSI({period})"
        super().__init__(name)
        self.moving_average_type = MovingAverageType(ma_type)
        self.average_gain = as_indicator(ma_type, name + "Up", period)
        self.average_loss = as_indicator(ma_type, name + "Down", period)
        self._warm_up_period: int = period + 1
        self._previous_point: IndicatorDataPoint | None = None

    @property
    def warm_up_period(self) -> int:
        return self._warm_up_period

    @property
    def is_ready(self) -> bool:
        return self.average_gain.is_ready and self.average_loss.is_ready

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        previous = self._previous_point
        if previous is not None:
            change = input.value - previous.value
            self.average_gain.update(input.end_time, change if change > 0 else 0.0)
            self.average_loss.update(input.end_time, -change if change < 0 else 0.0)
        self._previous_point = input
        # Some averages (DEMA) can dip below zero; LEAN clamps them.
        average_loss = max(self.average_loss.current.value, 0.0)
        average_gain = max(self.average_gain.current.value, 0.0)
        if round(average_loss, 10) == 0:
            return 100.0  # only gains: avoid dividing by (almost) zero
        return 100.0 - 100.0 / (1 + average_gain / average_loss)

    def reset(self) -> None:
        self._previous_point = None
        self.average_gain.reset()
        self.average_loss.reset()
        super().reset()
