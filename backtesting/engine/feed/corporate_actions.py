"""Splits and dividends (factor files) and delistings (map files), delivered in the slice
at midnight of their effective day.

Adjusted prices already contain them, so in Adjusted mode only the events are delivered;
in Raw mode a split changes the holdings (fractional shares paid in cash), and dividends
are paid in cash in Raw and SplitAdjusted modes (LEAN_SEMANTICS 1.7).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from backtesting.engine.data.corporate import CorporateEvent, FactorFile, MapFile
from backtesting.engine.data.enums import DataNormalizationMode, SecurityType
from backtesting.engine.data.slice import Delisting, Dividend, Split


class CorporateActions:
    def __init__(self, events: list[tuple[date, Any, Any]]) -> None:
        self._events = sorted(events, key=lambda e: (e[0], str(e[1].symbol)))
        self._next = 0

    @classmethod
    def for_securities(cls, algorithm: Any, data_dir: Path) -> CorporateActions | None:
        events: list[tuple[date, Any, Any]] = []
        for security in algorithm.securities.values():
            if security.symbol.security_type != SecurityType.EQUITY:
                continue
            for event in FactorFile.read(data_dir, security.symbol.value).events():
                day = event.row_date
                hours = security.exchange_hours
                effective = _next_trading_day(hours, day)
                events.append((effective, security, event))
            delisted = MapFile.read(data_dir, security.symbol.value).delisting_date
            if delisted is not None:
                hours = security.exchange_hours
                events.append(
                    (delisted, security, CorporateEvent("delisting-warning", delisted, 0.0, 0.0))
                )
                events.append(
                    (
                        _next_trading_day(hours, delisted),
                        security,
                        CorporateEvent("delisted", delisted, 0.0, 0.0),
                    )
                )
        return cls(events) if events else None

    def next_time(self) -> datetime:
        """Midnight of the next effective date (``datetime.max`` when none is left): the
        loop calls :meth:`apply` only from then on."""
        if self._next >= len(self._events):
            return datetime.max
        day = self._events[self._next][0]
        return datetime(day.year, day.month, day.day)

    def event_times(self) -> list[int]:
        """Midnight (algorithm time, ns) of every effective date: the feed adds a step there."""
        from backtesting.engine.feed.subscription import to_ns

        return sorted({to_ns(datetime(d.year, d.month, d.day)) for d, _s, _e in self._events})

    def apply(self, algorithm: Any, data: Any, now: datetime) -> None:
        today = now.date()
        splits, dividends, delistings = {}, {}, {}
        while self._next < len(self._events) and self._events[self._next][0] <= today:
            effective, security, event = self._events[self._next]
            self._next += 1
            if effective < today:
                continue
            mode = security.data_normalization_mode
            if event.kind.startswith("delist"):
                warning = event.kind == "delisting-warning"
                kind = Delisting.WARNING if warning else Delisting.DELISTED
                delistings[security.symbol] = Delisting(security.symbol, now, security.price, kind)
                if not warning:
                    _delist(algorithm, security, now)
            elif event.kind == "split":
                split = Split(
                    security.symbol, now, event.reference_price, event.value, Split.SPLIT_OCCURRED
                )
                splits[security.symbol] = split
                if mode == DataNormalizationMode.RAW:
                    _apply_split(algorithm, security, event.value)
            else:
                dividend = Dividend(security.symbol, now, event.value, event.reference_price)
                dividends[security.symbol] = dividend
                if mode in (DataNormalizationMode.RAW, DataNormalizationMode.SPLIT_ADJUSTED):
                    algorithm.portfolio.cash += security.holdings.quantity * event.value
        if splits:
            algorithm.on_splits(data.add_events("splits", splits))
        if dividends:
            algorithm.on_dividends(data.add_events("dividends", dividends))
        if delistings:
            algorithm.on_delistings(data.add_events("delistings", delistings))


def _apply_split(algorithm: Any, security: Any, ratio: float) -> None:
    """Raw mode: quantity / ratio (whole shares kept, the fraction paid in cash)."""
    h = security.holdings
    if not h.quantity:
        return
    new_quantity = h.quantity / ratio
    whole = float(int(new_quantity))
    fraction = new_quantity - whole
    h.average_price *= ratio
    h.quantity = whole
    # prices are pre-split until the next bar: move the cached prices to post-split terms,
    # then pay the fractional share at that price (LEAN's ApplySplit)
    cache = security.cache
    cache.price *= ratio
    cache.open, cache.high, cache.low, cache.close = (
        cache.open * ratio,
        cache.high * ratio,
        cache.low * ratio,
        cache.close * ratio,
    )
    algorithm.portfolio.cash += fraction * cache.price
    for order in algorithm.transactions.get_open_orders(security.symbol):
        order.quantity = float(int(order.quantity / ratio))
        for name in ("limit_price", "stop_price", "trigger_price"):
            value = getattr(order, name)
            if value:
                setattr(order, name, round(value * ratio, 2))


def _delist(algorithm: Any, security: Any, now: datetime) -> None:
    """The day after the delisting date: cancel open orders, close the position at the
    last price (LEAN liquidates delisted holdings), and stop trading the security."""
    from decimal import Decimal

    algorithm.transactions.cancel_open_orders(security.symbol)
    quantity = security.holdings.quantity
    if quantity:
        algorithm.portfolio.process_fill(security, now, security.price, -quantity, Decimal(0))
    security.is_delisted = True
    security.is_tradable = False


def _next_trading_day(hours: Any, day: date) -> date:
    from datetime import timedelta

    day += timedelta(days=1)
    while not hours.is_date_open(day):
        day += timedelta(days=1)
    return day
