"""LEAN's statistics as pure functions of what a backtest recorded.

``compute_statistics(PerformanceInput(...))`` returns LEAN's final statistics strings;
``format_runtime_statistics(...)`` the runtime statistics shown while a run progresses,
with ``runtime_probabilistic_sharpe_ratio`` for its PSR entry; ``InterestRateProvider``
the risk-free rate LEAN uses. No Django, no wall clock.
"""

from backtesting.engine.statistics.inputs import PerformanceInput
from backtesting.engine.statistics.risk_free import InterestRateProvider
from backtesting.engine.statistics.runtime import (
    format_runtime_statistics,
    runtime_probabilistic_sharpe_ratio,
)
from backtesting.engine.statistics.series import smart_rounding
from backtesting.engine.statistics.summary import STATISTIC_NAMES, compute_statistics

__all__ = [
    "STATISTIC_NAMES",
    "InterestRateProvider",
    "PerformanceInput",
    "compute_statistics",
    "format_runtime_statistics",
    "runtime_probabilistic_sharpe_ratio",
    "smart_rounding",
]
