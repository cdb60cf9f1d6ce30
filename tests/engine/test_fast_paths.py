"""The engine's fast paths behave exactly like the generic code they shortcut."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import numpy as np

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.data.corporate import FactorFile
from backtesting.engine.data.enums import Resolution, SecurityType
from backtesting.engine.data.market_hours import MarketHoursDatabase
from backtesting.engine.data.readers import RawBars
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.feed.subscription import SubscriptionConfig, prepare, to_ns
from backtesting.engine.feed.synchronizer import BacktestFeed
from backtesting.engine.indicators import SimpleMovingAverage
from backtesting.engine.indicators.base import IndicatorBase


class GenericSma(SimpleMovingAverage):
    """A subclass: takes the generic IndicatorBase._process path."""


def _state(sma: SimpleMovingAverage) -> tuple:
    points = lambda window: [(p.time, p.value) for p in window]  # noqa: E731
    return (
        sma.samples,
        sma.is_ready,
        sma.current.time,
        sma.current.value,
        points(sma.window),
        sma.rolling_sum.samples,
        sma.rolling_sum.current.value,
        points(sma.rolling_sum.window),
        [p.value for p in sma._inputs],
    )


def test_sma_fast_path_matches_the_generic_protocol_including_late_inputs_and_events():
    rng = random.Random(3)
    fast, generic = SimpleMovingAverage(5), GenericSma(5)
    seen: dict[str, list[float]] = {"fast": [], "generic": []}
    fast.updated += lambda sender, point: seen["fast"].append(point.value)
    generic.updated += lambda sender, point: seen["generic"].append(point.value)
    start = datetime(2020, 1, 1)
    for i in range(200):
        # every tenth input is late (older than the previous one) and must be ignored
        moment = start + timedelta(minutes=i - 3 if i % 10 == 9 else i)
        value = 100 + rng.gauss(0, 1)
        fast.update(moment, value)
        generic.update(moment, value)
        assert _state(fast) == _state(generic)
    assert seen["fast"] == seen["generic"] and len(seen["fast"]) == 180


def test_rolling_sum_built_late_has_the_state_it_would_have_had_and_stays_in_step():
    """The fast path keeps its own running total until ``rolling_sum`` is first read; the
    Sum built then equals the one the generic protocol kept all along, at any sample count
    (before the window fills, at three sums, long after), and both move on together."""
    for reads_after in (0, 1, 2, 3, 7, 40):
        rng = random.Random(reads_after)
        fast, generic = SimpleMovingAverage(5), GenericSma(5)
        start = datetime(2020, 1, 1)
        for i in range(60):
            if i == reads_after:
                assert _state(fast) == _state(generic), reads_after  # builds rolling_sum
            moment = start + timedelta(minutes=i - 3 if i % 10 == 9 else i)
            value = 100 + rng.gauss(0, 1)
            fast.update(moment, value)
            generic.update(moment, value)
        assert _state(fast) == _state(generic)
        fast_sum, generic_sum = fast.rolling_sum, generic.rolling_sum
        assert (fast_sum.window.samples, fast_sum.window.most_recently_removed.value) == (
            generic_sum.window.samples,
            generic_sum.window.most_recently_removed.value,
        )
        removed = [s._inputs.most_recently_removed for s in (fast_sum, generic_sum)]
        assert [(p.end_time, p.value) for p in removed] == [
            (removed[1].end_time, removed[1].value)
        ] * 2


def _read_state(sma: SimpleMovingAverage) -> tuple:
    """What an algorithm reads every bar; none of it takes an average out of raw mode."""
    point = lambda p: None if p is None else (p.symbol, p.time, p.end_time, p.value)  # noqa: E731
    return (
        sma.samples,
        sma.is_ready,
        point(sma.current),
        point(sma.previous),
        point(sma[0]),
        point(sma[1]),
        float(sma),
        sma > 100.0,
    )


def test_raw_sma_reads_and_later_state_match_the_generic_protocol():
    """A raw average (floats in, points made when read) against a subclass that takes the
    generic protocol: read at every input, every few, or never, fed by the engine's path
    (``_process_value``) and by ``update``, with late inputs, a repeated point and a
    reset; then the whole protocol state once it leaves raw mode."""
    for read_every in (1, 2, 3, 5, 1000):
        rng = random.Random(read_every)
        fast, generic = SimpleMovingAverage(7), GenericSma(7)
        start = datetime(2020, 1, 1)
        repeated = None
        for i in range(400):
            if i == 250:
                fast.reset()
                generic.reset()
            moment = start + timedelta(minutes=i - 4 if i % 13 == 12 else i)
            value = 100 + rng.gauss(0, 1)
            if i % 3 == 0:
                repeated = IndicatorDataPoint(moment, value)
                fast.update(repeated)
                generic.update(repeated)
            elif i % 3 == 1:
                fast._process_value(moment, value)
                generic._process_value(moment, value)
            else:
                fast.update(repeated)  # the same point again: counted once
                generic.update(repeated)
                fast.update(moment, value)
                generic.update(moment, value)
            if i % read_every == 0:
                assert _read_state(fast) == _read_state(generic), (read_every, i)
        assert fast._raw, "nothing above may leave raw mode"
        assert _read_state(fast) == _read_state(generic)
        assert fast.window.samples == generic.window.samples  # leaves raw mode
        assert fast.window.most_recently_removed.value == generic.window.most_recently_removed.value
        assert _state(fast) == _state(generic)
        for i in range(400, 420):  # and they go on together
            fast._process_value(start + timedelta(minutes=i), 100.0 + i % 5)
            generic._process_value(start + timedelta(minutes=i), 100.0 + i % 5)
            assert _state(fast) == _state(generic)


def test_raw_sma_fires_updated_with_the_point_current_returns():
    sma, seen = SimpleMovingAverage(3), []
    sma.updated += lambda sender, point: seen.append(point)
    start = datetime(2020, 1, 1)
    for i in range(5):
        sma._process_value(start + timedelta(minutes=i), float(i))
        assert seen[-1] is sma.current
    assert [p.value for p in seen] == [0.0, 0.5, 1.0, 2.0, 3.0]
    assert sma._raw


def test_sma_fed_a_bar_first_then_points_keeps_its_sum():
    """A bar takes the generic protocol: the running total must not lose that input."""
    from tests.engine.helpers import trade_bar

    fast, generic = SimpleMovingAverage(3), GenericSma(3)
    start = datetime(2020, 1, 1)
    for sma in (fast, generic):
        sma.update(trade_bar(start, 10.0, 10.0, 10.0, 10.0))
        for i in range(1, 6):
            sma.update(start + timedelta(minutes=i), 10.0 + i)
    assert _state(fast) == _state(generic)
    assert fast.current.value == (13 + 14 + 15) / 3


def test_sma_fast_path_repeated_point_object_is_counted_once():
    sma = SimpleMovingAverage(3)
    point = IndicatorDataPoint(datetime(2020, 1, 1), 10.0)
    sma.update(point)
    sma.update(point)
    assert sma.samples == 1 and sma.current.value == 10.0
    assert type(sma).update is IndicatorBase.update


def _minute_subscription(data_dir, day: date, minutes: int, symbol: str):
    hours = MarketHoursDatabase.from_data_dir(data_dir).get(SecurityType.EQUITY, "usa", "SPY")
    opening = np.datetime64(datetime(day.year, day.month, day.day, 9, 30), "ns")
    times = opening + np.arange(minutes).astype("timedelta64[m]").astype("timedelta64[ns]")
    values = np.column_stack([np.full(minutes, 100.0)] * 4 + [np.full(minutes, 10.0)])
    config = SubscriptionConfig(Symbol(symbol), Resolution.MINUTE, "trade", fill_forward=False)
    return prepare(config, hours, RawBars(times, values), FactorFile([]), day, day)


def test_chunks_bounded_by_items_never_split_a_step_and_cover_the_time_line(lean_data_dir):
    day = date(2013, 10, 7)
    subs = [_minute_subscription(lean_data_dir, day, 390, f"S{k}") for k in range(7)]
    feed = BacktestFeed(
        subs,
        to_ns(datetime(2013, 10, 7)),
        to_ns(datetime(2013, 10, 7, 23, 59)),
        day,
        day,
    )
    whole = next(feed.chunks(10_000))
    pieces = list(feed.chunks(10_000, max_items=50))

    assert len(pieces) > 1
    assert all(len(p.item_sub) <= 50 for p in pieces)  # 7 items per step: 7 whole steps
    assert sum(len(p.times) for p in pieces) == len(whole.times) == 390
    items = [
        (p.times[i], p.item_sub[j], p.item_row[j])
        for p in pieces
        for i in range(len(p.times))
        for j in range(p.firsts[i], p.stops[i])
    ]
    expected = [
        (whole.times[i], whole.item_sub[j], whole.item_row[j])
        for i in range(len(whole.times))
        for j in range(whole.firsts[i], whole.stops[i])
    ]
    assert items == expected
    for piece in pieces:
        for k in range(len(subs)):
            rows = [r for s, r in zip(piece.item_sub, piece.item_row, strict=True) if s == k]
            assert piece.row_ranges[k] == (min(rows), max(rows) + 1)


def test_row_ranges_of_a_chunk_leave_absent_subscriptions_empty():
    from backtesting.engine.feed.synchronizer import _row_ranges

    subs = np.array([2, 0, 2, 2, 0], dtype=np.int32)
    rows = np.array([7, 3, 8, 9, 4], dtype=np.int32)
    assert _row_ranges(subs, rows, 4) == [(3, 5), (0, 0), (7, 10), (0, 0)]
    assert _row_ranges(subs[:0], rows[:0], 2) == [(0, 0), (0, 0)]


#: the head of the test algorithms below: ``check``, not assert (an artifact is compiled
#: with optimize=2, which drops asserts)
ALGORITHM_HEAD = """
from AlgorithmImports import *


