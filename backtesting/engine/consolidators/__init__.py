"""LEAN-compatible consolidators: bars of a longer period or a count built from finer data."""

from backtesting.engine.consolidators.base import ConsolidatorBase
from backtesting.engine.consolidators.calendar import Calendar, CalendarInfo
from backtesting.engine.consolidators.identity import (
    IdentityDataConsolidator,
    SequentialConsolidator,
)
from backtesting.engine.consolidators.period import resolution_to_timedelta, round_down
from backtesting.engine.consolidators.period_count import PeriodCountConsolidatorBase
from backtesting.engine.consolidators.quote_bar import QuoteBarConsolidator
from backtesting.engine.consolidators.trade_bar import (
    BaseDataConsolidator,
    DynamicDataConsolidator,
    TradeBarConsolidator,
)

__all__ = [
    "BaseDataConsolidator",
    "Calendar",
    "DynamicDataConsolidator",
    "CalendarInfo",
    "ConsolidatorBase",
    "IdentityDataConsolidator",
    "PeriodCountConsolidatorBase",
    "QuoteBarConsolidator",
    "SequentialConsolidator",
    "TradeBarConsolidator",
    "resolution_to_timedelta",
    "round_down",
]
