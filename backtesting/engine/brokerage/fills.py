"""LEAN's default fill models: EquityFillModel for equities, ImmediateFillModel otherwise.

Contract (LEAN's IFillModel): one method per order type, ``market_fill(asset, order)``,
``limit_fill(asset, order)``, ... returning an OrderEvent whose status is Filled (with
``fill_price`` and ``fill_quantity``) or None when the order keeps waiting. Users subclass
and override any of them, LEAN style. The engine calls ``fill(security, order, now)``,
which dispatches to those methods and returns a :class:`Fill` or None. A model never
mutates cash or holdings; it may set the order's ``stop_triggered`` / ``trigger_touched``
flags and move a trailing stop, as LEAN's models do. Prices are the security's cached
(non fill-forward) data; ``now`` is the algorithm's (exchange) time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backtesting.engine.brokerage.orders import (
    Order,
    OrderDirection,
    OrderEvent,
    OrderStatus,
    OrderType,
)
from backtesting.engine.data.enums import SecurityType

_HOUR = timedelta(hours=1)
#: data older than this is stale (LEAN's Settings.StalePriceTimeSpan)
STALE_PRICE_SPAN = timedelta(hours=1)


@dataclass(slots=True)
class Fill:
    price: float
    quantity: float
    message: str = ""


@dataclass(slots=True)
class Prices:
    end_time: datetime
    current: float
    open: float
    high: float
    low: float
    close: float


def _is_open_now(security: Any, now: datetime, extended: bool = False) -> bool:
    """LEAN's IsExchangeOpen: open now, or the latest bar (same date) lies in a session.

    The fallback lets a bar that ends exactly at the close (16:00) still fill orders.
    """
    hours = security.exchange_hours
    if hours.is_open(now, extended):
        return True
    bar = security.cache.trade_bar or security.cache.quote_bar
    if bar is None or bar.end_time.date() != now.date():
        return False
    return hours.is_open_span(bar.time, bar.end_time, extended)


def trade_bar_after(security: Any, order_time: datetime) -> Any:
    """Latest trade bar that ends after the order time (LEAN's GetBestEffortTradeBar)."""
    bar = security.cache.trade_bar
    if bar is None or bar.end_time <= order_time:
        return None
    return bar


def prices_for(security: Any, direction: int) -> Prices | None:
    """Quote side (ask for buys, bid for sells) when quotes exist and are newest, else trade."""
    quote = security.cache.quote_bar
    trade = security.cache.trade_bar
    if quote is not None:
        side = quote.ask if direction == OrderDirection.BUY else quote.bid
        if side is not None and (trade is None or quote.end_time >= trade.end_time):
            return Prices(quote.end_time, side.close, side.open, side.high, side.low, side.close)
    if trade is not None:
        return Prices(trade.end_time, trade.close, trade.open, trade.high, trade.low, trade.close)
    custom = security.cache.custom
    if custom is not None:
        v = custom.value
        return Prices(custom.end_time, v, v, v, v, v)
    return None


def best_effort_price(security: Any, direction: int) -> float:
    prices = prices_for(security, direction)
    return prices.current if prices else security.price


class FillModel:
    """LEAN's FillModel/EquityFillModel: one entry point, one rule per order type."""

    def fill(self, security: Any, order: Order, now: datetime) -> Fill | None:
        """Engine entry point: calls the LEAN-named method for the order type (so a user's
        subclass overriding ``market_fill(asset, order)`` is honoured) and converts the
        returned OrderEvent into a :class:`Fill`, or None when it did not fill."""
        self._now = now
        if order.type == OrderType.MARKET and _plain_market(type(self)):
            # the common case without the OrderEvent round trip LEAN's contract needs for
            # a user's override (a backtest's orders are mostly market orders)
            return FillModel._market(self, security, order, now)
        event = getattr(self, _LEAN_METHOD[order.type])(security, order)
        if event is None or event.status not in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED):
            return None
        return Fill(float(event.fill_price), float(event.fill_quantity), event.message)

    def _event(self, security: Any, order: Order, rule: Any) -> OrderEvent:
        now = getattr(self, "_now", None) or security.local_time
        result = rule(self, security, order, now)
        if result is None:
            return OrderEvent(order, now, OrderStatus.NONE)
        return OrderEvent(
            order, now, OrderStatus.FILLED, result.price, result.quantity, 0, result.message
        )

    # -- LEAN's IFillModel methods: (asset, order) -> OrderEvent ------------------------
    def market_fill(self, asset: Any, order: Order) -> OrderEvent:
        return self._event(asset, order, FillModel._market)

    def limit_fill(self, asset: Any, order: Order) -> OrderEvent:
        return self._event(asset, order, FillModel._limit)

    def stop_market_fill(self, asset: Any, order: Order) -> OrderEvent:
        return self._event(asset, order, FillModel._stop_market)

    def stop_limit_fill(self, asset: Any, order: Order) -> OrderEvent:
        return self._event(asset, order, FillModel._stop_limit)

    def market_on_open_fill(self, asset: Any, order: Order) -> OrderEvent:
        return self._event(asset, order, FillModel._market_on_open)

    def market_on_close_fill(self, asset: Any, order: Order) -> OrderEvent:
        return self._event(asset, order, FillModel._market_on_close)

    def limit_if_touched_fill(self, asset: Any, order: Order) -> OrderEvent:
        return self._event(asset, order, FillModel._limit_if_touched)

    def trailing_stop_fill(self, asset: Any, order: Order) -> OrderEvent:
        return self._event(asset, order, FillModel._trailing_stop)

    # -- the rules ---------------------------------------------------------------
    def _market(self, security: Any, order: Order, now: datetime) -> Fill | None:
        buy = order.quantity > 0  # (order.direction's rule)
        cache = security.cache
        if cache._row >= 0 and cache.quote_bar is None:
            # the common case: the step's trade bar is still a pending row (no quotes) and
            # prices_for would build it only to read its close and end time
            end_time = cache.ohlc_end
            price = cache._columns.close(cache._row)
        else:
            prices = prices_for(security, OrderDirection.BUY if buy else OrderDirection.SELL)
            price = prices.current if prices else security.price
            end_time = prices.end_time if prices else None
        if not price:
            return None
        if end_time is not None and now - end_time > STALE_PRICE_SPAN:
            # LEAN (2026): a market order on data older than an hour waits for a fresh bar
            return None
        if security.slippage_model is not None:
            slip = _slippage(security, order)
            price = price + slip if buy else price - slip
        return Fill(price, order.quantity)

    def _market_on_open(self, security: Any, order: Order, now: datetime) -> Fill | None:
        bar = security.cache.trade_bar
        if bar is None:
            if security.symbol.security_type == SecurityType.EQUITY:
                return None
            if not _is_open_now(security, now) or now <= order.time:
                return None
            return self._market(security, order, now)
        if bar.time < order.time:
            return None
        if bar.period < _HOUR and not security.exchange_hours.is_open(bar.time, False):
            return None
        if order.time >= bar.end_time:
            return None
        if order.submitted_during_market and order.time.date() == bar.end_time.date():
            return None
        if not _is_open_now(security, now):
            return None
        return Fill(bar.open, order.quantity)

    def _market_on_close(self, security: Any, order: Order, now: datetime) -> Fill | None:
        close = security.exchange_hours.next_market_close(order.time, False)
        if now < close:
            return None
        price = security.cache.trade_bar.close if security.cache.trade_bar else security.price
        return Fill(price, order.quantity)

    def _limit(self, security: Any, order: Order, now: datetime) -> Fill | None:
        if not _is_open_now(security, now, security.is_extended_market_hours):
            return None
        bar = trade_bar_after(security, order.time)
        if bar is None:
            return None
        limit = order.limit_price
        if order.direction == OrderDirection.BUY and bar.low < limit:
            return Fill(bar.open if bar.open < limit else limit, order.quantity)
        if order.direction == OrderDirection.SELL and bar.high > limit:
            return Fill(bar.open if bar.open > limit else limit, order.quantity)
        return None

    def _stop_market(self, security: Any, order: Order, now: datetime) -> Fill | None:
        if not _is_open_now(security, now):
            return None
        bar = trade_bar_after(security, order.time)
        if bar is None:
            return None
        stop = order.stop_price
        if order.direction == OrderDirection.SELL and bar.low <= stop:
            return Fill(bar.open if bar.open <= stop else stop, order.quantity)
        if order.direction == OrderDirection.BUY and bar.high >= stop:
            return Fill(bar.open if bar.open >= stop else stop, order.quantity)
        return None

    def _stop_limit(self, security: Any, order: Order, now: datetime) -> Fill | None:
        if not _is_open_now(security, now, security.is_extended_market_hours):
            return None
        p = prices_for(security, order.direction)
        if p is None or p.end_time <= order.time:
            return None
        if order.direction == OrderDirection.BUY:
            if p.high > order.stop_price or order.stop_triggered:
                order.stop_triggered = True
                if p.current < order.limit_price:
                    return Fill(min(p.high, order.limit_price), order.quantity)
        else:
            if p.low < order.stop_price or order.stop_triggered:
                order.stop_triggered = True
                if p.current > order.limit_price:
                    return Fill(max(p.low, order.limit_price), order.quantity)
        return None

    def _limit_if_touched(self, security: Any, order: Order, now: datetime) -> Fill | None:
        if not _is_open_now(security, now, security.is_extended_market_hours):
            return None
        bar = trade_bar_after(security, order.time)
        if bar is None:
            return None
        if order.direction == OrderDirection.BUY:
            if bar.low <= order.trigger_price or order.trigger_touched:
                order.trigger_touched = True
                ask = best_effort_price(security, OrderDirection.BUY)
                if ask <= order.limit_price:
                    return Fill(min(ask, order.limit_price), order.quantity)
        else:
            if bar.high >= order.trigger_price or order.trigger_touched:
                order.trigger_touched = True
                bid = best_effort_price(security, OrderDirection.SELL)
                if bid >= order.limit_price:
                    return Fill(max(bid, order.limit_price), order.quantity)
        return None

    def _trailing_stop(self, security: Any, order: Order, now: datetime) -> Fill | None:
        if not _is_open_now(security, now):
            return None
        p = prices_for(security, order.direction)
        if p is None or p.end_time <= order.time:
            return None
        if order.direction == OrderDirection.SELL and p.low <= order.stop_price:
            return Fill(min(order.stop_price, p.current), order.quantity)
        if order.direction == OrderDirection.BUY and p.high >= order.stop_price:
            return Fill(max(order.stop_price, p.current), order.quantity)
        reference = p.high if order.direction == OrderDirection.SELL else p.low
        new_stop = trailing_stop_price(
            reference, order.trailing_amount or 0.0, order.trailing_as_percentage, order.direction
        )
        if order.direction == OrderDirection.SELL and new_stop > order.stop_price:
            order.stop_price = new_stop
        elif order.direction == OrderDirection.BUY and new_stop < order.stop_price:
            order.stop_price = new_stop
        return None


