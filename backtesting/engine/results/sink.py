"""The ResultSink seam (LEAN's IResultHandler, event-shaped).

The engine emits plain JSON-serialisable dicts, one per event, to a sink. The worker's
sandboxed child forwards them over a pipe (``backtesting.sandbox``), the CLI prints them,
tests keep them in memory. Every event has a ``type``:

``log``                 ``{"type", "time": ISO-8601 algorithm time, "level": "debug"|"log"|"error", "message"}``
``order_event``         ``{"type", "time", "order_id", "symbol", "status", "direction", "quantity",
                          "fill_quantity", "fill_price", "fee", "message", "order": {order snapshot}}``
``chart``               ``{"type", "chart", "series", "time": unix seconds, "value": float, "series_type"?, "unit"?}``
``runtime_statistics``  ``{"type", "values": {name: formatted string}}``
``progress``            ``{"type", "fraction": 0..1}``
``result``              ``{"type", "status": "Completed"|"RuntimeError"|"Stopped", "error", "stacktrace",
                          "statistics": {LEAN name: LEAN string}, "runtime_statistics": {...}}``

``result`` is always the last event of a run.

A sink may also have ``progress_due() -> bool``: the engine asks it at each per-cent of the
run before a ``progress`` and ``runtime_statistics`` report, and skips the report on False
(the sandbox paces them by wall time; without the method every per-cent reports).
"""

from __future__ import annotations

from typing import Any, Protocol

Event = dict[str, Any]


class ResultSink(Protocol):
    """Receives the engine's events in the order they happen."""

    def emit(self, event: Event) -> None:
        """Take one event; must not raise for well-formed events."""


class MemorySink:
    """Keeps every event in a list; used by tests and by the CLI to build OUT.json."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def of_type(self, event_type: str) -> list[Event]:
        return [e for e in self.events if e["type"] == event_type]

    @property
    def result(self) -> Event | None:
        results = self.of_type("result")
        return results[-1] if results else None
