"""The setup handler: build the backtest's feed from the algorithm's subscriptions (LEAN's setup + data manager).

Adds LEAN's internal benchmark subscription (SPY hour trade bars from the previous
trading day, no fill-forward), loads every subscription once, and returns the pieces
the loop needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from backtesting.engine.data.corporate import FactorFile
from backtesting.engine.data.enums import (
    RESOLUTION_SPAN,
    DataNormalizationMode,
    Resolution,
    SecurityType,
)
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.feed.corporate_actions import CorporateActions
from backtesting.engine.feed.custom import load_custom_subscription
from backtesting.engine.feed.history import HistoryProvider
from backtesting.engine.feed.subscription import (
    Subscription,
    SubscriptionConfig,
    load_subscription,
    to_ns,
)
from backtesting.engine.feed.synchronizer import BacktestFeed, DataFeed


@dataclass
class FeedSetup:
    feed: DataFeed
    benchmark_value: Callable[[], float]
    warm_up_start: datetime
    history: HistoryProvider
    security_of: dict[int, Any]
    corporate: CorporateActions | None


def warm_up_start(algorithm: Any, start: datetime) -> datetime:
    """Start of the warm-up period: a timedelta back, or N bars of the smallest resolution."""
    if algorithm._warm_up is None:
        return start
    period, resolution = algorithm._warm_up
    if isinstance(period, timedelta):
        return start - period
    bars = int(period)
    res = resolution
    if res is None:
        resolutions = [s.resolution for s in algorithm._subscriptions]
        res = min(resolutions) if resolutions else Resolution.DAILY
    securities = list(algorithm.securities.values())
    if res in (Resolution.DAILY, Resolution.HOUR) and securities:
        hours = securities[0].exchange_hours
        day = start.date()
        count = 0
        per_day = 1 if res == Resolution.DAILY else 7
        while count < bars:
            day -= timedelta(days=1)
            if hours.is_date_open(day):
                count += per_day
        return datetime(day.year, day.month, day.day)
    minutes_per_day = 390 if res == Resolution.MINUTE else 23400
    days = bars // minutes_per_day + 2
    return start - timedelta(days=int(days * 7 / 5) + 1)


def build_feed(
    algorithm: Any, data_dir: Path, start: datetime, end: datetime, resume: datetime | None = None
) -> FeedSetup:
    """Load every subscription and build the time line from the start (or, when the
    algorithm added or removed securities mid-run, from ``resume`` on, exclusive)."""
    first_time = warm_up_start(algorithm, start) if resume is None else resume
    first = first_time.date() - timedelta(days=1)
    last = end.date() + timedelta(days=1)
    subs: list[Subscription] = []
    security_of: dict[int, Any] = {}
    for config in algorithm._subscriptions:
        security = algorithm.securities[config.symbol]
        if getattr(security, "removed", False):
            continue
        if config.kind == "custom":
            sub = load_custom_subscription(
                config, security.exchange_hours, data_dir, first, last, algorithm
            )
        else:
            sub = load_subscription(config, security.exchange_hours, data_dir, first, last)
        subs.append(sub)
        security_of[id(sub)] = security
    benchmark_value = _benchmark(algorithm, data_dir, start, last, subs, security_of)
    corporate = CorporateActions.for_securities(algorithm, data_dir)
    event_times = corporate.event_times() if corporate else []
    feed = BacktestFeed(
        subs, to_ns(first_time), to_ns(end), first_time.date(), end.date(), event_times
    )
    history = HistoryProvider(data_dir, algorithm)
    return FeedSetup(feed, benchmark_value, first_time, history, security_of, corporate)


def _benchmark(
    algorithm: Any,
    data_dir: Path,
    start: datetime,
    last: date,
    subs: list[Subscription],
    security_of: dict[int, Any],
) -> Callable[[], float]:
    bench = algorithm._benchmark
    if callable(bench) and not isinstance(bench, (str, Symbol)):
        return lambda: float(bench(algorithm.time))
    ticker = str(bench)
    security = algorithm.securities.get(ticker)
    kind = bench.security_type if isinstance(bench, Symbol) else SecurityType.EQUITY
    market = bench.market if isinstance(bench, Symbol) else "usa"
    if security is None:
        from backtesting.engine.brokerage.fees import ConstantFeeModel
        from backtesting.engine.brokerage.fills import FillModel
        from backtesting.engine.portfolio.security import Security

        symbol = Symbol(ticker, kind, market)
        hours = algorithm._mhdb.get(kind, market, ticker)
        props = algorithm._spdb.get(market, ticker, kind)
        mode = (
            DataNormalizationMode.ADJUSTED
            if kind == SecurityType.EQUITY
            else DataNormalizationMode.RAW
        )
        security = Security(
            symbol,
            hours,
            props,
            Resolution.HOUR,
            1.0,
            ConstantFeeModel(0),
            FillModel(),
            None,
            mode,
            False,
            False,
        )
        security.has_trade_data = True
        security._clock = lambda: algorithm.time
    first = security.exchange_hours.previous_trading_day(start.date())
    # LEAN's internal benchmark feed is hourly; sample data without hour files (crypto)
    # falls back to the next resolution that exists
    for resolution in (Resolution.HOUR, Resolution.MINUTE, Resolution.DAILY):
        config = SubscriptionConfig(
            security.symbol,
            resolution,
            "trade",
            fill_forward=False,
            internal=True,
            normalization=security.data_normalization_mode,
        )
        sub = load_subscription(
            config, security.exchange_hours, data_dir, first - timedelta(days=1), last
        )
        if len(sub):
            break
    start_ns = to_ns(start)
    before = sub.end <= start_ns
    if before.any():  # seed the price with the previous session's last hour bar
        from backtesting.engine.feed.bars_factory import make_bar
        from backtesting.engine.feed.subscription import from_ns

        row = int(before.nonzero()[0][-1])
        if not security.cache.price:
            security.update_trade(make_bar(sub, row, from_ns(int(sub.end[row])), False))
    subs.append(sub)
    security_of[id(sub)] = security
    # The benchmark reads its own (internal, regular-hours) feed: a user subscription to the
    # same symbol with extended hours must not move it (LEAN's ExtendedMarketTrading).
    last = [float(security.price)]
    sub.on_bar = lambda close: last.__setitem__(0, close)
    return lambda: last[0] or float(security.price)


__all__ = ["FeedSetup", "build_feed", "RESOLUTION_SPAN", "FactorFile"]
