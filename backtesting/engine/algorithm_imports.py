"""``from AlgorithmImports import *``: LEAN's Python names for algorithms (loader.py maps it)."""

# ruff: noqa: F401  # re-exports are the point of this module
import os
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from backtesting.engine.algorithm import PortfolioTarget, QCAlgorithm
from backtesting.engine.algorithm.qc_algorithm import SecurityChanges
from backtesting.engine.brokerage.fees import (
    CoinbaseFeeModel,
    ConstantFeeModel,
    FeeModel,
    GDAXFeeModel,
    InteractiveBrokersFeeModel,
    OrderFeeParameters,
)
from backtesting.engine.brokerage.fills import EquityFillModel, FillModel, ImmediateFillModel
from backtesting.engine.brokerage.orders import (
    CashAmount,
    MarketOnCloseOrder,
    Order,
    OrderDirection,
    OrderEvent,
    OrderFee,
    OrderProperties,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from backtesting.engine.brokerage.requests import SubmitOrderRequest
from backtesting.engine.brokerage.tickets import (
    OrderField,
    OrderResponse,
    OrderTicket,
    UpdateOrderFields,
)
from backtesting.engine.data.bars import Bar, BaseData, IndicatorDataPoint, QuoteBar, TradeBar
from backtesting.engine.data.enums import (
    DataNormalizationMode,
    Market,
    Resolution,
    SecurityType,
    TickType,
)
from backtesting.engine.data.python_data import PythonData
from backtesting.engine.data.slice import (
    Delisting,
    DelistingType,
    Dividend,
    Slice,
    Split,
    SplitType,
)
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.feed.custom import (
    FileFormat,
    SubscriptionDataSource,
    SubscriptionTransportMedium,
)
from backtesting.engine.indicators import *  # noqa: F403
from backtesting.engine.indicators import __all__ as _indicator_names

try:
    from backtesting.engine.consolidators import *  # noqa: F403
except ImportError:  # consolidators land separately
    pass


class Extensions:
    """The LEAN extension helpers algorithms call from Python."""

    @staticmethod
    def round_to_significant_digits(value: float, digits: int) -> float:
        if value == 0:
            return 0.0
        import math

        scale = 10 ** (digits - 1 - int(math.floor(math.log10(abs(value)))))
        return round(value * scale) / scale


class BrokerageName:
    DEFAULT = "Default"
    INTERACTIVE_BROKERS_BROKERAGE = "InteractiveBrokersBrokerage"
    COINBASE = "Coinbase"
    GDAX = "GDAX"
    BINANCE = "Binance"
    KRAKEN = "Kraken"
    BITFINEX = "Bitfinex"
    InteractiveBrokersBrokerage = INTERACTIVE_BROKERS_BROKERAGE


class AccountType:
    MARGIN = "Margin"
    CASH = "Cash"
    Margin, Cash = MARGIN, CASH


class Field:
    """Selectors for indicator helpers (``selector=Field.HIGH``)."""

    OPEN = staticmethod(lambda bar: bar.open)
    HIGH = staticmethod(lambda bar: bar.high)
    LOW = staticmethod(lambda bar: bar.low)
    CLOSE = staticmethod(lambda bar: bar.close)
    VOLUME = staticmethod(lambda bar: bar.volume)


class DayOfWeek:
    SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = range(7)
    Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday = range(7)


from backtesting.engine.algorithm.qc_algorithm import Globals  # noqa: E402  # set per run


class EquityExchange:
    """US equity exchange hours (LEAN's EquityExchange), for custom data that trades like stocks."""

    def __init__(self) -> None:
        from pathlib import Path

        from backtesting.engine.data.market_hours import MarketHoursDatabase

        database = MarketHoursDatabase.from_data_dir(Path(Globals.data_folder))
        self.hours = database.get(SecurityType.EQUITY, "usa", "[*]")
        self.exchange_open = False

    @property
    def time_zone(self) -> str:
        return self.hours.time_zone


class Chart:
    def __init__(self, name: str) -> None:
        self.name = name
        self.series: dict[str, object] = {}

    def add_series(self, series: object) -> None:
        self.series[getattr(series, "name", str(series))] = series


class SeriesType:
    LINE, SCATTER, CANDLE, BAR, FLAG, STACKED_AREA, PIE, TREEMAP = 0, 1, 2, 3, 4, 5, 6, 7


class Series:
    def __init__(self, name: str, series_type: int = 0, *args: object) -> None:
        self.name = name
        self.series_type = series_type
