"""Order types, statuses and events with LEAN's names (``OrderType.LIMIT``, ``OrderStatus.FILLED``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any


class OrderType:
    MARKET = 0
    LIMIT = 1
    STOP_MARKET = 2
    STOP_LIMIT = 3
    MARKET_ON_OPEN = 4
    MARKET_ON_CLOSE = 5
    LIMIT_IF_TOUCHED = 11
    TRAILING_STOP = 16
    Market, Limit, StopMarket, StopLimit = 0, 1, 2, 3
    MarketOnOpen, MarketOnClose, LimitIfTouched, TrailingStop = 4, 5, 11, 16


ORDER_TYPE_NAME = {
    0: "Market",
    1: "Limit",
    2: "StopMarket",
    3: "StopLimit",
    4: "MarketOnOpen",
    5: "MarketOnClose",
    11: "LimitIfTouched",
    16: "TrailingStop",
}


class OrderStatus:
    NEW = 0
    SUBMITTED = 1
    PARTIALLY_FILLED = 2
    FILLED = 3
    CANCELED = 5
    NONE = 6
    INVALID = 7
    CANCEL_PENDING = 8
    UPDATE_SUBMITTED = 9
    New, Submitted, PartiallyFilled, Filled = 0, 1, 2, 3
    Canceled, Invalid, CancelPending, UpdateSubmitted = 5, 7, 8, 9


ORDER_STATUS_NAME = {
    0: "New",
    1: "Submitted",
    2: "PartiallyFilled",
    3: "Filled",
    5: "Canceled",
    6: "None",
    7: "Invalid",
    8: "CancelPending",
    9: "UpdateSubmitted",
}
CLOSED_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.INVALID})


class OrderDirection:
    BUY = 0
    SELL = 1
    HOLD = 2
    Buy, Sell, Hold = 0, 1, 2


DIRECTION_NAME = {0: "Buy", 1: "Sell", 2: "Hold"}


class TimeInForce:
    """GTC (default), DAY, or ``TimeInForce.GOOD_TIL_DATE(date)``."""

    def __init__(self, kind: str, expiry: date | None = None) -> None:
        self.kind = kind
        self.expiry = expiry

    @staticmethod
    def GOOD_TIL_DATE(expiry: date | datetime) -> TimeInForce:  # noqa: N802  # LEAN's name
        if isinstance(expiry, datetime):
            expiry = expiry.date()
        return TimeInForce("GTD", expiry)

    GoodTilDate = GOOD_TIL_DATE

    def __repr__(self) -> str:
        return f"TimeInForce({self.kind})"


TimeInForce.GOOD_TIL_CANCELED = TimeInForce("GTC")  # type: ignore[attr-defined]  # LEAN constant
TimeInForce.DAY = TimeInForce("DAY")  # type: ignore[attr-defined]  # LEAN constant
TimeInForce.GoodTilCanceled = TimeInForce.GOOD_TIL_CANCELED  # type: ignore[attr-defined]
TimeInForce.Day = TimeInForce.DAY  # type: ignore[attr-defined]


class OrderProperties:
    def __init__(self, time_in_force: TimeInForce | None = None) -> None:
        self.time_in_force = time_in_force or TimeInForce.GOOD_TIL_CANCELED  # type: ignore[attr-defined]


#: the last (moment, text) asked of iso_time: one reference, so threads never mix pairs
_last_iso: list[tuple[Any, str]] = [(None, "")]


def iso_time(moment: datetime) -> str:
    """``moment.isoformat()``, remembered for the last moment asked: an order and its
    events mostly share one time step, and each event payload carries two stamps."""
    last, text = _last_iso[0]
    if moment is not last:
        text = moment.isoformat()
        _last_iso[0] = (moment, text)
    return text


#: the last order whose fields that never change after its submission were put in text,
#: with its id then and that text: its events mostly come one after the other
_last_fixed: list[tuple[Any, int, tuple[str, str, str, str]]] = [(None, 0, ("", "", "", ""))]


class Order:
    """An order as LEAN's Order classes describe it (one class; ``type`` tells them apart)."""

    # (slots: a backtest keeps every order it placed, and the orders, their events and
    # tickets were a quarter of the peak memory of a minute SMA crossover over ten years)
    __slots__ = (
        "id",
        "symbol",
        "quantity",
        "type",
        "time",
        "created_time",
        "last_fill_time",
        "last_update_time",
        "canceled_time",
        "limit_price",
        "stop_price",
        "trigger_price",
        "trailing_amount",
        "trailing_as_percentage",
        "stop_triggered",
        "trigger_touched",
        "tag",
        "properties",
        "status",
        "price",
        "filled_quantity",
        "submitted_during_market",
    )

    def __init__(
        self,
        order_id: int,
        symbol: Any,
        quantity: float,
        order_type: int,
        time: datetime,
        limit_price: float | None = None,
        stop_price: float | None = None,
        tag: str = "",
        properties: OrderProperties | None = None,
        trigger_price: float | None = None,
        trailing_amount: float | None = None,
        trailing_as_percentage: bool = False,
    ) -> None:
        self.id = order_id
        self.symbol = symbol
        self.quantity = quantity
        self.type = order_type
        self.time = time
        self.created_time = time
        self.last_fill_time: datetime | None = None
        self.last_update_time: datetime | None = None
        self.canceled_time: datetime | None = None
        self.limit_price = limit_price
        self.stop_price = stop_price
        self.trigger_price = trigger_price
        self.trailing_amount = trailing_amount
        self.trailing_as_percentage = trailing_as_percentage
        self.stop_triggered = False
        self.trigger_touched = False
        self.tag = tag
        self.properties = properties or OrderProperties()
        self.status = OrderStatus.NEW
        self.price = 0.0  # average fill price
        self.filled_quantity = 0.0
        self.submitted_during_market = False

    @property
    def direction(self) -> int:
        return OrderDirection.BUY if self.quantity > 0 else OrderDirection.SELL

    @property
    def absolute_quantity(self) -> float:
        return abs(self.quantity)

    @property
    def time_in_force(self) -> TimeInForce:
        return self.properties.time_in_force

    def value(self, price: float) -> float:
        """The order value LEAN prices fees with (limit-type orders use their limit/stop)."""
        if self.type in (OrderType.LIMIT, OrderType.LIMIT_IF_TOUCHED) and self.limit_price:
            return self.quantity * self.limit_price
        if self.type == OrderType.STOP_MARKET and self.stop_price:
            return self.quantity * self.stop_price
        if self.type == OrderType.STOP_LIMIT and self.limit_price:
            return self.quantity * self.limit_price
        return self.quantity * price

    def to_dict(self) -> dict[str, Any]:
        last, last_id, fixed = _last_fixed[0]
        if last is not self or last_id != self.id:
            fixed = (
                str(self.symbol),
                ORDER_TYPE_NAME[self.type],
                iso_time(self.time),
                self.properties.time_in_force.kind,
            )
            _last_fixed[0] = (self, self.id, fixed)
        symbol, kind, time, time_in_force = fixed
        return {
            "id": self.id,
            "symbol": symbol,
            "type": kind,
            "status": ORDER_STATUS_NAME[self.status],
            # (self.direction's rule, without the property call)
            "direction": DIRECTION_NAME[
                OrderDirection.BUY if self.quantity > 0 else OrderDirection.SELL
            ],
            "quantity": self.quantity,
            "price": self.price,
            "time": time,
            "limit_price": self.limit_price,
            "stop_price": self.stop_price,
            "tag": self.tag,
            "time_in_force": time_in_force,
        }

    def __repr__(self) -> str:
        return (
            f"Order(id={self.id}, {self.symbol}, {ORDER_TYPE_NAME[self.type]}, qty={self.quantity}, "
            f"{ORDER_STATUS_NAME[self.status]})"
        )


