"""``SubmitOrderRequest`` for ``transactions.add_order`` (LEAN's low-level order entry)."""

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
        time: datetime | None = None,
        tag: str = "",
        properties: Any = None,
        trigger_price: float = 0.0,
        *_: Any,
    ) -> None:
        self.order_type = order_type
        self.security_type = security_type
        self.symbol = symbol
        self.quantity = quantity
        self.stop_price = stop_price
        self.limit_price = limit_price
        self.trigger_price = trigger_price
        self.time = time
        self.tag = tag
        self.order_properties = properties


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
