"""Trade bars built when first read, not at every time step.

An algorithm that reads nothing of a step's data (or one symbol of a hundred) should not
pay for a bar object per symbol per step. The loop hands the security cache and the
``Slice`` a row of the chunk's columns instead; the bar is built on first read, once per
(subscription, row), so the slice, the cache and the indicators see the same object.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from backtesting.engine.data.bars import TradeBar
from backtesting.engine.data.slice import DataDictionary, Slice

_new = object.__new__


class BarColumns:
    """One subscription's intraday trade bars within a chunk.

    The price columns become plain-float lists on the first bar built (float objects are
    cheap to index and not tracked by the garbage collector); a run that never reads a
    bar of this chunk never converts them.
    """

    __slots__ = (
        "symbol",
        "period",
        "_values",
        "opens",
        "highs",
        "lows",
        "closes",
        "volumes",
        "_row",
        "_bar",
    )

    def __init__(self, symbol: Any, period: timedelta, values: Any) -> None:
        self.symbol = symbol
        self.period = period
        self._values = values  # the chunk's rows of the subscription's (n, 5+) value matrix
        self._row = -1
        self._bar: TradeBar | None = None

    def close(self, row: int) -> float:
        """The close of ``row``, without building its bar."""
        if self._values is not None:
            self._to_lists()
        return self.closes[row]

    def bar(self, row: int, end: datetime) -> TradeBar:
        """The bar of ``row`` (ending at ``end``): built once, then the same object."""
        if row == self._row:
            return self._bar  # type: ignore[return-value]  # set with _row
        if self._values is not None:
            self._to_lists()
        bar = _new(TradeBar)
        bar.symbol = self.symbol
        bar.time = end - self.period
        bar.end_time = end
        bar.open = self.opens[row]
        bar.high = self.highs[row]
        bar.low = self.lows[row]
        bar.close = bar.value = self.closes[row]
        bar.volume = self.volumes[row]
        bar.is_fill_forward = False
        self._row, self._bar = row, bar
        return bar

    def _to_lists(self) -> None:
        self.opens, self.highs, self.lows, self.closes, self.volumes = (
            column.tolist() for column in self._values[:, :5].T
        )
        self._values = None


class StepItems:
    """What a lazy slice needs to build its bars: the chunk's steps, items and columns."""

    __slots__ = ("firsts", "stops", "item_sub", "item_row", "columns")

    def __init__(
        self,
        firsts: list[int],
        stops: list[int],
        item_sub: list[int],
        item_row: list[int],
        columns: list[Any],
    ) -> None:
        self.firsts, self.stops = firsts, stops  # step i owns items firsts[i]:stops[i]
        self.item_sub = item_sub
        self.item_row = item_row  # row within the subscription's columns
        self.columns = columns  # per subscription: BarColumns, or None (not in the slice)


class LazySlice(Slice):
    """A ``Slice`` of trade bars only, whose dictionaries are built on first use.

    ``bars`` and ``_data`` stay unset until read; ``__getattr__`` (called only for an
    unset slot) builds them from the items of step ``_step`` and stores them, so every
    later read is an ordinary slot. (Three slots are set per step: the loop makes one
    slice per time step, so each one counts.)

    ``_items`` is None once anything was stored in the slice (its dictionaries built, or
    corporate events added): until then, ``time`` and ``_step`` are its whole state, and
    the main loop may reuse a slice nobody else holds for the next step (``untouched``).
    """

    __slots__ = ("_items", "_step")

    def __getattr__(self, name: str) -> Any:
        if name not in ("bars", "_data"):
            return Slice.__getattr__(self, name)
        items, end = self._items, self.time
        bars = DataDictionary()
        step = self._step
        for j in range(items.firsts[step], items.stops[step]):
            columns = items.columns[items.item_sub[j]]
            if columns is not None:  # None: an internal feed, never in the slice
                bars[columns.symbol] = columns.bar(items.item_row[j], end)
        self.bars = self._data = bars
        self._items = None
        return bars

    def add_events(self, name: str, events: dict[Any, Any]) -> DataDictionary:
        self.bars  # noqa: B018  # (built first: the slice is no longer untouched)
        return Slice.add_events(self, name, events)
