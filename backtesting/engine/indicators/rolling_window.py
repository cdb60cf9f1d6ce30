"""LEAN's RollingWindow: a fixed-size history where ``[0]`` is the newest item.

Algorithms written for LEAN index windows newest-first (``window[0]`` is the latest
bar, ``window[window.count - 1]`` the oldest), ask ``is_ready`` once ``size`` items
were ever added, and read ``most_recently_removed`` to build running sums. Reading an
index beyond the size grows the window and returns None, as LEAN does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

INVALID_SIZE = "RollingWindow must have size of at least {minimum}."
NO_ITEMS_REMOVED_YET = "No items have been removed yet!"
INDEX_OUT_OF_SIZE_RANGE = "Index must be a non-negative integer"


class RollingWindow:
    """Keeps the last ``size`` items, newest first.

    ``RollingWindow[TradeBar](5)`` and ``RollingWindow(5)`` are the same thing: the type
    parameter only documents what the window holds.
    """

    # (slots: indicators' compiled reads use them, see indicators/_fastsma.c)
    __slots__ = ("_size", "_items", "_samples", "_most_recently_removed")

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(INVALID_SIZE.format(minimum=0))
        self._size = int(size)
        self._items: deque[Any] = deque(maxlen=self._size)  # left end is the newest
        self._samples = 0
        self._most_recently_removed: Any = None

    def __class_getitem__(cls, item: Any) -> type[RollingWindow]:
        return cls

    @property
    def size(self) -> int:
        """Capacity; assigning a smaller size drops the oldest items."""
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        self._resize(int(value))

    @property
    def count(self) -> int:
        """How many items the window holds now (at most ``size``)."""
        return len(self._items)

    @property
    def samples(self) -> int:
        """How many items were ever added (not reset by items falling off)."""
        return self._samples

    @property
    def is_ready(self) -> bool:
        """True once at least ``size`` items were added since construction or reset."""
        return self._samples >= self._size

    @property
    def most_recently_removed(self) -> Any:
        """The item that last fell off the back; raises until one has."""
        if self._samples <= self._size:
            raise RuntimeError(NO_ITEMS_REMOVED_YET)
        return self._most_recently_removed

    def add(self, item: Any) -> None:
        """Push ``item`` as the newest; the oldest falls off once the window is full."""
        self._samples += 1
        if len(self._items) == self._size:
            if self._size == 0:
                self._most_recently_removed = item
                return
            self._most_recently_removed = self._items[-1]
        self._items.appendleft(item)

    def reset(self) -> None:
        """Forget every item and the sample count; the size stays."""
        self._samples = 0
        self._items.clear()

    def _resize(self, size: int) -> None:
        if size < 0:
            raise ValueError(INVALID_SIZE.format(minimum=0))
        self._items = deque(list(self._items)[:size], maxlen=size)
        self._size = size

    def _position(self, index: int) -> int | None:
        """Translate LEAN's index rules into a deque position, or None for 'no item'."""
        if index < 0:
            if self._size + index < 0:
                raise IndexError(INDEX_OUT_OF_SIZE_RANGE)
            index = len(self._items) + index
            if index < 0:
                return None
        if index > len(self._items) - 1:
            if index > self._size - 1:
                self._resize(index + 1)
            return None
        return index

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self._items)[index]  # a Python convenience; newest first like indexing
        position = self._position(index)
        return None if position is None else self._items[position]

    def __setitem__(self, index: int, value: Any) -> None:
        if index < 0:
            if self._size + index < 0:
                raise IndexError(INDEX_OUT_OF_SIZE_RANGE)
            index = self._size + index
        if index > len(self._items) - 1:
            if index > self._size - 1:
                self._resize(index + 1)
            # LEAN pads with empty items by adding them as samples.
            for _ in range(index - len(self._items) + 1):
                self.add(None)
        self._items[index] = value

    def __iter__(self) -> Iterator[Any]:
        # A copy, so adding while iterating is safe (LEAN enumerates a snapshot too).
        return iter(tuple(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        # An empty window is still a window: `if self.window:` must not depend on its count.
        return True

    def __repr__(self) -> str:
        return f"RollingWindow(size={self._size}, count={self.count}, samples={self._samples})"


def _window_add(window: RollingWindow, item: Any) -> None:
    """``window.add(item)`` without the method call, for indicators' per-update paths."""
    window._samples += 1
    items = window._items
    if len(items) == window._size:
        if window._size == 0:
            window._most_recently_removed = item
            return
        window._most_recently_removed = items[-1]
    items.appendleft(item)
