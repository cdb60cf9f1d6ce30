"""Turn one row of a subscription's arrays into LEAN data objects (real or fill-forward)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from backtesting.engine.data.bars import Bar, QuoteBar, TradeBar
from backtesting.engine.feed.subscription import Subscription, from_ns


def make_bar(sub: Subscription, row: int, end: datetime, fill_forward: bool) -> Any:
    """The bar of ``row`` ending at ``end``; a fill-forward copy is flat at the close."""
    config = sub.config
    kind = config.kind
    if kind == "custom":
        point = sub.custom[row]  # type: ignore[index]
        if fill_forward:
            point = point.clone() if hasattr(point, "clone") else point
            point.is_fill_forward = True
        return point
    period = config.period
    start = from_ns(int(sub.start[row])) if not fill_forward else end - period
    if not fill_forward and config.resolution == 4:
        start = from_ns(int(sub.start[row]))
    v = sub.values[row]
    if kind == "trade":
        if fill_forward:
            c = float(v[3])
            bar = TradeBar(start, config.symbol, c, c, c, c, 0.0, end_time=end)
            bar.is_fill_forward = True
            return bar
        return TradeBar(
            start,
            config.symbol,
            float(v[0]),
            float(v[1]),
            float(v[2]),
            float(v[3]),
            float(v[4]),
            end_time=end,
        )
    bid = None if math.isnan(v[0]) else _side(v[0:4], fill_forward)
    ask = None if math.isnan(v[5]) else _side(v[5:9], fill_forward)
    bar = QuoteBar(start, config.symbol, bid, _size(v[4]), ask, _size(v[9]), end_time=end)
    bar.is_fill_forward = fill_forward
    return bar


def _side(values: Any, fill_forward: bool) -> Bar:
    if fill_forward:
        c = float(values[3])
        return Bar(c, c, c, c)
    return Bar(float(values[0]), float(values[1]), float(values[2]), float(values[3]))


def _size(value: float) -> float:
    return 0.0 if math.isnan(value) else float(value)


def bar_factory(
    sub: Subscription, first_row: int = 0, stop_row: int | None = None
) -> Callable[[int, datetime, bool], Any]:
    """A fast ``make(row, end, fill_forward)`` for rows ``[first_row, stop_row)`` of one
    subscription (the loop's hot path): those rows become Python lists once, and bars are
    built without keyword parsing."""
    config = sub.config
    if config.kind == "custom":
        return lambda row, end, ff: make_bar(sub, row, end, ff)
    symbol = config.symbol
    period = config.period
    stop = len(sub) if stop_row is None else stop_row
    offset = first_row
    rows = sub.values[first_row:stop].tolist()
    daily_starts = (
        [from_ns(int(t)) for t in sub.start[first_row:stop]] if config.resolution == 4 else None
    )
    new = object.__new__
    if config.kind == "trade":
        trade_type = TradeBar

        def make_trade(row: int, end: datetime, ff: bool) -> TradeBar:
            v = rows[row - offset]
            bar = new(trade_type)
            bar.symbol = symbol
            bar.end_time = end
            if ff:
                bar.time = end - period
                c = v[3]
                bar.open = bar.high = bar.low = bar.close = bar.value = c
                bar.volume = 0.0
                bar.is_fill_forward = True
            else:
                bar.time = daily_starts[row - offset] if daily_starts is not None else end - period
                bar.open, bar.high, bar.low, bar.close, bar.volume = v
                bar.value = v[3]
                bar.is_fill_forward = False
            return bar

        return make_trade

    def make_quote(row: int, end: datetime, ff: bool) -> QuoteBar:
        start = end - period if ff or daily_starts is None else daily_starts[row - offset]
        return _quote(rows[row - offset], symbol, start, end, ff)

    return make_quote


def _quote(v: list[float], symbol: Any, start: datetime, end: datetime, ff: bool) -> QuoteBar:
    bid = (
        None
        if v[0] != v[0]
        else (Bar(v[3], v[3], v[3], v[3]) if ff else Bar(v[0], v[1], v[2], v[3]))
    )
    ask = (
        None
        if v[5] != v[5]
        else (Bar(v[8], v[8], v[8], v[8]) if ff else Bar(v[5], v[6], v[7], v[8]))
    )
    bar = QuoteBar(
        start,
        symbol,
        bid,
        0.0 if v[4] != v[4] else v[4],
        ask,
        0.0 if v[9] != v[9] else v[9],
        end_time=end,
    )
    bar.is_fill_forward = ff
    return bar
