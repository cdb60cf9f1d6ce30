"""BollingerBands built from composites, exactly as LEAN wires them.

``middle_band`` is a moving average (simple by default), the bands are
``middle ± k * standard_deviation`` (population), ``band_width`` is
``(upper - lower) / middle * 100`` and ``percent_b`` is ``(price - lower) / (upper - lower)``.
Once ready, an input with zero deviation does not update the bands' own value (LEAN
reports a math error so ``percent_b`` is never stale).
"""

from __future__ import annotations

from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators.base import (
    Indicator,
    IndicatorResult,
    IndicatorStatus,
    decimal_text,
    parse_args,
)
from backtesting.engine.indicators.basic import ConstantIndicator, Identity
from backtesting.engine.indicators.composite import IndicatorExtensions as X
from backtesting.engine.indicators.dispersion import StandardDeviation
from backtesting.engine.indicators.moving_averages import MovingAverageType, as_indicator


class BollingerBands(Indicator):
    """BB(period, k[, moving_average_type]); the value is the last input price."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period, k, ma_type) = parse_args(
            "BollingerBands",
            args,
            kwargs,
            ("period", "k", "moving_average_type"),
            {"moving_average_type": MovingAverageType.SIMPLE},
        )
        name = name or f"BB({period},{decimal_text(k)})"
        super().__init__(name)
        self._warm_up_period: int = period
        self.moving_average_type = MovingAverageType(ma_type)
        self.standard_deviation = StandardDeviation(name + "_StandardDeviation", period)
        self.middle_band = as_indicator(ma_type, name + "_MiddleBand", period)
        self.lower_band = X.minus(
            self.middle_band, X.times(self.standard_deviation, k), name + "_LowerBand"
        )
        self.upper_band = X.plus(
            self.middle_band, X.times(self.standard_deviation, k), name + "_UpperBand"
        )
        upper_minus_lower = X.minus(self.upper_band, self.lower_band)
        self.band_width = X.times(
            X.over(upper_minus_lower, self.middle_band),
            ConstantIndicator("ct", 100.0),
            name + "_BandWidth",
        )
        self.price = Identity(name + "_Close")
        self.percent_b = X.over(
            X.minus(self.price, self.lower_band), upper_minus_lower, name + "_%B"
        )

    @property
    def warm_up_period(self) -> int:
        return self._warm_up_period

    @property
    def is_ready(self) -> bool:
        return (
            self.middle_band.is_ready
            and self.upper_band.is_ready
            and self.lower_band.is_ready
            and self.band_width.is_ready
            and self.percent_b.is_ready
        )

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        self.standard_deviation._process(input)
        self.middle_band._process(input)
        self.price._process(input)
        return input.value

    def _validate_and_compute_next_value(self, input: IndicatorDataPoint) -> IndicatorResult:
        value = self._compute_next_value(input)
        if self.is_ready and self.standard_deviation.current.value == 0:
            return IndicatorResult(value, IndicatorStatus.MATH_ERROR)
        return IndicatorResult(value)

    def reset(self) -> None:
        self.standard_deviation.reset()
        self.middle_band.reset()
        self.upper_band.reset()
        self.lower_band.reset()
        self.band_width.reset()
        self.percent_b.reset()
        super().reset()
