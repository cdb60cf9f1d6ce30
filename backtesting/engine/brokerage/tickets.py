"""Order tickets: the handle an algorithm gets back for each order (LEAN's OrderTicket)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backtesting.engine.brokerage.orders import (
    CLOSED_STATUSES,
    Order,
    OrderEvent,
    OrderStatus,
)

if TYPE_CHECKING:
    from backtesting.engine.brokerage.transactions import TransactionManager


class OrderField:
    LIMIT_PRICE = 0
    STOP_PRICE = 1
    TRIGGER_PRICE = 2
    TRAILING_AMOUNT = 3
    LimitPrice, StopPrice, TriggerPrice, TrailingAmount = 0, 1, 2, 3


class OrderResponseErrorCode:
    NONE = 0
    INVALID_ORDER_STATUS = -7
    ORDER_QUANTITY_ZERO = -9
    INSUFFICIENT_BUYING_POWER = -3
    NONE_ = 0


class OrderResponse:
    """Outcome of a submit/update/cancel request."""

    def __init__(self, order_id: int, error_code: int = 0, message: str = "") -> None:
        self.order_id = order_id
        self.error_code = error_code
        self.error_message = message
        self.is_success = error_code == 0
        self.is_error = not self.is_success


class UpdateOrderFields:
    """Fields to change on an open order; ``None`` means unchanged."""

    def __init__(
        self,
        quantity: float | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
        trigger_price: float | None = None,
        trailing_amount: float | None = None,
        tag: str | None = None,
    ) -> None:
        self.quantity = quantity
        self.limit_price = limit_price
        self.stop_price = stop_price
        self.trigger_price = trigger_price
        self.trailing_amount = trailing_amount
        self.tag = tag


class _SubmitRequestView:
    """``ticket.submit_request``: backtests always submit synchronously."""

    asynchronous = False


class OrderTicket:
    """Track, update or cancel one order. ``asynchronous`` is always False in backtests."""

    __slots__ = ("_manager", "_order", "order_events", "submit_error", "_invalid_status")
    asynchronous = False
    submit_request = _SubmitRequestView()  # (stateless: one for every ticket)

    def __init__(
        self, manager: TransactionManager | None, order: Order | None, error: str = ""
    ) -> None:
        self._manager = manager
        self._order = order
        self.order_events: list[OrderEvent] = []
        self.submit_error = error
        self._invalid_status = OrderStatus.INVALID if order is None else None

    @property
    def order_id(self) -> int:
        return self._order.id if self._order else 0

    @property
    def symbol(self) -> Any:
        return self._order.symbol if self._order else None

    @property
    def quantity(self) -> float:
        return self._order.quantity if self._order else 0.0

    @property
    def order_type(self) -> int:
        return self._order.type if self._order else 0

    @property
    def status(self) -> int:
        return self._order.status if self._order else OrderStatus.INVALID

    @property
    def time(self) -> Any:
        return self._order.time if self._order else None

    @property
    def tag(self) -> str:
        return self._order.tag if self._order else ""

    @property
    def quantity_filled(self) -> float:
        return self._order.filled_quantity if self._order else 0.0

    @property
    def average_fill_price(self) -> float:
        return self._order.price if self._order else 0.0

    def get(self, field: int) -> float:
        order = self._order
        if order is None:
            return 0.0
        return {
            OrderField.LIMIT_PRICE: order.limit_price,
            OrderField.STOP_PRICE: order.stop_price,
            OrderField.TRIGGER_PRICE: order.trigger_price,
            OrderField.TRAILING_AMOUNT: order.trailing_amount,
        }.get(field) or 0.0

    def update(self, fields: UpdateOrderFields) -> OrderResponse:
        if self._manager is None or self._order is None:
            return OrderResponse(0, OrderResponseErrorCode.INVALID_ORDER_STATUS, "invalid order")
        return self._manager.update_order(self._order, fields)

    def update_limit_price(self, price: float, tag: str | None = None) -> OrderResponse:
        return self.update(UpdateOrderFields(limit_price=price, tag=tag))

    def update_stop_price(self, price: float, tag: str | None = None) -> OrderResponse:
        return self.update(UpdateOrderFields(stop_price=price, tag=tag))

    def update_trigger_price(self, price: float, tag: str | None = None) -> OrderResponse:
        return self.update(UpdateOrderFields(trigger_price=price, tag=tag))

    def update_quantity(self, quantity: float, tag: str | None = None) -> OrderResponse:
        return self.update(UpdateOrderFields(quantity=quantity, tag=tag))

    def update_tag(self, tag: str) -> OrderResponse:
        return self.update(UpdateOrderFields(tag=tag))

    def cancel(self, tag: str | None = None) -> OrderResponse:
        if self._manager is None or self._order is None:
            return OrderResponse(0, OrderResponseErrorCode.INVALID_ORDER_STATUS, "invalid order")
        return self._manager.cancel_order(self._order.id, tag)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def __repr__(self) -> str:
        return f"OrderTicket({self._order!r})"