def trailing_stop_price(
    reference: float, amount: float, as_percentage: bool, direction: int
) -> float:
    """Stop price at ``amount`` (or ``amount`` x price) away from the reference price."""
    offset = reference * amount if as_percentage else amount
    return reference - offset if direction == OrderDirection.SELL else reference + offset


def _plain_market(model: type) -> bool:
    """True when ``model`` fills market orders with FillModel's own rule."""
    return model.market_fill is FillModel.market_fill and model._market is FillModel._market


def _slippage(security: Any, order: Order) -> float:
    model = security.slippage_model
    if model is None:
        return 0.0
    return float(model.get_slippage_approximation(security, order))


class ImmediateFillModel(FillModel):
    """LEAN's ImmediateFillModel (FX, crypto): same rules priced from quotes when present."""


_LEAN_METHOD = {
    OrderType.MARKET: "market_fill",
    OrderType.LIMIT: "limit_fill",
    OrderType.STOP_MARKET: "stop_market_fill",
    OrderType.STOP_LIMIT: "stop_limit_fill",
    OrderType.MARKET_ON_OPEN: "market_on_open_fill",
    OrderType.MARKET_ON_CLOSE: "market_on_close_fill",
    OrderType.LIMIT_IF_TOUCHED: "limit_if_touched_fill",
    OrderType.TRAILING_STOP: "trailing_stop_fill",
}

EquityFillModel = FillModel