def check(condition, detail=""):
    if not condition:
        raise AssertionError(detail)
"""

LAZY_READS = (
    ALGORITHM_HEAD
    + """

class LazyReads(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2010, 1, 4)
        self.set_end_date(2010, 1, 6)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.other = self.add_equity("S001", Resolution.MINUTE).symbol
        self.sma = self.sma(self.spy, 3)
        self.inputs = []
        self.sma.updated += lambda sender, point: None
        self.kept = None
        self.checks = 0

    def on_data(self, data):
        security = self.securities[self.spy]
        self.lazy_steps = getattr(self, "lazy_steps", 0) + (type(data).__name__ == "LazySlice")
        if self.spy not in data:
            return
        bar = data[self.spy]
        # the slice, the cache and the step's bar are one object, with the cache's prices
        check(bar is data.bars[self.spy] is security.cache.trade_bar, self.time)
        check(bar.end_time == self.time and bar.time == self.time - timedelta(minutes=1))
        check(security.price == bar.close and security.high == bar.high)
        if self.kept is None:
            self.kept = (data, bar.close, bar.end_time)
        else:
            # a slice kept from an earlier step still holds that step's bar
            old, close, end = self.kept
            check(old[self.spy].close == close and old[self.spy].end_time == end)
        self.checks += 1
        if self.checks == 5:
            self.set_holdings(self.spy, 0.5)  # sized and filled on the deferred prices

    def on_end_of_algorithm(self):
        self.set_runtime_statistic("lazy", str(self.lazy_steps))
