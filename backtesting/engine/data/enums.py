"""LEAN's enumerations for data: resolution, security type, normalisation mode, market.

Python LEAN exposes UPPER_CASE members (``Resolution.MINUTE``); the older CamelCase names
(``Resolution.Minute``) still appear in published algorithms, so both spellings resolve.
"""

from __future__ import annotations

from datetime import timedelta


class _Enum:
    """A tiny int enum that also answers LEAN's CamelCase aliases."""

    _aliases: dict[str, str] = {}

    def __class_getitem__(cls, item: str) -> int:
        return getattr(cls, item)


class Resolution(_Enum):
    TICK = 0
    SECOND = 1
    MINUTE = 2
    HOUR = 3
    DAILY = 4
    Tick = 0
    Second = 1
    Minute = 2
    Hour = 3
    Daily = 4


#: bar length of each resolution (tick data is not supported)
RESOLUTION_SPAN: dict[int, timedelta] = {
    Resolution.TICK: timedelta(0),
    Resolution.SECOND: timedelta(seconds=1),
    Resolution.MINUTE: timedelta(minutes=1),
    Resolution.HOUR: timedelta(hours=1),
    Resolution.DAILY: timedelta(days=1),
}

RESOLUTION_NAME: dict[int, str] = {0: "tick", 1: "second", 2: "minute", 3: "hour", 4: "daily"}


class SecurityType(_Enum):
    BASE = 0
    EQUITY = 1
    FOREX = 4
    CRYPTO = 7
    Base = 0
    Equity = 1
    Forex = 4
    Crypto = 7


SECURITY_TYPE_NAME: dict[int, str] = {0: "Base", 1: "Equity", 4: "Forex", 7: "Crypto"}


class DataNormalizationMode(_Enum):
    RAW = 0
    ADJUSTED = 1
    SPLIT_ADJUSTED = 2
    TOTAL_RETURN = 3
    Raw = 0
    Adjusted = 1
    SplitAdjusted = 2
    TotalReturn = 3


class Market:
    USA = "usa"
    OANDA = "oanda"
    COINBASE = "coinbase"
    GDAX = "coinbase"
    Oanda = "oanda"
    GDax = "coinbase"


class TickType(_Enum):
    TRADE = 0
    QUOTE = 1
    Trade = 0
    Quote = 1
