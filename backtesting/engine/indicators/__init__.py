"""LEAN-compatible indicators and RollingWindow (names and behaviour as in LEAN's Python API)."""

from backtesting.engine.indicators.atr import AverageTrueRange, TrueRange
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
from backtesting.engine.indicators.bollinger import BollingerBands
from backtesting.engine.indicators.change import (
    Momentum,
    MomentumPercent,
    RateOfChange,
    RateOfChangePercent,
)
from backtesting.engine.indicators.composite import CompositeIndicator, IndicatorExtensions
from backtesting.engine.indicators.dispersion import StandardDeviation, Variance
from backtesting.engine.indicators.events import EventHook
from backtesting.engine.indicators.extremes import Maximum, Minimum
from backtesting.engine.indicators.macd import MovingAverageConvergenceDivergence
from backtesting.engine.indicators.more_averages import (
    DoubleExponentialMovingAverage,
    HullMovingAverage,
    LinearWeightedMovingAverage,
    TriangularMovingAverage,
    TripleExponentialMovingAverage,
)
from backtesting.engine.indicators.moving_averages import (
    ExponentialMovingAverage,
    MovingAverageType,
    SimpleMovingAverage,
    Sum,
    WilderMovingAverage,
    as_indicator,
)
from backtesting.engine.indicators.python_indicator import PythonIndicator
from backtesting.engine.indicators.rolling_window import RollingWindow
from backtesting.engine.indicators.rsi import RelativeStrengthIndex

__all__ = [
    "TripleExponentialMovingAverage",
    "TriangularMovingAverage",
    "LinearWeightedMovingAverage",
    "HullMovingAverage",
    "DoubleExponentialMovingAverage",
    "AverageTrueRange",
    "BarIndicator",
    "BollingerBands",
    "CompositeIndicator",
    "ConstantIndicator",
    "Delay",
    "EventHook",
    "ExponentialMovingAverage",
    "FunctionalIndicator",
    "Identity",
    "Indicator",
    "IndicatorBase",
    "IndicatorExtensions",
    "IndicatorResult",
    "IndicatorStatus",
    "Maximum",
    "Minimum",
    "Momentum",
    "MomentumPercent",
    "MovingAverageConvergenceDivergence",
    "MovingAverageType",
    "PythonIndicator",
    "RateOfChange",
    "RateOfChangePercent",
    "RelativeStrengthIndex",
    "RollingWindow",
    "SimpleMovingAverage",
    "StandardDeviation",
    "Sum",
    "TradeBarIndicator",
    "TrueRange",
    "Variance",
    "WilderMovingAverage",
    "WindowBase",
    "WindowIndicator",
    "as_indicator",
]
