"""Merge subscriptions into time slices, with LEAN's fill-forward (LEAN_SEMANTICS 1.7).

Everything is computed up front with numpy: the union of bar end times becomes the time
line, and every (step, subscription, row, is_fill_forward) item is known before the loop
starts, so the per-step work in the main loop is a list slice.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

import numpy as np

from backtesting.engine.feed.subscription import (
    Subscription,
    fill_forward_grid,
    forget_fill_forward_grids,
    strict_daily_end_time,
)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique for data that is almost sorted (numpy's hash-based unique is slow here)."""
    if len(values) > 1 and (values[1:] < values[:-1]).any():
        values = np.sort(values, kind="stable")
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _ordered_pairs(times: np.ndarray, subs: np.ndarray) -> bool:
    """True when (time, subscription) pairs are already in lexicographic order (a single
    subscription's items usually are: the sort is skipped)."""
    if len(times) < 2:
        return True
    if (times[1:] < times[:-1]).any():
        return False
    return not ((times[1:] == times[:-1]) & (subs[1:] < subs[:-1])).any()


def _sorted_member(values: np.ndarray, sorted_pool: np.ndarray) -> np.ndarray:
    """Boolean mask: which ``values`` occur in the sorted array ``sorted_pool``."""
    if len(sorted_pool) == 0:
        return np.zeros(len(values), dtype=bool)
    index = np.clip(np.searchsorted(sorted_pool, values), 0, len(sorted_pool) - 1)
    return sorted_pool[index] == values


@dataclass
class Chunk:
    """A piece of the time line: step ``i`` (absolute ``offset + i``) ends at ``times[i]``
    and owns items ``firsts[i]:stops[i]``; ``row_ranges[k]`` bounds subscription k's rows."""

    offset: int
    times: list[datetime]
    firsts: list[int]
    stops: list[int]
    item_sub: list[int]
    row_ranges: list[tuple[int, int]]
    #: the items as numpy arrays (sub, row, ff), for per-chunk vectorised work
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray]
    #: the steps' firsts and stops as numpy arrays
    step_arrays: tuple[np.ndarray, np.ndarray]

    # (as lists only when asked: the main loop's lazy steps never read them)
    @functools.cached_property
    def item_row(self) -> list[int]:
        return self.arrays[1].tolist()  # type: ignore[no-any-return]

    @functools.cached_property
    def item_ff(self) -> list[bool]:
        return self.arrays[2].tolist()  # type: ignore[no-any-return]


@dataclass
class TimeSlice:
    """Everything that happens at one instant: the items whose bar ends at ``time_ns``."""

    time_ns: int
    items: list[tuple[Subscription, int, bool]]  # (subscription, row, is_fill_forward)


class DataFeed(Protocol):
    """Subscriptions -> time slices in time order (LEAN's IDataFeed + synchronizer).

    A live feed would yield slices as data arrives; the backtest feed precomputes them.
    """

    def __iter__(self) -> Iterator[TimeSlice]:
        """Yield slices with strictly increasing ``time_ns``."""
        ...

    def __len__(self) -> int:
        """Number of slices (for progress reporting)."""
        ...


