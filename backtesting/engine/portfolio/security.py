"""A security: its exchange hours, price cache, holdings and per-security models."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from backtesting.engine.data.bars import QuoteBar, TradeBar
from backtesting.engine.data.market_hours import ExchangeHours
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.data.symbol_properties import SymbolProperties


def _settled(name: str) -> property:
    """A price field of :class:`SecurityCache`: a pending row is settled before any use."""
    read = attrgetter("_" + name)
    slot = "_" + name

    def get(cache: SecurityCache) -> Any:
        if cache._row >= 0:
            cache._settle()
        return read(cache)

    def set(cache: SecurityCache, value: Any) -> None:
        if cache._row >= 0:
            cache._settle()
        setattr(cache, slot, value)

    return property(get, set)


class SecurityCache:
    """Latest data per kind (LEAN's SecurityCache). Fill-forward bars never reach it.

    The main loop may hand it a row of a chunk's columns (:meth:`defer`) instead of a bar:
    the trade bar and its prices are then read from the row on first use, so a step whose
    prices nobody reads costs two attribute writes. Every read and write of the price
    fields settles a pending row first, so the cache behaves as if it had been set.
    """

    __slots__ = (
        "_trade_bar",
        "quote_bar",
        "_price",
        "bid_price",
        "ask_price",
        "custom",
        "ohlc_end",
        "_open",
        "_high",
        "_low",
        "_close",
        "_columns",
        "_row",
    )

    def __init__(self) -> None:
        self._trade_bar: TradeBar | None = None
        self.quote_bar: QuoteBar | None = None
        self.custom: Any = None
        self._price = 0.0
        self.bid_price = 0.0
        self.ask_price = 0.0
        self.ohlc_end: Any = None
        self._open = self._high = self._low = self._close = 0.0
        self._columns: Any = None  # feed.lazy_bars.BarColumns of a pending row
        self._row = -1

    def defer(self, columns: Any, row: int, end: Any) -> None:
        """The first trade bar ending at ``end`` is ``columns``' ``row`` (read when used)."""
        self.ohlc_end = end
        self._columns = columns
        self._row = row

    def _settle(self) -> None:
        bar = self._columns.bar(self._row, self.ohlc_end)
        self._row = -1
        self._trade_bar = bar
        self._open, self._high, self._low = bar.open, bar.high, bar.low
        self._close = self._price = bar.close

    def set_ohlc(self, bar: Any) -> None:
        """Price and OHLC come from the *first* default-type bar of each end time (LEAN):
        a daily bar and the benchmark's hour bar both ending at 16:00 leave the daily values."""
        if self._row >= 0:
            self._settle()
        if self.ohlc_end != bar.end_time:
            self.ohlc_end = bar.end_time
            self._open, self._high, self._low = bar.open, bar.high, bar.low
            self._close = self._price = bar.close

    def _get_price(self) -> float:
        # a pending row's price is its close: no bar is built for a valuation
        if self._row >= 0:
            return self._columns.close(self._row)  # type: ignore[no-any-return]
        return self._price

    trade_bar = _settled("trade_bar")
    price = property(_get_price, _settled("price").fset)
    open = _settled("open")
    high = _settled("high")
    low = _settled("low")
    close = _settled("close")


class SecurityHolding:
    """Quantity and average price of one security, and what they are worth."""

    def __init__(self, security: Security) -> None:
        self._security = security
        self._quantity = 0.0
        #: called when a position opens or closes (the portfolio keeps its list of them)
        self.on_position_change: Any = None
        self.average_price = 0.0
        self.total_fees = 0.0
        self.total_sale_volume = 0.0
        self.profit = 0.0  # realised, net of fees
        self.net_profit = 0.0

    @property
    def quantity(self) -> float:
        return self._quantity

    @quantity.setter
    def quantity(self, value: float) -> None:
        opens_or_closes = (self._quantity == 0) != (value == 0)
        self._quantity = value
        if opens_or_closes and self.on_position_change is not None:
            self.on_position_change(self._security)

    @property
    def symbol(self) -> Symbol:
        return self._security.symbol

    @property
    def price(self) -> float:
        return self._security.price

    @property
    def invested(self) -> bool:
        return self.quantity != 0

    @property
    def is_long(self) -> bool:
        return self.quantity > 0

    @property
    def is_short(self) -> bool:
        return self.quantity < 0

    @property
    def absolute_quantity(self) -> float:
        return abs(self.quantity)

    @property
    def holdings_value(self) -> float:
        return (
            self.quantity
            * self._security.price
            * self._security.symbol_properties.contract_multiplier
        )

    @property
    def absolute_holdings_value(self) -> float:
        return abs(self.holdings_value)

    @property
    def holdings_cost(self) -> float:
        return (
            self.quantity
            * self.average_price
            * self._security.symbol_properties.contract_multiplier
        )

    @property
    def absolute_holdings_cost(self) -> float:
        return abs(self.holdings_cost)

    @property
    def unrealized_profit(self) -> float:
        return self.holdings_value - self.holdings_cost

    @property
    def unrealized_profit_percent(self) -> float:
        cost = self.absolute_holdings_cost
        return self.unrealized_profit / cost if cost else 0.0

    def __repr__(self) -> str:
        return f"{self.symbol}: {self.quantity} @ {self.average_price}"


class Security:
    """LEAN's Security reduced to what the engine needs; users may add attributes freely."""

    def __init__(
        self,
        symbol: Symbol,
        exchange_hours: ExchangeHours,
        symbol_properties: SymbolProperties,
        resolution: int,
        leverage: float,
        fee_model: Any,
        fill_model: Any,
        slippage_model: Any,
        normalization: int,
        fill_forward: bool = True,
        extended_hours: bool = False,
    ) -> None:
        self.symbol = symbol
        self.exchange_hours = exchange_hours
        self.exchange = _Exchange(exchange_hours, self)
        self.symbol_properties = symbol_properties
        self.resolution = resolution
        self.leverage = leverage
        self.fee_model = fee_model
        self.fill_model = fill_model
        self.slippage_model = slippage_model
        self.data_normalization_mode = normalization
        self.is_fill_data_forward = fill_forward
        self.is_extended_market_hours = extended_hours
        self.cache = SecurityCache()
        self.holdings = SecurityHolding(self)
        self.is_tradable = True
        self.is_delisted = False
        self.has_trade_data = False
        self.has_quote_data = False
        self.only_daily_or_hour = False
        self._clock: Any = None
        self.buying_power_model: Any = None

    @property
    def local_time(self) -> Any:
        """The algorithm's current time (New York; equal to exchange time for US markets)."""
        return self._clock() if self._clock is not None else None

    @property
    def exchange(self) -> Any:
        return self._exchange

    @exchange.setter
    def exchange(self, value: Any) -> None:
        """Assigning LEAN's ``EquityExchange()`` switches the security to its hours."""
        self._exchange = value
        hours = getattr(value, "hours", None)
        if hours is not None:
            self.exchange_hours = hours

    @property
    def type(self) -> int:
        return self.symbol.security_type

    @property
    def price(self) -> float:
        # (SecurityCache.price unrolled: an order reads it four times)
        cache = self.cache
        if cache._row >= 0:
            return cache._columns.close(cache._row)  # type: ignore[no-any-return]
        return cache._price

    @property
    def close(self) -> float:
        return self.cache.close or self.cache.price

    @property
    def open(self) -> float:
        return self.cache.open or self.cache.price

    @property
    def high(self) -> float:
        return self.cache.high or self.cache.price

    @property
    def low(self) -> float:
        return self.cache.low or self.cache.price

    @property
    def volume(self) -> float:
        return self.cache.trade_bar.volume if self.cache.trade_bar else 0.0

    @property
    def bid_price(self) -> float:
        return self.cache.bid_price

    @property
    def ask_price(self) -> float:
        return self.cache.ask_price

    @property
    def has_data(self) -> bool:
        return self.cache.price != 0

    @property
    def invested(self) -> bool:
        return self.holdings.invested

    def get_last_data(self) -> Any:
        return self.cache.custom or self.cache.trade_bar or self.cache.quote_bar

    def set_fee_model(self, model: Any) -> None:
        self.fee_model = model

    def set_fill_model(self, model: Any) -> None:
        self.fill_model = model

    def set_slippage_model(self, model: Any) -> None:
        self.slippage_model = model

    def set_leverage(self, leverage: float) -> None:
        self.leverage = leverage

    def set_data_normalization_mode(self, mode: int) -> None:
        self.data_normalization_mode = mode

    def set_buying_power_model(self, model: Any) -> None:
        self.buying_power_model = model

    def update_trade(self, bar: TradeBar) -> None:
        self.cache.trade_bar = bar
        self.cache.set_ohlc(bar)

    def update_quote(self, bar: QuoteBar) -> None:
        self.cache.quote_bar = bar
        if bar.bid is not None:
            self.cache.bid_price = bar.bid.close
        if bar.ask is not None:
            self.cache.ask_price = bar.ask.close
        if not self.has_trade_data:
            self.cache.set_ohlc(bar)

    def __repr__(self) -> str:
        return f"Security({self.symbol})"


class _Exchange:
    """``security.exchange``: its hours and whether the market is open at algorithm time."""

    def __init__(self, hours: ExchangeHours, security: Security | None = None) -> None:
        self.hours = hours
        self._security = security

    @property
    def exchange_open(self) -> bool:
        now = self._security.local_time if self._security is not None else None
        return now is not None and self.hours.is_open(now, False)

    @property
    def time_zone(self) -> str:
        return self.hours.time_zone

    def date_is_open(self, day: Any) -> bool:
        return self.hours.is_date_open(day.date() if hasattr(day, "date") else day)