"""
)


def _run_on_a_walk(source: str, lean_data_dir, data_dir, symbols: int, days: int) -> dict:
    """Run ``source`` on the benchmark's random walk (trade bars only: the sample data's
    quotes take the eager path) and require it to complete (its checks ran in the run)."""
    from backtesting.engine.loader import compile_sources, load_algorithm
    from backtesting.engine.results import MemorySink
    from backtesting.engine.runner import run_algorithm
    from tests.bench.datagen import generate

    generate(data_dir, lean_data_dir, symbols=symbols, bars_per_symbol=days * 390)
    algorithm_type = load_algorithm(compile_sources({"main.py": source}))
    result = run_algorithm(algorithm_type, data_dir=data_dir, sink=MemorySink())
    assert result["status"] == "Completed", result.get("error")
    return result


def test_bars_built_on_first_read_are_shared_and_priced_like_eager_ones(lean_data_dir, tmp_path):
    result = _run_on_a_walk(LAZY_READS, lean_data_dir, tmp_path, symbols=2, days=3)
    assert result["statistics"]["Total Orders"] == "1"
    assert int(result["runtime_statistics"]["lazy"]) > 700  # the path under test was taken


SLICE_REUSE = (
    ALGORITHM_HEAD
    + """

class SliceReuse(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2010, 1, 4)
        self.set_end_date(2010, 1, 5)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.kept = []  # (slice, its time) of every 7th step
        self.steps = 0

    def on_data(self, data):
        self.steps += 1
        check(data.time == self.time)
        if self.steps % 7 == 0:
            self.kept.append((data, self.time))  # held, and not read: untouched
        elif self.steps % 5 == 0:
            # read, not kept: its dictionaries are built, so it is not reused either
            check(data.bars[self.spy].end_time == self.time)
        # every kept slice still holds its own step
        for old, when in self.kept[-3:]:
            check(old.time == when, (old.time, when))

    def on_end_of_algorithm(self):
        for old, when in self.kept:
            check(old[self.spy].end_time == when)  # (its bar, built now)
        self.set_runtime_statistic("steps", str(self.steps))
