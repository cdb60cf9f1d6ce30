"""Turn one row of a subscription's arrays into LEAN data objects (real or fill-forward)."""

from __future__ import annotations

import math
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
