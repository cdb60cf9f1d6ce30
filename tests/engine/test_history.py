"""history(): LEAN's DataFrame shape, bar counts, periods and bar-type requests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from backtesting.engine.algorithm import QCAlgorithm
from backtesting.engine.data.bars import QuoteBar, TradeBar
from backtesting.engine.data.enums import Resolution


def algorithm_at(data_dir, when: datetime) -> QCAlgorithm:
    algorithm = QCAlgorithm()
    algorithm._attach(data_dir, {})
    algorithm.set_start_date(when)
    algorithm.add_equity("SPY", Resolution.MINUTE)
    algorithm.add_equity("IBM", Resolution.DAILY)
    return algorithm


def test_frame_is_indexed_by_symbol_and_end_time(lean_data_dir):
    algorithm = algorithm_at(lean_data_dir, datetime(2013, 10, 8))
    frame = algorithm.history(["SPY", "IBM"], 3, Resolution.DAILY)
    assert isinstance(frame.index, pd.MultiIndex) and frame.index.names == ["symbol", "time"]
    assert len(frame.loc["SPY"]) == 3 and len(frame.loc["IBM"]) == 3
    assert frame.loc["SPY"].index[-1] == pd.Timestamp(
        "2013-10-07 16:00"
    )  # daily bars end at the close
    assert list(frame.columns[:5]) == ["open", "high", "low", "close", "volume"]


def test_minute_requests_join_trade_and_quote_columns(lean_data_dir):
    algorithm = algorithm_at(lean_data_dir, datetime(2013, 10, 8))
    frame = algorithm.history("SPY", timedelta(days=1), Resolution.MINUTE)
    assert len(frame) == 390
    assert {"close", "askclose", "bidclose"} <= set(frame.columns)
    only_trades = algorithm.history(TradeBar, "SPY", 10, Resolution.MINUTE)
    assert len(only_trades) == 10 and "askclose" not in only_trades.columns
    only_quotes = algorithm.history(QuoteBar, "SPY", 10, Resolution.MINUTE)
    assert "askclose" in only_quotes.columns and "volume" not in only_quotes.columns


def test_history_prices_are_adjusted_like_the_feed(lean_data_dir):
    algorithm = algorithm_at(lean_data_dir, datetime(2013, 10, 8))
    close = algorithm.history("SPY", 1, Resolution.DAILY).loc["SPY"]["close"].iloc[-1]
    assert abs(close - 167.42 * 0.8646266) < 1e-9
