"""The transaction handler + simulated brokerage (LEAN's BacktestingTransactionHandler and
BacktestingBrokerage, synchronous on the algorithm's thread).

Market orders are filled the moment they are submitted; every other order is first
checked on the next time step (``scan``), before and after ``on_data``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from backtesting.engine.brokerage.fees import fee_amount
from backtesting.engine.brokerage.fills import Fill
from backtesting.engine.brokerage.orders import (
    CLOSED_STATUSES,
    ORDER_STATUS_NAME,
    MarketOnCloseOrder,
    Order,
    OrderEvent,
    OrderStatus,
    OrderType,
    iso_time,
)
from backtesting.engine.brokerage.tickets import (
    OrderResponse,
    OrderResponseErrorCode,
    OrderTicket,
    UpdateOrderFields,
)
from backtesting.engine.portfolio.portfolio import Portfolio


class OrderQuotaExceeded(Exception):
    """An order past the backtest's order quota; the run ends as a runtime error."""


class Brokerage(Protocol):
    """Orders in, fills out (LEAN's IBrokerage as the backtest uses it).

    ``submit`` places an order (filling market orders immediately when prices allow),
    ``scan`` re-evaluates pending orders at the current time; both report through the
    events callback. Live trading would replace this with a real brokerage adapter.
    """

    def submit(self, order: Order) -> OrderTicket: ...

    def scan(self) -> None: ...


