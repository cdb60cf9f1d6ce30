"""The setup handler: build the backtest's feed from the algorithm's subscriptions (LEAN's setup + data manager).

Adds LEAN's internal benchmark subscription (SPY hour trade bars from the previous
trading day, no fill-forward), loads every subscription once, and returns the pieces
the loop needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from backtesting.engine.memory import release_freed_memory


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
    configs = [
        (config, algorithm.securities[config.symbol])
        for config in algorithm._subscriptions
        if not getattr(algorithm.securities[config.symbol], "removed", False)
    ]
    loads = [
        lambda config=config, hours=security.exchange_hours: load_subscription(
            config, hours, data_dir, first, last
        )
        for config, security in configs
        if config.kind != "custom"
    ]
    benchmark = _BenchmarkFeed.of(algorithm, data_dir, start, last)
    if benchmark is not None:
        loads.append(benchmark.load_hours)
    prices = _load_in_parallel(loads)
    subs: list[Subscription] = []
    security_of: dict[int, Any] = {}
    for config, security in configs:
        if config.kind == "custom":  # the user's reader runs on this thread
            sub = load_custom_subscription(
                config, security.exchange_hours, data_dir, first, last, algorithm
            )
        else:
            sub = prices.pop(0)
        subs.append(sub)
        security_of[id(sub)] = security
    if benchmark is None:
        custom = algorithm._benchmark
        benchmark_value: Callable[[], float] = lambda: float(custom(algorithm.time))  # noqa: E731
    else:
        sub = benchmark.finish(prices.pop(0), start)
        subs.append(sub)
        security_of[id(sub)] = benchmark.security
        benchmark_value = benchmark.value
    corporate = CorporateActions.for_securities(algorithm, data_dir)
    event_times = corporate.event_times() if corporate else []
    feed = BacktestFeed(
        subs, to_ns(first_time), to_ns(end), first_time.date(), end.date(), event_times
    )
    history = HistoryProvider(data_dir, algorithm)
    release_freed_memory()  # what building the feed freed, before the run allocates
    return FeedSetup(feed, benchmark_value, first_time, history, security_of, corporate)


def _load_in_parallel(loads: list[Callable[[], Subscription]]) -> list[Subscription]:
    """Run ``loads`` (results in their order) on this thread and one helper thread, each
    taking the next load as it is free: file reads and zlib release the GIL, so one
    subscription inflates its files while another is parsed.

    This thread takes the first load, the user's first subscription: a large file set
    parsed here keeps its buffers in the main allocator's arena (parsed on a helper, a
    million bars left some 50 MB more resident). Without threads, all run here.
    """
    results: list[Any] = [None] * len(loads)
    order = iter(range(len(loads)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(order, None)
            if index is None:
                return
            results[index] = loads[index]()

    first = next(order, None)  # claimed before the helper starts
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        helper = pool.submit(work) if len(loads) > 1 else None
    except RuntimeError:  # "can't start new thread"
        helper = None
    try:
        if first is not None:
            results[first] = loads[first]()
        work()
    finally:
        pool.shutdown(wait=True)
    if helper is not None:
        helper.result()  # a load that failed on the helper raises here
    return results


class _BenchmarkFeed:
    """LEAN's internal benchmark feed: the benchmark security's hour trade bars (regular
    hours, no fill-forward) from the trading day before the start; its last close is the
    benchmark's value."""

    def __init__(self, security: Any, data_dir: Path, first: date, last: date) -> None:
        self.security = security
        self._data_dir, self._first, self._last = data_dir, first, last
        self._close = 0.0

    @classmethod
    def of(
        cls, algorithm: Any, data_dir: Path, start: datetime, last: date
    ) -> _BenchmarkFeed | None:
        """The feed of ``algorithm``'s benchmark; None for a benchmark function."""
        bench = algorithm._benchmark
        if callable(bench) and not isinstance(bench, (str, Symbol)):
            return None
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
        return cls(security, data_dir, first - timedelta(days=1), last)

    def load(self, resolution: int) -> Subscription:
        security = self.security
        config = SubscriptionConfig(
            security.symbol,
            resolution,
            "trade",
            fill_forward=False,
            internal=True,
            normalization=security.data_normalization_mode,
        )
        return load_subscription(
            config, security.exchange_hours, self._data_dir, self._first, self._last
        )

    def load_hours(self) -> Subscription:
        return self.load(Resolution.HOUR)

    def finish(self, hours: Subscription, start: datetime) -> Subscription:
        """The feed (the hour bars, or, for sample data without hour files such as crypto,
        the next resolution that exists), with the price seeded and its bars followed."""
        sub = hours
        for resolution in (Resolution.MINUTE, Resolution.DAILY):
            if len(sub):
                break
            sub = self.load(resolution)
        security = self.security
        start_ns = to_ns(start)
        before = sub.end <= start_ns
        if before.any():  # seed the price with the previous session's last hour bar
            from backtesting.engine.feed.bars_factory import make_bar
            from backtesting.engine.feed.subscription import from_ns

            row = int(before.nonzero()[0][-1])
            if not security.cache.price:
                security.update_trade(make_bar(sub, row, from_ns(int(sub.end[row])), False))
        # The benchmark reads its own (internal, regular-hours) feed: a user subscription
        # to the same symbol with extended hours must not move it (LEAN's
        # ExtendedMarketTrading).
        self._close = float(security.price)
        sub.on_bar = self._follow
        return sub

    def _follow(self, close: float) -> None:
        self._close = close

    def value(self) -> float:
        return self._close or float(self.security.price)


__all__ = ["FeedSetup", "build_feed", "RESOLUTION_SPAN", "FactorFile"]
