"""``SubmitOrderRequest`` for ``transactions.add_order`` (LEAN's low-level order entry).

LEAN's constructors take ``(order_type, security_type, symbol, quantity, stop_price,
limit_price, [trigger_price,] time, tag, [properties], asynchronous=...)``; the optional
trigger price is recognised by position (a number where the others pass the time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backtesting.engine.brokerage.orders import Order, OrderProperties


class SubmitOrderRequest:
    def __init__(
        self,
        order_type: int,
        security_type: int,
        symbol: Any,
        quantity: float,
        stop_price: float = 0.0,
        limit_price: float = 0.0,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        rest = list(args)
        trigger_price = 0.0
        if rest and isinstance(rest[0], (int, float)) and not isinstance(rest[0], bool):
            trigger_price = float(rest.pop(0))
        self.order_type = order_type
        self.security_type = security_type
        self.symbol = symbol
        self.quantity = quantity
        self.stop_price = stop_price
        self.limit_price = limit_price
        self.trigger_price = kwargs.get("trigger_price", trigger_price)
        self.time: datetime | None = rest.pop(0) if rest else kwargs.get("time")
        self.tag: str = rest.pop(0) if rest else kwargs.get("tag", "")
        self.order_properties = rest.pop(0) if rest else kwargs.get("properties")
        self.asynchronous = bool(kwargs.get("asynchronous", False))


def order_from_request(request: SubmitOrderRequest, order_id: int, now: datetime) -> Order:
    return Order(
        order_id,
        request.symbol,
        float(request.quantity),
        request.order_type,
        now,
        limit_price=request.limit_price or None,
        stop_price=request.stop_price or None,
        tag=request.tag or "",
        properties=request.order_properties or OrderProperties(),
        trigger_price=request.trigger_price or None,
    )
