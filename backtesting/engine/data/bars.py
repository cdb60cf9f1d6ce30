"""The data objects an algorithm sees: LEAN's TradeBar, QuoteBar, Bar and IndicatorDataPoint.

``time`` is the bar's start and ``end_time`` its end, both naive datetimes in the
exchange's time zone (LEAN delivers a bar at its end time). ``value``/``price`` is the close.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


class BaseData:
    """Common shape of every data point: a symbol, a time span and a value."""

    __slots__ = ("symbol", "time", "end_time", "value", "is_fill_forward")

    def __init__(
        self,
        symbol: Any = None,
        time: datetime | None = None,
        value: float = 0.0,
        end_time: datetime | None = None,
    ) -> None:
        self.symbol = symbol
        self.time = time
        self.end_time = end_time if end_time is not None else time
        self.value = value
        self.is_fill_forward = False

    @property
    def price(self) -> float:
        return self.value

    @property
    def period(self) -> timedelta:
        if self.time is None or self.end_time is None:
            return timedelta(0)
        return self.end_time - self.time

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.symbol}, {self.end_time}, {self.value})"


class IndicatorDataPoint(BaseData):
    """A single (time, value) input or output of an indicator."""

    __slots__ = ()

    def __init__(self, *args: Any) -> None:
        # LEAN accepts (time, value) and (symbol, time, value). Indicators create several of
        # these per update, so the slots are filled directly (no base-class call).
        n = len(args)
        if n == 2:
            self.symbol = None
            self.time = self.end_time = args[0]
            self.value = float(args[1])
        elif n == 3:
            self.symbol = args[0]
            self.time = self.end_time = args[1]
            self.value = float(args[2])
        else:
            self.symbol = self.time = self.end_time = None
            self.value = 0.0
        self.is_fill_forward = False


class TradeBar(BaseData):
    """OHLCV trade bar."""

    __slots__ = ("open", "high", "low", "close", "volume")

    def __init__(
        self,
        time: datetime | None = None,
        symbol: Any = None,
        open: float = 0.0,
        high: float = 0.0,
        low: float = 0.0,
        close: float = 0.0,
        volume: float = 0.0,
        period: timedelta | None = None,
        end_time: datetime | None = None,
    ) -> None:
        if end_time is None and time is not None:
            end_time = time + (period if period is not None else timedelta(minutes=1))
        BaseData.__init__(self, symbol, time, close, end_time)
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume

    def update(self, price: float, volume: float = 0.0) -> None:
        """Fold one more trade into the bar (used by consolidators)."""
        if self.open == 0:
            self.open = self.high = self.low = price
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = self.value = price
        self.volume += volume

    def __repr__(self) -> str:
        return (
            f"TradeBar({self.symbol}, {self.end_time}, O={self.open} H={self.high} "
            f"L={self.low} C={self.close} V={self.volume})"
        )


class Bar:
    """One side (bid or ask) of a quote bar."""

    __slots__ = ("open", "high", "low", "close")

    def __init__(self, open: float = 0.0, high: float = 0.0, low: float = 0.0, close: float = 0.0):
        self.open = open
        self.high = high
        self.low = low
        self.close = close

    def __repr__(self) -> str:
        return f"Bar(O={self.open} H={self.high} L={self.low} C={self.close})"


class QuoteBar(BaseData):
    """Bid and ask bars; OHLC are the mid prices, or the one side present."""

    __slots__ = ("bid", "ask", "last_bid_size", "last_ask_size")

    def __init__(
        self,
        time: datetime | None = None,
        symbol: Any = None,
        bid: Bar | None = None,
        last_bid_size: float = 0.0,
        ask: Bar | None = None,
        last_ask_size: float = 0.0,
        period: timedelta | None = None,
        end_time: datetime | None = None,
    ) -> None:
        if end_time is None and time is not None:
            end_time = time + (period if period is not None else timedelta(minutes=1))
        self.bid = bid
        self.ask = ask
        self.last_bid_size = last_bid_size
        self.last_ask_size = last_ask_size
        BaseData.__init__(self, symbol, time, self.close, end_time)

    def _side(self, name: str) -> float:
        if self.bid is not None and self.ask is not None:
            return (getattr(self.bid, name) + getattr(self.ask, name)) / 2
        if self.bid is not None:
            return getattr(self.bid, name)
        if self.ask is not None:
            return getattr(self.ask, name)
        return 0.0

    @property
    def open(self) -> float:
        return self._side("open")

    @property
    def high(self) -> float:
        return self._side("high")

    @property
    def low(self) -> float:
        return self._side("low")

    @property
    def close(self) -> float:
        return self._side("close")