class TransactionManager:
    """Order book, tickets and fills; ``algorithm.transactions`` in LEAN's API."""

    def __init__(
        self,
        portfolio: Portfolio,
        securities: dict[Any, Any],
        now: Callable[[], datetime],
        on_event: Callable[[OrderEvent, Order], None],
    ) -> None:
        self._portfolio = portfolio
        self._securities = securities
        self._now = now
        self._on_event = on_event
        self._orders: dict[int, Order] = {}
        self._tickets: dict[int, OrderTicket] = {}
        self._open: list[Order] = []
        self._next_id = 1
        #: the platform's per-backtest order quota (None = unlimited) and its sentence
        self.order_limit: int | None = None
        self.order_limit_message = ""
        self.step = 0
        self._submitted_step: dict[int, int] = {}

    @property
    def market_on_close_buffer(self) -> timedelta:
        return MarketOnCloseOrder.submission_time_buffer

    # -- LEAN's read API -----------------------------------------------------
    @property
    def orders_count(self) -> int:
        return len(self._orders)

    def get_order_by_id(self, order_id: int) -> Order | None:
        return self._orders.get(order_id)

    def get_order_ticket(self, order_id: int) -> OrderTicket | None:
        return self._tickets.get(order_id)

    def get_order_tickets(
        self, predicate: Callable[[OrderTicket], bool] | None = None
    ) -> list[OrderTicket]:
        tickets = list(self._tickets.values())
        return [t for t in tickets if predicate(t)] if predicate else tickets

    def get_open_order_tickets(self, symbol: Any = None) -> list[OrderTicket]:
        return [self._tickets[o.id] for o in self.get_open_orders(symbol)]

    def get_orders(self, predicate: Callable[[Order], bool] | None = None) -> list[Order]:
        orders = list(self._orders.values())
        return [o for o in orders if predicate(o)] if predicate else orders

    def get_open_orders(self, symbol: Any = None) -> list[Order]:
        if callable(symbol) and not isinstance(symbol, str):
            return [o for o in self._open if symbol(o)]
        return [o for o in self._open if symbol is None or o.symbol == symbol]

    def get_open_orders_remaining_quantity(self, symbol: Any = None) -> float:
        return sum(o.quantity - o.filled_quantity for o in self.get_open_orders(symbol))

    def cancel_open_orders(self, symbol: Any = None, tag: str | None = None) -> list[OrderResponse]:
        return [self.cancel_order(o.id, tag) for o in list(self.get_open_orders(symbol))]

    # -- requests ------------------------------------------------------------
    def add_order(self, request: Any) -> OrderTicket:
        """LEAN's ``transactions.add_order(SubmitOrderRequest(...))``."""
        from backtesting.engine.brokerage.requests import order_from_request

        return self.submit(order_from_request(request, self._next_id, self._now()))

    def new_order_id(self) -> int:
        return self._next_id

    def submit(self, order: Order) -> OrderTicket:
        """Accept an order (assigning its id), emit Submitted and fill market orders now.

        The order past the quota is rejected: it gets no id and ends the run."""
        if self.order_limit is not None and self._next_id > self.order_limit:
            raise OrderQuotaExceeded(
                self.order_limit_message or f"Order quota reached: {self.order_limit:,} orders"
            )
        order.id = self._next_id
        self._next_id += 1
        self._orders[order.id] = order
        ticket = OrderTicket(self, order)
        self._tickets[order.id] = ticket
        security = self._securities[order.symbol]
        order.submitted_during_market = security.exchange_hours.is_open(order.time, False)
        order.status = OrderStatus.SUBMITTED
        now = self._now()
        self._emit(order, OrderEvent(order, now, OrderStatus.SUBMITTED))
        if not self._has_buying_power(security, order):
            order.status = OrderStatus.INVALID
            message = (
                f"Order Error: id: {order.id}, Insufficient buying power to complete order "
                f"(Value:{order.value(security.price):.2f})."
            )
            self._emit(order, OrderEvent(order, now, OrderStatus.INVALID, message=message))
            return ticket
        self._open.append(order)
        self._submitted_step[order.id] = self.step
        if order.type == OrderType.MARKET:
            self._try_fill(order, security, now)
        return ticket

    def update_order(self, order: Order, fields: UpdateOrderFields) -> OrderResponse:
        if order.status in CLOSED_STATUSES:
            return OrderResponse(
                order.id,
                OrderResponseErrorCode.INVALID_ORDER_STATUS,
                f"Unable to update order with id {order.id} and status {ORDER_STATUS_NAME[order.status]}",
            )
        if fields.quantity is not None and float(fields.quantity) == 0:
            return OrderResponse(
                order.id,
                OrderResponseErrorCode.ORDER_QUANTITY_ZERO,
                f"Unable to update order with id {order.id} to zero quantity",
            )
        if fields.quantity is not None:
            order.quantity = float(fields.quantity)
        if fields.limit_price is not None:
            order.limit_price = fields.limit_price
        if fields.stop_price is not None:
            order.stop_price = fields.stop_price
        if fields.trigger_price is not None:
            order.trigger_price = fields.trigger_price
        if fields.trailing_amount is not None:
            order.trailing_amount = fields.trailing_amount
        if fields.tag is not None:
            order.tag = fields.tag
        order.last_update_time = self._now()
        self._emit(order, OrderEvent(order, self._now(), OrderStatus.UPDATE_SUBMITTED))
        return OrderResponse(order.id)

    def cancel_order(self, order_id: int, tag: str | None = None) -> OrderResponse:
        order = self._orders.get(order_id)
        if order is None or order.status in CLOSED_STATUSES:
            return OrderResponse(
                order_id, OrderResponseErrorCode.INVALID_ORDER_STATUS, "order is closed"
            )
        if tag is not None:
            order.tag = tag
        self._close(order, OrderStatus.CANCELED)
        order.canceled_time = self._now()
        self._emit(order, OrderEvent(order, self._now(), OrderStatus.CANCELED))
        return OrderResponse(order_id)

    # -- the simulated brokerage ----------------------------------------------
    def scan(self) -> None:
        """Try every open order not submitted on this time step; expire DAY/GTD orders."""
        if not self._open:
            return
        now = self._now()
        for order in list(self._open):
            if order.status in CLOSED_STATUSES or self._submitted_step.get(order.id) == self.step:
                continue
            if self._expired(order, now):
                self._close(order, OrderStatus.CANCELED)
                self._emit(
                    order, OrderEvent(order, now, OrderStatus.CANCELED, message="Order expired")
                )
                continue
            self._try_fill(order)

    def _try_fill(self, order: Order, security: Any = None, now: datetime | None = None) -> None:
        """(``security`` and ``now``: the order's and the time, when the caller has them)"""
        if security is None:
            security = self._securities[order.symbol]
        if now is None:
            now = self._now()
        model = security.fill_model
        if hasattr(model, "fill"):
            fill = model.fill(security, order, now)
        else:  # a user's LEAN-style fill model returning an OrderEvent
            fill = _call_user_fill_model(model, security, order)
        if fill is None or not fill.quantity:
            return
        fee = fee_amount(security.fee_model, security, order)
        self._portfolio.process_fill(security, now, fill.price, fill.quantity, fee)
        order.filled_quantity += fill.quantity
        order.price = fill.price
        order.last_fill_time = now
        status = (
            OrderStatus.FILLED
            if order.filled_quantity == order.quantity
            else OrderStatus.PARTIALLY_FILLED
        )
        if status == OrderStatus.FILLED:
            self._close(order, status)
        else:
            order.status = status
        self._emit(
            order, OrderEvent(order, now, status, fill.price, fill.quantity, fee, fill.message)
        )

    def _close(self, order: Order, status: int) -> None:
        order.status = status
        open_orders = self._open
        if open_orders and open_orders[-1] is order:  # (a market order, filled at once)
            open_orders.pop()
        elif order in open_orders:
            open_orders.remove(order)

    def _expired(self, order: Order, now: datetime) -> bool:
        tif = order.time_in_force
        if tif.kind == "GTC":
            return False
        hours = self._securities[order.symbol].exchange_hours
        if tif.kind == "DAY":
            close = hours.next_market_close(order.time, False)
            return now > close or (now.date() != order.time.date() and now >= close)
        expiry = tif.expiry
        if now.date() > expiry:
            return True
        if now.date() == expiry:
            closing = hours.regular_hours(expiry)
            return closing is not None and now > closing[1]
        return False

    def _has_buying_power(self, security: Any, order: Order) -> bool:
        """Margin-account check: the order's added margin must fit in the margin remaining."""
        price = security.price
        if not price:
            return True
        holding = security.holdings.quantity
        if (
            holding
            and (holding > 0) != (order.quantity > 0)
            and abs(order.quantity) <= abs(holding)
        ):
            return True  # reducing a position always fits
        leverage = security.leverage or 1.0
        mult = security.symbol_properties.contract_multiplier
        opening = abs(order.quantity) - (
            abs(holding) if holding and (holding > 0) != (order.quantity > 0) else 0
        )
        required = opening * price * mult / leverage
        pending = (
            sum(
                abs(o.quantity - o.filled_quantity)
                * (self._securities[o.symbol].price or 0)
                / (self._securities[o.symbol].leverage or 1.0)
                for o in self._open
                if o is not order and o.type != OrderType.MARKET
            )
            if self._open
            else 0
        )
        return self._portfolio.margin_remaining - pending >= required - 1e-9

    def _emit(self, order: Order, event: OrderEvent) -> None:
        ticket = self._tickets.get(order.id)
        if ticket is not None:
            event.id = len(ticket.order_events) + 1
            ticket.order_events.append(event)
        self._on_event(event, order)


