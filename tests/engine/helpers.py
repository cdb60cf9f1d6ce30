"""Small builders shared by the engine unit tests: a SPY security with crafted bars."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from backtesting.engine.brokerage.fees import InteractiveBrokersFeeModel
from backtesting.engine.brokerage.fills import FillModel
from backtesting.engine.data.bars import Bar, QuoteBar, TradeBar
from backtesting.engine.data.enums import DataNormalizationMode, Resolution, SecurityType
from backtesting.engine.data.market_hours import MarketHoursDatabase
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.data.symbol_properties import SymbolPropertiesDatabase
from backtesting.engine.portfolio.security import Security


def spy(data_dir: Path, resolution: int = Resolution.MINUTE, quotes: bool = False) -> Security:
    hours = MarketHoursDatabase.from_data_dir(data_dir).get(SecurityType.EQUITY, "usa", "SPY")
    props = SymbolPropertiesDatabase.from_data_dir(data_dir).get("usa", "SPY", SecurityType.EQUITY)
    security = Security(
        Symbol("SPY"),
        hours,
        props,
        resolution,
        2.0,
        InteractiveBrokersFeeModel(),
        FillModel(),
        None,
        DataNormalizationMode.ADJUSTED,
    )
    security.has_trade_data = True
    security.has_quote_data = quotes
    return security


def trade_bar(
    start: datetime, o: float, h: float, low: float, c: float, minutes: int = 1
) -> TradeBar:
    return TradeBar(start, Symbol("SPY"), o, h, low, c, 1000, period=timedelta(minutes=minutes))


def quote_bar(start: datetime, bid: float, ask: float) -> QuoteBar:
    return QuoteBar(
        start,
        Symbol("SPY"),
        Bar(bid, bid, bid, bid),
        100,
        Bar(ask, ask, ask, ask),
        100,
        period=timedelta(minutes=1),
    )
