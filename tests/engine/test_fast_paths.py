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
