"""Fee models with LEAN's one-method contract ``get_order_fee(parameters) -> OrderFee``."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from backtesting.engine.brokerage.orders import CashAmount, Order, OrderFee, OrderType
from backtesting.engine.data.enums import SecurityType

#: USD per share, minimum USD per order, maximum fraction of the order value (IB US equities)
IB_PER_SHARE = Decimal("0.005")
IB_MINIMUM = Decimal("1")
IB_MAXIMUM_RATE = Decimal("0.005")  # (= IB_PER_SHARE: InteractiveBrokersFeeModel.fee relies on it)


class OrderFeeParameters:
    """What a fee model sees: ``parameters.security`` and ``parameters.order``."""

    def __init__(self, security: Any, order: Order) -> None:
        self.security = security
        self.order = order


class FeeModel:
    """Base class users subclass (``def get_order_fee(self, parameters)``); charges nothing."""

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        return OrderFee(CashAmount(0, "USD"))


class ConstantFeeModel(FeeModel):
    """A fixed fee per order (LEAN's ConstantFeeModel; 0 for FX/crypto by default)."""

    def __init__(self, fee: float, currency: str = "USD") -> None:
        self.fee = fee
        self.currency = currency

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        return OrderFee(CashAmount(Decimal(repr(float(self.fee))), self.currency))


class InteractiveBrokersFeeModel(FeeModel):
    """LEAN's InteractiveBrokersFeeModel for US equities (the default equity fee model).

    fee = 0.005 x |quantity|, raised to 1.00 when below it, otherwise capped at 0.5 % of
    the order value (|quantity| x security price, or the limit/stop price for those types).
    Non-equities under this model are charged nothing here.
    """

    #: the last (quantity, order value) priced and its fee: set_holdings prices its order
    #: to size it, then the fill prices the same order at the same price again
    _last: tuple[float, float, Decimal] = (math.nan, math.nan, IB_MINIMUM)

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        security, order = parameters.security, parameters.order
        if security.symbol.security_type != SecurityType.EQUITY:
            return OrderFee(CashAmount(Decimal(0), "USD"))
        return OrderFee(CashAmount(self.fee(order.quantity, order.value(security.price)), "USD"))

    def fee(self, quantity: float, value: float) -> Decimal:
        """The fee of an equity order of ``quantity`` shares worth ``value`` (either sign)."""
        quantity = abs(float(quantity))
        value = float(value)
        last_quantity, last_value, fee = self._last
        if quantity != last_quantity or value != last_value:
            fee = IB_PER_SHARE * Decimal(repr(quantity))
            if fee < IB_MINIMUM:
                fee = IB_MINIMUM
            elif quantity > abs(value):
                # the cap (IB_MAXIMUM_RATE x |value|) is below the per-share fee: with the
                # two rates equal, exactly when |quantity| > |value| (a float's shortest
                # repr keeps the floats' order), so most orders never price the cap
                fee = IB_MAXIMUM_RATE * Decimal(repr(abs(value)))
            self._last = (quantity, value, fee)
        return fee


_NO_FEE = Decimal(0)


def fee_amount(model: Any, security: Any, order: Order) -> Decimal:
    """Call any fee model (ours or a user's) and return the fee as a Decimal in USD.

    The default model (not a user's subclass) is asked without the three wrapper objects
    of LEAN's contract: they were a fifth of the cost of a market order."""
    if type(model) is InteractiveBrokersFeeModel:
        if security.symbol.security_type != SecurityType.EQUITY:
            return _NO_FEE
        if order.type == OrderType.MARKET:  # (order.value's rule for market orders)
            return model.fee(order.quantity, order.quantity * security.price)
        return model.fee(order.quantity, order.value(security.price))
    fee = model.get_order_fee(OrderFeeParameters(security, order))
    amount = fee.value.amount if hasattr(fee, "value") else fee
    if isinstance(amount, Decimal):
        return abs(amount)
    return abs(Decimal(repr(float(amount))))


def market_order_fee(model: Any, security: Any, quantity: float, time: Any) -> Decimal:
    """The fee of a market order of ``quantity`` now (what sizing an order charges for)."""
    if type(model) is InteractiveBrokersFeeModel:  # (no probe order to price)
        if security.symbol.security_type != SecurityType.EQUITY:
            return _NO_FEE
        return model.fee(quantity, quantity * security.price)
    return fee_amount(model, security, Order(0, security.symbol, quantity, OrderType.MARKET, time))


class CoinbaseFeeModel(FeeModel):
    """LEAN's CoinbaseFeeModel: maker/taker rates by date, charged on the quote side.

    fee = (ask for buys, bid for sells) x |quantity| x rate. A limit order is a maker only
    when it is not marketable. Rates: before 2019-03-23 01:30 UTC maker 0 % / taker 0.3 %,
    until 2019-10-08 00:30 UTC 0.15 % / 0.25 %, then the "Advanced 1" tier 0.6 % / 0.8 %.
    """

    def __init__(self, maker_fee: float = 0.006, taker_fee: float = 0.008) -> None:
        self.maker_fee = Decimal(repr(maker_fee))
        self.taker_fee = Decimal(repr(taker_fee))

    def get_order_fee(self, parameters: OrderFeeParameters) -> OrderFee:
        from backtesting.engine.brokerage.orders import OrderType
        from backtesting.engine.clock import to_utc

        security, order = parameters.security, parameters.order
        buy = order.quantity > 0
        price = security.ask_price if buy else security.bid_price
        price = price or security.price
        maker = False
        if order.type == OrderType.LIMIT and order.limit_price:
            marketable = order.limit_price >= price if buy else order.limit_price <= price
            maker = not marketable
        rate = _coinbase_rate(to_utc(order.time), maker, self.maker_fee, self.taker_fee)
        fee = Decimal(repr(float(price))) * Decimal(repr(abs(float(order.quantity)))) * rate
        return OrderFee(CashAmount(fee, security.symbol_properties.quote_currency))


def _coinbase_rate(utc_time: Any, maker: bool, maker_fee: Decimal, taker_fee: Decimal) -> Decimal:
    from datetime import datetime

    if utc_time < datetime(2019, 3, 23, 1, 30):
        return Decimal(0) if maker else Decimal("0.003")
    if utc_time < datetime(2019, 10, 8, 0, 30):
        return Decimal("0.0015") if maker else Decimal("0.0025")
    return maker_fee if maker else taker_fee


GDAXFeeModel = CoinbaseFeeModel

#: brokerage models whose statistics use 365 trading days and a BTCUSD benchmark (LEAN)
CRYPTO_BROKERAGES = frozenset(
    {"Coinbase", "GDAX", "Binance", "BinanceUS", "Bitfinex", "Bybit", "FTX", "Kraken"}
)
