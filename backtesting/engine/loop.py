"""The main loop: one deterministic pass over the time line with LEAN's step order.

Per time step (LEAN's AlgorithmManager, LEAN_SEMANTICS 3.2):

1. fire scheduled events that fell before this step (midnight sampling, user events),
   each at its own time; end warm-up when the step passes the start;
2. set the clock; build the step's bars and push real (non fill-forward) ones into the
   price caches (internal feeds included);
3. process pending orders against the new data;
4. fire scheduled events due now;
5. corporate actions (splits, dividends) -> portfolio, ``on_splits``/``on_dividends``;
6. consolidators and indicators; 7. ``on_data(slice)``;
8. intraday equity sampling, progress and runtime statistics.

Kept flat on purpose: everything per step is a local-variable lookup, so a do-nothing
minute algorithm costs a few microseconds per bar.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from sys import getrefcount
from typing import Any

import numpy as np

from backtesting.engine.algorithm.qc_algorithm import QCAlgorithm, SecurityChanges
from backtesting.engine.data.slice import DataDictionary, Slice
from backtesting.engine.feed.bars_factory import bar_factory
from backtesting.engine.feed.lazy_bars import BarColumns, LazySlice, StepItems

#: how many time steps pass between two checks of ``should_stop``
STOP_CHECK_INTERVAL = 500
#: progress events per run (at most)
PROGRESS_EVENTS = 100
#: runtime-statistics updates between two recomputations of the (costly) running PSR
PSR_REFRESH = 10
#: allocations between two young-generation garbage collections during a run (Python's
#: default is 700): each order keeps half a dozen objects (the order, its ticket, its
#: events), and at 700 the collector re-walked them often enough to cost 3 % of an
#: order-heavy run; cyclic garbage still goes within this many allocations
YOUNG_COLLECTION_THRESHOLD = 50_000
#: time steps converted to Python objects at a time (memory stays bounded on long runs)
CHUNK_STEPS = 20_000
#: ... and about this many items (100 symbols put 100 items in every step)
CHUNK_ITEMS = 50_000

_TRADE, _QUOTE, _CUSTOM = 0, 1, 2
_NEVER = datetime.max


def run_loop(
    algorithm: Any,
    collector: Any,
    setup: Any,
    sink: Any,
    start: datetime,
    should_stop: Callable[[], bool] | None,
    runtime_statistics: Callable[[Any, Any], dict[str, str]],
) -> tuple[str, datetime, datetime | None]:
    """Run the time steps of ``setup.feed``.

    Returns (status, time of the last step, resume time): the resume time is set when the
    algorithm added or removed securities, so the caller rebuilds the feed from there.
    """
    transactions = algorithm.transactions
    scheduler = algorithm._scheduler
    heap = scheduler._heap
    portfolio = algorithm.portfolio
    corporate = setup.corporate
    handlers = algorithm._data_handlers
    close_feeds = algorithm._close_feeds
    consolidators = algorithm.subscription_manager.consolidators
    on_data = algorithm.on_data

    feed = setup.feed
    subs = feed.subscriptions
    securities = [setup.security_of[id(sub)] for sub in subs]
    kinds = [{"trade": _TRADE, "quote": _QUOTE}.get(sub.config.kind, _CUSTOM) for sub in subs]
    internal = [sub.config.internal for sub in subs]
    symbols = [sec.symbol for sec in securities]
    # the bar that feeds indicators: trade bars, or quotes when a security has no trades
    feeds_handlers = [k == _TRADE or not securities[i].has_trade_data for i, k in enumerate(kinds)]
    # with trade bars only, slice[symbol] and slice.bars are one dictionary (a quote
    # subscription without files, as for equities with trade files only, never has items)
    trades_only = all(k == _TRADE or internal[i] or not len(subs[i]) for i, k in enumerate(kinds))
    # intraday trade bars (the common case) are built inline, without a function call
    inline = [kinds[i] == _TRADE and sub.config.resolution != 4 for i, sub in enumerate(subs)]
    periods = [sub.config.period for sub in subs]
    # An internal feed (the benchmark's hour bars) only prices a security the algorithm
    # does not subscribe itself: LEAN's fill models and charts never see those bars for a
    # user's security (a daily SPY stop-limit fills on daily bars; no intraday equity).
    user_securities = {id(securities[i]) for i in range(len(subs)) if not internal[i]}
    shadowed = [internal[i] and id(securities[i]) in user_securities for i in range(len(subs))]
    # steps of intraday trade bars only (a user's, or an internal feed's such as the
    # benchmark's hour bars), none filled forward, build their bars lazily
    lazy_capable = [inline[i] and trades_only for i in range(len(subs))]
    caches = [sec.cache for sec in securities]
    hooks = [sub.on_bar for sub in subs]
    new = object.__new__
    data: Any = Slice(_NEVER)  # the step's slice (this one is never reused: no _items)

    def set_time(moment: datetime) -> None:
        algorithm._time = moment

    total = max(len(feed), 1)
    progress_every = max(-(-total // PROGRESS_EVENTS), 1)
    next_progress = progress_every
    next_stop_check = STOP_CHECK_INTERVAL if should_stop is not None else total + 1
    # one comparison per step stands for both: the next stop check or progress report
    next_check = min(next_stop_check, next_progress)
    report_progress = False
    # the sink may pace the reports (the platform's, by wall time): asked at each boundary
    progress_due = getattr(sink, "progress_due", None)
    status = "Completed"
    last_time = start
    warming = algorithm.is_warming_up
    psr: str | None = None
    psr_countdown = 0
    listens = type(algorithm).on_securities_changed is not QCAlgorithm.on_securities_changed
    resume_at: datetime | None = None
    step = 0
    # the next instant a corporate action or an intraday equity sample is due
    corporate_next = corporate.next_time() if corporate is not None else _NEVER
    next_sample = collector.next_sample or datetime.min
    chunks = feed.chunks(CHUNK_STEPS, CHUNK_ITEMS)
    for chunk in chunks:
        times, firsts, stops = chunk.times, chunk.firsts, chunk.stops
        item_sub = chunk.item_sub
        # fill-forward and non-inline bars go through a factory, built on first use
        makers: list[Any] = [None] * len(subs)
        # the chunk's rows of each intraday trade subscription, turned into plain-float
        # columns when a bar is first read (see feed/lazy_bars.BarColumns)
        columns_of = [
            BarColumns(symbols[k], periods[k], sub.values[slice(*chunk.row_ranges[k])])
            if inline[k]
            else None
            for k, sub in enumerate(subs)
        ]
        local_row, lazy, solo = _local_rows_and_lazy_steps(chunk, lazy_capable, internal)
        # (the other steps read each item's row in the subscription and its fill-forward flag)
        item_row, item_ff = (None, None) if all(lazy) else (chunk.item_row, chunk.item_ff)
        # (internal bars never appear in the slice)
        items = StepItems(
            firsts,
            stops,
            item_sub,
            local_row,
            [None if internal[k] else c for k, c in enumerate(columns_of)],
        )
        # the chunk lives until its last step: keep it (and everything older) out of GC passes
        gc.freeze()
        for i, now in enumerate(times):
            step += 1
            if step >= next_check:
                if should_stop is not None and step >= next_stop_check:
                    next_stop_check += STOP_CHECK_INTERVAL
                    if should_stop():
                        status = "Stopped"
                        break
                if step >= next_progress:
                    report_progress = True
                next_check = min(next_stop_check, next_progress)
            if warming and now > start:
                scheduler.fire_before(start, set_time)
                warming = algorithm.is_warming_up = False
                algorithm._time = start
                collector.begin(portfolio.total_portfolio_value)
                algorithm.on_warmup_finished()
            if heap and heap[0][0] < now:
                scheduler.fire_before(now, set_time)
            algorithm._time = now
            last_time = now
            # what feeds indicators and consolidators: (subscription, row, bar or None); a
            # solo step's one item is kept as (fed_sub, fed_row) instead, without the list
            fed: list[tuple[int, int, Any]] | None = None
            fed_sub = -1

            k = solo[i]
            if k >= 0:
                # the most common step: one intraday trade bar of one of the user's
                # subscriptions; the slice and the cache get its row (lazy steps, below).
                # The last step's slice is reused when nothing else holds it (only this
                # variable and getrefcount's argument) and nothing was stored in it: no one
                # can tell, and a new one cost about 5 % of a do-nothing run
                if getrefcount(data) != 2 or data._items is not items:
                    data = new(LazySlice)
                    data._items = items
                data.time = now
                data._step = i
                user_data = True
                cache = caches[k]
                row = local_row[firsts[i]]
                if cache.ohlc_end != now:
                    # SecurityCache.defer, inline
                    cache.ohlc_end = now
                    cache._columns = columns_of[k]
                    cache._row = row
                else:
                    cache.trade_bar = columns_of[k].bar(row, now)
                if feeds_handlers[k] and (handlers or consolidators):
                    fed_sub, fed_row = k, row
            elif lazy[i]:
                # intraday trade bars only: the slice and the caches get rows, and bars are
                # built only for what reads them
                data = new(LazySlice)
                data.time = now
                data._items = items
                data._step = i
                user_data = False
                feeding = handlers or consolidators
                for j in range(firsts[i], stops[i]):
                    k = item_sub[j]
                    if internal[k]:
                        _deliver_internal(
                            None if shadowed[k] else caches[k],
                            hooks[k],
                            columns_of[k],
                            local_row[j],
                            now,
                        )
                        continue
                    user_data = True
                    cache = caches[k]
                    if cache.ohlc_end != now:
                        # SecurityCache.defer, inline (once per item)
                        cache.ohlc_end = now
                        cache._columns = columns_of[k]
                        cache._row = local_row[j]
                    else:
                        cache.trade_bar = columns_of[k].bar(local_row[j], now)
                    if feeding and feeds_handlers[k]:
                        if fed is None:
                            fed = []
                        fed.append((k, local_row[j], None))
            else:
                bars = DataDictionary()
                data = new(Slice)
                data.time = now
                data.bars = bars
                data._data = bars if trades_only else DataDictionary()
                user_data = False
                for j in range(firsts[i], stops[i]):
                    k = item_sub[j]
                    ff = item_ff[j]
                    kind = kinds[k]
                    if inline[k] and not ff:
                        bar = columns_of[k].bar(local_row[j], now)
                    else:
                        make = makers[k]
                        if make is None:
                            make = makers[k] = bar_factory(subs[k], *chunk.row_ranges[k])
                        bar = make(item_row[j], now, ff)
                    security = securities[k]
                    if not ff and not shadowed[k]:
                        if kind == _TRADE:
                            cache = caches[k]
                            cache.trade_bar = bar
                            cache.set_ohlc(bar)
                        elif kind == _QUOTE:
                            security.update_quote(bar)
                        else:
                            security.cache.custom = bar
                            security.cache.price = float(bar.value)
                    if internal[k]:
                        if not ff and hooks[k] is not None:
                            hooks[k](bar.close)
                        continue
                    user_data = True
                    symbol = symbols[k]
                    if kind == _TRADE:
                        bars[symbol] = bar
                        if not trades_only:
                            data._data[symbol] = bar
                    elif kind == _QUOTE:
                        data.add_quote(symbol, bar)
                    else:
                        data.add_custom(symbol, bar)
                    if feeds_handlers[k] and (handlers or consolidators):
                        if fed is None:
                            fed = []
                        fed.append((k, -1, bar))

            if algorithm._changes_added or algorithm._changes_removed:
                # LEAN reports additions/removals on the first time step that has them
                added, removed = algorithm._changes_added, algorithm._changes_removed
                algorithm._changes_added, algorithm._changes_removed = [], []
                if listens:
                    algorithm.on_securities_changed(SecurityChanges(added, removed))
            transactions.step = step
            if transactions._open:
                transactions.scan()
            if heap and heap[0][0] <= now:
                scheduler.fire_at(now)
            if now >= corporate_next:
                corporate.apply(algorithm, data, now)
                corporate_next = corporate.next_time()
            if consolidators:
                for cons_list in consolidators.values():
                    for consolidator in cons_list:
                        consolidator.scan(now)
            if fed_sub >= 0:
                by_close = close_feeds.get(symbols[fed_sub])
                if by_close is not None and not consolidators:
                    # the common case, as below: every handler takes the close (here
                    # BarColumns.close unrolled: this runs once per bar)
                    columns = columns_of[fed_sub]
                    if columns._values is not None:
                        columns._to_lists()
                    close = columns.closes[fed_row]
                    for feed_close in by_close:
                        feed_close(now, close)
                else:
                    fed = [(fed_sub, fed_row, None)]
            if fed is not None:
                for k, row, bar in fed:
                    symbol = symbols[k]
                    by_close = close_feeds.get(symbol)
                    if (
                        bar is None
                        and by_close is not None
                        and not (consolidators and consolidators.get(symbol))
                    ):
                        # every handler of the symbol takes the close: no bar is built
                        close = columns_of[k].close(row)
                        for feed_close in by_close:
                            feed_close(now, close)
                        continue
                    if bar is None:
                        bar = columns_of[k].bar(row, now)
                    for consolidator in consolidators.get(symbol, ()):
                        consolidator.update(bar)
                    for handler in handlers.get(symbol, ()):
                        handler(bar)
            if user_data or data.has_data:
                on_data(data)
            if algorithm._quit:
                break
            if algorithm._changes_added or algorithm._changes_removed:
                # the subscriptions changed: the caller rebuilds the feed from this instant
                resume_at = now
                break
            if not warming:
                # LEAN's equity chart moves only on the algorithm's own data: internal feeds
                # (the benchmark's hour bars) never add intraday equity points
                if user_data and now > next_sample:
                    collector.step(now, portfolio.total_portfolio_value)
                    next_sample = collector.next_sample
            if report_progress:
                report_progress = False
                next_progress = step + progress_every
                next_check = min(next_stop_check, next_progress)
                if progress_due is None or progress_due():
                    sink.emit({"type": "progress", "fraction": round(step / total, 4)})
                    if not warming:
                        # the running PSR needs every sample: refresh it only every tenth update
                        if psr_countdown <= 0:
                            psr, psr_countdown = None, PSR_REFRESH
                        values = runtime_statistics(algorithm, collector, psr)
                        psr = values.get("Probabilistic Sharpe Ratio", psr)
                        psr_countdown -= 1
                        sink.emit({"type": "runtime_statistics", "values": values})
        gc.unfreeze()
        if status != "Completed" or resume_at is not None or algorithm._quit:
            break
    chunks.close()
    return status, last_time, resume_at


@contextmanager
def fewer_young_collections() -> Iterator[None]:
    """Collect the young generation every ``YOUNG_COLLECTION_THRESHOLD`` allocations
    while the loop runs (the older generations keep their pace)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _deliver_internal(cache: Any, hook: Any, columns: BarColumns, row: int, now: datetime) -> None:
    """An internal feed's bar in a lazy step: it prices its security (unless the algorithm
    subscribes that security itself) and feeds its hook (the benchmark) with the close."""
    if cache is not None:
        if cache.ohlc_end != now:
            cache.defer(columns, row, now)
        else:
            cache.trade_bar = columns.bar(row, now)
    if hook is not None:
        hook(columns.close(row))


def _local_rows_and_lazy_steps(
    chunk: Any, lazy_capable: list[bool], internal: list[bool]
) -> tuple[list[int], list[bool], list[int]]:
    """Each item's row within its subscription's chunk columns; which steps hold only
    items that can be delivered lazily (not filled forward): those build bars on demand;
    and, per step, the subscription of its only item when that is a lazy user item (-1
    otherwise): the loop's shortest path."""
    subs, rows, ff = chunk.arrays
    firsts, stops = chunk.step_arrays
    first_rows = np.array([r[0] for r in chunk.row_ranges], dtype=np.int64)
    local = (rows - first_rows[subs]).tolist() if len(subs) else []
    slow = ~np.asarray(lazy_capable, dtype=bool)[subs] | ff
    slow_before = np.concatenate(([0], np.cumsum(slow)))
    lazy = (slow_before[stops] == slow_before[firsts]) & (stops > firsts)
    solo = np.full(len(firsts), -1, dtype=np.int64)
    single = lazy & (stops - firsts == 1)
    if single.any():
        only = subs[firsts[single]]
        solo[single] = np.where(np.asarray(internal, dtype=bool)[only], -1, only)
    return local, lazy.tolist(), solo.tolist()