"""
)


def test_an_unheld_untouched_slice_is_reused_and_a_held_or_read_one_never(lean_data_dir, tmp_path):
    result = _run_on_a_walk(SLICE_REUSE, lean_data_dir, tmp_path, symbols=1, days=2)
    assert int(result["runtime_statistics"]["steps"]) > 700


def test_held_list_follows_positions_in_the_securities_order(lean_data_dir):
    """Positions opening and closing in any order keep the held list equal to a full
    re-listing (the securities' order: portfolio sums keep their float order)."""
    from backtesting.engine.algorithm.qc_algorithm import QCAlgorithm

    algorithm = QCAlgorithm()
    algorithm._attach(lean_data_dir, {})
    tickers = ["SPY", "AAPL", "IBM", "MSFT", "GOOG", "BAC"]
    for ticker in tickers:
        algorithm.add_equity(ticker, Resolution.MINUTE)
    portfolio = algorithm.portfolio
    rng = random.Random(5)
    for _ in range(300):
        holding = portfolio[rng.choice(tickers)]
        holding.quantity = rng.choice([0.0, 0.0, 10.0, -5.0])
        expected = [s for s in algorithm.securities.values() if s.holdings.quantity]
        assert portfolio._held == expected
        assert portfolio.invested == bool(expected)
    algorithm.add_equity("TSLA", Resolution.MINUTE)  # added later: goes last
    portfolio["TSLA"].quantity = 1.0
    portfolio["SPY"].quantity = 2.0
    assert portfolio._held == [s for s in algorithm.securities.values() if s.holdings.quantity]


FED_INDICATORS = (
    ALGORITHM_HEAD
    + """
class Fed(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 9)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.ibm = self.add_equity("IBM", Resolution.MINUTE).symbol
        # SPY: every handler takes the close (the loop feeds them without a bar)
        self.auto = [self.sma(self.spy, 10), self.ema(self.spy, 5)]
        self.manual = [SimpleMovingAverage(10), ExponentialMovingAverage(5)]
        # IBM: a bar indicator beside the averages (the loop builds the bar for all)
        self.auto_ibm = [self.sma(self.ibm, 7), self.atr(self.ibm, 14)]
        # (self.atr averages simply, LEAN's helper default; the class's own is Wilder's)
        self.manual_ibm = [SimpleMovingAverage(7), AverageTrueRange(14, MovingAverageType.SIMPLE)]
        self.checked = 0

    def on_data(self, data):
        bar = data.bars.get(self.spy)
        if bar is not None:
            for indicator in self.manual:
                indicator.update(bar.end_time, bar.close)
            for auto, manual in zip(self.auto, self.manual):
                check((auto.samples, auto.current.value, auto.current.end_time) == (
                    manual.samples, manual.current.value, manual.current.end_time))
            self.checked += 1
        bar = data.bars.get(self.ibm)
        if bar is not None:
            self.manual_ibm[0].update(bar.end_time, bar.close)
            self.manual_ibm[1].update(bar)
            for auto, manual in zip(self.auto_ibm, self.manual_ibm):
                check((auto.samples, auto.current.value) == (manual.samples, manual.current.value))
            self.checked += 1
        if self.checked == 500:
            self.auto[0].window.size = 5  # leaves raw mode mid-run; updates go on
        if self.checked > 500:
            check([p.value for p in self.auto[0].window][:2] == [
                p.value for p in self.manual[0].window][:2])

    def on_end_of_algorithm(self):
        self.set_runtime_statistic("checked", str(self.checked))
"""
)


def test_indicators_fed_by_the_loop_equal_ones_fed_the_slice_bars(lean_data_dir):
    """The loop feeds registered indicators the close (no bar) or the bar (a bar indicator
    on the same symbol); either way they equal indicators updated with the slice's bars."""
    from backtesting.engine.loader import compile_sources, load_algorithm
    from backtesting.engine.results.sink import MemorySink
    from backtesting.engine.runner import run_algorithm

    algorithm = load_algorithm(compile_sources({"main.py": FED_INDICATORS}))
    result = run_algorithm(algorithm, data_dir=lean_data_dir, sink=MemorySink())
    assert result["status"] == "Completed", result.get("error")
    assert int(result["runtime_statistics"]["checked"]) > 1500


def test_reading_gives_the_same_bars_when_threads_are_refused(lean_data_dir, monkeypatch):
    """Day files inflate on a thread while the last batch parses, and subscriptions load
    on two threads; where threads cannot start, both run inline with the same result."""
    from concurrent.futures import ThreadPoolExecutor

    from backtesting.engine.data import readers

    monkeypatch.setattr(readers, "DAYS_PER_PARSE", 2)  # several batches from the sample
    folder = str(lean_data_dir / "equity" / "usa" / "minute" / "spy")
    threaded = readers.read_day_files(folder, "trade", "20131001", "20131031", 6, True)

    def refuse(*args, **kwargs):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(ThreadPoolExecutor, "submit", refuse)
    inline = readers.read_day_files(folder, "trade", "20131001", "20131031", 6, True)
    assert len(threaded[1]) > 5 * 390
    assert (threaded[0] == inline[0]).all() and (threaded[1] == inline[1]).all()

    from backtesting.engine.loader import compile_sources, load_algorithm
    from backtesting.engine.results.sink import MemorySink
    from backtesting.engine.runner import run_algorithm

    algorithm = load_algorithm(compile_sources({"main.py": FED_INDICATORS}))
    result = run_algorithm(algorithm, data_dir=lean_data_dir, sink=MemorySink())
    assert result["status"] == "Completed", result.get("error")


def test_parallel_loads_keep_order_and_the_first_load_stays_on_this_thread():
    """The first load (the user's first subscription, often the largest) runs on the
    calling thread; results come back in the loads' order; a helper's failure raises."""
    import threading

    import pytest

    from backtesting.engine.setup_handler import _load_in_parallel

    caller = threading.get_ident()
    seen: dict[int, int] = {}

    def load(index: int):  # type: ignore[no-untyped-def]
        def run() -> int:
            seen[index] = threading.get_ident()
            return index * 10

        return run

    assert _load_in_parallel([load(i) for i in range(7)]) == [i * 10 for i in range(7)]
    assert seen[0] == caller
    assert _load_in_parallel([load(0)]) == [0]

    def failing() -> None:
        raise ValueError("no such file")

    with pytest.raises(ValueError, match="no such file"):
        _load_in_parallel([load(0), failing, load(2)])


def test_nanoseconds_of_a_moment_agree_with_numpy():
    """``to_ns`` computes naive datetimes by arithmetic and leaves the rest to numpy."""
    from datetime import date, datetime

    from backtesting.engine.feed.subscription import from_ns, to_ns

    for moment in (
        datetime(2010, 1, 4, 9, 31),
        datetime(1960, 5, 1, 0, 0, 0, 123456),
        datetime(2099, 12, 31, 23, 59, 59, 999999),
        date(2013, 10, 7),
        np.datetime64("2013-10-07T09:30:00.000000001"),
    ):
        assert to_ns(moment) == int(np.datetime64(moment, "ns").astype(np.int64)), moment
    assert from_ns(to_ns(datetime(1960, 5, 1, 0, 0, 0, 123456))) == datetime(
        1960, 5, 1, 0, 0, 0, 123456
    )


def test_intraday_fill_forward_grid_matches_one_range_per_session(lean_data_dir):
    """The grid is built for every session at once; a range per session, ending on the
    close when the steps miss it, is the reference."""
    from backtesting.engine.feed.subscription import _intraday_grid, session_bounds

    db = MarketHoursDatabase.from_data_dir(lean_data_dir)
    exchanges = [
        db.get(SecurityType.EQUITY, "usa", "SPY"),
        db.get(SecurityType.FOREX, "oanda", "EURUSD"),
        MarketHoursDatabase.always_open_hours(),
    ]
    first, last = date(2013, 11, 20), date(2014, 1, 6)  # a half day and the holidays
    for exchange in exchanges:
        for step in (timedelta(seconds=30), timedelta(minutes=7), timedelta(hours=1)):
            for extended in (False, True):
                expected = []
                day = first
                while day <= last:
                    for a, b in exchange.sessions(day, extended):
                        step_ns = int(step.total_seconds() * 1e9)
                        points = list(
                            range((to_ns(a) // step_ns + 1) * step_ns, to_ns(b) + 1, step_ns)
                        )
                        expected += (
                            points if points and points[-1] == to_ns(b) else [*points, to_ns(b)]
                        )
                    day += timedelta(days=1)
                opens, closes = session_bounds(exchange, first, last, extended)
                assert _intraday_grid(opens, closes, step).tolist() == expected