def _call_user_fill_model(model: Any, security: Any, order: Order) -> Fill | None:
    name = {
        OrderType.MARKET: "market_fill",
        OrderType.LIMIT: "limit_fill",
        OrderType.STOP_MARKET: "stop_market_fill",
        OrderType.STOP_LIMIT: "stop_limit_fill",
        OrderType.MARKET_ON_OPEN: "market_on_open_fill",
        OrderType.MARKET_ON_CLOSE: "market_on_close_fill",
        OrderType.LIMIT_IF_TOUCHED: "limit_if_touched_fill",
        OrderType.TRAILING_STOP: "trailing_stop_fill",
    }[order.type]
    event = getattr(model, name)(security, order)
    if event is None or event.status not in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED):
        return None
    return Fill(float(event.fill_price), float(event.fill_quantity), event.message)


def order_event_payload(event: OrderEvent, order: Order) -> dict[str, Any]:
    """The sink's ``order_event`` dict (see results/sink.py)."""
    fee = event.order_fee.value.amount
    state = order.to_dict()
    return {
        "type": "order_event",
        "time": iso_time(event.time),
        "order_id": event.order_id,
        "symbol": state["symbol"] if event.symbol is order.symbol else str(event.symbol),
        "status": ORDER_STATUS_NAME[event.status],
        "direction": state["direction"],
        "quantity": order.quantity,
        "fill_quantity": event.fill_quantity,
        "fill_price": event.fill_price,
        "fee": float(fee) if isinstance(fee, Decimal) else fee,
        "message": event.message,
        "order": state,
    }
