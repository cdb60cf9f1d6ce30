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
