"""Each order type's fill rule (LEAN's EquityFillModel) on crafted bars."""

from __future__ import annotations

from datetime import datetime

import pytest

from backtesting.engine.brokerage.fills import FillModel
from backtesting.engine.brokerage.orders import Order, OrderType
from tests.engine.helpers import quote_bar, spy, trade_bar

#: a Wednesday, regular session 09:30-16:00
DAY = datetime(2013, 10, 9)
ORDER_TIME = datetime(2013, 10, 9, 10, 0)


def at(hour: int, minute: int) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def order(kind: int, quantity: float, **prices: float) -> Order:
    return Order(1, "SPY", quantity, kind, ORDER_TIME, **prices)


@pytest.fixture
def security(lean_data_dir):
    return spy(lean_data_dir)


def fill(security, the_order, bar, now=None):
    security.update_trade(bar)
    return FillModel().fill(security, the_order, now or bar.end_time)


def test_market_buy_fills_at_ask_close_when_quotes_exist(lean_data_dir):
    security = spy(lean_data_dir, quotes=True)
    security.update_trade(trade_bar(at(10, 0), 100, 101, 99, 100.5))
    security.update_quote(quote_bar(at(10, 0), 100.4, 100.6))
    result = FillModel().fill(security, order(OrderType.MARKET, 10), at(10, 1))
    assert result.price == 100.6
    sell = FillModel().fill(security, order(OrderType.MARKET, -10), at(10, 1))
    assert sell.price == 100.4


def test_market_order_without_quotes_fills_at_trade_close(security):
    assert (
        fill(security, order(OrderType.MARKET, 5), trade_bar(at(10, 0), 100, 101, 99, 100.5)).price
        == 100.5
    )


def test_limit_buy_needs_a_low_below_the_limit_and_fills_at_the_limit(security):
    limit = order(OrderType.LIMIT, 10, limit_price=100.0)
    assert (
        fill(security, limit, trade_bar(at(10, 1), 100.5, 101, 100.0, 100.8)) is None
    )  # low == limit
    assert fill(security, limit, trade_bar(at(10, 2), 100.5, 101, 99.9, 100.8)).price == 100.0


def test_limit_buy_gapping_below_fills_at_the_open(security):
    limit = order(OrderType.LIMIT, 10, limit_price=100.0)
    assert fill(security, limit, trade_bar(at(10, 1), 99.5, 99.8, 99.0, 99.6)).price == 99.5


def test_limit_sell_mirrors_with_the_high(security):
    limit = order(OrderType.LIMIT, -10, limit_price=100.0)
    assert fill(security, limit, trade_bar(at(10, 1), 99.5, 100.2, 99.0, 99.6)).price == 100.0
    assert fill(security, limit, trade_bar(at(10, 2), 100.5, 100.9, 100.1, 100.6)).price == 100.5


def test_limit_ignores_the_bar_that_ended_before_the_order(security):
    limit = order(OrderType.LIMIT, 10, limit_price=100.0)
    assert fill(security, limit, trade_bar(at(9, 59), 99, 99, 99, 99), now=at(10, 0)) is None


def test_stop_market_buy_triggers_on_high_at_the_stop_or_the_gap_open(security):
    stop = order(OrderType.STOP_MARKET, 10, stop_price=101.0)
    assert fill(security, stop, trade_bar(at(10, 1), 100, 100.9, 99.5, 100.5)) is None
    assert fill(security, stop, trade_bar(at(10, 2), 100, 101.0, 99.5, 100.5)).price == 101.0
    assert fill(security, stop, trade_bar(at(10, 3), 101.5, 102, 101.2, 101.8)).price == 101.5


def test_stop_market_sell_triggers_on_low(security):
    stop = order(OrderType.STOP_MARKET, -10, stop_price=99.0)
    assert fill(security, stop, trade_bar(at(10, 1), 100, 100.5, 98.9, 99.5)).price == 99.0
    assert fill(security, stop, trade_bar(at(10, 2), 98.5, 98.8, 98.0, 98.2)).price == 98.5


def test_stop_limit_buy_triggers_then_fills_below_the_limit(security):
    stop_limit = order(OrderType.STOP_LIMIT, 10, stop_price=101.0, limit_price=101.5)
    # triggered (high > stop) but the close is above the limit: no fill, the trigger sticks
    assert fill(security, stop_limit, trade_bar(at(10, 1), 100, 102, 100, 101.8)) is None
    assert stop_limit.stop_triggered
    result = fill(security, stop_limit, trade_bar(at(10, 2), 101.2, 101.4, 101.0, 101.1))
    assert result.price == 101.4  # min(high, limit)


def test_limit_if_touched_buy_waits_for_the_trigger_then_buys_at_or_below_the_limit(security):
    lit = order(OrderType.LIMIT_IF_TOUCHED, 10, trigger_price=99.0, limit_price=99.5)
    assert fill(security, lit, trade_bar(at(10, 1), 100, 100.5, 99.2, 100.0)) is None
    assert not lit.trigger_touched
    result = fill(security, lit, trade_bar(at(10, 2), 99.6, 99.7, 98.9, 99.3))
    assert lit.trigger_touched and result.price == 99.3


def test_trailing_stop_sell_follows_the_high_and_fills_when_crossed(security):
    trailing = order(OrderType.TRAILING_STOP, -10, stop_price=99.0, trailing_amount=1.0)
    assert fill(security, trailing, trade_bar(at(10, 1), 100, 101.0, 100, 100.8)) is None
    assert trailing.stop_price == 100.0  # high 101 - 1
    result = fill(security, trailing, trade_bar(at(10, 2), 100.5, 100.6, 99.8, 99.9))
    assert result.price == 99.9  # min(stop, close)


def test_market_on_open_fills_at_the_next_sessions_first_bar_open(security):
    moo = Order(1, "SPY", 10, OrderType.MARKET_ON_OPEN, datetime(2013, 10, 8, 16, 0))
    moo.submitted_during_market = False
    assert (
        fill(
            security, moo, trade_bar(datetime(2013, 10, 9, 9, 30), 168.0, 168.5, 167.5, 168.2)
        ).price
        == 168.0
    )


def test_market_on_open_placed_in_market_hours_waits_for_the_next_day(security):
    moo = Order(1, "SPY", 10, OrderType.MARKET_ON_OPEN, at(10, 0))
    moo.submitted_during_market = True
    assert fill(security, moo, trade_bar(at(10, 1), 100, 101, 99, 100.5)) is None


def test_market_on_close_fills_at_the_close_with_the_last_trade(security):
    moc = order(OrderType.MARKET_ON_CLOSE, 10)
    assert fill(security, moc, trade_bar(at(15, 58), 100, 101, 99, 100.5)) is None
    assert fill(security, moc, trade_bar(at(15, 59), 100, 101, 99, 100.7)).price == 100.7


def test_market_order_on_stale_data_waits_for_a_fresh_bar(security):
    security.update_trade(trade_bar(datetime(2013, 10, 8, 15, 0), 100, 101, 99, 100.5, minutes=60))
    order_time = datetime(2013, 10, 9, 9, 31)  # the last bar ended yesterday at 16:00
    stale = Order(1, "SPY", 10, OrderType.MARKET, order_time)
    assert FillModel().fill(security, stale, order_time) is None
    security.update_trade(trade_bar(at(9, 0), 101, 102, 100.5, 101.7, minutes=60))  # ends 10:00
    assert FillModel().fill(security, stale, at(10, 0)).price == 101.7
