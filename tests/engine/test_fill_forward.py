"""Fill-forward: flat copies of the last bar inside market hours only, never on holidays."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from backtesting.engine.data.corporate import FactorFile
from backtesting.engine.data.enums import Resolution, SecurityType
from backtesting.engine.data.market_hours import MarketHoursDatabase
from backtesting.engine.data.readers import RawBars
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.feed.subscription import SubscriptionConfig, from_ns, prepare, to_ns
from backtesting.engine.feed.synchronizer import BacktestFeed


def daily_subscription(data_dir, days: list[date]):
    hours = MarketHoursDatabase.from_data_dir(data_dir).get(SecurityType.EQUITY, "usa", "SPY")
    times = np.array([np.datetime64(d, "ns") for d in days])
    values = np.array(
        [[100.0 + i, 101.0 + i, 99.0 + i, 100.5 + i, 1000.0] for i in range(len(days))]
    )
    config = SubscriptionConfig(Symbol("SPY"), Resolution.DAILY, "trade")
    return prepare(config, hours, RawBars(times, values), FactorFile([]), days[0], days[-1])


def test_no_fill_forward_bar_on_a_holiday_and_one_for_a_missing_trading_day(lean_data_dir):
    # Thanksgiving 2013-11-28 is a holiday; 2013-11-27 and 11-29 have no bar in this crafted data
    sub = daily_subscription(lean_data_dir, [date(2013, 11, 26), date(2013, 12, 2)])
    feed = BacktestFeed(
        [sub],
        to_ns(datetime(2013, 11, 26)),
        to_ns(datetime(2013, 12, 2, 23, 59)),
        date(2013, 11, 26),
        date(2013, 12, 2),
    )
    steps = [(from_ns(s.time_ns), [ff for _, _, ff in s.items]) for s in feed]
    times = [t for t, _ in steps]
    assert datetime(2013, 11, 28, 16, 0) not in times and all(
        t.date() != date(2013, 11, 28) for t in times
    )
    assert (datetime(2013, 11, 27, 16, 0), [True]) in steps
    # 11-29 is an early close (13:00): the fill-forward bar ends at that day's close
    assert (datetime(2013, 11, 29, 13, 0), [True]) in steps
    assert (datetime(2013, 12, 2, 16, 0), [False]) in steps
    assert (datetime(2013, 11, 26, 16, 0), [False]) in steps


def test_forex_daily_bars_keep_the_file_day_and_equity_daily_bars_end_at_the_close(lean_data_dir):
    from backtesting.engine.feed.subscription import load_subscription

    database = MarketHoursDatabase.from_data_dir(lean_data_dir)
    eurusd = SubscriptionConfig(
        Symbol("EURUSD", SecurityType.FOREX, "oanda"), Resolution.DAILY, "quote"
    )
    sub = load_subscription(
        eurusd,
        database.get(SecurityType.FOREX, "oanda", "EURUSD"),
        lean_data_dir,
        date(2014, 1, 13),
        date(2014, 1, 15),
    )
    ends = [from_ns(int(t)) for t in sub.end]
    assert datetime(2014, 1, 14, 19, 0) in ends  # 2014-01-15 00:00 UTC in New York
    spy = SubscriptionConfig(Symbol("SPY"), Resolution.DAILY, "trade")
    sub = load_subscription(
        spy,
        database.get(SecurityType.EQUITY, "usa", "SPY"),
        lean_data_dir,
        date(2013, 11, 27),
        date(2013, 11, 29),
    )
    assert [from_ns(int(t)) for t in sub.end] == [
        datetime(2013, 11, 27, 16, 0),
        datetime(2013, 11, 29, 13, 0),
    ]
