"""A C#-style event for Python code written against LEAN: ``ind.updated += handler``.

LEAN's Python API exposes .NET events, which algorithms subscribe to with ``+=`` and
unsubscribe from with ``-=``. ``obj.updated += h`` rebinds ``obj.updated`` to the
result of ``__iadd__``, so the hook returns itself and the attribute keeps its identity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[Any, Any], Any]


class EventHook:
    """An ordered list of ``handler(sender, payload)`` callables, fired in subscription order."""

    __slots__ = ("_handlers",)

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def __iadd__(self, handler: Handler) -> EventHook:
        if not callable(handler):
            raise TypeError(f"event handlers must be callable, got {type(handler).__name__}")
        self._handlers.append(handler)
        return self

    def __isub__(self, handler: Handler) -> EventHook:
        # .NET removes the last matching subscription and ignores unknown handlers.
        for index in range(len(self._handlers) - 1, -1, -1):
            if self._handlers[index] == handler:
                del self._handlers[index]
                break
        return self

    def __len__(self) -> int:
        return len(self._handlers)

    def __bool__(self) -> bool:
        return bool(self._handlers)

    def fire(self, sender: Any, payload: Any) -> None:
        """Call every handler; a handler added or removed while firing takes effect next time."""
        for handler in tuple(self._handlers):
            handler(sender, payload)

    def clear(self) -> None:
        """Drop every subscription (LEAN's ``Dispose`` on consolidators)."""
        self._handlers.clear()
