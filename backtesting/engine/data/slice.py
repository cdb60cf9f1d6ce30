"""The Slice ``on_data`` receives: every security's data at one instant, keyed by symbol."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any


class DataDictionary(dict):
    """A dict keyed by Symbol that also accepts ticker strings; missing keys give None via get."""

    def contains_key(self, key: Any) -> bool:
        return key in self

    ContainsKey = contains_key

    @property
    def count(self) -> int:
        return len(self)

    def try_get_value(self, key: Any) -> tuple[bool, Any]:
        return (key in self, self.get(key))


_EMPTY = DataDictionary()
_EMPTY_BY_DEFAULT = frozenset(
    ("quote_bars", "splits", "dividends", "delistings", "symbol_changed_events", "ticks")
)


class Slice:
    """LEAN's Slice: ``slice[symbol]``, ``slice.bars``, ``slice.quote_bars``, ``slice.splits``...

    Built once per time step, so it is kept light: slotted, and the auxiliary dictionaries
    (quotes, splits, dividends, ...) stay unset, reading as shared empty ones, until a step
    has such data.
    """

    __slots__ = (
        "time",
        "bars",
        "_data",
        "quote_bars",
        "splits",
        "dividends",
        "delistings",
        "symbol_changed_events",
        "ticks",
        "_custom",
    )
    #: (feed.lazy_bars.LazySlice's items; a built slice has none)
    _items = None

    def __init__(
        self, time: datetime, bars: DataDictionary | None = None, data: DataDictionary | None = None
    ) -> None:
        self.time = time
        self.bars = DataDictionary() if bars is None else bars
        self._data = DataDictionary() if data is None else data

    def __getattr__(self, name: str) -> Any:
        # called only for an unset slot: an auxiliary dictionary no data filled
        if name in _EMPTY_BY_DEFAULT:
            return _EMPTY
        if name == "_custom":
            return None
        raise AttributeError(f"'Slice' object has no attribute '{name}'")

    # -- building (engine side) --------------------------------------------------
    def add_trade(self, symbol: Any, bar: Any) -> None:
        self.bars[symbol] = bar
        self._data[symbol] = bar

    def add_quote(self, symbol: Any, bar: Any) -> None:
        if self.quote_bars is _EMPTY:
            self.quote_bars = DataDictionary()
        self.quote_bars[symbol] = bar
        if symbol not in self.bars:
            self._data[symbol] = bar

    def add_custom(self, symbol: Any, point: Any) -> None:
        self._data[symbol] = point
        if self._custom is None:
            self._custom = {}
        self._custom.setdefault(type(point), DataDictionary())[symbol] = point

    def add_events(self, name: str, events: dict[Any, Any]) -> DataDictionary:
        """Attach split/dividend/delisting events (``name`` is the attribute)."""
        target = DataDictionary(events)
        setattr(self, name, target)
        return target

    # -- the algorithm's view ------------------------------------------------------
    @property
    def has_data(self) -> bool:
        return (
            bool(self._data) or bool(self.splits) or bool(self.dividends) or bool(self.delistings)
        )

    @property
    def count(self) -> int:
        return len(self._data)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, type):
            return (self._custom or {}).get(key, DataDictionary())
        return self._data[key]

    def get(self, key: Any, default: Any = None) -> Any:
        if isinstance(key, type):
            return (self._custom or {}).get(key, DataDictionary())
        return self._data.get(key, default)

    def __contains__(self, key: Any) -> bool:
        return key in self._data

    def contains_key(self, key: Any) -> bool:
        return key in self._data

    ContainsKey = contains_key

    def keys(self) -> list[Any]:
        return list(self._data.keys())

    def values(self) -> list[Any]:
        return list(self._data.values())

    def items(self) -> list[tuple[Any, Any]]:
        return list(self._data.items())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data.items())

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Slice({self.time}, {list(self._data)})"


class Split:
    """A split event: ``split_factor`` is LEAN's ratio (0.142857 for a 7-for-1 split)."""

    WARNING = 0
    SPLIT_OCCURRED = 1

    def __init__(
        self, symbol: Any, time: datetime, price: float, split_factor: float, type_: int
    ) -> None:
        self.symbol = symbol
        self.time = time
        self.end_time = time
        self.price = price
        self.reference_price = price
        self.split_factor = split_factor
        self.type = type_
        self.value = split_factor


class Dividend:
    def __init__(self, symbol: Any, time: datetime, distribution: float, price: float) -> None:
        self.symbol = symbol
        self.time = time
        self.end_time = time
        self.distribution = distribution
        self.reference_price = price
        self.value = distribution


class Delisting:
    """A delisting event: a warning on the last trading date, ``DELISTED`` the day after."""

    WARNING = 0
    DELISTED = 1

    def __init__(self, symbol: Any, time: datetime, price: float, type_: int) -> None:
        self.symbol = symbol
        self.time = time
        self.end_time = time
        self.price = price
        self.value = price
        self.type = type_


class DelistingType:
    WARNING = 0
    DELISTED = 1


class SplitType:
    WARNING = 0
    SPLIT_OCCURRED = 1
