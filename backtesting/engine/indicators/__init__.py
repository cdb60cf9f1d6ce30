"""LEAN-compatible indicators and RollingWindow (names and behaviour as in LEAN's Python API)."""

from backtesting.engine.indicators.base import (
    BarIndicator,
    Indicator,
    IndicatorBase,
    IndicatorResult,
    IndicatorStatus,
    TradeBarIndicator,
    WindowBase,
    WindowIndicator,
)
from backtesting.engine.indicators.basic import (
    ConstantIndicator,
    Delay,
    FunctionalIndicator,
    Identity,
)
from backtesting.engine.indicators.events import EventHook
from backtesting.engine.indicators.macd import MovingAverageConvergenceDivergence
from backtesting.engine.indicators.moving_averages import (
    ExponentialMovingAverage,
    MovingAverageType,
    SimpleMovingAverage,
    Sum,
    WilderMovingAverage,
    as_indicator,
)
from backtesting.engine.indicators.rolling_window import RollingWindow

__all__ = [
    "BarIndicator",
    "ConstantIndicator",
    "Delay",
    "EventHook",
    "ExponentialMovingAverage",
    "FunctionalIndicator",
    "Identity",
    "Indicator",
    "IndicatorBase",
    "IndicatorResult",
    "IndicatorStatus",
    "MovingAverageConvergenceDivergence",
    "MovingAverageType",
    "RollingWindow",
    "SimpleMovingAverage",
    "Sum",
    "TradeBarIndicator",
    "WilderMovingAverage",
    "WindowBase",
    "WindowIndicator",
    "as_indicator",
]
