"""LEAN's default US-equity fee model (Interactive Brokers): 0.005/share, min $1, max 0.5 %."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from backtesting.engine.brokerage.fees import InteractiveBrokersFeeModel, fee_amount
from backtesting.engine.brokerage.orders import Order, OrderType
from tests.engine.helpers import spy, trade_bar

NOW = datetime(2013, 10, 9, 10, 0)


def fee_for(security, quantity: float) -> Decimal:
    return fee_amount(
        InteractiveBrokersFeeModel(), security, Order(1, "SPY", quantity, OrderType.MARKET, NOW)
    )


def test_small_orders_pay_the_one_dollar_minimum(lean_data_dir):
    security = spy(lean_data_dir)
    security.update_trade(trade_bar(NOW, 100, 100, 100, 100))
    assert fee_for(security, 10) == Decimal("1")
    assert fee_for(security, -199) == Decimal("1")


def test_per_share_fee_is_exact_in_decimal(lean_data_dir):
    security = spy(lean_data_dir)
    security.update_trade(trade_bar(NOW, 143.0784, 143.0784, 143.0784, 143.0784))
    assert fee_for(security, 697) == Decimal("3.485")  # the report rounds it to "$3.49"


def test_cheap_shares_are_capped_at_half_a_percent_of_the_order_value(lean_data_dir):
    security = spy(lean_data_dir)
    security.update_trade(trade_bar(NOW, 0.5, 0.5, 0.5, 0.5))
    # 10,000 shares x $0.50 = $5,000 -> cap $25 < 10,000 x 0.005 = $50
    assert fee_for(security, 10_000) == Decimal("25.000")


def test_coinbase_taker_fee_before_march_2019_is_three_tenths_of_a_percent_of_the_ask(
    lean_data_dir,
):
    from backtesting.engine.brokerage.fees import CoinbaseFeeModel
    from backtesting.engine.data.bars import Bar, QuoteBar

    security = spy(lean_data_dir)
    security.has_trade_data = False
    security.update_quote(
        QuoteBar(NOW, "BTCUSD", Bar(4000, 4000, 4000, 4000), 1, Bar(4001, 4001, 4001, 4001), 1)
    )
    market = Order(1, "BTCUSD", 2, OrderType.MARKET, datetime(2017, 9, 3, 12, 0))
    assert fee_amount(CoinbaseFeeModel(), security, market) == Decimal("4001") * 2 * Decimal(
        "0.003"
    )
    resting = Order(
        2, "BTCUSD", 2, OrderType.LIMIT, datetime(2017, 9, 3, 12, 0), limit_price=3900.0
    )
    assert (
        fee_amount(CoinbaseFeeModel(), security, resting) == 0
    )  # a non-marketable limit is a maker
    later = Order(3, "BTCUSD", 2, OrderType.MARKET, datetime(2020, 1, 2, 12, 0))
    assert fee_amount(CoinbaseFeeModel(), security, later) == Decimal("4001") * 2 * Decimal("0.008")


def test_one_model_prices_each_order_afresh_and_repeats_an_order_exactly(lean_data_dir):
    # the model remembers its last answer (set_holdings prices an order to size it, then
    # the fill prices it again): a new quantity or price must never get the old fee
    security = spy(lean_data_dir)
    model = InteractiveBrokersFeeModel()

    def fee(quantity: float) -> Decimal:
        return fee_amount(model, security, Order(1, "SPY", quantity, OrderType.MARKET, NOW))

    security.update_trade(trade_bar(NOW, 100, 100, 100, 100))
    assert fee(0) == Decimal("1")  # nothing priced yet: the minimum, not a remembered zero
    assert fee(697) == Decimal("3.485")
    assert fee(697) == Decimal("3.485")
    assert fee(-697) == Decimal("3.485")
    assert fee(1000) == Decimal("5.000")
    later = datetime(2013, 10, 9, 10, 1)
    security.update_trade(trade_bar(later, 0.5, 0.5, 0.5, 0.5))
    assert security.price == 0.5
    assert fee(1000) == Decimal("2.5000")  # same quantity, new price: capped at 0.5 %


def test_the_cap_is_priced_exactly_when_it_is_below_the_per_share_fee():
    """``fee`` prices the cap only when |quantity| > |value|; the fee is the same as
    LEAN's rule min(max(0.005 x shares, $1), 0.5 % x value) in Decimal, at and around
    the one-dollar share price where the two meet."""
    import random

    from backtesting.engine.brokerage.fees import IB_MAXIMUM_RATE, IB_MINIMUM, IB_PER_SHARE

    def lean_rule(quantity: float, value: float) -> Decimal:
        fee = IB_PER_SHARE * Decimal(repr(abs(float(quantity))))
        cap = IB_MAXIMUM_RATE * abs(Decimal(repr(value)))
        return IB_MINIMUM if fee < IB_MINIMUM else min(fee, cap)

    rng = random.Random(8)
    cases = [(q, q * p) for q in (200.0, 1000.0, 12345.0) for p in (1.0, 0.999999, 1.000001)]
    cases += [
        (q, q * rng.uniform(0.5, 1.5)) for q in (float(rng.randint(1, 10**6)) for _ in range(2000))
    ]
    cases += [(-q, -v) for q, v in cases[:500]]
    model = InteractiveBrokersFeeModel()
    for quantity, value in cases:
        fee = model.fee(quantity, value)
        assert fee == lean_rule(quantity, value), (quantity, value)
        assert str(fee) == str(lean_rule(quantity, value))