class MarketOnCloseOrder:
    """LEAN's ``MarketOnCloseOrder.submission_time_buffer``: how long before the close a
    market-on-close order must be submitted (default 15.5 minutes; assignable)."""

    DEFAULT_SUBMISSION_TIME_BUFFER = timedelta(minutes=15.5)
    submission_time_buffer = DEFAULT_SUBMISSION_TIME_BUFFER


class OrderEvent:
    """A change of an order's state (submitted, filled, canceled, ...)."""

    __slots__ = (
        "order_id",
        "id",
        "symbol",
        "utc_time",
        "time",
        "status",
        "direction",
        "quantity",
        "fill_price",
        "fill_quantity",
        "order_fee",
        "message",
        "is_assignment",
        "limit_price",
        "stop_price",
        # LEAN's other OrderEvent properties, which a user's fill model may set
        "fill_price_currency",
        "is_in_the_money",
        "trigger_price",
        "trailing_amount",
        "trailing_as_percentage",
        "ticket",
    )

    def __init__(
        self,
        order: Order,
        time: datetime,
        status: int,
        fill_price: float = 0.0,
        fill_quantity: float = 0.0,
        fee: Any = 0,
        message: str = "",
    ) -> None:
        self.order_id = order.id
        self.id = 0
        self.symbol = order.symbol
        self.utc_time = time
        self.time = time
        self.status = status
        # (order.direction's rule, without the property call)
        self.direction = OrderDirection.BUY if order.quantity > 0 else OrderDirection.SELL
        self.quantity = order.quantity
        self.fill_price = fill_price
        self.fill_quantity = fill_quantity
        # (most events carry no fee: they share LEAN's OrderFee.Zero instead of a pair of
        # objects each; an order keeps all its events for its ticket)
        self.order_fee = _ZERO_FEE if type(fee) is int and fee == 0 else OrderFee(fee)
        self.message = message
        self.is_assignment = False
        self.limit_price = order.limit_price
        self.stop_price = order.stop_price

    @property
    def absolute_fill_quantity(self) -> float:
        return abs(self.fill_quantity)

    def __str__(self) -> str:
        text = (
            f"Time: {self.time} OrderID: {self.order_id} EventID: {self.id} Symbol: {self.symbol} "
            f"Status: {ORDER_STATUS_NAME[self.status]} Quantity: {self.quantity}"
        )
        if self.fill_quantity:
            text += f" FillQuantity: {self.fill_quantity} FillPrice: {self.fill_price} USD"
        if self.order_fee.value.amount:
            text += f" OrderFee: {self.order_fee.value.amount} USD"
        if self.message:
            text += f" Message: {self.message}"
        return text


class CashAmount:
    __slots__ = ("amount", "currency")

    def __init__(self, amount: Any, currency: str = "USD") -> None:
        self.amount = amount
        self.currency = currency


class OrderFee:
    """LEAN's OrderFee: ``fee.value.amount`` in ``fee.value.currency``."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value if isinstance(value, CashAmount) else CashAmount(value)


_ZERO_FEE = OrderFee(0)
OrderFee.ZERO = _ZERO_FEE  # type: ignore[attr-defined]  # LEAN constant