class BacktestFeed:
    """The file-system feed: bars with end time in (start, end] merged by end time."""

    def __init__(
        self,
        subscriptions: list[Subscription],
        start_ns: int,
        end_ns: int,
        first_day: date,
        last_day: date,
        event_times: list[int] | None = None,
    ) -> None:
        self.subscriptions = subscriptions
        user = [s for s in subscriptions if not s.config.internal]
        spans = [s.config.period for s in user if s.config.period > timedelta(0)]
        self.fill_forward_step = min(spans) if spans else timedelta(days=1)
        pos_parts, sub_parts, row_parts, ff_parts = [], [], [], []
        grids: dict[int, np.ndarray] = {}
        for k, sub in enumerate(subscriptions):
            in_range = (sub.end > start_ns) & (sub.end <= end_ns)
            if sub.config.kind == "custom":
                # LEAN serves a custom point whose period starts by the end date even
                # when it ends after it (a daily point of the last day ends at midnight)
                in_range = (sub.end > start_ns) & (sub.start <= end_ns)
            rows = np.nonzero(in_range)[0]
            pos_parts.append(sub.end[rows])
            sub_parts.append(np.full(len(rows), k, dtype=np.int32))
            row_parts.append(rows)
            ff_parts.append(np.zeros(len(rows), dtype=bool))
            daily_free = sub.config.resolution == 4 and not strict_daily_end_time(
                sub.config, sub.exchange
            )
            # (daily bars on the file's own day boundaries are not filled forward)
            if sub.config.fill_forward and not sub.config.internal and len(rows) and not daily_free:
                daily_only = self.fill_forward_step >= timedelta(days=1)
                grid = fill_forward_grid(
                    sub.exchange,
                    self.fill_forward_step,
                    first_day,
                    last_day,
                    sub.config.extended_hours,
                    daily_only,
                )
                grid = grid[(grid > sub.end[rows[0]]) & (grid <= end_ns)]
                grid = grid[~_sorted_member(grid, sub.end[rows])]
                # the row to copy is the latest real bar ending before the grid time
                last_row = np.searchsorted(sub.end, grid, side="left") - 1
                ok = last_row >= rows[0]
                grids[k] = grid[ok]
                pos_parts.append(grid[ok])
                sub_parts.append(np.full(int(ok.sum()), k, dtype=np.int32))
                row_parts.append(last_row[ok])
                ff_parts.append(np.ones(int(ok.sum()), dtype=bool))
        times = np.concatenate(pos_parts) if pos_parts else np.zeros(0, dtype=np.int64)
        subs_idx = np.concatenate(sub_parts) if sub_parts else np.zeros(0, dtype=np.int64)
        rows_all = np.concatenate(row_parts) if row_parts else np.zeros(0, dtype=np.int64)
        ffs = np.concatenate(ff_parts) if ff_parts else np.zeros(0, dtype=bool)
        del pos_parts, sub_parts, row_parts, ff_parts, grids
        # kept as compact numpy arrays; the loop converts one chunk at a time to lists
        if not _ordered_pairs(times, subs_idx):
            order = np.lexsort((subs_idx, times))
            times, subs_idx, rows_all, ffs = (
                times[order],
                subs_idx[order],
                rows_all[order],
                ffs[order],
            )
            del order
        self._subs = subs_idx
        self._rows = rows_all.astype(np.int32) if len(rows_all) < 2**31 else rows_all
        del rows_all
        self._ff = ffs
        for exchange in {id(sub.exchange): sub.exchange for sub in subscriptions}.values():
            forget_fill_forward_grids(exchange)
        # corporate actions take effect at midnight: a step of their own, even without bars
        extra = [t for t in (event_times or []) if start_ns < t <= end_ns]
        #: step i holds the items [_bounds[i], _bounds[i + 1]) (every item's time is a
        #: step, so one array bounds both sides); None when step i holds item i alone (a
        #: single subscription without events). The items' own times are not kept: the
        #: steps stand for them (per million bars, 8 MB each array not kept).
        self._bounds: np.ndarray | None = None
        if not extra and not (times[1:] <= times[:-1]).any():
            self.steps = times  # one item per step
        else:
            index = np.int32 if len(times) < 2**31 else np.int64
            if extra:
                self.steps = _sorted_unique(
                    np.concatenate([times, np.array(extra, dtype=np.int64)])
                )
                starts = np.searchsorted(times, self.steps, side="left").astype(index)
            else:  # (sorted times: each step starts where the time changes)
                starts = np.flatnonzero(np.concatenate(([True], times[1:] != times[:-1]))).astype(
                    index
                )
                self.steps = times[starts]
            self._bounds = np.append(starts, np.array([len(times)], dtype=index))

    def __len__(self) -> int:
        return len(self.steps)

    def chunks(self, size: int, max_items: int | None = None) -> Iterator[Chunk]:
        """The time line in pieces of at most ``size`` steps (and about ``max_items`` items:
        a step is never split), as plain Python lists.

        Converting a chunk at a time keeps memory proportional to the chunk, not the run;
        with many subscriptions a step holds many items, so items bound the chunk too.
        """
        n_subs = len(self.subscriptions)
        n_steps = len(self.steps)
        a = 0
        while a < n_steps:
            b = min(a + size, n_steps)
            if self._bounds is None:  # step i holds item i
                if max_items is not None:
                    b = max(a + 1, min(b, a + max_items))
                bounds = np.arange(a, b, dtype=np.int64)
                ends = bounds + 1
            else:
                if max_items is not None:
                    ends_all = self._bounds[1:]
                    # (the limit in the bounds' own type: a Python int would cast all of them)
                    limit = ends_all.dtype.type(int(self._bounds[a]) + max_items)
                    b = max(a + 1, min(b, int(np.searchsorted(ends_all, limit, side="right"))))
                bounds, ends = self._bounds[a:b], self._bounds[a + 1 : b + 1]
            lo, hi = int(bounds[0]), int(ends[-1])
            subs, rows = self._subs[lo:hi], self._rows[lo:hi]
            row_ranges = _row_ranges(subs, rows, n_subs)
            firsts, stops = bounds - lo, ends - lo
            yield Chunk(
                offset=a,
                times=self.steps[a:b].astype("datetime64[ns]").astype("datetime64[us]").tolist(),
                firsts=firsts.tolist(),
                stops=stops.tolist(),
                item_sub=subs.tolist(),
                row_ranges=row_ranges,
                arrays=(subs, rows, self._ff[lo:hi]),
                step_arrays=(firsts, stops),
            )
            a = b

    def __iter__(self) -> Iterator[TimeSlice]:
        subs = self.subscriptions
        for chunk in self.chunks(100_000):
            for i in range(len(chunk.times)):
                a, b = chunk.firsts[i], chunk.stops[i]
                items = [
                    (subs[chunk.item_sub[j]], chunk.item_row[j], chunk.item_ff[j])
                    for j in range(a, b)
                ]
                yield TimeSlice(int(self.steps[chunk.offset + i]), items)


def _row_ranges(subs: np.ndarray, rows: np.ndarray, n_subs: int) -> list[tuple[int, int]]:
    """Each subscription's rows among these items, as a range ((0, 0) when it has none).

    One unbuffered min and max per subscription (``ufunc.at``): sorting the items to find
    each one's first and last (``np.unique``) cost 20 times as much with a hundred."""
    if not len(subs):
        return [(0, 0)] * n_subs
    # (in the rows' own type: with another, ufunc.at casts item by item, 20 times slower)
    lowest = np.full(n_subs, np.iinfo(rows.dtype).max, dtype=rows.dtype)
    highest = np.full(n_subs, -1, dtype=rows.dtype)
    np.minimum.at(lowest, subs, rows)
    np.maximum.at(highest, subs, rows)
    return [
        (lo, hi + 1) if hi >= 0 else (0, 0)
        for lo, hi in zip(lowest.tolist(), highest.tolist(), strict=True)
    ]
