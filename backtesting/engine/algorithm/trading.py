"""Order placement on QCAlgorithm: LEAN's order methods, set_holdings sizing and liquidate."""

from __future__ import annotations

import functools
import math
from datetime import timedelta
from typing import Any

from backtesting.engine.brokerage.fees import market_order_fee
from backtesting.engine.brokerage.orders import Order, OrderProperties, OrderStatus, OrderType
from backtesting.engine.brokerage.tickets import OrderTicket
from backtesting.engine.data.enums import Resolution

#: set_holdings keeps this share of the portfolio value free (LEAN's FreePortfolioValuePercentage)
FREE_PORTFOLIO_VALUE_PERCENTAGE = 0.0025
#: orders changing margin by less than this share of the portfolio value are skipped
MINIMUM_ORDER_MARGIN_PORTFOLIO_PERCENTAGE = 0.001

MARKET_CLOSED_WARNING = (
    "Warning: Market order for {symbol} was converted to a MarketOnOpen order because the "
    "exchange is closed."
)


def _invalid_on_unknown_symbol(method: Any) -> Any:
    """LEAN answers an order for a symbol it does not know with an Invalid ticket (not an
    exception) and an error message; the order is not counted."""

    @functools.wraps(method)
    def wrapper(self: Any, symbol: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            self._security(symbol)
        except KeyError:
            self.error(UNKNOWN_SYMBOL.format(symbol=symbol))
            return OrderTicket(None, None, UNKNOWN_SYMBOL.format(symbol=symbol))
        return method(self, symbol, *args, **kwargs)

    return wrapper


UNKNOWN_SYMBOL = (
    "Order Error: {symbol} was not found in your security list; add it before ordering."
)


class PortfolioTarget:
    """A symbol and the fraction of the portfolio it should hold."""

    def __init__(self, symbol: Any, quantity: float, tag: str = "") -> None:
        self.symbol = symbol
        self.quantity = quantity
        self.tag = tag

    @staticmethod
    def percent(algorithm: Any, symbol: Any, percent: float) -> PortfolioTarget:
        return PortfolioTarget(
            symbol,
            algorithm.calculate_order_quantity(symbol, percent)
            + algorithm.portfolio[symbol].quantity,
        )


class TradingMixin:
    """LEAN's trading API. Requires ``self.securities``, ``self.transactions``, ``self.time``."""

    # -- order entry points ----------------------------------------------------------
    @_invalid_on_unknown_symbol
    def market_order(
        self,
        symbol: Any,
        quantity: float,
        asynchronous: bool = False,
        tag: str = "",
        order_properties: OrderProperties | None = None,
    ) -> OrderTicket:
        """Buy/sell now. Fills immediately at the quote (or last trade); when the exchange
        is closed the order becomes market-on-open, and for daily-only data market-on-close."""
        return self._market_order(self._security(symbol), quantity, tag, order_properties)

    def _market_order(
        self,
        security: Any,
        quantity: float,
        tag: str,
        order_properties: OrderProperties | None,
        exchange_open: bool | None = None,
    ) -> OrderTicket:
        """(``exchange_open``: the caller's answer for now, when it already asked)"""
        if exchange_open is None:
            exchange_open = self._exchange_open(security)
        if not exchange_open:
            if not self._warned_moo:
                self._warned_moo = True
                self.debug(MARKET_CLOSED_WARNING.format(symbol=security.symbol))
            return self._place(security, quantity, OrderType.MARKET_ON_OPEN, tag, order_properties)
        if security.only_daily:
            close = security.exchange_hours.next_market_close(self.time, False)
            buffer = self.transactions.market_on_close_buffer
            kind = (
                OrderType.MARKET_ON_OPEN
                if self.time > close - buffer
                else OrderType.MARKET_ON_CLOSE
            )
            return self._place(security, quantity, kind, tag, order_properties)
        return self._place(security, quantity, OrderType.MARKET, tag, order_properties)

    def order(
        self,
        symbol: Any,
        quantity: float,
        asynchronous: bool = False,
        tag: str = "",
        order_properties: Any = None,
    ) -> OrderTicket:
        return self.market_order(symbol, quantity, asynchronous, tag, order_properties)

    def buy(self, symbol: Any, quantity: float) -> OrderTicket:
        return self.market_order(symbol, abs(quantity))

    def sell(self, symbol: Any, quantity: float) -> OrderTicket:
        return self.market_order(symbol, -abs(quantity))

    @_invalid_on_unknown_symbol
    def limit_order(
        self,
        symbol: Any,
        quantity: float,
        limit_price: float,
        tag: str = "",
        order_properties: Any = None,
    ) -> OrderTicket:
        return self._place(
            self._security(symbol),
            quantity,
            OrderType.LIMIT,
            tag,
            order_properties,
            limit_price=limit_price,
        )

    @_invalid_on_unknown_symbol
    def stop_market_order(
        self,
        symbol: Any,
        quantity: float,
        stop_price: float,
        tag: str = "",
        order_properties: Any = None,
    ) -> OrderTicket:
        return self._place(
            self._security(symbol),
            quantity,
            OrderType.STOP_MARKET,
            tag,
            order_properties,
            stop_price=stop_price,
        )

    @_invalid_on_unknown_symbol
    def stop_limit_order(
        self,
        symbol: Any,
        quantity: float,
        stop_price: float,
        limit_price: float,
        tag: str = "",
        order_properties: Any = None,
    ) -> OrderTicket:
        return self._place(
            self._security(symbol),
            quantity,
            OrderType.STOP_LIMIT,
            tag,
            order_properties,
            stop_price=stop_price,
            limit_price=limit_price,
        )

    @_invalid_on_unknown_symbol
    def limit_if_touched_order(
        self,
        symbol: Any,
        quantity: float,
        trigger_price: float,
        limit_price: float,
        tag: str = "",
        order_properties: Any = None,
    ) -> OrderTicket:
        return self._place(
            self._security(symbol),
            quantity,
            OrderType.LIMIT_IF_TOUCHED,
            tag,
            order_properties,
            trigger_price=trigger_price,
            limit_price=limit_price,
        )

    @_invalid_on_unknown_symbol
    def trailing_stop_order(
        self, symbol: Any, quantity: float, *args: Any, **kwargs: Any
    ) -> OrderTicket:
        """``(symbol, qty, trailing_amount, trailing_as_percentage)`` or with a stop price first."""
        security = self._security(symbol)
        tag = kwargs.pop("tag", "")
        props = kwargs.pop("order_properties", None)
        if len(args) >= 3 and not isinstance(args[2], str):
            stop_price, amount, as_pct = float(args[0]), float(args[1]), bool(args[2])
            rest = args[3:]
        else:
            amount = float(args[0] if args else kwargs.pop("trailing_amount"))
            as_pct = bool(args[1] if len(args) > 1 else kwargs.pop("trailing_as_percentage", False))
            rest = args[2:]
            from backtesting.engine.brokerage.fills import trailing_stop_price

            direction = 0 if quantity > 0 else 1
            stop_price = trailing_stop_price(security.price, amount, as_pct, direction)
        if rest:
            tag = rest[0]
        return self._place(
            security,
            quantity,
            OrderType.TRAILING_STOP,
            tag,
            props,
            stop_price=stop_price,
            trailing_amount=amount,
            trailing_as_percentage=as_pct,
        )

    @_invalid_on_unknown_symbol
    def market_on_open_order(
        self, symbol: Any, quantity: float, tag: str = "", order_properties: Any = None
    ) -> OrderTicket:
        return self._place(
            self._security(symbol), quantity, OrderType.MARKET_ON_OPEN, tag, order_properties
        )

    @_invalid_on_unknown_symbol
    def market_on_close_order(
        self, symbol: Any, quantity: float, tag: str = "", order_properties: Any = None
    ) -> OrderTicket:
        return self._place(
            self._security(symbol), quantity, OrderType.MARKET_ON_CLOSE, tag, order_properties
        )

    # -- portfolio-level helpers -----------------------------------------------------
    def set_holdings(
        self,
        symbol: Any,
        percentage: float | None = None,
        liquidate_existing_holdings: bool = False,
        tag: str = "",
        order_properties: Any = None,
    ) -> list[OrderTicket]:
        """Order the difference to hold ``percentage`` of the portfolio value in ``symbol``
        (or a list of PortfolioTarget). Sized with LEAN's 0.25 % buffer and fees; fills now
        when the exchange is open, else at the next open."""
        if isinstance(symbol, (list, tuple)):
            targets = [(t.symbol, float(t.quantity)) for t in symbol]
        else:
            targets = [(symbol, float(percentage or 0.0))]
        return self._set_holdings_targets(
            targets, liquidate_existing_holdings, tag, order_properties
        )

    def _set_holdings_targets(
        self, targets: list[tuple[Any, float]], liquidate_existing: bool, tag: str, props: Any
    ) -> list[OrderTicket]:
        """Order each (symbol, fraction of the portfolio) target's difference."""
        tickets: list[OrderTicket] = []
        if liquidate_existing:
            wanted = {self._security(symbol).symbol for symbol, _ in targets}
            for sym, sec in list(self.securities.items()):
                if sec.holdings.quantity and sym not in wanted:
                    tickets.extend(self.liquidate(sym, tag=tag))
        plans: list[tuple[Any, float]] = []
        for symbol, target in targets:
            security = self._security(symbol)
            quantity = self._order_quantity(security, target)
            if self.transactions._open:  # (most calls find none open)
                quantity -= sum(
                    o.quantity - o.filled_quantity
                    for o in self.transactions.get_open_orders(security.symbol)
                    if o.type in (OrderType.MARKET, OrderType.MARKET_ON_OPEN)
                )
            if abs(quantity) >= security.symbol_properties.lot_size:
                plans.append((security, quantity))
        if len(plans) > 1:
            # position-reducing orders first, then by descending order value
            plans.sort(key=lambda p: (not _reduces(p[0], p[1]), -abs(p[1] * p[0].price)))
        for security, quantity in plans:
            if self._exchange_open(security):
                tickets.append(self._market_order(security, quantity, tag, props, True))
            else:
                tickets.append(
                    self.market_on_open_order(
                        security.symbol, quantity, tag=tag, order_properties=props
                    )
                )
        return tickets

    def calculate_order_quantity(self, symbol: Any, target: float) -> float:
        """Shares to trade so ``symbol`` becomes ``target`` of the portfolio (LEAN_SEMANTICS 1.5)."""
        return self._order_quantity(self._security(symbol), float(target))

    def _order_quantity(self, security: Any, target: float) -> float:
        price = security.price
        if not price:
            return 0.0
        tpv = self.portfolio.total_portfolio_value
        if tpv <= 0:
            return 0.0
        settings = self.settings
        adjusted = target * (tpv - tpv * settings.free_portfolio_value_percentage) / tpv
        leverage = security.leverage or 1.0
        properties = security.symbol_properties
        mult = properties.contract_multiplier
        lot = properties.lot_size
        current = security.holdings._quantity  # (the property's value, without its call)
        target_margin = adjusted * tpv / leverage
        current_margin = current * price * mult / leverage
        if (
            abs(target_margin - current_margin)
            < settings.minimum_order_margin_portfolio_percentage * tpv
        ):
            return 0.0
        margin_per_unit = price * mult / leverage
        quantity = 0.0
        for _ in range(20):
            raw = target_margin / margin_per_unit - current
            units = raw / lot
            quantity = (math.floor(units + 1e-9) if target >= 0 else math.ceil(units - 1e-9)) * lot
            if quantity == 0:
                return 0.0
            fee = float(market_order_fee(security.fee_model, security, quantity, self.time))
            new_target = (tpv - fee) * adjusted / leverage
            resulting = abs((current + quantity) * margin_per_unit)
            if resulting <= abs(new_target) + 1e-9:
                break
            target_margin = new_target
        return float(quantity)

    def liquidate(
        self,
        symbol: Any = None,
        asynchronous: bool = False,
        tag: str = "Liquidated",
        order_properties: Any = None,
    ) -> list[OrderTicket]:
        """Cancel open orders and close the position(s) with market orders."""
        tickets: list[OrderTicket] = []
        symbols = (
            [self._security(symbol).symbol] if symbol is not None else list(self.securities.keys())
        )
        transactions = self.transactions
        for sym in symbols:
            if transactions._open:  # (most calls find none open)
                transactions.cancel_open_orders(sym)
            security = self.securities[sym]
            quantity = security.holdings.quantity
            if quantity:
                tickets.append(self._market_order(security, -quantity, tag, order_properties))
        return tickets

    # -- internals -------------------------------------------------------------------
    def _exchange_open(self, security: Any) -> bool:
        return security.exchange_hours.is_open(self.time, False)

    def _place(
        self, security: Any, quantity: float, kind: int, tag: str, props: Any, **prices: Any
    ) -> OrderTicket:
        """LEAN's pre-order checks, then hand the order to the transaction handler."""
        quantity = float(quantity)
        error = self._pre_order_error(security, quantity, kind)
        if error:
            if kind == OrderType.MARKET_ON_CLOSE:
                self.error(error)
            else:
                self.debug(error)
            return OrderTicket(None, None, error)
        order = Order(
            0,
            security.symbol,
            quantity,
            kind,
            self.time,
            tag=tag or "",
            properties=props or OrderProperties(self.default_order_properties.time_in_force),
            **prices,
        )
        return self.transactions.submit(order)

    def _pre_order_error(self, security: Any, quantity: float, kind: int) -> str:
        if self.is_warming_up:
            return "This operation is not allowed in Initialize or during warm up: OrderRequest.Submit."
        if quantity == 0 or abs(quantity) < security.symbol_properties.lot_size:
            return "Unable to submit order with id 0 that has zero quantity."
        if not security.is_tradable or security.is_delisted:
            return f"Order Error: {security.symbol} is not tradable."
        if not security.price:
            return (
                f"Order Error: {security.symbol}: asset price is $0. No data has been received yet."
            )
        if kind == OrderType.MARKET_ON_CLOSE:
            close = security.exchange_hours.next_market_close(self.time, False)
            if self.time > close - self.transactions.market_on_close_buffer:
                return (
                    "MarketOnClose orders must be placed within "
                    f"{self.transactions.market_on_close_buffer} before market close."
                )
        return ""


def _reduces(security: Any, quantity: float) -> bool:
    held = security.holdings.quantity
    return held != 0 and (held > 0) != (quantity > 0)


__all__ = ["PortfolioTarget", "TradingMixin", "OrderStatus", "Resolution", "timedelta"]
